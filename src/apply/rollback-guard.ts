/**
 * Nothing this plan created is deleted while something uses it. Between apply
 * and rollback, anyone may have bound a new function, instance, launch
 * template or ECS deployment to a role or profile the plan made. Before
 * rollback deletes anything, it re-discovers what is bound to each of them,
 * of every workload kind in every enabled region, exactly as retire does for
 * the shared role; a role in use is kept (with its policies and profile) and
 * the reason given.
 */
import { mapLimit } from '../core/concurrency.js';
import { describeUsers, indexAccount, REGION_CONCURRENCY, workloadsForRole, type RoleWorkloads } from '../inventory/workloads.js';
import type { PlannedRole } from '../plan/schema.js';
import { workloadAdapters } from '../workloads/registry.js';
import { createStepsFor } from './create-steps.js';
import { applyContext } from './repoint-steps.js';
import type { Step, StepContext } from './step.js';

/** A new role rollback must keep, and why. */
export interface KeptRole {
  role: PlannedRole;
  users: string[];
}

/**
 * The new roles that something other than the plan's own workloads (which
 * this rollback moves back) is bound to. Only roles whose creation `toUndo`
 * would undo are looked at.
 */
export async function rolesStillInUse(ctx: StepContext, toUndo: readonly Step[]): Promise<KeptRole[]> {
  const undoing = new Set(toUndo.map((s) => s.id));
  const roles = ctx.plan.newRoles.filter((role) => createStepsFor(ctx.plan, role).some((s) => undoing.has(s.id)));
  if (roles.length === 0) return [];
  // One fresh look at the account, of every kind, in every region (a role is global), for all the roles.
  const enabled = await ctx.account.enabledRegions();
  const regions = [...new Set([...enabled, ...ctx.plan.regions, ...ctx.plan.workloads.map((w) => w.region)])].sort();
  const indexes = await mapLimit(regions, REGION_CONCURRENCY, async (region) => ({
    region,
    index: await indexAccount(await ctx.account.workloads(region), ctx.io),
  }));
  const kept: KeptRole[] = [];
  for (const role of roles) {
    const profiles = role.instanceProfile ? [role.instanceProfile] : [];
    const users: string[] = [];
    for (const { region, index } of indexes) {
      const found = workloadsForRole(index, { roleName: role.roleName, arn: role.roleArn, instanceProfiles: profiles }) as Record<
        string,
        unknown
      >;
      const left: Record<string, unknown> = {};
      for (const adapter of workloadAdapters()) {
        const movedBack = ctx.plan.workloads.filter(
          (w) => w.kind === adapter.kind && w.region === region && undoing.has(adapter.stepId(w)),
        );
        left[adapter.id] = await adapter.withoutMovedBack(await applyContext(ctx, { region }), found[adapter.id], movedBack);
      }
      users.push(
        ...describeUsers(left as RoleWorkloads, role.roleName).map((line) => (region === ctx.plan.region ? line : `${line} (${region})`)),
      );
    }
    if (users.length > 0) kept.push({ role, users });
  }
  return kept;
}

/** The ids of the steps that made the kept roles and what hangs off them: rollback leaves them. */
export function keptStepIds(ctx: StepContext, kept: readonly KeptRole[]): Set<string> {
  return new Set(kept.flatMap((k) => createStepsFor(ctx.plan, k.role).map((s) => s.id)));
}
