/** `scan` as a library call: list the account's roles and build the report. */
import { findRole, listRoles, type RoleSummary } from '../aws/iam.js';
import type { AwsSession } from '../aws/session.js';
import { getCallerIdentity } from '../aws/sts.js';
import { SplitRoleError } from '../core/errors.js';
import type { IoHost } from '../core/io-host.js';
import { buildScanReport, type ScanReport } from './report.js';

/** What to scan. */
export interface ScanOptions {
  /** Only these roles (by name); every role when empty. */
  roleNames?: readonly string[];
}

const PROGRESS_EVERY = 1000;

/** Scans the account behind `session` with the fewest calls: paged ListRoles, or one GetRole per named role. */
export async function scanAccount(session: AwsSession, io: IoHost, options: ScanOptions = {}): Promise<ScanReport> {
  const [identity, roles] = await Promise.all([
    session.sts().then(getCallerIdentity),
    options.roleNames?.length ? namedRoles(session, options.roleNames) : allRoles(session, io),
  ]);
  return buildScanReport(roles, { account: identity.account, partition: identity.partition, region: session.region });
}

async function allRoles(session: AwsSession, io: IoHost): Promise<RoleSummary[]> {
  const roles: RoleSummary[] = [];
  for await (const role of listRoles(await session.iam())) {
    roles.push(role);
    if (roles.length % PROGRESS_EVERY === 0) io.notify('progress', `listed ${roles.length} roles…`);
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
