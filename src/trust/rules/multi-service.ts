/** SR001: a role that more than one AWS service (workload) can assume. */
import type { TrustRule } from './types.js';

/** Each service gets every permission the others need, so the role should be split. */
export const multiServiceRule: TrustRule<'multi-service'> = {
  id: 'SR001',
  kind: 'multi-service',
  name: 'MultiServiceRole',
  level: 'error',
  short: 'IAM role assumable by more than one AWS service',
  help: 'Each service that can assume the role receives every permission the others need. Split it into one role per service with `split-role plan`.',
  enabled: () => true,
  evaluate: (subject) => {
    if (subject.services.length === 0) return { status: 'not-applicable' };
    return subject.workloads.length > 1 ? { status: 'non-compliant' } : { status: 'compliant' };
  },
};
