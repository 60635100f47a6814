/**
 * A role's CloudTrail records from LookupEvents, in as few calls as the API
 * allows. LookupEvents takes one attribute per call and 2 calls a second, so
 * the order matters:
 *
 * 1. ResourceName = role ARN finds the AssumeRole events for the role (an
 *    AssumeRole event lists the role as an AWS::IAM::Role resource). They say
 *    which service assumed it (invokedBy) and under which session name.
 * 2. Username = session name, once per distinct session name, finds the calls
 *    made with those sessions (LookupEvents reports a role session's
 *    Username as its session name). Session names are not unique across
 *    roles (a Lambda function name, an ECS task id shared by the task and
 *    execution roles), so only records whose identity is a session of *this*
 *    role are kept.
 *
 * No AssumeRole event means no sessions to follow: nothing is yielded, and the
 * caller reports "no events".
 */
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';
import {
  latestEvent,
  lookupEvents,
  rateLimiterFor,
  type LookupAttribute,
  type LookupRecord,
  type RateLimiter,
  type ThrottleRetryOptions,
} from '../aws/cloudtrail.js';
import { cachedLookupEvents, cloudTrailEndpoint } from './cached-lookup.js';
import type { CachedQuery } from './evidence-cache.js';
import { noteReach } from './evidence-reach.js';
import type { IoHost } from '../core/io-host.js';
import type { AwsSession } from '../aws/session.js';
import { attributeRecords, type EvidenceContext, type EvidenceRequest, type RoleRecordsContext, type UsageSource } from './source.js';
import type { CloudTrailRecord } from './types.js';

/** The role whose records are wanted. */
export interface RoleRef {
  arn: string;
  name: string;
}

/** Yields the role's AssumeRole events, then the calls its sessions made, each record once. */
export async function* lookupRoleRecords(
  client: CloudTrailClient,
  limiter: RateLimiter,
  role: RoleRef,
  window: { start: Date; end: Date },
  io?: IoHost,
  retry: ThrottleRetryOptions = {},
  cacheFor?: (attribute: LookupAttribute) => CachedQuery,
): AsyncGenerator<CloudTrailRecord> {
  const seen = new Set<string>();
  const sessions = new Set<string>();
  const retryOptions: ThrottleRetryOptions = {
    ...retry,
    onThrottle: (round, delayMs) => {
      io?.progress('SR_EVID_P3005', `LookupEvents throttled; backing off ${Math.round(delayMs)} ms (round ${round})`, { round, delayMs });
      retry.onThrottle?.(round, delayMs);
    },
  };

  io?.progress('SR_EVID_P3006', `LookupEvents: AssumeRole events for ${role.name}`, { role: role.name });
  let assumeEvents = 0;
  const ask = (attribute: LookupAttribute) =>
    cachedLookupEvents(cacheFor?.(attribute), window, (span) => lookupEvents(client, attribute, span, limiter, retryOptions));
  for await (const record of ask({ key: 'ResourceName', value: role.arn })) {
    if (!isAssumeRoleOf(record, role.arn) || !firstTime(seen, record)) continue;
    assumeEvents += 1;
    const session = sessionNameOf(record);
    if (session && !record.errorCode) sessions.add(session);
    yield record;
  }
  if (assumeEvents === 0) {
    io?.progress('SR_EVID_P3006', `LookupEvents: no AssumeRole events for ${role.name} in the window`, {
      role: role.name,
      assumeEvents: 0,
    });
    return;
  }

  const names = [...sessions].sort();
  io?.progress('SR_EVID_P3006', `LookupEvents: ${assumeEvents} AssumeRole events, ${names.length} distinct sessions for ${role.name}`, {
    role: role.name,
    assumeEvents,
    sessions: names.length,
  });
  let index = 0;
  for (const session of names) {
    index += 1;
    io?.progress('SR_EVID_P3007', `LookupEvents: session ${index}/${names.length} (${session}) of ${role.name}`, {
      role: role.name,
      session,
      index,
      of: names.length,
    });
    for await (const record of ask({ key: 'Username', value: session })) {
      if (!isSessionOf(record, role, session) || !firstTime(seen, record)) continue;
      yield record;
    }
  }
}

/** An sts AssumeRole* event for this role. */
function isAssumeRoleOf(record: LookupRecord, roleArn: string): boolean {
  if (record.eventSource !== 'sts.amazonaws.com' || !record.eventName.startsWith('AssumeRole')) return false;
  return record.requestParameters?.roleArn === roleArn;
}

function sessionNameOf(record: LookupRecord): string | undefined {
  const name = record.requestParameters?.roleSessionName;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/**
 * True when the record was made with one of this role's sessions named
 * `session`: the issuer is the role, or the caller ARN is
 * arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION in the role's account.
 */
function isSessionOf(record: LookupRecord, role: RoleRef, session: string): boolean {
  const identity = record.userIdentity;
  if (!identity) return false;
  const issuer = identity.sessionContext?.sessionIssuer?.arn;
  const callerArn = identity.arn ?? '';
  const parsed = /^arn:([^:]+):sts::(\d*):assumed-role\/([^/]+)\/(.+)$/.exec(callerArn);
  if (issuer !== undefined) {
    return issuer === role.arn && (!parsed || parsed[4] === session);
  }
  if (!parsed) return false;
  const [, partition, account, roleName, sessionName] = parsed;
  const roleArnParts = role.arn.split(':');
  return roleName === role.name && sessionName === session && partition === roleArnParts[1] && account === roleArnParts[4];
}

/** Dedupes by event id; records without one are always new. */
function firstTime(seen: Set<string>, record: LookupRecord): boolean {
  if (!record.eventID) return true;
  if (seen.has(record.eventID)) return false;
  seen.add(record.eventID);
  return true;
}

/**
 * The role's records through LookupEvents in the session's account, region
 * by region: each region's event history holds only the calls made there,
 * and a session is followed in the region whose history shows it assumed.
 */
export function lookupEventsRecords(ctx: EvidenceContext<unknown>): AsyncIterable<CloudTrailRecord> {
  const { subject, request, io, cache } = ctx;
  return inEachRegion(ctx, async function* (session) {
    const client = await session.cloudTrail();
    // What a query's answer depends on: where it was asked, whose history, which attribute (the role is in the attribute).
    const endpoint = cache && (await cloudTrailEndpoint(client));
    const account = subject.role.arn.split(':')[4] ?? '';
    const cacheFor =
      cache &&
      ((attribute: LookupAttribute) => cache.query({ ...(endpoint ? { endpoint } : {}), account, region: session.region, attribute }));
    yield* lookupRoleRecords(client, rateLimiterFor(session), subject.role, request.window, io, {}, cacheFor);
  });
}

/** Sessions opened before a window still make calls in it (instance credentials last up to 12 h). */
const SESSION_LOOKBACK_MS = 12 * 3_600_000;

/**
 * Each role's AssumeRole events and session calls through LookupEvents,
 * sessions opened up to 12 h before the window included. Each region's
 * newest event in the window, anyone's, is how far its history reaches; the
 * reach is the least of the regions' (a call in a region whose history stops
 * short would go unseen).
 */
export function lookupEventsRoleRecords(ctx: RoleRecordsContext<unknown>): AsyncIterable<CloudTrailRecord> {
  const { request, io } = ctx;
  const window = { start: new Date(request.window.start.getTime() - SESSION_LOOKBACK_MS), end: request.window.end };
  const regional: Array<string | undefined> = [];
  const read = inEachRegion(ctx, async function* (session) {
    const newest = await latestEvent(await session.cloudTrail(), request.window, rateLimiterFor(session));
    regional.push(newest?.eventTime);
    for (const role of ctx.roles) yield* lookupRoleRecordsIn(session, role, window, io);
  });
  return (async function* () {
    yield* read;
    // A region with no event at all in the window is left out (nothing happened there, or nothing is delivered yet: a
    // call there would be an event of its own); the rest must all reach, so the least of them counts.
    const least = regional.filter((t): t is string => t !== undefined).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
    noteReach(ctx.reach, least, request.window.end);
  })();
}

async function* lookupRoleRecordsIn(
  session: AwsSession,
  role: RoleRef,
  window: { start: Date; end: Date },
  io: IoHost,
): AsyncGenerator<CloudTrailRecord> {
  yield* lookupRoleRecords(await session.cloudTrail(), rateLimiterFor(session), role, window, io);
}

/** What `read` yields in each region of the request, one region after another (each region has its own quota), each event once. */
async function* inEachRegion(
  ctx: { session: AwsSession; request: Pick<EvidenceRequest<unknown>, 'regions'> },
  read: (session: AwsSession) => AsyncIterable<CloudTrailRecord>,
): AsyncGenerator<CloudTrailRecord> {
  const seen = new Set<string>();
  for (const region of ctx.request.regions ?? [ctx.session.region]) {
    for await (const record of read(await ctx.session.inRegion(region))) if (firstTime(seen, record)) yield record;
  }
}

/** `--evidence lookup-events`: management events of the last 90 days, filtered by role on the server. */
export const lookupEventsSource: UsageSource<Record<string, never>> = {
  name: 'lookup-events',
  visibility: {
    managementEvents: true,
    dataEvents: false,
    dataEventsBlindReason: 'LookupEvents returns management events only',
    windowLimit: {
      days: 90,
      warning: 'LookupEvents keeps 90 days of events: the older part of --since was not seen (use --evidence logs for longer windows)',
    },
    serverSideFiltering: true,
  },
  noEvidenceHint: 'widen --since, check that a trail records this region, or use --evidence logs with the trail’s files',
  // Nothing to set: the role, the window and the plan's regions say what to ask.
  flags: [],
  configSchema: z.strictObject({}),
  fromOptions: () => ({}),
  legacyConfig: () => ({}),
  describe: () => 'lookup-events',
  usage: (ctx) => attributeRecords(ctx, lookupEventsRecords(ctx)),
  roleRecords: lookupEventsRoleRecords,
};
