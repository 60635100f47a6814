/**
 * The journal cross-check for resource policies: a planned policy whose live
 * text shows a write of this plan (the new roles added, or the shared role
 * taken out exactly as retire does) while the journal shows that step never
 * begun means the journal was cut after the write. Rollback would then leave
 * the write in place and still say it is done.
 */
import { hasAwsName } from '../core/aws-error-names.js';
import { canonicalJson } from '../core/canonical-json.js';
import type { PlannedResourcePolicy } from '../plan/schema.js';
import { RESOURCE_GONE } from '../resource-policy/port.js';
import { findRoleStatements } from '../resource-policy/statements.js';
import { editsOf, policyAddStepId, policyRemoveStepId } from './policy-steps.js';
import type { StepContext } from './step.js';

/** One sentence per planned policy whose live text the journal does not explain; `untouched` says a step never began (or was undone). */
export async function unexplainedPolicyChanges(ctx: StepContext, untouched: (step: string) => boolean): Promise<string[]> {
  const { plan } = ctx;
  // By ARN: the new roles exist while anything of this plan is left to undo.
  const newRoles = plan.newRoles.map((r) => ({ name: r.roleName, ref: { arn: r.roleArn, roleId: 'AROA-UNUSED' } }));
  const shared = { arn: plan.sharedRole.arn, roleId: plan.sharedRole.roleId };
  const gaps: string[] = [];
  for (const policy of plan.resourcePolicies.policies) {
    const addUntouched = untouched(policyAddStepId(policy));
    const removeUntouched = untouched(policyRemoveStepId(policy));
    if (!addUntouched && !removeUntouched) continue;
    // A resource gone since holds no write of this plan. Any other failure (denied, throttled past the budget) is not
    // "nothing to explain": with the step cut from the journal, no undo would read this policy again.
    const live = await ctx.account.policies.read(policy).catch((error: unknown) => {
      if (hasAwsName(error, RESOURCE_GONE)) return undefined;
      throw error;
    });
    if (!live) continue;
    try {
      const named = newRoles.filter((r) => findRoleStatements(live, r.ref, { exact: true }).length > 0).map((r) => r.name);
      if (addUntouched && named.length > 0) {
        gaps.push(`${describe(policy)} names ${named.join(', ')}`);
        continue;
      }
      const added = ctx.journal.dataOf(policyAddStepId(policy))?.after;
      if (addUntouched || !removeUntouched || typeof added !== 'string') continue;
      if (sameJson(live, editsOf(policy).remove(added, shared)) && !sameJson(live, added))
        gaps.push(`${describe(policy)} no longer names ${plan.sharedRole.roleName}`);
    } catch {
      // Not a policy split-role can parse: the undo says so.
    }
  }
  return gaps;
}

function sameJson(a: string, b: string): boolean {
  return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
}

function describe(policy: PlannedResourcePolicy): string {
  return `the ${policy.kind} policy of ${policy.arn} in ${policy.region}`;
}
