/**
 * The live workload index rule SR004 needs: which workloads of each service
 * run as each role, in every enabled region. Only a live scan of one account
 * has it; check (code) and organization scans do not.
 */
import { listInstanceProfiles, type RoleSummary } from '../aws/iam.js';
import { resolveRegions } from '../aws/regions.js';
import type { AwsSession } from '../aws/session.js';
import { mapLimit } from '../core/concurrency.js';
import { usageError } from '../core/errors.js';
import type { IoHost } from '../core/io-host.js';
import { indexAccount, REGION_CONCURRENCY, workloadsForRole, type IndexScope } from '../inventory/workloads.js';
import { OPT_IN_RULES } from '../trust/rules/shared-by-workloads.js';
import { workloadAdapters } from '../workloads/registry.js';

/** `--rules a,b`: the opt-in rule ids asked for; an unknown id is a usage error. */
export function parseOptInRules(value: string | undefined): string[] {
  if (value === undefined) return [];
  const ids = value
    .split(',')
    .map((id) => id.trim().toUpperCase())
    .filter(Boolean);
  const unknown = ids.filter((id) => !(OPT_IN_RULES as readonly string[]).includes(id));
  if (unknown.length > 0 || ids.length === 0)
    throw usageError(
      `--rules: unknown rule ${unknown.join(', ') || '(none given)'}`,
      `rules that are off unless asked for: ${OPT_IN_RULES.join(', ')}`,
    );
  return [...new Set(ids)];
}

/** Refuses SR004 where no workload index exists (`where`: "check reads code", say). */
export function refuseWithoutWorkloadIndex(rules: readonly string[], where: string): void {
  if (rules.includes('SR004'))
    throw usageError(
      `--rules SR004 needs a workload index, which ${where} has none of`,
      'run `split-role scan --rules SR004` against one account (without --org or --accounts)',
    );
}

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
