/** `scan` as a library call: list the account's roles and build the report. */
import { findRole, listRoles, listRoleTags, type RoleSummary } from '../aws/iam.js';
import type { AwsSession } from '../aws/session.js';
import { getCallerIdentity } from '../aws/sts.js';
import { mapLimit } from '../core/concurrency.js';
import { SplitRoleError } from '../core/errors.js';
import type { IoHost } from '../core/io-host.js';
import { isServiceLinkedRole } from '../trust/role-scope.js';
import { buildScanReport, type ScanReport } from './report.js';

/** What to scan. */
export interface ScanOptions {
  /** Only these roles (by name); every role when empty. */
  roleNames?: readonly string[];
  /** Tags every role must carry (rule SR003); their tags are read only when this is set. */
  requiredTags?: readonly string[];
  /** Rules asked for by id that are off otherwise (`--rules SR004`). */
  optIn?: readonly string[];
  /** Workload key → workloads running as a role, from a live workload index (rule SR004). */
  workloadsOf?: (role: RoleSummary) => Readonly<Record<string, readonly string[]>>;
}

const PROGRESS_EVERY = 1000;
/** ListRoleTags calls in flight: IAM throttles an account's reads as a whole. */
const TAG_READS_IN_FLIGHT = 8;

/** Scans the account behind `session` with the fewest calls: paged ListRoles, or one GetRole per named role. */
export async function scanAccount(session: AwsSession, io: IoHost, options: ScanOptions = {}): Promise<ScanReport> {
  const requiredTags = options.requiredTags ?? [];
  const [identity, roles] = await Promise.all([
    session.sts().then(getCallerIdentity),
    options.roleNames?.length
      ? namedRoles(session, options.roleNames)
      : allRoles(session, io).then((all) => (requiredTags.length > 0 ? withTags(session, all, io) : all)),
  ]);
  return buildScanReport(
    roles,
    { account: identity.account, partition: identity.partition, region: session.region },
    { requiredTags, ...(options.optIn?.length ? { optIn: options.optIn } : {}) },
    options.workloadsOf,
  );
}

/** Reads each in-scope role's tags (ListRoles leaves them out), a few roles at a time. */
async function withTags(session: AwsSession, roles: RoleSummary[], io: IoHost): Promise<RoleSummary[]> {
  const iam = await session.iam();
  let done = 0;
  return mapLimit(roles, TAG_READS_IN_FLIGHT, async (role) => {
    if (isServiceLinkedRole(role.path)) return role;
    const tags = await listRoleTags(iam, role.roleName);
    done += 1;
    if (done % PROGRESS_EVERY === 0) io.progress('SR_SCAN_P1004', `read the tags of ${done} roles…`, { roles: done });
    return { ...role, tags };
  });
}

async function allRoles(session: AwsSession, io: IoHost): Promise<RoleSummary[]> {
  const roles: RoleSummary[] = [];
  for await (const role of listRoles(await session.iam())) {
    roles.push(role);
    if (roles.length % PROGRESS_EVERY === 0) io.progress('SR_SCAN_P1001', `listed ${roles.length} roles…`, { roles: roles.length });
  }
  return roles;
}

async function namedRoles(session: AwsSession, names: readonly string[]): Promise<RoleSummary[]> {
  const unique = [...new Set(names)];
  const iam = await session.iam();
  const found = await Promise.all(unique.map((name) => findRole(iam, name)));
  const missing = unique.filter((_, i) => !found[i]);
  if (missing.length > 0) {
    throw new SplitRoleError('NoSuchRole', `role not found: ${missing.join(', ')}`, 'check the name (not the ARN) and the account');
  }
  return found as RoleSummary[];
}
