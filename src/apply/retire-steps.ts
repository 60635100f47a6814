/**
 * Stages 3 and 4: verify every workload is on its new role and healthy, then
 * retire the shared role: snapshot first, re-check nothing uses it, and only
 * then remove it from its profiles, strip its policies and delete it.
 */
import { isNoSuchEntity } from '../core/aws-error-names.js';
import { SplitRoleError } from '../core/errors.js';
import { describeRegionalUsers, liveBindings, type RegionalWorkloads } from '../inventory/workloads.js';
import type { Plan } from '../plan/schema.js';
import { adapterFor } from '../workloads/registry.js';
import { deleteAfterDetaching, deleteEmptiedProfile } from './iam-settling.js';
import { describeOpen, openManualFollowUps } from './manual-follow-ups.js';
import { applyContext } from './repoint-steps.js';
import { policyRetireSteps } from './policy-steps.js';
import { roleDrift } from './preflight.js';
import { sharedRoleAsApplied } from './trim-steps.js';
import { canonicalJson } from '../core/canonical-json.js';
import type { Step, StepContext } from './step.js';
import type { RoleSnapshot } from '../core/role-snapshot.js';

const SNAPSHOT_STEP = 'retire:snapshot';

/** The verify step: bindings, health, and nothing left on the shared role. */
export function verifyStep(plan: Plan): Step {
  return {
    id: 'verify',
    stage: 'verify',
    title: 'verify every workload is on its new role and healthy',
    async run(ctx) {
      const problems = await bindingProblems(ctx);
      // The plan's regions here, as an early warning; retire's re-check looks at every enabled region.
      if (plan.retireSharedRole) problems.push(...describeRegionalUsers(await liveUsers(ctx, 'plan'), plan.region));
      if (problems.length > 0) {
        throw new SplitRoleError(
          'VerifyFailed',
          `${problems.length} problem(s): ${problems.join('; ')}`,
          'the shared role was not touched; fix these and run apply again, or undo with `split-role rollback PLAN`',
        );
      }
      return { workloads: plan.workloads.length };
    },
  };
}

/** Each workload not on its new role, or not healthy there. */
export async function bindingProblems(ctx: StepContext): Promise<string[]> {
  const problems: string[] = [];
  for (const w of ctx.plan.workloads) {
    const found = await adapterFor(w).verify(await applyContext(ctx, w), w);
    // Names are unique per region only: outside the plan's own region, say which.
    problems.push(...(w.region === ctx.plan.region ? found : found.map((problem) => `${problem} (${w.region})`)));
  }
  return problems;
}

/**
 * A fresh discovery of everything still bound to the shared role, in the
 * plan's regions, or (`everywhere`) also in every region enabled now: the
 * role is global, so a workload outside the plan's --regions breaks just the same.
 */
async function liveUsers(ctx: StepContext, where: 'plan' | 'everywhere'): Promise<RegionalWorkloads> {
  // Every service, not just the plan's, and the role's profiles as they are now: a workload,
  // or a whole instance profile, may have been bound to the role since the plan was made.
  const shared = ctx.plan.sharedRole;
  let instanceProfiles = shared.instanceProfiles;
  try {
    instanceProfiles = (await ctx.account.iam.roleSnapshot(shared.roleName)).instanceProfiles;
  } catch (error) {
    if (!isNoSuchEntity(error)) throw error;
  }
  const enabled = where === 'everywhere' ? await ctx.account.enabledRegions() : [];
  const regions = new Set([...enabled, ...ctx.plan.regions, ...ctx.plan.workloads.map((w) => w.region)]);
  ctx.io.progress('SR_APPLY_P4009', `looking for workloads still on ${shared.roleName} in ${regions.size} region(s)…`, {
    role: shared.roleName,
    regions: [...regions].sort(),
  });
  return liveBindings([...regions].sort(), (region) => ctx.account.workloads(region), ctx.io, { ...shared, instanceProfiles });
}

/**
 * The journaled snapshot of the shared role, checked against the plan's
 * sealed one: the journal's hash chain has no key, so an edited snapshot
 * (a trust policy naming another account, say) must not be what rollback
 * recreates. Everything the drift check compared before retire must match;
 * tags (which drift ignores, and on which policies may grant) are the plan's.
 */
function checkedSnapshot(ctx: StepContext): RoleSnapshot {
  const journaled = ctx.journal.dataOf(SNAPSHOT_STEP)?.snapshot as RoleSnapshot | undefined;
  // The snapshot is taken after the trim step, so its trust policy is the trimmed one when the plan trims.
  const sealed = sharedRoleAsApplied(ctx.plan, ctx.journal);
  if (journaled === undefined) return sealed;
  let problems: string[];
  try {
    problems = roleDrift(sealed, journaled);
    if (journaled.path !== sealed.path) problems.push(`its path is ${journaled.path}`);
    if (journaled.permissionsBoundaryArn !== sealed.permissionsBoundaryArn) problems.push('its permissions boundary differs');
  } catch {
    problems = ['it is not a role snapshot'];
  }
  if (problems.length > 0) {
    throw new SplitRoleError(
      'JournalCorrupt',
      `the journal's snapshot of ${sealed.roleName} is not the role the plan sealed: ${problems.join('; ')}`,
      'nothing more was changed; the journal was edited: restore it from a backup, or recreate the role by hand from the plan',
    );
  }
  return { ...journaled, tags: sealed.tags };
}

function sortedTags(tags: ReadonlyArray<{ Key: string; Value: string }>): string[] {
  return tags.map((t) => `${t.Key}=${t.Value}`).sort();
}

/** The retire step that deletes the shared role; once undone, the role exists again with a new unique id. */
export const RETIRE_ROLE_STEP = 'retire:role';

/** The warning about a recreated shared role: shown when rollback recreates it, on every later status, and after a resumed rollback. */
export function recreatedWarning(plan: Plan): { message: string; data: { role: string; namedBy: string[] } } {
  const roleName = plan.sharedRole.roleName;
  const named = plan.followUps.filter((f) => f.kind === 'trust-reference').map((f) => f.resource);
  return {
    message:
      `${roleName} was recreated with a new unique id: policies that named the old role by ARN (S3 bucket, ` +
      `KMS key and SQS queue policies, other roles' trust) now show its old id and must be saved again` +
      (named.length > 0 ? `; the plan found: ${named.join(', ')}` : ''),
    data: { role: roleName, namedBy: named },
  };
}

/** The retire steps, in order. Their undos rebuild the role from the journaled snapshot. */
export function retireSteps(plan: Plan): Step[] {
  const roleName = plan.sharedRole.roleName;
  const snapshotOf = (ctx: StepContext): RoleSnapshot => checkedSnapshot(ctx);
  return [
    {
      id: SNAPSHOT_STEP,
      stage: 'retire',
      title: `snapshot ${roleName} into the journal`,
      // Until the role is first changed, a resumed run takes the snapshot again: it must be the role as it is now.
      recheckOnResume: true,
      async run({ account: { iam }, journal }) {
        const taken = journal.dataOf(SNAPSHOT_STEP);
        if (taken && journal.status('retire:profiles') !== 'pending') return taken;
        try {
          return { snapshot: await iam.roleSnapshot(roleName) };
        } catch (error) {
          // Already deleted by an earlier, interrupted run: the plan's snapshot stands in.
          if (isNoSuchEntity(error)) return { snapshot: plan.sharedRole };
          throw error;
        }
      },
    },
    {
      id: 'retire:recheck',
      stage: 'retire',
      title: `re-check that nothing uses ${roleName}`,
      recheckOnResume: true,
      async run(ctx) {
        // What the live check cannot see, the operator must have confirmed.
        const open = openManualFollowUps(ctx.plan, ctx.journal);
        if (open.length > 0) {
          throw new SplitRoleError(
            'ManualFollowUpsOpen',
            `${roleName} was not deleted: ${open.length} manual follow-up(s) are not confirmed: ${describeOpen(open).join('; ')}`,
            'do each, then run `split-role apply PLAN --confirm-manual ID` for each',
          );
        }
        const users = describeRegionalUsers(await liveUsers(ctx, 'everywhere'), ctx.plan.region);
        if (users.length > 0) {
          throw new SplitRoleError(
            'SharedRoleInUse',
            `${roleName} is still in use: ${users.join('; ')}`,
            'it was not deleted; move these, then run apply again',
          );
        }
        return undefined;
      },
    },
    // The policies lose the shared role while it still exists: KMS refuses a key policy naming a deleted role.
    ...policyRetireSteps(plan),
    {
      id: 'retire:profiles',
      stage: 'retire',
      title: `remove ${roleName} from its instance profiles`,
      async run(ctx) {
        const deleted: string[] = [];
        for (const profile of snapshotOf(ctx).instanceProfiles) {
          await ctx.account.iam.removeRoleFromProfile(profile.name, roleName);
          if (await deleteEmptiedProfile(ctx.timings, ctx.account.iam, profile.name)) deleted.push(profile.name);
        }
        return { deleted };
      },
      async undo(ctx) {
        for (const profile of snapshotOf(ctx).instanceProfiles) {
          await ctx.account.iam.ensureInstanceProfile({ name: profile.name, path: profile.path, roleName, tags: profile.tags ?? [] });
        }
      },
    },
    {
      id: 'retire:policies',
      stage: 'retire',
      title: `detach and delete ${roleName}'s policies`,
      async run(ctx) {
        const snapshot = snapshotOf(ctx);
        for (const policy of snapshot.attachedPolicies) await ctx.account.iam.detachRolePolicy(roleName, policy.arn);
        for (const policy of snapshot.inlinePolicies) await ctx.account.iam.deleteRolePolicy(roleName, policy.name);
        return undefined;
      },
      async undo(ctx) {
        const snapshot = snapshotOf(ctx);
        for (const policy of snapshot.inlinePolicies) await ctx.account.iam.putRolePolicy(roleName, policy.name, policy.document);
        for (const policy of snapshot.attachedPolicies) await ctx.account.iam.attachRolePolicy(roleName, policy.arn);
      },
    },
    {
      id: RETIRE_ROLE_STEP,
      stage: 'retire',
      title: `delete ${roleName}`,
      async run(ctx) {
        await deleteAfterDetaching(ctx.timings, () => ctx.account.iam.deleteRoleCompletely(roleName));
        return undefined;
      },
      async undo(ctx) {
        const snapshot = snapshotOf(ctx);
        if ((await ctx.account.iam.roleTags(roleName)) !== undefined) return;
        const journaledTags = (ctx.journal.dataOf(SNAPSHOT_STEP)?.snapshot as RoleSnapshot | undefined)?.tags;
        if (journaledTags && canonicalJson(sortedTags(journaledTags)) !== canonicalJson(sortedTags(snapshot.tags))) {
          ctx.io.warn(
            'SR_APPLY_W4303',
            `${roleName} is recreated with the tags the plan sealed, not the other tags the journal's snapshot holds`,
            { role: roleName, tags: snapshot.tags },
          );
        }
        await ctx.account.iam.createRole({ ...snapshot, trustPolicy: snapshot.trustPolicy });
        const warning = recreatedWarning(plan);
        ctx.io.warn('SR_APPLY_W4005', warning.message, warning.data);
      },
    },
  ];
}
