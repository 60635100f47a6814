/**
 * Pure: what CloudTrail after cutover says about a split, from the roles'
 * calls counted per session, event and error code (evidence/role-records.ts). (a) Calls the new
 * roles were refused, each with its IAM action and whether the shared role
 * granted it; (b) calls still made with the shared role, tied to a planned
 * workload by session name where possible.
 */
import { ACCESS_DENIED_NAMES } from '../core/aws-error-names.js';
import { eventToActions } from '../evidence/event-action.js';
import type { RoleCall } from '../evidence/role-calls-sql.js';
import { narrowGrants } from '../policy/narrow.js';
import type { PolicySource } from '../policy/types.js';
import type { Plan } from '../plan/schema.js';
import { adapterFor } from '../workloads/registry.js';

/** A refused action of one new role. */
export interface DeniedAction {
  roleName: string;
  action: string;
  errorCode: string;
  count: number;
  lastSeen: string;
  /** True when the shared role allowed it: the split dropped something the workload needs. */
  sharedGranted: boolean;
}

/** Calls one session of the shared role made after cutover. */
export interface SharedRoleUse {
  sessionName: string;
  /** The planned workload the session name points to, when it does. */
  workload?: string;
  count: number;
  latest: string;
  actions: string[];
}

/** What the records say. */
export interface CutoverFindings {
  denied: DeniedAction[];
  sharedCalls: SharedRoleUse[];
}

/** Reads the calls of each role (keyed by role ARN, in the order they began) against the plan. */
export function cutoverFindings(
  plan: Plan,
  sharedSources: PolicySource[],
  calls: ReadonlyMap<string, readonly RoleCall[]>,
): CutoverFindings {
  const denied = new Map<string, DeniedAction>();
  for (const role of plan.newRoles) {
    for (const call of calls.get(role.roleArn) ?? []) {
      if (!ACCESS_DENIED_NAMES.has(call.errorCode)) continue;
      const actions = eventToActions(call.eventSource, call.eventName);
      for (const action of actions.length > 0 ? actions : [`${call.eventSource.split('.')[0]}:${call.eventName}`]) {
        const key = `${role.roleName}\u0000${action}`;
        const seen = denied.get(key);
        if (seen) {
          seen.count += call.count;
          if (call.lastSeen > seen.lastSeen) seen.lastSeen = call.lastSeen;
          continue;
        }
        denied.set(key, {
          roleName: role.roleName,
          action,
          errorCode: call.errorCode,
          count: call.count,
          lastSeen: call.lastSeen,
          sharedGranted: grants(sharedSources, action),
        });
      }
    }
  }
  const sessions = new Map<string, SharedRoleUse>();
  const workloadBySession = sessionWorkloads(plan);
  for (const call of calls.get(plan.sharedRole.arn) ?? []) {
    const { sessionName } = call;
    let use = sessions.get(sessionName);
    if (!use) {
      const workload = workloadBySession.get(sessionName);
      use = { sessionName, ...(workload ? { workload } : {}), count: 0, latest: call.lastSeen, actions: [] };
      sessions.set(sessionName, use);
    }
    use.count += call.count;
    if (call.lastSeen > use.latest) use.latest = call.lastSeen;
    const action = call.eventName.startsWith('AssumeRole')
      ? `sts:${call.eventName}`
      : `${call.eventSource.split('.')[0]}:${call.eventName}`;
    if (!use.actions.includes(action)) use.actions.push(action);
  }
  return {
    denied: [...denied.values()].sort((a, b) => a.roleName.localeCompare(b.roleName) || a.action.localeCompare(b.action)),
    sharedCalls: [...sessions.values()].sort((a, b) => b.latest.localeCompare(a.latest)),
  };
}

/** True when the shared role's policies allow the action (a Deny may still refuse it; the subset check decides what is granted). */
export function grants(sources: PolicySource[], action: string): boolean {
  if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action)) return false;
  return narrowGrants(sources, [action]).grantedActions.some((a) => a.toLowerCase() === action.toLowerCase());
}

/** Session names that identify a planned workload (an EC2 instance id, a Lambda function name), as each adapter knows them. */
function sessionWorkloads(plan: Plan): Map<string, string> {
  const names = new Map<string, string>();
  for (const w of plan.workloads) {
    const adapter = adapterFor(w);
    const kind = adapter.describeMove(w)[1];
    for (const name of adapter.sessionNames(w)) names.set(name, `${kind} ${name}`);
  }
  return names;
}
