/**
 * Checks made before apply changes anything: the right account, partition
 * and region; the shared role and every untouched workload exactly as the
 * plan recorded; and no name the plan will create already taken by someone
 * else. Any failure means no change at all.
 */
import type { CallerIdentity } from '../aws/sts.js';
import { isNoSuchEntity } from '../core/aws-error-names.js';
import { SplitRoleError } from '../core/errors.js';
import { canonicalJson } from '../core/canonical-json.js';
import { planInvariantProblems } from '../plan/invariants.js';
import type { Plan } from '../plan/schema.js';
import { policySources } from '../plan/split-analysis.js';
import { assertSubset, PolicySubsetError } from '../policy/subset.js';
import { adapterFor } from '../workloads/registry.js';
import { applyContext, repointStepId } from './repoint-steps.js';
import { policyDrift } from './policy-steps.js';
import { taggedWithPlan, type StepContext } from './step.js';
import type { RoleSnapshot } from '../core/role-snapshot.js';
import { sharedRoleAsApplied } from './trim-steps.js';

/**
 * Refuses a plan that split-role could not have written, before any AWS call:
 * the digest the review approved (when given), the invariants re-derived from
 * the plan's own snapshot, and the promise that no new role grants more than the shared role.
 */
export function assertPlanSound(plan: Plan, expectDigest?: string): void {
  if (expectDigest !== undefined && expectDigest !== plan.digest) {
    throw new SplitRoleError(
      'PlanNotApproved',
      `the plan's digest is ${plan.digest}, not the approved ${expectDigest}`,
      'apply exactly the plan that was reviewed, or review this one',
    );
  }
  const problems = planInvariantProblems(plan);
  if (problems.length > 0) {
    throw new SplitRoleError(
      'PlanUnsafe',
      `the plan breaks split-role's rules: ${problems.join('; ')}`,
      'nothing was changed; regenerate it with `split-role plan`',
    );
  }
  for (const role of plan.newRoles) {
    try {
      assertSubset(
        policySources(plan.sharedRole),
        [...role.inlinePolicies, ...role.managedPolicies].map((p) => p.document),
      );
    } catch (error) {
      // At plan time this would be split-role's bug; here the plan file itself was made to grant more.
      if (!(error instanceof PolicySubsetError)) throw error;
      throw new SplitRoleError(
        'PlanUnsafe',
        `new role ${role.roleName} would allow more than the shared role: ${error.message}`,
        'nothing was changed; regenerate it with `split-role plan`',
      );
    }
  }
}

/** Refuses a plan made for another account, partition or region. */
export function checkTarget(plan: Plan, identity: CallerIdentity, region: string): void {
  const wrong: string[] = [];
  if (identity.account !== plan.account) wrong.push(`account ${identity.account} (plan: ${plan.account})`);
  if (identity.partition !== plan.partition) wrong.push(`partition ${identity.partition} (plan: ${plan.partition})`);
  if (region !== plan.region) wrong.push(`region ${region} (plan: ${plan.region})`);
  if (wrong.length > 0) {
    throw new SplitRoleError(
      'WrongTarget',
      `these credentials are for ${wrong.join(', ')}`,
      'use the profile and --region the plan was made with',
    );
  }
}

/** Every difference between the live account and what the plan expects; empty when none. */
export async function findDrift(ctx: StepContext, inPlay?: ReadonlySet<string>): Promise<string[]> {
  const { plan, journal } = ctx;
  const drift: string[] = [];
  // Untouched, or put back by a rollback: either way it must still match the plan. Steps this run does not take (--adopt-roles) are not checked.
  const untouched = (step: string) => (inPlay?.has(step) ?? true) && ['pending', 'undone'].includes(journal.status(step));
  if (untouched('retire:profiles')) drift.push(...(await sharedRoleDrift(ctx)));
  for (const workload of plan.workloads) {
    if (!untouched(repointStepId(workload))) continue;
    drift.push(...(await adapterFor(workload).drift(await applyContext(ctx, workload), workload)));
  }
  drift.push(...(await policyDrift(ctx)));
  // Adopting, the new roles' names are the code's roles: taken on purpose, and checked against the plan by the adopt step.
  if (!inPlay || [...inPlay].some((id) => id.startsWith('create-'))) drift.push(...(await takenNames(ctx)));
  return drift;
}

async function sharedRoleDrift(ctx: StepContext): Promise<string[]> {
  const recorded = ctx.plan.sharedRole;
  let live: RoleSnapshot;
  try {
    live = await ctx.account.iam.roleSnapshot(recorded.roleName);
  } catch (error) {
    if (isNoSuchEntity(error)) return [`the shared role ${recorded.roleName} no longer exists`];
    throw error;
  }
  // Once the trim step ran, the trimmed trust policy is the expected one.
  return roleDrift(sharedRoleAsApplied(ctx.plan, ctx.journal, live), live);
}

/**
 * How the live shared role differs from the plan's snapshot of it: identity,
 * trust, inline and attached policies (by content, in any order), instance
 * profiles. Tags, description and session length are not drift. Pure.
 */
export function roleDrift(recorded: RoleSnapshot, live: RoleSnapshot): string[] {
  const drift: string[] = [];
  // The live role must be the one snapshotted, not another role that took its name since.
  if (live.arn !== recorded.arn || live.roleId !== recorded.roleId)
    drift.push(`${recorded.roleName} is not the role the plan recorded (${live.arn}, id ${live.roleId})`);
  if (canonicalJson(live.trustPolicy) !== canonicalJson(recorded.trustPolicy)) drift.push(`${recorded.roleName}'s trust policy changed`);
  const inline = (s: Pick<RoleSnapshot, 'inlinePolicies'>) =>
    canonicalJson(Object.fromEntries(s.inlinePolicies.map((p) => [p.name, p.document])));
  if (inline(live) !== inline(recorded)) drift.push(`${recorded.roleName}'s inline policies changed`);
  const attached = (s: Pick<RoleSnapshot, 'attachedPolicies'>) =>
    canonicalJson(Object.fromEntries(s.attachedPolicies.map((p) => [p.arn, p.document])));
  if (attached(live) !== attached(recorded)) drift.push(`${recorded.roleName}'s attached policies (or their default versions) changed`);
  const profiles = (s: Pick<RoleSnapshot, 'instanceProfiles'>) =>
    s.instanceProfiles
      .map((p) => p.arn)
      .sort()
      .join(',');
  if (profiles(live) !== profiles(recorded)) drift.push(`${recorded.roleName}'s instance profiles changed`);
  return drift;
}

async function takenNames(ctx: StepContext): Promise<string[]> {
  const { plan } = ctx;
  const { iam } = ctx.account;
  const taken: string[] = [];
  const check = async (kind: string, name: string, tags: Promise<Array<{ Key?: string; Value?: string }> | undefined>) => {
    const found = await tags;
    if (found !== undefined && !taggedWithPlan(found, plan.planId)) taken.push(`${kind} ${name} already exists and is not this plan's`);
  };
  for (const role of plan.newRoles) {
    await check('role', role.roleName, iam.roleTags(role.roleName));
    for (const policy of role.managedPolicies) await check('managed policy', policy.name, iam.managedPolicyTags(policy.arn));
    if (role.instanceProfile)
      await check('instance profile', role.instanceProfile.name, iam.instanceProfileTags(role.instanceProfile.name));
  }
  return taken;
}
