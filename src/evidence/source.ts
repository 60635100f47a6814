/**
 * The one interface every evidence source implements: what it can see, the
 * flags it needs, and the usage it yields. Blind-spot logic and the plan ask
 * the interface; nothing branches on a source's name.
 */
import type { AwsSession } from '../aws/session.js';
import type { IoHost } from '../core/io-host.js';
import type { DataEventVisibility } from '../policy/observability.js';
import { Attributor } from './attribution.js';
import type { RoleCall, RoleCallsRole } from './role-calls-sql.js';
import type { CloudTrailRecord, EvidenceSource, SessionHints, UsageEvidence } from './types.js';

/** What a source can see; the data-event part is the blind-spot table's. */
export interface SourceVisibility extends DataEventVisibility {
  /** Management (control-plane) events. */
  managementEvents: boolean;
  /** How far back the source reaches, and what to tell the user when --since goes further. */
  windowLimit?: { days: number; warning: string };
  /** The source filters by role where the data lives, so only the role's records (or aggregates) come back. */
  serverSideFiltering: boolean;
}

/** Which evidence to read, and over what window. */
export interface EvidenceRequest {
  source: EvidenceSource;
  window: { start: Date; end: Date };
  /** Local folder or s3://bucket/prefix of the trail's log files. */
  cloudtrailLogs?: string;
  trailArn?: string;
  accessRoleArn?: string;
  /** More trail files skipped as corrupt than this is an error; undefined: any number is only a warning. */
  maxSkippedFiles?: number;
  /** --athena-table, --athena-workgroup, --athena-output. */
  athena?: { table?: string; workgroup?: string; output?: string };
  /** --event-data-store: a CloudTrail Lake event data store id or ARN. */
  eventDataStore?: string;
  /** The regions whose own records to ask (LookupEvents is regional); default: the session's. */
  regions?: readonly string[];
}

/** The role whose usage is wanted, and the services that can assume it. */
export interface EvidenceSubject {
  role: { arn: string; name: string };
  services: readonly string[];
  hints: SessionHints;
}

/** What a source reads with: the target account's clients, the user, and where warnings collect. */
export interface EvidenceContext {
  session: AwsSession;
  io: IoHost;
  subject: EvidenceSubject;
  request: EvidenceRequest;
  /** Warnings for the plan; a source adds its own. */
  warnings: string[];
}

/** What a check after cutover asks a source: every record of these roles in the window, unattributed. */
export interface RoleRecordsContext {
  session: AwsSession;
  io: IoHost;
  roles: ReadonlyArray<{ arn: string; name: string }>;
  request: EvidenceRequest;
}

/** What a check after cutover asks an engine: these roles' calls in the window, aggregated where the data lives. */
export interface RoleCallsContext extends RoleRecordsContext {
  roles: readonly RoleCallsRole[];
}

/** An evidence source, registered in `sources.ts`. */
export interface UsageSource {
  readonly name: EvidenceSource;
  readonly visibility: SourceVisibility;
  /** What to try when the source saw no activity at all (default: the general hint in gather.ts). */
  readonly noEvidenceHint?: string;
  /** Refuses missing or bad flags before any AWS call. */
  validate(request: EvidenceRequest): void;
  /** Reads the role's usage, attributed to the services that can assume it. */
  usage(ctx: EvidenceContext): Promise<UsageEvidence>;
  /**
   * The calls the roles' sessions made, and the AssumeRole events naming them,
   * for the retire gate and `verify`; absent when the source cannot list
   * single calls. May yield records outside the window or of other roles.
   */
  roleRecords?(ctx: RoleRecordsContext): AsyncIterable<CloudTrailRecord>;
  /**
   * The same question answered where the trail lives, aggregated per role,
   * session, event and error code (only refused calls for roles that ask for
   * them): for engines, which must not send back every record of a busy role.
   */
  roleCalls?(ctx: RoleCallsContext): Promise<RoleCall[]>;
}

/**
 * Attributes CloudTrail records to services: the common end of record-reading
 * sources. `unparsed` counts records read but never parsed (a byte filter's).
 */
export async function attributeRecords(
  ctx: EvidenceContext,
  records: AsyncIterable<CloudTrailRecord>,
  unparsed: () => number = () => 0,
): Promise<UsageEvidence> {
  const { subject, request } = ctx;
  // The Attributor applies the window itself: AssumeRole events from before it still join sessions that run into it.
  const attributor = new Attributor(subject.role, subject.services, subject.hints, { window: request.window });
  for await (const record of records) attributor.add(record);
  const window = { start: request.window.start.toISOString(), end: request.window.end.toISOString() };
  const evidence = attributor.result({ source: request.source, window, warnings: ctx.warnings });
  evidence.recordsRead += unparsed();
  return evidence;
}

/** The warning for a --since that reaches past what the source keeps, if it does. */
export function windowWarning(visibility: SourceVisibility, request: EvidenceRequest, now = Date.now()): string | undefined {
  const limit = visibility.windowLimit;
  return limit && now - request.window.start.getTime() > limit.days * 86_400_000 ? limit.warning : undefined;
}
