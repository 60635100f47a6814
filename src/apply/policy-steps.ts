/**
 * Resource policies in apply: after the new roles exist, add them beside the
 * shared role in each planned statement; at retire, take the shared role out
 * and refuse to go on while any policy still names it. Each write is one
 * call (Lambda: one per statement); its undo, the plan's original text, is
 * in the sealed plan before the call, and what the step wrote goes to the
 * journal. Undos go through policy-restore.ts, which checks the text against
 * the live policy before writing it.
 */
import { policyAdapter } from '../resource-policy/kinds/index.js';
import { SplitRoleError } from '../core/errors.js';
import type { Plan, PlannedResourcePolicy } from '../plan/schema.js';
import { searchResourcePolicies } from '../resource-policy/discover.js';
import { besideEdits, type PolicyEdits } from '../resource-policy/edits.js';
import { findRoleStatements, type RoleRef, type StatementAddition } from '../resource-policy/statements.js';
import { restore } from './policy-restore.js';
import { label, same, sharedRef, writePolicy } from './policy-write.js';
import type { Step, StepContext } from './step.js';

/** The add step's id for a policy. */
export function policyAddStepId(policy: PlannedResourcePolicy): string {
  return `policy-add:${policy.kind}:${policy.region}:${policy.id}`;
}

/** The retire step's id for a policy. */
export function policyRemoveStepId(policy: PlannedResourcePolicy): string {
  return `policy-remove:${policy.kind}:${policy.region}:${policy.id}`;
}

/** Stage create, after the roles: one step per policy. */
export function policyAddSteps(plan: Plan): Step[] {
  const shared = sharedRef(plan);
  return plan.resourcePolicies.policies.map((policy) => ({
    id: policyAddStepId(policy),
    stage: 'create',
    title: `add the new roles to ${label(policy)}`,
    async run(ctx) {
      const live = (await ctx.account.policies.read(policy)) ?? '';
      const desired = editsOf(policy).add(policy.text, shared, await additions(ctx, policy));
      if (same(live, desired)) return { after: desired };
      if (!same(live, policy.text)) throw changed(policy, 'since the plan was made');
      await writePolicy(ctx, policy, desired, live);
      return { after: desired };
    },
    async undo(ctx) {
      // Not the journal's `after`: the live policy must be the sealed text with exactly this step's additions.
      const added = await additions(ctx, policy);
      await restore(ctx, policy, policy.text, { undoing: 'add', effect: (target, shared) => editsOf(policy).add(target, shared, added) });
    },
  }));
}

/**
 * Stage retire, before the role is touched: one step per policy that takes
 * the shared role out, then a fresh look that refuses while any policy
 * (planned, or found again by a sweep) still names it or cannot be read.
 */
export function policyRetireSteps(plan: Plan): Step[] {
  const shared = sharedRef(plan);
  const steps: Step[] = plan.resourcePolicies.policies.map((policy) => ({
    id: policyRemoveStepId(policy),
    stage: 'retire',
    title: `remove ${plan.sharedRole.roleName} from ${label(policy)}`,
    keepsRoleIntact: true,
    async run(ctx) {
      const live = (await ctx.account.policies.read(policy)) ?? '';
      if (live === '' || findRoleStatements(live, shared, { exact: true }).length === 0) {
        // Resumed after a crash inside this step's own write: the live text is already ours, stripped; what it replaced is what the add step wrote.
        const added = ctx.journal.dataOf(policyAddStepId(policy))?.after as string | undefined;
        return { before: earlierAttempt(ctx, policyRemoveStepId(policy)) && added !== undefined ? added : live, after: live };
      }
      const desired = editsOf(policy).remove(live, shared);
      await writePolicy(ctx, policy, desired, live);
      return { before: live, after: desired };
    },
    async undo(ctx, recorded) {
      // Without a record (a crash mid-call) the text before removal is what the add step wrote.
      const before = (recorded?.before as string | undefined) ?? (ctx.journal.dataOf(policyAddStepId(policy))?.after as string | undefined);
      if (before !== undefined)
        await restore(ctx, policy, before, { undoing: 'remove', effect: (target, role) => editsOf(policy).remove(target, role) });
    },
  }));
  if (plan.resourcePolicies.mode === 'off') return steps;
  steps.push({
    id: 'retire:policy-recheck',
    stage: 'retire',
    title: `re-check that no resource policy names ${plan.sharedRole.roleName}`,
    recheckOnResume: true,
    async run(ctx) {
      const left = await policiesStillNaming(ctx);
      if (left.length > 0) {
        throw new SplitRoleError(
          'SharedRoleInPolicies',
          `${plan.sharedRole.roleName} is still named by, or cannot be checked in: ${left.join('; ')}`,
          'it was not deleted; fix these policies, then run apply again',
        );
      }
      return undefined;
    },
  });
  return steps;
}

/**
 * Policies (and unreadable ones) that name the shared role now: planned ones
 * re-read, plus, when the plan swept, a sweep of every region enabled now —
 * the role is global, and a key policy outside the plan's --regions that
 * still names it would be left holding an orphan id.
 */
export async function policiesStillNaming(ctx: StepContext): Promise<string[]> {
  const { plan } = ctx;
  const role = sharedRef(plan);
  const regions =
    plan.resourcePolicies.mode === 'sweep' ? [...new Set([...(await ctx.account.enabledRegions()), ...plan.regions])].sort() : [];
  const search =
    regions.length > 0
      ? await searchResourcePolicies(ctx.account.policies, ctx.io, { regions, role, exact: true })
      : { policies: [], problems: [] };
  const left = new Map<string, string>();
  for (const p of search.policies) left.set(p.arn, `${label(p)} names it`);
  for (const p of search.problems) left.set(p.arn, `${label(p)}: ${p.reason}`);
  // Evidence mode never swept: the planned policies and the ones it could not read are re-read one by one.
  for (const p of [...plan.resourcePolicies.policies, ...plan.resourcePolicies.problems]) {
    if (left.has(p.arn) || plan.resourcePolicies.mode === 'sweep') continue;
    if (p.id === '*') {
      left.set(`${p.kind}:${p.region}`, `${label(p)}: could not be listed when planned`);
      continue;
    }
    try {
      const live = await ctx.account.policies.read(p);
      if (live && findRoleStatements(live, role, { exact: true }).length > 0) left.set(p.arn, `${label(p)} names it`);
    } catch (error) {
      left.set(p.arn, `${label(p)}: ${(error as Error).message}`);
    }
  }
  return [...left.values()];
}

/** Drift: each policy apply has not touched must still read as the plan recorded it. */
export async function policyDrift(ctx: StepContext): Promise<string[]> {
  const drift: string[] = [];
  for (const policy of ctx.plan.resourcePolicies.policies) {
    if (!['pending', 'undone'].includes(ctx.journal.status(policyAddStepId(policy)))) continue;
    let live: string;
    try {
      live = (await ctx.account.policies.read(policy)) ?? '';
    } catch (error) {
      drift.push(`${label(policy)} cannot be read: ${(error as Error).message}`);
      continue;
    }
    if (!same(live, policy.text)) drift.push(`${label(policy)} changed`);
  }
  return drift;
}

/** Did an earlier run begin this step and crash or fail inside it? The current run's begin is the step's last entry. */
function earlierAttempt(ctx: StepContext, step: string): boolean {
  const own = ctx.journal.entries.filter((e) => e.step === step);
  const previous = own[own.length - 2];
  return previous !== undefined && (previous.event === 'step-begin' || previous.event === 'step-failed');
}

async function additions(ctx: StepContext, policy: PlannedResourcePolicy): Promise<StatementAddition[]> {
  const roles = new Map(ctx.plan.newRoles.map((r) => [r.roleName, r]));
  const needsIds = policy.statements.some((s) => s.mentions.includes('aws:userid'));
  const ids = new Map<string, string>();
  if (needsIds) {
    // aws:userid values hold unique ids, which exist only once the roles do.
    for (const name of new Set(policy.statements.flatMap((s) => s.roles)))
      ids.set(name, (await ctx.account.iam.findRole(name))?.roleId ?? '');
  }
  const ref = (name: string): RoleRef => ({ arn: roles.get(name)?.roleArn ?? '', roleId: ids.get(name) || 'AROA-UNKNOWN' });
  // A statement naming a session of the shared role gets the same session of the workload's new role (plan decided which).
  return policy.statements.map((s) => ({
    index: s.index,
    roles: s.roles.map(ref),
    ...(s.sessions ? { sessions: s.sessions.map((x) => ({ name: x.name, roles: x.roles.map(ref) })) } : {}),
  }));
}

/** How a kind's policy is edited: its own edits where the generic ones do not fit its API (pure). */
export function editsOf(policy: PlannedResourcePolicy): PolicyEdits {
  return policyAdapter(policy.kind).edits ?? besideEdits;
}

function changed(policy: PlannedResourcePolicy, when: string): SplitRoleError {
  return new SplitRoleError(
    'ResourcePolicyChanged',
    `the policy of ${label(policy)} changed ${when}`,
    'nothing was written to it; re-plan',
  );
}
