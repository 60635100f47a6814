/**
 * Does the journal tell the whole story? The hash chain (journal.ts) proves
 * no line was removed or changed before the last one; a journal cut short at
 * the end, replaced by an older copy, or lost altogether still reads fine. So
 * before apply or rollback acts, the account is asked: anything this plan made
 * or moved that the journal does not show begun means the journal is
 * incomplete, and acting on it (above all, a partial undo) could strand a
 * workload on a role that is then deleted.
 */
import { isNoSuchEntity } from '../core/aws-error-names.js';
import { SplitRoleError } from '../core/errors.js';
import { adapterFor } from '../workloads/registry.js';
import type { Journal } from './journal.js';
import { unexplainedPolicyChanges } from './policy-journal-check.js';
import { applyContext } from './repoint-steps.js';
import { taggedWithPlan, type Step, type StepContext } from './step.js';

/** Stage-complete markers that disagree with the plan or with the steps before them. */
export function stageMarkerProblems(journal: Journal, steps: readonly Step[]): string[] {
  const problems: string[] = [];
  journal.entries.forEach((entry, index) => {
    if (entry.event !== 'stage-done') return;
    const stageSteps = steps.filter((s) => s.stage === entry.stage);
    if (entry.steps !== stageSteps.length) {
      problems.push(`line ${index + 1} says stage ${entry.stage} had ${entry.steps} steps; the plan has ${stageSteps.length}`);
      return;
    }
    const done = new Set(
      journal.entries
        .slice(0, index)
        .filter((e) => e.event === 'step-done')
        .map((e) => e.step),
    );
    const missing = stageSteps.filter((s) => !done.has(s.id));
    if (missing.length > 0)
      problems.push(
        `line ${index + 1} marks stage ${entry.stage} complete, but no line before it shows ${missing.map((s) => s.id).join(', ')} done`,
      );
  });
  return problems;
}

/** Refuses a journal whose stage markers do not add up. */
export function assertStageMarkers(journal: Journal, steps: readonly Step[]): void {
  const problems = stageMarkerProblems(journal, steps);
  if (problems.length > 0) throw incomplete(journal, problems);
}

/** What the account shows this plan did that the journal does not; empty when the journal explains it all. */
export async function unexplainedChanges(ctx: StepContext, inPlay?: ReadonlySet<string>): Promise<string[]> {
  const { plan, journal } = ctx;
  const { iam } = ctx.account;
  // A step begun (even if it failed or is being undone) explains its effect; only never-begun or fully undone steps cannot.
  // Steps this run's mode does not take (apply --adopt-roles: the code made the roles and moved its workloads) explain nothing and need not.
  const untouched = (step: string) => (inPlay?.has(step) ?? true) && ['pending', 'undone'].includes(journal.status(step));
  const ours = (tags: Awaited<ReturnType<typeof iam.roleTags>>) => tags !== undefined && taggedWithPlan(tags, plan.planId);
  const gaps: string[] = [];
  for (const role of plan.newRoles) {
    if (untouched(`create-role:${role.roleName}`) && ours(await iam.roleTags(role.roleName))) gaps.push(`role ${role.roleName} exists`);
    for (const policy of role.managedPolicies) {
      if (untouched(`create-policy:${policy.name}`) && ours(await iam.managedPolicyTags(policy.arn)))
        gaps.push(`managed policy ${policy.name} exists`);
    }
    const profile = role.instanceProfile;
    if (profile && untouched(`create-profile:${profile.name}`) && ours(await iam.instanceProfileTags(profile.name)))
      gaps.push(`instance profile ${profile.name} exists`);
  }
  for (const workload of plan.workloads) {
    const adapter = adapterFor(workload);
    if (!untouched(adapter.stepId(workload))) continue;
    const moved = await adapter.showsMoved(await applyContext(ctx, workload), workload);
    if (moved) gaps.push(moved);
  }
  gaps.push(...(await unexplainedPolicyChanges(ctx, untouched)));
  if (plan.retireSharedRole && untouched('retire:role') && !(await sharedRoleExists(ctx)))
    gaps.push(`the shared role ${plan.sharedRole.roleName} is gone`);
  return gaps;
}

/** Refuses to act when the account shows changes the journal does not explain. */
export async function assertJournalExplainsAccount(ctx: StepContext, inPlay?: ReadonlySet<string>): Promise<void> {
  const gaps = await unexplainedChanges(ctx, inPlay);
  if (gaps.length > 0) throw incomplete(ctx.journal, [`this plan's changes are in the account but not in the journal: ${gaps.join('; ')}`]);
}

async function sharedRoleExists(ctx: StepContext): Promise<boolean> {
  try {
    await ctx.account.iam.roleSnapshot(ctx.plan.sharedRole.roleName);
    return true;
  } catch (error) {
    if (isNoSuchEntity(error)) return false;
    throw error;
  }
}

function incomplete(journal: Journal, problems: string[]): SplitRoleError {
  return new SplitRoleError(
    'JournalIncomplete',
    `journal ${journal.path} is incomplete: ${problems.join('; ')}`,
    'nothing was changed; restore the complete journal (a backup or an earlier copy) and run again, or reconcile by hand: `split-role status PLAN` lists what the journal knows',
  );
}
