/**
 * Each workload's move: where it is bound now and where apply will point it.
 * Workloads split-role cannot repoint become follow-ups with instructions.
 * What each kind moves, and how, is its workload adapter's business.
 */
import type { RoleSnapshot } from '../core/role-snapshot.js';
import type { RegionalWorkloads } from '../inventory/workloads.js';
import type { MoveTargets } from '../workloads/adapter.js';
import { adapterFor, workloadAdapters } from '../workloads/registry.js';
import type { FollowUp, PlannedRole, PlannedWorkload } from './schema.js';
import type { SplitAnalysis } from './split-analysis.js';

/** Unit keys whose workloads apply repoints itself: one per registered adapter. */
export const AUTOMATED_UNITS: ReadonlySet<string> = new Set(workloadAdapters().map((a) => a.unitKey));

/** The workloads apply will move, with current and target bindings. */
export function plannedWorkloads(
  workloads: RegionalWorkloads,
  roles: ReadonlyMap<string, PlannedRole>,
  shared: Pick<RoleSnapshot, 'arn'>,
): PlannedWorkload[] {
  return workloads.flatMap(({ region, found }) =>
    workloadAdapters().flatMap((adapter) =>
      adapter.planMoves((found as Record<string, unknown>)[adapter.id], {
        role: roles.get(adapter.unitKey),
        shared,
        staysShared: false,
        region,
      }),
    ),
  );
}

/**
 * Session name → the new roles whose workloads open sessions of that name
 * (a Lambda function's name, an EC2 instance's id), as each adapter knows
 * them: a resource policy naming the shared role's session gets the same
 * session of the workload's new role.
 */
export function workloadSessions(workloads: readonly PlannedWorkload[], roles: ReadonlyMap<string, PlannedRole>): Map<string, string[]> {
  const sessions = new Map<string, string[]>();
  for (const workload of workloads) {
    const adapter = adapterFor(workload);
    const role = roles.get(adapter.unitKey)?.roleName;
    if (!role) continue;
    for (const name of adapter.sessionNames(workload)) {
      const list = sessions.get(name) ?? [];
      if (!list.includes(role)) sessions.set(name, [...list, role]);
    }
  }
  return sessions;
}

/** What the user must change by hand after apply. */
export function workloadFollowUps(
  analysis: SplitAnalysis,
  roles: ReadonlyMap<string, PlannedRole>,
  shared: Pick<RoleSnapshot, 'roleName' | 'arn'>,
): FollowUp[] {
  // Why: a unit left on the shared role (excluded for lack of evidence) keeps its
  // workloads as they are; telling the user to move them to a role that will not exist is wrong.
  const staysShared = (key: string) => analysis.units.some((u) => u.key === key) && !roles.has(key);
  const several = analysis.workloads.length > 1;
  const followUps = analysis.workloads.flatMap(({ region, found }) =>
    workloadAdapters().flatMap((adapter) => {
      const targets: MoveTargets = { role: roles.get(adapter.unitKey), shared, staysShared: staysShared(adapter.unitKey), region };
      const items = adapter.followUps((found as Record<string, unknown>)[adapter.id], targets);
      // Launch templates and published versions are regional: with several regions, say which.
      return several ? items.map((f) => ({ ...f, message: `${region}: ${f.message}` })) : items;
    }),
  );
  for (const unit of analysis.units) {
    if (AUTOMATED_UNITS.has(unit.key)) continue;
    const role = roles.get(unit.key);
    if (!role) continue;
    followUps.push({
      kind: 'manual-service',
      resource: unit.service,
      message: `split-role cannot repoint ${unit.service} workloads; change every ${unit.key} resource that uses ${shared.roleName} to ${role.roleName} (${role.roleArn})`,
    });
  }
  return followUps;
}

/** One workload a plan would move, for the prompt that lets a person leave it on the shared role. */
export interface MovableWorkload {
  /** Its repoint step id: what `PlanDecisions.stayOnShared` names. */
  id: string;
  /** "EC2 instance i-0abc (eu-west-1) → ec2": plain text for a terminal. */
  label: string;
}

/** A stand-in role to plan moves against before the real roles exist, only for their step ids and targets. */
export function standInRole(service: string, shortName = ''): PlannedRole {
  return {
    service,
    shortName,
    roleName: '(new role)',
    roleArn: '(new role)',
    path: '/',
    description: '',
    maxSessionDuration: 3600,
    tags: [],
    trustPolicy: { Version: '2012-10-17', Statement: [] },
    inlinePolicies: [],
    managedPolicies: [],
    actions: [],
    unobservable: [],
    noEvidence: false,
    // EC2 moves instances to the new role's profile: without one it plans none.
    instanceProfile: { name: '(new profile)', arn: '(new profile)', path: '/' },
  };
}

/**
 * The workloads each unit's new role would take, before the roles exist:
 * the moves are planned against a stand-in role, only for their step ids.
 */
export function movableWorkloads(
  workloads: RegionalWorkloads,
  units: ReadonlyArray<Pick<SplitAnalysis['units'][number], 'key' | 'service'>>,
  shared: Pick<RoleSnapshot, 'arn'>,
): MovableWorkload[] {
  const roles = new Map(units.map((u) => [u.key, standInRole(u.service)]));
  const several = workloads.length > 1;
  return plannedWorkloads(workloads, roles, shared).map((w) => {
    const adapter = adapterFor(w);
    const [name, kind] = adapter.describeMove(w);
    // describeMove speaks Markdown: its name is one code span.
    const plain = name.replace(/^(`+) ?([\s\S]*?) ?\1$/, '$2');
    return {
      id: adapter.stepId(w),
      label: `${kind} ${plain}${several ? ` (${w.region})` : ''} → ${w.service.replace(/\.amazonaws\.com$/, '')}`,
    };
  });
}
