/**
 * Which of a role's service units discovery looked for, and which it found in
 * use, across the plan's regions: what trust trimming may rely on. A unit the
 * sweep does not cover is never trimmed, whatever the evidence says.
 */
import { workloadAdapters } from '../workloads/registry.js';
import type { RegionalWorkloads } from './workloads.js';

/** Unit keys discovery covered in every region, and those it found a workload for. */
export interface TrimScope {
  covered: ReadonlySet<string>;
  inUse: ReadonlySet<string>;
}

/** The unit key of ecs.amazonaws.com, whose workloads are ECS services with a service role. */
export const ECS_SERVICE_ROLE_KEY = 'ecs';

/**
 * The scope from the region sweep (every kind's discovery) and, when it ran in
 * every region, the ECS service-role search (`ecsServiceRoleUsers`: the
 * services found, or undefined when it did not run).
 */
export function trimScope(regional: RegionalWorkloads, ecsServiceRoleUsers?: readonly string[]): TrimScope {
  const covered = new Set(workloadAdapters().map((a) => a.unitKey));
  const inUse = new Set<string>();
  for (const { found } of regional) {
    const parts = found as Record<string, unknown>;
    for (const adapter of workloadAdapters()) {
      if (adapter.describeUsers(parts[adapter.id], 'the role').length > 0) inUse.add(adapter.unitKey);
    }
  }
  if (ecsServiceRoleUsers) {
    covered.add(ECS_SERVICE_ROLE_KEY);
    if (ecsServiceRoleUsers.length > 0) inUse.add(ECS_SERVICE_ROLE_KEY);
  }
  return { covered, inUse };
}
