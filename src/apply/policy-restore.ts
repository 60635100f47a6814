/**
 * Rollback's resource-policy restores: the text to put back (the plan's
 * sealed original, or the journal's text before retire) is checked against
 * the live policy and the sealed original, never trusted, and a recreated
 * shared role's new unique id replaces the old one in aws:userid conditions.
 */
import { canonicalJson } from '../core/canonical-json.js';
import { SplitRoleError } from '../core/errors.js';
import type { PlannedResourcePolicy } from '../plan/schema.js';
import { decideRestore, describeStatement, rewriteUserIds, sharedStatements } from '../resource-policy/restore-check.js';
import { PolicyEditError, type RoleRef } from '../resource-policy/statements.js';
import { label, same, sharedRef, writePolicy } from './policy-write.js';
import type { StepContext } from './step.js';

/** How an undo's text relates to the live policy: the step it undoes, and that step's edit applied to a text. */
export interface Undoing {
  undoing: 'add' | 'remove';
  effect: (target: string, shared: RoleRef) => string;
}

/**
 * Puts `restored` (the sealed text, or the journal's text before retire) back,
 * checked against the live policy, never trusted: only the statements naming
 * the plan's roles change, and only when the live ones are exactly what the
 * undone step left; everyone else's statements stay as they are now.
 */
export async function restore(ctx: StepContext, policy: PlannedResourcePolicy, restored: string, how: Undoing): Promise<void> {
  const roles = await planRoleRefs(ctx);
  try {
    // A recreated shared role has a new unique id: aws:userid conditions naming the old one would match nobody.
    const { text: target, rewritten } = rewriteUserIds(restored, roles.old.roleId, roles.now.roleId);
    if (how.undoing === 'remove') assertSealedOriginal(ctx, policy, target, roles);
    const live = (await ctx.account.policies.read(policy)) ?? '';
    if (same(live, target)) return;
    const decision = decideRestore({ target, live, effect: () => how.effect(target, roles.now), roles: roles.all });
    if (decision.action === 'refuse') throw blocked(ctx, policy, decision);
    if (decision.action === 'write') {
      await writePolicy(ctx, policy, decision.text, live);
      if (rewritten > 0) {
        ctx.io.info(
          'SR_APPLY_I4301',
          `${label(policy)}: ${rewritten} aws:userid condition value(s) naming ${ctx.plan.sharedRole.roleName}'s old unique id ` +
            `${roles.old.roleId} now name the recreated role's id ${roles.now.roleId}`,
          { policy: policy.arn, oldRoleId: roles.old.roleId, newRoleId: roles.now.roleId, rewritten },
        );
      }
    }
    if (decision.kept.length > 0) {
      ctx.io.info(
        'SR_APPLY_I4302',
        `${label(policy)}: kept ${decision.kept.length} statement(s) that name none of the plan's roles, as they are now: ` +
          decision.kept.map(describeStatement).join('; '),
        { policy: policy.arn, kept: decision.kept },
      );
    }
  } catch (error) {
    if (!(error instanceof PolicyEditError)) throw error;
    throw new SplitRoleError(
      'ResourcePolicyChanged',
      `cannot restore the policy of ${label(policy)}: ${error.message}`,
      'nothing was written to it; restore it by hand',
    );
  }
}

/** The plan's roles as policies name them now: the shared role (by its old id, and a recreated role's new one) and the new roles. */
async function planRoleRefs(ctx: StepContext): Promise<{ old: RoleRef; now: RoleRef; added: RoleRef[]; all: RoleRef[] }> {
  const old = sharedRef(ctx.plan);
  let now = old;
  if (ctx.journal.status('retire:role') !== 'pending') {
    const found = await ctx.account.iam.findRole(ctx.plan.sharedRole.roleName);
    if (found && found.roleId !== old.roleId) now = { arn: old.arn, roleId: found.roleId };
  }
  const added: RoleRef[] = [];
  for (const role of ctx.plan.newRoles)
    added.push({ arn: role.roleArn, roleId: (await ctx.account.iam.findRole(role.roleName))?.roleId ?? '' });
  return { old, now, added, all: [old, ...(now === old ? [] : [now]), ...added] };
}

/**
 * The journal's text before retire may differ from the plan's sealed
 * original, in the statements naming the shared role, only by the new roles
 * the plan added: an edited journal cannot put the shared role back anywhere else.
 */
function assertSealedOriginal(
  ctx: StepContext,
  policy: PlannedResourcePolicy,
  target: string,
  roles: { old: RoleRef; now: RoleRef; added: RoleRef[] },
): void {
  const shared = [roles.old, roles.now];
  const restoring = sharedStatements(target, shared, roles.added);
  if (restoring.length === 0) return;
  const sealed = sharedStatements(rewriteUserIds(policy.text, roles.old.roleId, roles.now.roleId).text, shared, []);
  if (canonicalJson(restoring) === canonicalJson(sealed)) return;
  throw new SplitRoleError(
    'ResourcePolicyChanged',
    `the text of ${label(policy)} that the journal recorded before retire differs from the plan's sealed policy in the statements ` +
      `naming ${ctx.plan.sharedRole.roleName}, beyond the new roles: ${restoring.filter((s) => !sealed.includes(s)).join('; ')}`,
    'nothing was written to it; restore it by hand from the plan (`split-role show PLAN`) with the new roles taken out',
  );
}

/** Refusal: the live statements naming the plan's roles are not what rollback expects, listed one by one. */
function blocked(ctx: StepContext, policy: PlannedResourcePolicy, decision: { unexpected: object[]; missing: object[]; reason?: string }) {
  const parts = [
    ...(decision.reason ? [decision.reason] : []),
    ...(decision.unexpected.length > 0
      ? [`in the policy but not expected: ${decision.unexpected.map((s) => describeStatement(s as Record<string, unknown>)).join('; ')}`]
      : []),
    ...(decision.missing.length > 0
      ? [`expected but not in the policy: ${decision.missing.map((s) => describeStatement(s as Record<string, unknown>)).join('; ')}`]
      : []),
  ];
  return new SplitRoleError(
    'ResourcePolicyChanged',
    `the policy of ${label(policy)} changed after apply wrote it, in statements naming the plan's roles: ${parts.join('; ')}`,
    `nothing was written to it; make the statements naming ${ctx.plan.sharedRole.roleName} or the new roles as they were ` +
      `(statements naming none of them may stay), then run rollback again`,
  );
}
