/**
 * The plan's "remove from trust" step (issue 23 item 4): UpdateAssumeRolePolicy
 * on the shared role, taking out the service principals nothing uses. The
 * journal keeps the exact trust policy it replaced; undo writes that back.
 */
import type { RoleSnapshot } from '../core/role-snapshot.js';
import { canonicalJson } from '../core/canonical-json.js';
import { SplitRoleError } from '../core/errors.js';
import type { Plan } from '../plan/schema.js';
import type { Journal } from './journal.js';
import type { Step } from './step.js';

/** The step id, for the journal and `status`. */
export const TRIM_TRUST_STEP = 'trim-trust';

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** The trim step when the plan has one (after the workloads move, so a refused step leaves them on their new roles). */
export function trimSteps(plan: Plan): Step[] {
  const trim = plan.trustTrim;
  if (!trim) return [];
  const roleName = plan.sharedRole.roleName;
  return [
    {
      id: TRIM_TRUST_STEP,
      stage: 'repoint',
      title: `remove ${trim.principals.join(', ')} from ${roleName}'s trust policy`,
      async run({ account: { iam } }) {
        const live = (await iam.roleSnapshot(roleName)).trustPolicy;
        const recorded = { before: trim.before, after: trim.after };
        if (same(live, trim.after)) return recorded;
        if (!same(live, trim.before)) throw trustChanged(roleName, 'apply');
        await iam.updateAssumeRolePolicy(roleName, trim.after);
        return recorded;
      },
      async undo({ account: { iam } }, recorded) {
        const before = recorded?.before ?? trim.before;
        const found = await iam.findRole(roleName);
        // Gone: the retire undo that runs before this one recreates it, so a missing role here means nothing to restore.
        if (!found) return;
        const live = (await iam.roleSnapshot(roleName)).trustPolicy;
        if (same(live, before)) return;
        // Only the trimmed policy is put back: a trust policy someone changed since is theirs, not ours to overwrite.
        if (!same(live, recorded?.after ?? trim.after)) throw trustChanged(roleName, 'rollback');
        await iam.updateAssumeRolePolicy(roleName, before);
      },
    },
  ];
}

/**
 * The shared role as apply has left it so far: the plan's snapshot, with the
 * trimmed trust policy once the trim step may have run. Drift checks and the
 * retire snapshot's check compare against this, not the original.
 */
export function sharedRoleAsApplied(plan: Plan, journal: Pick<Journal, 'status'>, live?: Pick<RoleSnapshot, 'trustPolicy'>): RoleSnapshot {
  const sealed = plan.sharedRole as RoleSnapshot;
  const trim = plan.trustTrim;
  if (!trim || ['pending', 'undone'].includes(journal.status(TRIM_TRUST_STEP))) return sealed;
  // Done, or interrupted mid-call: either policy is one apply wrote or found; anything else is drift.
  if (journal.status(TRIM_TRUST_STEP) !== 'done' && live && same(live.trustPolicy, trim.before)) return sealed;
  return { ...sealed, trustPolicy: trim.after };
}

function trustChanged(roleName: string, command: 'apply' | 'rollback'): SplitRoleError {
  return new SplitRoleError(
    'Drift',
    `${roleName}'s trust policy is neither the one the plan read nor the trimmed one: someone changed it`,
    command === 'apply'
      ? 'nothing was changed; re-run `split-role plan`'
      : 'restore the trust policy by hand from the plan file (trustTrim.before)',
  );
}
