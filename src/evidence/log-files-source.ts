/** The trail's log files as an evidence source: every event the trail records, data events included. */
import { SplitRoleError, usageError } from '../core/errors.js';
import { emptyLogReadStats, readTrailRecords, type LogReadStats, type ReadTrailOptions } from './log-files.js';
import { attributeRecords, type EvidenceContext, type RoleRecordsContext, type UsageSource } from './source.js';
import type { CloudTrailRecord, UsageEvidence } from './types.js';

/**
 * The records of the role's account in the trail files named by
 * --cloudtrail-logs that name the role, with warnings and progress reported;
 * `stats` counts the records left unparsed too. Once every file is read, too
 * many corrupt ones stop the plan (checkSkippedFiles).
 */
export function trailFileRecords(ctx: EvidenceContext): { records: AsyncIterable<CloudTrailRecord>; stats: LogReadStats } {
  const { session, request, subject } = ctx;
  const stats = emptyLogReadStats();
  const reading = readTrailRecords(request.cloudtrailLogs as string, { s3: () => session.s3() }, readOptions(ctx, [subject.role], stats, ctx.warnings));
  async function* records(): AsyncGenerator<CloudTrailRecord> {
    yield* reading;
    checkSkippedFiles(stats, request.maxSkippedFiles, ctx.warnings);
  }
  return { records: records(), stats };
}

/** Attributes the role's records in the trail files; records the byte filter skipped still count as read. */
export function trailFileUsage(ctx: EvidenceContext): Promise<UsageEvidence> {
  const read = trailFileRecords(ctx);
  return attributeRecords(ctx, read.records, () => read.stats.skippedRecords);
}

/** The roles' records in the trail files (the roles share one account), for checks after cutover. */
export async function* trailFileRoleRecords(ctx: RoleRecordsContext): AsyncGenerator<CloudTrailRecord> {
  logFilesSource.validate(ctx.request);
  if (ctx.roles.length === 0) return;
  const stats = emptyLogReadStats();
  yield* readTrailRecords(ctx.request.cloudtrailLogs as string, { s3: () => ctx.session.s3() }, readOptions(ctx, ctx.roles, stats, []));
  checkSkippedFiles(stats, ctx.request.maxSkippedFiles, []);
}

/**
 * How to read the trail files for `roles`: their account's files only, and
 * (for one role) only records whose bytes name it; warnings go to the user
 * and into `warnings`.
 */
function readOptions(
  ctx: Pick<EvidenceContext, 'io' | 'request'>,
  roles: ReadonlyArray<{ arn: string; name: string }>,
  stats: LogReadStats,
  warnings: string[],
): ReadTrailOptions {
  const { io, request } = ctx;
  const [first] = roles;
  return {
    since: request.window.start,
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
    warnings.unshift(`most trail files were skipped as corrupt (${skipped} of ${stats.files}): the evidence is incomplete, and the new roles may lack permissions they need`);
  }
}

/** `--evidence logs`. */
export const logFilesSource: UsageSource = {
  name: 'logs',
  visibility: { managementEvents: true, dataEvents: true, serverSideFiltering: false },
  noEvidenceHint: 'widen --since, or check that --cloudtrail-logs holds this account’s and region’s trail files',
  validate(request) {
    if (!request.cloudtrailLogs) throw usageError('--evidence logs needs the trail’s files', 'pass --cloudtrail-logs PATH (a folder or s3://bucket/prefix)');
  },
  usage: trailFileUsage,
  roleRecords: trailFileRoleRecords,
};
