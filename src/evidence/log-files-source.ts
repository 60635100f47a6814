/** The trail's log files as an evidence source: every event the trail records, data events included. */
import { resolve } from 'node:path';
import { z } from 'zod';
import { SplitRoleError, usageError } from '../core/errors.js';
import { deliveredAt, noteReach } from './evidence-reach.js';
import type { CachedTrailFiles } from './evidence-cache.js';
import { emptyLogReadStats, readTrailRecords, type LogReadStats, type ReadTrailOptions } from './log-files.js';
import {
  attributeRecords,
  optionValue,
  textOption,
  type EvidenceContext,
  type RoleRecordsContext,
  type SourceFlag,
  type SourceOptions,
  type SourceOptionsContext,
  type UsageSource,
} from './source.js';
import type { CloudTrailRecord, UsageEvidence } from './types.js';

/** Where the trail's files are, and how many corrupt ones planning accepts. */
export const trailFilesSchema = z.strictObject({
  /** A folder (absolute) or s3://bucket/prefix. */
  location: z.string().min(1),
  /** More files skipped as corrupt than this stopped the plan; absent: any number was only a warning. */
  maxSkippedFiles: z.number().int().nonnegative().optional(),
});

/** The settings of `--evidence logs`. */
export type TrailFiles = z.infer<typeof trailFilesSchema>;

/** The flags that name the trail's files, shared with the sources that can read them too. */
export const TRAIL_FILE_FLAGS: readonly SourceFlag[] = [
  { flags: '--cloudtrail-logs <path>', description: 'the trail’s log files: a folder or s3://bucket/prefix' },
  {
    flags: '--max-skipped-files <n>',
    description: 'fail when more trail files than this are corrupt (default: 0 without a terminal, no limit on one)',
    planOnly: true,
    parse: parseCount,
  },
];

/** A whole number flag, refused when it is not one. */
function parseCount(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new Error('expected a whole number such as 0 or 5');
  return Number(value);
}

/**
 * The trail files the flags name, over what `base` (the plan's) says; local
 * folders as absolute paths, so checks after cutover find them from anywhere.
 * Undefined when no location is given.
 */
export function trailFilesFromOptions(options: SourceOptions, context: SourceOptionsContext<Partial<TrailFiles>>): TrailFiles | undefined {
  const given = textOption(options, 'cloudtrailLogs');
  const location = given === undefined ? context.base?.location : given.startsWith('s3://') ? given : resolve(given);
  if (location === undefined) return undefined;
  // Unattended runs must not write a plan from evidence with holes in it; a person at a terminal sees the warning.
  const flag = optionValue(options, 'maxSkippedFiles');
  const limit =
    context.command === 'plan' ? (typeof flag === 'number' ? flag : context.terminal ? undefined : 0) : context.base?.maxSkippedFiles;
  return { location, ...(limit !== undefined ? { maxSkippedFiles: limit } : {}) };
}

/**
 * The records of the role's account in the trail files named by
 * --cloudtrail-logs that name the role, with warnings and progress reported;
 * `stats` counts the records left unparsed too. Once every file is read, too
 * many corrupt ones stop the plan (checkSkippedFiles).
 */
export function trailFileRecords(
  ctx: EvidenceContext<unknown>,
  files: TrailFiles,
): { records: AsyncIterable<CloudTrailRecord>; stats: LogReadStats } {
  const { session, subject } = ctx;
  const stats = emptyLogReadStats();
  // Planning keeps the files it read in the cache, keyed by the role whose records the byte filter kept; checks after cutover never use it.
  const account = subject.role.arn.split(':')[4];
  const cache = account ? ctx.cache?.trailFiles({ location: files.location, account, role: subject.role.arn }) : undefined;
  const reading = readTrailRecords(
    files.location,
    { s3: () => session.s3() },
    readOptions(ctx, [subject.role], stats, ctx.warnings, cache),
  );
  async function* records(): AsyncGenerator<CloudTrailRecord> {
    yield* reading;
    refuseNoFiles(stats, files.location, subject.role.arn.split(':')[4], ctx.request.window.start);
    checkSkippedFiles(stats, files.maxSkippedFiles, ctx.warnings);
  }
  return { records: records(), stats };
}

/**
 * No file at all is a wrong path, not a quiet role: say so instead of "no
 * activity, widen --since", which sends the person to the wrong knob.
 */
export function refuseNoFiles(stats: LogReadStats, location: string, account: string | undefined, since: Date): void {
  if (stats.files > 0) return;
  // The day before the window is read too (sessions open at its start), so that is the first day looked for.
  const from = new Date(since.getTime() - 86_400_000).toISOString().slice(0, 10);
  throw new SplitRoleError(
    'NoEvidence',
    `no trail files found under ${location}${account ? ` for account ${account}` : ''} dated ${from} or later`,
    'check --cloudtrail-logs: it must hold the trail’s .json.gz files (…/AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/), or a folder or s3:// prefix above them',
  );
}

/** Attributes the role's records in the trail files; records the byte filter skipped still count as read. */
export function trailFileUsage(ctx: EvidenceContext<unknown>, files: TrailFiles): Promise<UsageEvidence> {
  const read = trailFileRecords(ctx, files);
  return attributeRecords(ctx, read.records, () => read.stats.skippedRecords);
}

/**
 * The roles' records in the trail files (the roles share one account), for
 * checks after cutover: the retire gate and `verify`. Every file must be read:
 * one skipped as corrupt throws TooManySkippedFiles once the rest is read.
 * Why no limit here, unlike planning: a call with the shared role in an
 * unread file is exactly what the gate exists to see, and deleting the role
 * cannot be taken back.
 */
export async function* trailFileRoleRecords(ctx: RoleRecordsContext<unknown>, files: TrailFiles): AsyncGenerator<CloudTrailRecord> {
  if (ctx.roles.length === 0) return;
  const stats = emptyLogReadStats();
  const warnings: string[] = [];
  const end = ctx.request.window.end;
  // A file's name says when it was delivered: the byte filter leaves most records unparsed, so their times are not seen.
  const onFileRead = (name: string) => noteReach(ctx.reach, deliveredAt(name), end);
  for await (const record of readTrailRecords(
    files.location,
    { s3: () => ctx.session.s3() },
    { ...readOptions(ctx, ctx.roles, stats, warnings), onFileRead },
  )) {
    noteReach(ctx.reach, record.eventTime, end);
    yield record;
  }
  ctx.reach.records += stats.skippedRecords;
  // Other JSON among the logs (a plan saved beside them) is no evidence to miss: every damaged log file is.
  const unread = stats.corruptFiles - stats.notTrailFiles;
  if (unread > 0) {
    throw new SplitRoleError(
      'TooManySkippedFiles',
      `${unread} of ${stats.files} trail files from the day before cutover on could not be read, and a call with the role may be in them (${warnings.join('; ')})`,
      'the shared role is kept: repair or remove those files (or wait for CloudTrail to deliver them whole) and run again',
    );
  }
}

/**
 * How to read the trail files for `roles`: their account's files only, and
 * (for one role) only records whose bytes name it; warnings go to the user
 * and into `warnings`.
 */
function readOptions(
  ctx: Pick<EvidenceContext<unknown>, 'io' | 'request'>,
  roles: ReadonlyArray<{ arn: string; name: string }>,
  stats: LogReadStats,
  warnings: string[],
  cache?: CachedTrailFiles,
): ReadTrailOptions {
  const { io, request } = ctx;
  const [first] = roles;
  return {
    since: request.window.start,
    ...(cache ? { cache } : {}),
    // An organization trail holds every account's files: read the role's account only.
    account: first?.arn.split(':')[4],
    ...(first && roles.length === 1 ? { role: first } : {}),
    stats,
    onWarning: (message) => {
      warnings.push(message);
      io.warn('SR_EVID_W3002', message);
    },
    onProgress: (files, read) => io.progress('SR_EVID_P3001', `read ${files} log files, ${read} records…`, { files, records: read }),
  };
}

/**
 * Corrupt trail files are blind spots of the evidence: past the limit they
 * stop the plan; when most files were skipped the plan says so first.
 */
function checkSkippedFiles(stats: LogReadStats, limit: number | undefined, warnings: string[]): void {
  const skipped = stats.corruptFiles;
  if (skipped === 0) return;
  if (limit !== undefined && skipped > limit) {
    throw new SplitRoleError(
      'TooManySkippedFiles',
      `${skipped} of ${stats.files} trail files were skipped as corrupt, more than --max-skipped-files ${limit} allows`,
      'repair or remove them, or pass --max-skipped-files N to accept the gap in the evidence',
    );
  }
  if (skipped * 2 > stats.files) {
    // First, so the review's first lines say it: most of the evidence was never read.
    warnings.unshift(
      `most trail files were skipped as corrupt (${skipped} of ${stats.files}): the evidence is incomplete, and the new roles may lack permissions they need`,
    );
  }
}

/** `--evidence logs`. */
export const logFilesSource: UsageSource<TrailFiles> = {
  name: 'logs',
  visibility: { managementEvents: true, dataEvents: true, serverSideFiltering: false },
  noEvidenceHint: 'widen --since, or check that --cloudtrail-logs holds this account’s and region’s trail files',
  flags: TRAIL_FILE_FLAGS,
  configSchema: trailFilesSchema,
  fromOptions(options, context) {
    const files = trailFilesFromOptions(options, context);
    if (!files) throw usageError('--evidence logs needs the trail’s files', 'pass --cloudtrail-logs PATH (a folder or s3://bucket/prefix)');
    return files;
  },
  legacyConfig: (evidence) => ({ location: evidence.location as string }),
  describe: (config) => config.location,
  usage: (ctx) => trailFileUsage(ctx, ctx.request.config),
  roleRecords: (ctx) => trailFileRoleRecords(ctx, ctx.request.config),
};
