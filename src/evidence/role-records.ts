/**
 * CloudTrail after cutover: the calls of given roles (their sessions' calls,
 * and AssumeRole events for them) in a window, from the evidence source the
 * plan used, counted per role, session, event and error code. Apply's retire
 * gate asks it about the shared role; `verify` about the shared role and
 * every new role. Engines (Athena, Lake) count where the trail lives
 * (role-calls-sql.ts); sources that list records are counted here by the
 * same rules.
 */
import type { AwsSession } from '../aws/session.js';
import type { IoHost } from '../core/io-host.js';
import { ACCESS_DENIED_NAMES } from '../core/aws-error-names.js';
import { emptyReach, type EvidenceReach } from './evidence-reach.js';
import { sessionArnPrefix, type RoleCall, type RoleCallsRole } from './role-calls-sql.js';
import { checkedConfig } from './settings.js';
import type { EvidenceRequest, EvidenceSettings } from './source.js';
import { usageSource } from './sources.js';
import type { CloudTrailRecord } from './types.js';

/** Where to read: the plan's (or the command line's) source and settings, and the plan's regions. */
export interface TrailSource extends EvidenceSettings {
  regions?: readonly string[];
}

/** A role whose records are wanted. */
export interface TrailRole {
  arn: string;
  name: string;
}

/**
 * Each role's calls in the window, keyed by role ARN: every call for roles
 * asking 'all', refused calls only for 'refused'. Undefined when the source
 * cannot list single calls.
 */
export async function roleCalls(
  session: AwsSession,
  io: IoHost,
  roles: readonly RoleCallsRole[],
  from: TrailSource,
  window: { start: Date; end: Date },
): Promise<RoleCallsRead | undefined> {
  const source = usageSource(from.source);
  // Passed along untouched by plan, verify and the gate: only the source reads its settings, once its schema has checked them.
  const request: EvidenceRequest = { ...from, config: checkedConfig(source, from.config), window };
  const reach = emptyReach();
  let calls: RoleCall[];
  if (source.roleCalls) calls = await source.roleCalls({ session, io, roles, request, reach });
  else if (source.roleRecords)
    calls = await countRoleCalls(source.roleRecords({ session, io, roles, request, reach }), roles, window, reach);
  else return undefined;
  const byRole = new Map(roles.map((r) => [r.arn, [] as RoleCall[]]));
  // In the order the calls began, as the records came: findings list sessions' actions in that order.
  for (const call of [...calls].sort(byFirstSeen)) byRole.get(call.roleArn)?.push(call);
  return { byRole, reach };
}

/** Each role's calls in the window (keyed by role ARN), and how far the evidence read reaches. */
export interface RoleCallsRead {
  byRole: Map<string, RoleCall[]>;
  reach: EvidenceReach;
}

/** Counts records as the engines' SQL does: per role, session, event and error code, in the window. */
export async function countRoleCalls(
  records: AsyncIterable<CloudTrailRecord> | Iterable<CloudTrailRecord>,
  roles: readonly RoleCallsRole[],
  window: { start: Date; end: Date },
  reach: EvidenceReach = emptyReach(),
): Promise<RoleCall[]> {
  const [start, end] = [window.start.toISOString(), window.end.toISOString()];
  const calls = new Map<string, RoleCall>();
  for await (const record of records) {
    // Times are the source's to note: the newest record it yields is not always how far it reaches (LookupEvents' regions).
    reach.records += 1;
    const role = roleOf(record, roles);
    if (!role || record.eventTime < start || record.eventTime > end) continue;
    const errorCode = record.errorCode ?? '';
    if (role.calls === 'refused' && !ACCESS_DENIED_NAMES.has(errorCode)) continue;
    const sessionName = sessionNameOf(record);
    const key = [role.arn, sessionName, record.eventSource, record.eventName, errorCode].join('\u0000');
    const seen = calls.get(key);
    if (seen) {
      seen.count += 1;
      if (record.eventTime < seen.firstSeen) seen.firstSeen = record.eventTime;
      if (record.eventTime > seen.lastSeen) seen.lastSeen = record.eventTime;
    } else {
      calls.set(key, {
        roleArn: role.arn,
        sessionName,
        eventSource: record.eventSource,
        eventName: record.eventName,
        errorCode,
        count: 1,
        firstSeen: record.eventTime,
        lastSeen: record.eventTime,
      });
    }
  }
  return [...calls.values()];
}

function byFirstSeen(a: RoleCall, b: RoleCall): number {
  const key = (c: RoleCall) => [c.firstSeen, c.roleArn, c.sessionName, c.eventSource, c.eventName, c.errorCode].join('\u0000');
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

/** The role a record belongs to: a call by one of its sessions, or an AssumeRole of it. */
export function roleOf<R extends TrailRole>(record: CloudTrailRecord, roles: readonly R[]): R | undefined {
  if (record.eventSource === 'sts.amazonaws.com' && record.eventName.startsWith('AssumeRole')) {
    const target = record.requestParameters?.roleArn;
    return roles.find((r) => r.arn === target);
  }
  const issuer = record.userIdentity?.sessionContext?.sessionIssuer?.arn;
  if (issuer) return roles.find((r) => r.arn === issuer);
  // Without an issuer, the session ARN must be one of the role's own: same partition and account, not a namesake elsewhere.
  const arn = record.userIdentity?.arn ?? '';
  return roles.find((r) => arn.startsWith(sessionArnPrefix(r.arn, r.name)));
}

/** The session name of a call's identity (after the role name in an assumed-role ARN). */
export function sessionNameOf(record: CloudTrailRecord): string {
  if (record.eventName.startsWith('AssumeRole')) {
    const name = record.requestParameters?.roleSessionName;
    // As the engines' SQL reads it: a text value, else none.
    return typeof name === 'string' ? name : '';
  }
  const arn = record.userIdentity?.arn ?? '';
  return arn.includes(':assumed-role/') ? arn.slice(arn.lastIndexOf('/') + 1) : arn;
}
