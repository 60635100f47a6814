/**
 * Service baselines: what a service's own runtime needs from its role, made
 * with the role's credentials but often outside the evidence window or never
 * logged (Lambda writing its logs, the ECS agent pulling an image, the SSM
 * Agent's heartbeat). When the shared role grants them and the evidence did
 * not show them, dropping them breaks the workload, so they are kept by
 * default and marked "baseline" in the review. Each workload kind lists its
 * own (src/workloads/<kind>/index.ts); the registry hands them in. Pure.
 */
import { statementCoversAction } from './actions.js';
import { allowStatements } from './catalog-grants.js';
import type { PolicySource } from './types.js';

/** One group of baseline actions for a workload kind (the AWS managed policy its runtime's documentation names). */
export interface Baseline {
  /** Workload key of the service (see workloadKey): "lambda", "ecs-tasks", "ec2". */
  workload: string;
  /** Why the runtime needs them, for the review and the prompt's group. */
  why: string;
  actions: readonly string[];
  /** Only when a workload uses the role this way (ECS: "execution", the agent's role rather than the app's). */
  onlyWhenUsedAs?: string;
}

/** A baseline action the shared role grants, with why its workload needs it. */
export interface BaselineGrant {
  action: string;
  why: string;
}

/**
 * The baseline actions of one workload kind that an Allow statement of the
 * shared role covers. `usedAs` is how the role's workloads use it, where
 * their kind tells uses apart (an ECS task definition's "execution" role).
 */
export function baselineGrants(
  baselines: readonly Baseline[],
  sources: readonly PolicySource[],
  workload: string,
  usedAs: ReadonlySet<string>,
): BaselineGrant[] {
  const allows = allowStatements(sources);
  const out: BaselineGrant[] = [];
  for (const baseline of baselines) {
    if (baseline.workload !== workload || (baseline.onlyWhenUsedAs !== undefined && !usedAs.has(baseline.onlyWhenUsedAs))) continue;
    for (const action of baseline.actions) {
      if (allows.some((statement) => statementCoversAction(statement, action))) out.push({ action, why: baseline.why });
    }
  }
  return out;
}
