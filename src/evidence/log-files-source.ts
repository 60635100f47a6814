/** The trail's log files as an evidence source: every event the trail records, data events included. */
import { usageError } from '../core/errors.js';
import { readTrailRecords } from './log-files.js';
import { attributeRecords, type EvidenceContext, type UsageSource } from './source.js';
import type { CloudTrailRecord } from './types.js';

/** The records of the role's account in the trail files named by --cloudtrail-logs, with warnings and progress reported. */
export function trailFileRecords(ctx: EvidenceContext): AsyncIterable<CloudTrailRecord> {
  const { session, io, request, subject } = ctx;
  return readTrailRecords(request.cloudtrailLogs as string, { s3: () => session.s3() }, {
    since: request.window.start,
    // An organization trail holds every account's files: read the role's account only.
    account: subject.role.arn.split(':')[4],
    onWarning: (message) => {
      ctx.warnings.push(message);
      io.notify('warn', message);
    },
    onProgress: (files, read) => io.notify('progress', `read ${files} log files, ${read} records…`),
  });
}

/** `--evidence logs`. */
export const logFilesSource: UsageSource = {
  name: 'logs',
  visibility: { managementEvents: true, dataEvents: true, serverSideFiltering: false },
  validate(request) {
    if (!request.cloudtrailLogs) throw usageError('--evidence logs needs the trail’s files', 'pass --cloudtrail-logs PATH (a folder or s3://bucket/prefix)');
  },
  usage: (ctx) => attributeRecords(ctx, trailFileRecords(ctx)),
};
