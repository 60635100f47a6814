/**
 * Apply never changes an IaC-owned resource live: a stack or a Terraform
 * state would revert the change on its next deploy (or fail on it). Before
 * the first change, the steps a run would take are mapped to the resources
 * they change, and any owned one stops the run (exit 2) with its owner and
 * the `rewrite` command to run instead. `--allow-iac-drift` goes ahead
 * anyway, and says so in the journal.
 */
import { SplitRoleError } from '../core/errors.js';
import { describeOwner, isIacOwned, type OwnedResource } from '../iac/ownership-schema.js';
import type { Plan } from '../plan/schema.js';
import { policyAddStepId } from './policy-steps.js';
import { repointStepId } from './repoint-steps.js';
import { TRIM_TRUST_STEP } from './trim-steps.js';
import type { Step, StepContext } from './step.js';

/** The IaC-owned resources `steps` would change, each once, in plan order. */
export function ownedChanges(plan: Plan, steps: readonly Step[]): OwnedResource[] {
  const owned = (plan.ownership?.resources ?? []).filter((r) => isIacOwned(r.owner));
  if (owned.length === 0) return [];
  const ids = new Set(steps.map((s) => s.id));
  const stages = new Set(steps.map((s) => s.stage));
  const touched = new Set<string>();
  // New roles made live for a role defined as code are roles the code does not know; retiring it deletes what the code declares.
  // Trimming the trust policy changes the shared role too: its code would put the principal back.
  if (steps.some((s) => s.id.startsWith('create-') || s.id === TRIM_TRUST_STEP) || stages.has('retire'))
    touched.add(`shared-role ${plan.sharedRole.arn}`);
  if (stages.has('retire')) for (const p of plan.sharedRole.instanceProfiles) touched.add(`instance-profile ${p.arn}`);
  for (const w of plan.workloads) if (ids.has(repointStepId(w))) touched.add(`workload ${repointStepId(w)}`);
  for (const p of plan.resourcePolicies.policies) {
    const removeId = policyAddStepId(p).replace(/^policy-add:/, 'policy-remove:');
    if (ids.has(policyAddStepId(p)) || ids.has(removeId)) touched.add(`resource-policy ${p.arn}`);
  }
  return owned.filter((r) => touched.has(`${r.kind} ${r.ref}`));
}

/** The refusal: each owner, and what to run instead. */
export function iacOwnedError(planPath: string, owned: readonly OwnedResource[]): SplitRoleError {
  const lines = owned.map((r) => `${r.kind} ${r.name}: ${describeOwner(r.owner)}`);
  const unmanagedWorkloads = 'then move the unmanaged workloads with `split-role apply PLAN --adopt-roles`';
  return new SplitRoleError(
    'IacOwned',
    `apply would change ${owned.length} IaC-owned resource(s) live, and their next deploy would undo it: ${lines.join('; ')}. Nothing was changed`,
    `change them in their code: \`split-role rewrite ${planPath} --stage cutover PATH…\` (PATH: the templates or .tf files named above), ` +
      `deploy it, ${unmanagedWorkloads}; or pass --allow-iac-drift to change them live anyway (journaled)`,
  );
}

/** The journal's record of an override: who owned what when apply changed it live anyway. */
export function overrideRecord(owned: readonly OwnedResource[]): Record<string, unknown> {
  return { owned: owned.map((r) => ({ kind: r.kind, name: r.name, owner: describeOwner(r.owner) })) };
}

/** What a run may do about IaC-owned resources. */
export interface IacGuardOptions {
  /** --allow-iac-drift: change them live anyway. */
  allowIacDrift?: boolean;
}

/**
 * Refuses (IacOwned, exit 2) when `steps` would change an IaC-owned
 * resource, before any change; with --allow-iac-drift, journals the override
 * and warns instead. A plan made before ownership was recorded cannot tell,
 * and says so.
 */
export function guardIacOwned(ctx: StepContext, planPath: string, steps: readonly Step[], options: IacGuardOptions): void {
  if (!ctx.plan.ownership) {
    ctx.io.warn(
      'SR_APPLY_W4203',
      'this plan records no owners (made before split-role looked them up): re-plan to refuse IaC-owned resources',
      {
        plan: ctx.plan.planId,
      },
    );
    return;
  }
  const owned = ownedChanges(ctx.plan, steps);
  if (owned.length === 0) return;
  if (!options.allowIacDrift) throw iacOwnedError(planPath, owned);
  ctx.journal.append({ event: 'iac-drift-allowed', data: overrideRecord(owned) });
  ctx.io.warn(
    'SR_APPLY_W4202',
    `--allow-iac-drift: changing ${owned.length} IaC-owned resource(s) live (${owned.map((r) => `${r.name}: ${describeOwner(r.owner)}`).join('; ')}); their code still says otherwise, so the next deploy may undo this`,
    overrideRecord(owned),
  );
}
