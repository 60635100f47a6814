/**
 * The live workload index rule SR004 needs: which workloads of each service
 * run as each role, in every enabled region. Only a live scan of one account
 * has it; check (code) and organization scans do not.
 */
import { listInstanceProfiles, type RoleSummary } from '../aws/iam.js';
import { resolveRegions } from '../aws/regions.js';
import type { AwsSession } from '../aws/session.js';
import { mapLimit } from '../core/concurrency.js';
import type { IoHost } from '../core/io-host.js';
import { indexAccount, REGION_CONCURRENCY, workloadsForRole, type IndexScope } from '../inventory/workloads.js';
import { workloadAdapters } from '../workloads/registry.js';

/** Workload key → names of the workloads running as a role, read once for the whole account. */
export async function workloadIndexFor(
  session: AwsSession,
  io: IoHost,
): Promise<(role: RoleSummary) => Readonly<Record<string, readonly string[]>>> {
  // Only kinds that can name their workloads tell them apart.
  const adapters = workloadAdapters().filter((a) => a.workloadName !== undefined);
  const scope = Object.fromEntries(workloadAdapters().map((a) => [a.id, adapters.includes(a)])) as IndexScope;
  const regions = await resolveRegions(session, undefined);
  const [indexes, profiles] = await Promise.all([
    mapLimit(regions, REGION_CONCURRENCY, async (region) => indexAccount(await session.inRegion(region), io, scope)),
    session.iam().then(listInstanceProfiles),
  ]);
  return (role) => {
    const binding = {
      arn: role.roleArn,
      roleName: role.roleName,
      instanceProfiles: profiles.filter((p) => p.roleNames.includes(role.roleName)),
    };
    const names: Record<string, string[]> = {};
    for (const index of indexes) {
      const found = workloadsForRole(index, binding) as Record<string, unknown>;
      for (const adapter of adapters) {
        const mine = adapter.listMovable(found[adapter.id]);
        if (mine.length > 0) (names[adapter.unitKey] ??= []).push(...mine);
      }
    }
    return names;
  };
}
