/**
 * What the policy steps and their undos share: the one write (retried while
 * IAM catches up with a new principal), how two policy texts are compared,
 * how a policy is named in messages, and the shared role as policies name it.
 */
import { canonicalJson } from '../core/canonical-json.js';
import { isPrincipalNotYetValid, retryWhileSettling } from '../core/waits.js';
import type { Plan, PlannedResourcePolicy } from '../plan/schema.js';
import type { RoleRef } from '../resource-policy/statements.js';
import type { StepContext } from './step.js';

/** One write; a policy that refuses a new role (or a recreated shared role) as a principal is written again once IAM caught up. */
export async function writePolicy(ctx: StepContext, policy: PlannedResourcePolicy, desired: string, live: string): Promise<void> {
  await retryWhileSettling(ctx.timings, isPrincipalNotYetValid, () => ctx.account.policies.write(policy, desired, live));
}

/** The shared role as a policy names it: by ARN, or by its unique id. */
export function sharedRef(plan: Plan): RoleRef {
  return { arn: plan.sharedRole.arn, roleId: plan.sharedRole.roleId };
}

/** Services may re-serialise a policy (KMS keeps it, SQS and SNS compact it): compare content, not bytes. */
export function same(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
  } catch {
    return false;
  }
}

/** A policy in a message: kind, ARN and region. */
export function label(policy: { kind: string; region: string; arn: string; id: string }): string {
  return `${policy.kind} ${policy.arn === '*' ? '(all)' : policy.arn} in ${policy.region}`;
}
