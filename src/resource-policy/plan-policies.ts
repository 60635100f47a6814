/**
 * Pure: turns the policies found into the plan's list. Each statement gets
 * the new roles of the services the evidence saw use the resource; when the
 * evidence cannot tell (or the statement is a Deny, which must keep binding
 * whoever takes the shared role's place) it gets every new role, marked so.
 * A policy whose edit cannot be made is a problem instead.
 */
import { policyAdapter } from './kinds/index.js';
import type { ServiceUsage } from '../evidence/types.js';
import type { PlannedResourcePolicy, ResourcePolicyPlan } from './plan-schema.js';
import { besideEdits } from './edits.js';
import type { PolicySearch, ResourcePolicyMode } from './discover.js';
import type { RoleRef } from './statements.js';

/** What the section needs of a new role the plan makes (a plan's PlannedRole is one). */
export interface PolicyRole {
  service: string;
  roleName: string;
  roleArn: string;
}

/** The plan's resource-policy section. */
export function planResourcePolicies(
  search: PolicySearch,
  mode: ResourcePolicyMode,
  shared: RoleRef,
  roles: readonly PolicyRole[],
  usage: ReadonlyMap<string, ServiceUsage>,
): ResourcePolicyPlan {
  const plan: ResourcePolicyPlan = { mode, policies: [], problems: [...search.problems] };
  for (const found of search.policies) {
    const adapter = policyAdapter(found.kind);
    const names = new Set(adapter.names(found));
    const users = roles.filter((r) => [...(usage.get(r.service)?.resources ?? [])].some((n) => names.has(n)));
    const entry: PlannedResourcePolicy = {
      kind: found.kind,
      region: found.region,
      id: found.id,
      arn: found.arn,
      text: found.text,
      statements: found.statements.map((s) => {
        const fromEvidence = users.length > 0 && s.effect !== 'Deny';
        return {
          index: s.index,
          ...(s.sid !== undefined ? { sid: s.sid } : {}),
          effect: s.effect,
          mentions: s.mentions,
          roles: (fromEvidence ? users : roles).map((r) => r.roleName),
          basis: fromEvidence ? ('evidence' as const) : ('every-service' as const),
        };
      }),
    };
    const reason = unwritable(entry, shared, roles);
    if (reason) plan.problems.push({ kind: found.kind, region: found.region, id: found.id, arn: found.arn, reason });
    else plan.policies.push(entry);
  }
  return plan;
}

/** The planned edit and its retire counterpart, tried on the text: why they cannot be made, if they cannot. */
function unwritable(entry: PlannedResourcePolicy, shared: RoleRef, roles: readonly PolicyRole[]): string | undefined {
  const edits = policyAdapter(entry.kind).edits ?? besideEdits;
  // Unique ids are only known once the roles exist; a stand-in of the same shape checks the edit.
  const refs = new Map(roles.map((r) => [r.roleName, { arn: r.roleArn, roleId: 'AROAPLANNEDROLE' }]));
  try {
    const added = edits.add(
      entry.text,
      shared,
      entry.statements.map((s) => ({ index: s.index, roles: s.roles.map((n) => refs.get(n) as RoleRef) })),
    );
    edits.remove(added, shared);
    return undefined;
  } catch (error) {
    return `cannot write: ${(error as Error).message}`;
  }
}
