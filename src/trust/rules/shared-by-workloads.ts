/** SR004: a role that several workloads of one service share (off unless `--rules SR004`; needs a live workload index). */
import type { TrustRule } from './types.js';

/** The opt-in rule ids a run can ask for with `--rules`. */
export const OPT_IN_RULES = ['SR004'] as const;

/** Two Lambda functions on one role each get the other's permissions, as two services would. */
export const sharedByWorkloadsRule: TrustRule<'shared-by-workloads'> = {
  id: 'SR004',
  kind: 'shared-by-workloads',
  name: 'SharedByWorkloadsOfOneService',
  level: 'warning',
  short: 'IAM role shared by several workloads of one service',
  help: 'Each workload (Lambda function, ECS service, EC2 instance) that runs as the role receives every permission the others need. Give each its own role with `split-role plan --per-workload`.',
  enabled: (options) => options.optIn?.includes('SR004') ?? false,
  evaluate: (subject) => {
    // Only a live scan knows which workloads run as the role.
    if (subject.workloadNames === undefined) return { status: 'not-applicable' };
    const shared = Object.entries(subject.workloadNames)
      .filter(([, names]) => new Set(names).size > 1)
      .sort(([a], [b]) => a.localeCompare(b));
    if (shared.length === 0) return { status: 'compliant' };
    return {
      status: 'non-compliant',
      detail: shared.map(([unit, names]) => `${unit}: ${[...new Set(names)].sort().join(', ')}`).join('; '),
    };
  },
};
