/**
 * The one interface every evidence source implements: what it can see, the
 * flags it needs, and the usage it yields. Blind-spot logic and the plan ask
 * the interface; nothing branches on a source's name.
 */
import type { z } from 'zod';
import type { AwsSession } from '../aws/session.js';
import type { IoHost } from '../core/io-host.js';
import type { DataEventVisibility } from '../policy/observability.js';
import { Attributor, NO_HINTS } from './attribution.js';
import type { EvidenceCacheView } from './evidence-cache.js';
import type { EvidenceReach } from './evidence-reach.js';
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

/**
 * A source's own settings (the Athena table, the trail's files, …): built by
 * its `fromOptions`, kept in the plan as `evidence.config`, and read only by
 * the source. Everyone else passes them along untouched.
 */
export type EvidenceConfig = Readonly<Record<string, unknown>>;

/** Which source to ask, with its settings. */
export interface EvidenceSettings<C = EvidenceConfig> {
  source: EvidenceSource;
  config: C;
}

/** Which evidence to read, and over what window. */
export interface EvidenceRequest<C = EvidenceConfig> extends EvidenceSettings<C> {
  window: { start: Date; end: Date };
  /** The regions whose own records to ask (LookupEvents is regional); default: the session's. */
  regions?: readonly string[];
}

/** The commands that take the sources' flags. */
export type SourceCommand = 'plan' | 'verify';

/** One CLI flag a source reads; the commander wiring adds each to `plan` and (unless planOnly) `verify`. */
export interface SourceFlag {
  /** Commander's flag text, e.g. '--athena-table <db.table>'. */
  flags: string;
  /** The help line, without "(for --evidence …)": the wiring adds the sources that read it. */
  description: string;
  /** Read only while planning (how the plan reads evidence), not by checks after cutover. */
  planOnly?: boolean;
  /** Parses the value; throws commander's InvalidArgumentError when it is bad. */
  parse?: (value: string) => unknown;
}

/** Parsed flags by commander's attribute name (--athena-table → athenaTable): a command's options object, read with optionValue. */
export type SourceOptions = object;

/** What `fromOptions` is told besides the flags. */
export interface SourceOptionsContext<C> {
  command: SourceCommand;
  /** True when a person is at a terminal (stdin and stderr are TTYs). */
  terminal: boolean;
  /** The plan's own settings, when verify asks the plan's source again: flags override only what they name. */
  base?: C;
}

/** The role whose usage is wanted, and the services that can assume it. */
export interface EvidenceSubject {
  role: { arn: string; name: string };
  services: readonly string[];
  /**
   * The workloads' session names. Plan reads the regions while the evidence
   * is read, so this may still be coming: a source awaits it only when it
   * joins sessions to services, after its records are read.
   */
  hints: SessionHints | Promise<SessionHints>;
}

/** What a source reads with: the target account's clients, the user, and where warnings collect. */
export interface EvidenceContext<C = EvidenceConfig> {
  session: AwsSession;
  io: IoHost;
  subject: EvidenceSubject;
  request: EvidenceRequest<C>;
  /** Warnings for the plan; a source adds its own. */
  warnings: string[];
  /** Where what was read is kept for the next run (plan only: checks after cutover always read afresh). */
  cache?: EvidenceCacheView;
}

/** What a check after cutover asks a source: every record of these roles in the window, unattributed. */
export interface RoleRecordsContext<C = EvidenceConfig> {
  session: AwsSession;
  io: IoHost;
  roles: ReadonlyArray<{ arn: string; name: string }>;
  request: EvidenceRequest<C>;
  /**
   * Where the source notes what it read beyond the records it yields (noteReach):
   * records it counted but did not hand over, and the latest time it holds
   * (a delivered file's time, the newest event in the window). Records yielded
   * are counted by the caller.
   */
  reach: EvidenceReach;
}

/** What a check after cutover asks an engine: these roles' calls in the window, aggregated where the data lives. */
export interface RoleCallsContext<C = EvidenceConfig> extends RoleRecordsContext<C> {
  roles: readonly RoleCallsRole[];
}

/**
 * An evidence source, registered in `sources.ts`: its file holds everything
 * about it (flags, settings, visibility, reading), so adding one is that file
 * plus one registry line. `C` is its settings' type.
 */
export interface UsageSource<C extends EvidenceConfig = EvidenceConfig> {
  /** What `--evidence` calls it. */
  readonly name: EvidenceSource;
  readonly visibility: SourceVisibility;
  /** What to try when the source saw no activity at all (default: widen --since). */
  readonly noEvidenceHint?: string;
  /** The flags it reads. Sources may share a flag (same text): --cloudtrail-logs. */
  readonly flags: readonly SourceFlag[];
  /** Its settings as the plan keeps them; checked on every plan read. */
  readonly configSchema: z.ZodType<C>;
  /** Builds its settings from the parsed flags; refuses missing or bad ones with a one-line usage error, before any AWS call. */
  fromOptions(options: SourceOptions, context: SourceOptionsContext<C>): C;
  /** Its settings from a plan written before `evidence.config` (the evidence object as read); absent when it kept none. */
  legacyConfig?(evidence: Readonly<Record<string, unknown>>): C;
  /** Where it reads, for reports: the trail's folder, `athena DB.TABLE`, … */
  describe(config: C): string;
  /** Reads the role's usage, attributed to the services that can assume it. */
  usage(ctx: EvidenceContext<C>): Promise<UsageEvidence>;
  /**
   * The calls the roles' sessions made, and the AssumeRole events naming them,
   * for the retire gate and `verify`; absent when the source cannot list
   * single calls. May yield records outside the window or of other roles.
   */
  roleRecords?(ctx: RoleRecordsContext<C>): AsyncIterable<CloudTrailRecord>;
  /**
   * The same question answered where the trail lives, aggregated per role,
   * session, event and error code (only refused calls for roles that ask for
   * them): for engines, which must not send back every record of a busy role.
   */
  roleCalls?(ctx: RoleCallsContext<C>): Promise<RoleCall[]>;
}

/** A flag's parsed value, if given. */
export function optionValue(options: SourceOptions, key: string): unknown {
  return (options as Readonly<Record<string, unknown>>)[key];
}

/** A text flag's value, if given. */
export function textOption(options: SourceOptions, key: string): string | undefined {
  const value = optionValue(options, key);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Attributes CloudTrail records to services: the common end of record-reading
 * sources. `unparsed` counts records read but never parsed (a byte filter's).
 */
export async function attributeRecords<C>(
  ctx: EvidenceContext<C>,
  records: AsyncIterable<CloudTrailRecord>,
  unparsed: () => number = () => 0,
): Promise<UsageEvidence> {
  const { subject, request } = ctx;
  // The Attributor applies the window itself: AssumeRole events from before it still join sessions that run into it.
  const attributor = new Attributor(subject.role, subject.services, NO_HINTS, { window: request.window });
  const { cache } = ctx;
  const unparsedBefore = cache?.unparsedServed ?? 0;
  let fromCache = 0;
  for await (const record of records) {
    if (cache?.served(record)) fromCache += 1;
    attributor.add(record);
  }
  const window = { start: request.window.start.toISOString(), end: request.window.end.toISOString() };
  const evidence = attributor.result({ source: request.source, window, warnings: ctx.warnings }, await subject.hints);
  evidence.recordsRead += unparsed();
  if (cache) evidence.recordsFromCache = fromCache + cache.unparsedServed - unparsedBefore;
  return evidence;
}

/** The warning for a --since that reaches past what the source keeps, if it does. */
export function windowWarning(
  visibility: SourceVisibility,
  request: Pick<EvidenceRequest<unknown>, 'window'>,
  now = Date.now(),
): string | undefined {
  const limit = visibility.windowLimit;
  return limit && now - request.window.start.getTime() > limit.days * 86_400_000 ? limit.warning : undefined;
}
