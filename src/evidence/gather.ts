/**
 * Gathers a role's usage evidence from the chosen source and attributes it to
 * the services that can assume the role.
 */
import { generatedActions } from './access-analyzer-source.js';
import { rateLimiterFor } from '../aws/cloudtrail.js';
import type { AwsSession } from '../aws/session.js';
import { SplitRoleError } from '../core/errors.js';
import type { IoHost } from '../core/io-host.js';
import { Attributor } from './attribution.js';
import { readTrailRecords } from './log-files.js';
import { lookupRoleRecords } from './lookup-events-source.js';
import type { EvidenceSource, SessionHints, UsageEvidence } from './types.js';

/** Which evidence to read, and over what window. */
export interface EvidenceRequest {
  source: EvidenceSource;
  window: { start: Date; end: Date };
  /** Local folder or s3://bucket/prefix of the trail's log files. */
  cloudtrailLogs?: string;
  trailArn?: string;
  accessRoleArn?: string;
}

/** The role whose usage is wanted, and the services that can assume it. */
export interface EvidenceSubject {
  role: { arn: string; name: string };
  services: readonly string[];
  hints: SessionHints;
}

/** Reads the evidence and attributes it; fails with exit 2 when there is none at all. */
export async function gatherEvidence(session: AwsSession, io: IoHost, subject: EvidenceSubject, request: EvidenceRequest): Promise<UsageEvidence> {
  const window = { start: request.window.start.toISOString(), end: request.window.end.toISOString() };
  const warnings: string[] = [];
  if (!useLogsFor(request) && Date.now() - request.window.start.getTime() > LOOKUP_EVENTS_HISTORY_MS) {
    warnings.push('LookupEvents keeps 90 days of events: the older part of --since was not seen (use --evidence logs for longer windows)');
  }
  // The Attributor applies the window itself: AssumeRole events from before it still join sessions that run into it.
  const attributor = new Attributor(subject.role, subject.services, subject.hints, { window: request.window });
  const records = useLogsFor(request)
    ? readTrailRecords(request.cloudtrailLogs as string, { s3: () => session.s3() }, {
        since: request.window.start,
        onWarning: (message) => {
          warnings.push(message);
          io.notify('warn', message);
        },
        onProgress: (files, read) => io.notify('progress', `read ${files} log files, ${read} records…`),
      })
    : lookupRoleRecords(await session.cloudTrail(), rateLimiterFor(session), subject.role, request.window, io);

  for await (const record of records) attributor.add(record);
  const evidence = attributor.result({ source: request.source, window, warnings });
  if (request.source === 'access-analyzer') await addGeneratedActions(session, io, subject, request, evidence);

  const sessions = [...evidence.byService.values()].reduce((n, u) => n + u.sessions, 0) + evidence.unattributed.sessions;
  const events = [...evidence.byService.values()].reduce((n, u) => n + u.events, 0) + evidence.unattributed.events;
  if (sessions === 0 && events === 0 && evidence.unattributed.actions.size === 0) {
    throw new SplitRoleError(
      'NoEvidence',
      `no CloudTrail activity of ${subject.role.name} between ${window.start} and ${window.end} (${evidence.recordsRead} records read)`,
      'widen --since, check that a trail records this region, or use --evidence logs with the trail’s files',
    );
  }
  return evidence;
}

/**
 * Access Analyzer sees what the role used but not who used it: its actions
 * join the services CloudTrail tied them to, or else the unattributed pool.
 */
async function addGeneratedActions(
  session: AwsSession,
  io: IoHost,
  subject: EvidenceSubject,
  request: EvidenceRequest,
  evidence: UsageEvidence,
): Promise<void> {
  if (!request.trailArn || !request.accessRoleArn) {
    throw new SplitRoleError('UsageError', '--evidence access-analyzer needs --trail-arn and --access-role-arn');
  }
  io.notify('progress', 'waiting for IAM Access Analyzer policy generation (this takes minutes)…');
  const generated = await generatedActions(
    await session.accessAnalyzer(),
    { roleArn: subject.role.arn, trailArn: request.trailArn, accessRoleArn: request.accessRoleArn, window: request.window },
    // Service-level results are asked for so they can be listed (as unobservable), never granted.
    { includeServiceLevelTemplate: true, onProgress: (message: string) => io.notify('progress', message) },
  );
  const attributed = new Set<string>();
  for (const usage of evidence.byService.values()) for (const action of usage.actions.keys()) attributed.add(action.toLowerCase());
  for (const action of generated.actions) {
    if (!CONCRETE_ACTION.test(action)) {
      // Service-level results ("dynamodb:*" for DynamoDB, SQS, SNS) say nothing about which action was
      // used: never granted as such; the plan lists that service's granted actions as unobservable.
      const prefix = /^([a-z0-9-]+):\*$/.exec(action)?.[1];
      if (prefix) (evidence.serviceLevelPrefixes ??= []).push(prefix);
      else evidence.warnings.push(`Access Analyzer reported ${action}, which is not a single action; it was ignored`);
      continue;
    }
    if (attributed.has(action.toLowerCase())) continue;
    if (!evidence.unattributed.actions.has(action)) evidence.unattributed.actions.set(action, { count: 0, lastSeen: '' });
  }
}

const CONCRETE_ACTION = /^[a-z0-9-]+:[A-Za-z0-9]+$/;
const LOOKUP_EVENTS_HISTORY_MS = 90 * 86_400_000;

/** Trail files are read for --evidence logs, and for Access Analyzer's attribution when given. */
function useLogsFor(request: EvidenceRequest): boolean {
  return request.source === 'logs' || (request.source === 'access-analyzer' && Boolean(request.cloudtrailLogs));
}
