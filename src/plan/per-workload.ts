/**
 * One role per workload (`plan --per-workload`): which units split into a
 * role per workload, what each workload used, and which move goes to which
 * role. Pure. A unit splits only when its kind can name every one of its
 * workloads and it has at least two; otherwise it keeps one role per service.
 */
import type { RoleSnapshot } from '../core/role-snapshot.js';
import { addUse } from '../evidence/action-use.js';
import type { ActionUse, ServiceUsage } from '../evidence/types.js';
import type { RegionalWorkloads } from '../inventory/workloads.js';
import { adapterFor } from '../workloads/registry.js';
import type { PlannedRole, PlannedWorkload } from './schema.js';
import type { ServiceUnit } from './split-analysis.js';
import { plannedWorkloads, standInRole, workloadSessions } from './workload-targets.js';

/** The workload a move is for, or undefined when its kind cannot name one. */
export function workloadOf(move: PlannedWorkload): string | undefined {
  return adapterFor(move).workloadName?.(move);
}

/** Unit key → its workloads' names (sorted), for the units that get a role per workload. */
export function workloadNamesByUnit(
  workloads: RegionalWorkloads,
  units: ReadonlyArray<Pick<ServiceUnit, 'key' | 'service'>>,
  shared: Pick<RoleSnapshot, 'arn'>,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const unit of units) {
    const moves = plannedWorkloads(workloads, new Map([[unit.key, standInRole(unit.service, unit.key)]]), shared).filter(
      (m) => adapterFor(m).unitKey === unit.key,
    );
    const names = moves.map(workloadOf);
    // Why: a move whose kind cannot name its workload would have no role of its own to go to.
    if (names.some((n) => n === undefined)) continue;
    const distinct = [...new Set(names as string[])].sort();
    if (distinct.length >= 2) out.set(unit.key, distinct);
  }
  return out;
}

/** What one workload's sessions used (empty when none was tied to it). */
export function workloadUsage(unit: ServiceUnit, workload: string): ServiceUsage {
  const own = unit.workloads?.get(workload);
  return own ? { ...own, actions: new Map(own.actions) } : { actions: new Map(), sessions: 0, events: 0 };
}

/**
 * The unit's calls no one workload is known to have made: sessions of the
 * service whose name ties them to none (an ECS task that has stopped, a
 * source that cannot tell sessions apart). Counts add up over sessions, so
 * the rest is the unit's count less its workloads'.
 */
export function unitRest(unit: ServiceUnit): Map<string, ActionUse> {
  const rest = new Map<string, ActionUse>();
  for (const [action, use] of unit.usage.actions) {
    const tied = [...(unit.workloads?.values() ?? [])].reduce((sum, w) => sum + (w.actions.get(action)?.count ?? 0), 0);
    if (use.count > tied) addUse(rest, action, { count: use.count - tied, lastSeen: use.lastSeen });
  }
  return rest;
}

/** The new role a move goes to: its workload's own role where the plan made one, else its service's. */
export function roleForMove(roles: readonly PlannedRole[], move: PlannedWorkload): PlannedRole | undefined {
  const mine = roles.filter((r) => r.service === move.service);
  if (mine.every((r) => r.workload === undefined)) return mine[0];
  const workload = workloadOf(move);
  return mine.find((r) => r.workload !== undefined && r.workload === workload);
}

/** The moves with each split unit's workloads pointed at their own role (`found` was planned against the unit's first). */
export function retargetMoves(
  found: readonly PlannedWorkload[],
  workloads: RegionalWorkloads,
  workloadRoles: readonly PlannedRole[],
  shared: Pick<RoleSnapshot, 'arn'>,
): PlannedWorkload[] {
  const byStep = new Map<string, PlannedWorkload>();
  for (const role of workloadRoles) {
    for (const move of plannedWorkloads(workloads, new Map([[role.shortName, role]]), shared)) {
      if (adapterFor(move).unitKey === role.shortName && workloadOf(move) === role.workload)
        byStep.set(adapterFor(move).stepId(move), move);
    }
  }
  return found.map((move) => byStep.get(adapterFor(move).stepId(move)) ?? move);
}

/** Session name → new roles, each move counted for its own role. */
export function sessionsByRole(moves: readonly PlannedWorkload[], roles: readonly PlannedRole[]): Map<string, string[]> {
  const sessions = new Map<string, string[]>();
  for (const move of moves) {
    const role = roleForMove(roles, move);
    if (!role) continue;
    for (const [name, list] of workloadSessions([move], new Map([[adapterFor(move).unitKey, role]]))) {
      const known = sessions.get(name) ?? [];
      sessions.set(name, [...known, ...list.filter((r) => !known.includes(r))]);
    }
  }
  return sessions;
}

/**
 * Role name → the usage resource policies are planned with, for each workload role: its own workload's,
 * or its whole service's when the calls no one workload made were granted to every workload role.
 */
export function workloadRoleUsage(
  units: readonly ServiceUnit[],
  roles: readonly PlannedRole[],
  restGranted: boolean,
): Array<readonly [string, ServiceUsage]> {
  return roles.flatMap((role) => {
    const unit = units.find((u) => u.service === role.service);
    if (!unit || role.workload === undefined) return [];
    return [[role.roleName, restGranted ? unit.usage : workloadUsage(unit, role.workload)] as const];
  });
}
