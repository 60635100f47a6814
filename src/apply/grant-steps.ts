/**
 * `verify --grant-missing`: actions a new role was refused after cutover
 * that the shared role granted, put back as one inline policy on that role.
 * A journaled step (rollback deletes the policy); the subset check holds.
 */
import { SplitRoleError } from '../core/errors.js';
import { narrowGrants } from '../policy/narrow.js';
import { assertSubset } from '../policy/subset.js';
import { policySources } from '../plan/split-analysis.js';
import type { Plan, PlannedRole } from '../plan/schema.js';
import { taggedWithPlan, type Step, type StepContext } from './step.js';

/** The inline policy that holds what verify granted. */
export const GRANTED_POLICY = 'split-role-granted-after-verify';

/** The step id of a role's grant. */
export function grantStepId(roleName: string): string {
  return `grant:${roleName}`;
}

/** One grant step per new role; apply never runs them, rollback undoes the ones verify ran. */
export function grantSteps(plan: Plan): Step[] {
  return plan.newRoles.map((role) => ({
    id: grantStepId(role.roleName),
    stage: 'verify',
    title: `grant ${role.roleName} the actions verify found missing`,
    run() {
      return Promise.reject(new SplitRoleError('UsageError', 'grants are made by `split-role verify --grant-missing`'));
    },
    async undo({ account: { iam } }) {
      if (taggedWithPlan(await iam.roleTags(role.roleName), plan.planId)) await iam.deleteRolePolicy(role.roleName, GRANTED_POLICY);
    },
  }));
}

/** Puts the actions (and any granted before) on the role, journaled; returns every action the policy now grants. */
export async function grantMissing(ctx: StepContext, role: PlannedRole, actions: readonly string[]): Promise<string[]> {
  const id = grantStepId(role.roleName);
  const before = ctx.journal.status(id) === 'done' ? ((ctx.journal.dataOf(id)?.actions as string[] | undefined) ?? []) : [];
  const sources = policySources(ctx.plan.sharedRole);
  const narrowed = narrowGrants(sources, [...new Set([...before, ...actions])]);
  const document = { Version: '2012-10-17' as const, Statement: narrowed.statements };
  // The same promise as the plan: nothing the shared role did not grant.
  assertSubset(sources, [document]);
  ctx.journal.append({ event: 'step-begin', step: id, data: { actions: narrowed.grantedActions } });
  try {
    await ctx.account.iam.putRolePolicy(role.roleName, GRANTED_POLICY, document);
  } catch (error) {
    ctx.journal.append({ event: 'step-failed', step: id, error: (error as Error).message });
    throw error;
  }
  ctx.journal.append({ event: 'step-done', step: id, data: { actions: narrowed.grantedActions } });
  return narrowed.grantedActions;
}
