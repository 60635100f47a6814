/**
 * CloudTrail after cutover: the records of given roles (their sessions'
 * calls, and AssumeRole events for them) in a window, from the evidence
 * source the plan used. Apply's retire gate asks it about the shared role;
 * `verify` about the shared role and every new role.
 */
import type { AwsSession } from '../aws/session.js';
import type { IoHost } from '../core/io-host.js';
import { usageSource } from '../evidence/sources.js';
import type { CloudTrailRecord, EvidenceSource } from '../evidence/types.js';

/** Where to read: the plan's (or the command line's) evidence source. */
export interface TrailSource {
  source: EvidenceSource;
  cloudtrailLogs?: string;
  /** The plan's regions, for sources that read region by region. */
  regions?: readonly string[];
}

/** A role whose records are wanted. */
export interface TrailRole {
  arn: string;
  name: string;
}

/**
 * Each role's records in the window, keyed by role ARN: calls its sessions
 * made and AssumeRole events naming it. Undefined when the source cannot list
 * single calls.
 */
export async function roleRecords(
  session: AwsSession,
  io: IoHost,
  roles: readonly TrailRole[],
  from: TrailSource,
  window: { start: Date; end: Date },
): Promise<Map<string, CloudTrailRecord[]> | undefined> {
  const source = usageSource(from.source);
  if (!source.roleRecords) return undefined;
  const request = { source: from.source, window, ...(from.cloudtrailLogs ? { cloudtrailLogs: from.cloudtrailLogs } : {}), ...(from.regions ? { regions: from.regions } : {}) };
  const byRole = new Map(roles.map((r) => [r.arn, [] as CloudTrailRecord[]]));
  const [start, end] = [window.start.toISOString(), window.end.toISOString()];
  for await (const record of source.roleRecords({ session, io, roles, request })) {
    const role = roleOf(record, roles);
    if (role && record.eventTime >= start && record.eventTime <= end) byRole.get(role.arn)?.push(record);
  }
  return byRole;
}

/** The role a record belongs to: a call by one of its sessions, or an AssumeRole of it. */
export function roleOf(record: CloudTrailRecord, roles: readonly TrailRole[]): TrailRole | undefined {
  if (record.eventSource === 'sts.amazonaws.com' && record.eventName.startsWith('AssumeRole')) {
    const target = record.requestParameters?.roleArn;
    return roles.find((r) => r.arn === target);
  }
  const issuer = record.userIdentity?.sessionContext?.sessionIssuer?.arn;
  if (issuer) return roles.find((r) => r.arn === issuer);
  const arn = record.userIdentity?.arn ?? '';
  return roles.find((r) => arn.includes(`:assumed-role/${r.name}/`));
}

/** The session name of a call's identity (after the role name in an assumed-role ARN). */
export function sessionNameOf(record: CloudTrailRecord): string {
  if (record.eventName.startsWith('AssumeRole')) return String(record.requestParameters?.roleSessionName ?? '');
  const arn = record.userIdentity?.arn ?? '';
  return arn.includes(':assumed-role/') ? arn.slice(arn.lastIndexOf('/') + 1) : arn;
}
