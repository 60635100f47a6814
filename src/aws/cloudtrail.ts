/**
 * CloudTrail LookupEvents, paced for its quota: 2 requests per second per
 * account and region, one lookup attribute per call, 50 events per page. The
 * SDK's adaptive retries alone give up after a few attempts; a scan over many
 * sessions needs a client-side limiter that never trips the quota, plus a
 * bounded back-off for when something else in the account is using it too.
 */
import type { CloudTrailClient, LookupEventsCommandInput, LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { isThrottling } from '../core/aws-error-names.js';
import { delay, exponentialMs, retry } from '../core/timing.js';
import type { CloudTrailRecord } from './cloudtrail-record.js';
import { translateAwsError } from './errors.js';
import type { AwsSession } from './session.js';
import { loadSdk } from './sdk-modules.js';

/** The IAM action LookupEvents needs, named in errors. */
export const LOOKUP_EVENTS_ACTION = 'cloudtrail:LookupEvents';

/** LookupEvents' page-size ceiling. */
export const LOOKUP_EVENTS_MAX_RESULTS = 50;

/** Options for a RateLimiter. */
export interface RateLimiterOptions {
  /** Requests per second per key (default 2, LookupEvents' quota). */
  requestsPerSecond?: number;
  /**
   * Extra spacing per request, in ms (default 5% of the interval). Network
   * jitter can bunch requests up on the server's side; a little slack keeps
   * its bucket from running dry.
   */
  slackMs?: number;
  /** Clock and timer, for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Spaces requests evenly: at most `requestsPerSecond` per key (one key per
 * account and region). Callers sharing an instance share the budget, so a
 * session should hold one (see rateLimiterFor).
 */
export class RateLimiter {
  /** Requests let through. */
  granted = 0;
  /** Total ms callers were held back. */
  waitedMs = 0;
  private readonly intervalMs: number;
  private readonly next = new Map<string, number>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: RateLimiterOptions = {}) {
    const rps = options.requestsPerSecond ?? 2;
    const base = Number.isFinite(rps) && rps > 0 ? 1000 / rps : 0;
    this.intervalMs = base + (options.slackMs ?? base * 0.05);
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? delay;
  }

  /** A limiter that never waits (for callers with their own pacing, and tests). */
  static unlimited(): RateLimiter {
    return new RateLimiter({ requestsPerSecond: Number.POSITIVE_INFINITY, slackMs: 0 });
  }

  /** Waits for `key`'s next slot. Slots are reserved in call order, so concurrent callers queue fairly. */
  async acquire(key = 'default'): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.next.get(key) ?? now);
    this.next.set(key, slot + this.intervalMs);
    this.granted += 1;
    const wait = slot - now;
    if (wait > 0) {
      this.waitedMs += wait;
      await this.sleep(wait);
    }
  }

  /** Pushes `key`'s next slot back by `ms`, after the server said we were too fast. */
  penalize(key: string, ms: number): void {
    const now = this.now();
    this.next.set(key, Math.max(this.next.get(key) ?? now, now + ms));
  }
}

const limiters = new WeakMap<AwsSession, RateLimiter>();

/** The session's one LookupEvents limiter: every LookupEvents call in a run shares the quota. */
export function rateLimiterFor(session: AwsSession): RateLimiter {
  let limiter = limiters.get(session);
  if (!limiter) {
    limiter = new RateLimiter();
    limiters.set(session, limiter);
  }
  return limiter;
}

/** A LookupEvents attribute: one per call is all the API takes. */
export interface LookupAttribute {
  key: 'EventId' | 'EventName' | 'ReadOnly' | 'Username' | 'ResourceType' | 'ResourceName' | 'EventSource' | 'AccessKeyId' | (string & {});
  value: string;
}

/** Back-off for throttling that outlasts the SDK's own retries. */
export interface ThrottleRetryOptions {
  /** Extra rounds after the SDK gave up (default 5). */
  maxThrottleRetries?: number;
  /** First back-off in ms, doubled each round with jitter (default 1000). */
  baseDelayMs?: number;
  /** Back-off ceiling in ms (default 20000). */
  maxDelayMs?: number;
  /** Told about each back-off, e.g. for a progress line. */
  onThrottle?: (round: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** A record from LookupEvents, with CloudTrail's event id. */
export type LookupRecord = CloudTrailRecord & { eventID?: string };

/**
 * Yields the events matching one attribute in a time window, newest first,
 * each parsed from its CloudTrailEvent JSON. Pages of 50 follow NextToken;
 * every request waits for the limiter and backs off on throttling.
 */
export async function* lookupEvents(
  client: CloudTrailClient,
  attribute: LookupAttribute,
  window: { start: Date; end: Date },
  limiter: RateLimiter,
  options: ThrottleRetryOptions = {},
): AsyncGenerator<LookupRecord> {
  const key = await limiterKey(client);
  let nextToken: string | undefined;
  do {
    const page = await sendPaced(
      client,
      {
        LookupAttributes: [{ AttributeKey: attribute.key as never, AttributeValue: attribute.value }],
        StartTime: window.start,
        EndTime: window.end,
        MaxResults: LOOKUP_EVENTS_MAX_RESULTS,
        ...(nextToken ? { NextToken: nextToken } : {}),
      },
      limiter,
      key,
      options,
    );
    for (const event of page.Events ?? []) yield toRecord(event);
    nextToken = page.NextToken;
  } while (nextToken);
}

/**
 * The newest event in the region's event history within the window, any
 * principal's (no lookup attribute, one result: LookupEvents answers newest
 * first): how far CloudTrail has delivered there. Undefined when it holds none.
 */
export async function latestEvent(
  client: CloudTrailClient,
  window: { start: Date; end: Date },
  limiter: RateLimiter,
  options: ThrottleRetryOptions = {},
): Promise<LookupRecord | undefined> {
  const page = await sendPaced(
    client,
    { StartTime: window.start, EndTime: window.end, MaxResults: 1 },
    limiter,
    await limiterKey(client),
    options,
  );
  const [event] = page.Events ?? [];
  return event ? toRecord(event) : undefined;
}

/** One LookupEvents request: paced, retried on throttling with bounded back-off, errors translated. */
async function sendPaced(
  client: CloudTrailClient,
  input: LookupEventsCommandInput,
  limiter: RateLimiter,
  key: string,
  options: ThrottleRetryOptions,
): Promise<LookupEventsCommandOutput> {
  const maxRounds = options.maxThrottleRetries ?? 5;
  const base = options.baseDelayMs ?? 1000;
  const ceiling = options.maxDelayMs ?? 20_000;
  // Loaded on first use: the SDK's service modules are most of the CLI's start-up time.
  const { LookupEventsCommand } = await loadSdk('client-cloudtrail');
  return retry(
    async () => {
      await limiter.acquire(key);
      return await client.send(new LookupEventsCommand(input));
    },
    (error, round) => {
      if (!isThrottling(error) || round >= maxRounds) {
        const translated = translateAwsError(error, LOOKUP_EVENTS_ACTION);
        if (round === 0 || !isThrottling(error)) throw translated;
        throw translated.retold(`${translated.message} (and ${round} round${round === 1 ? '' : 's'} of back-off)`);
      }
      // Full jitter: callers throttled together should not come back together.
      const wait = Math.round(exponentialMs(round, base, ceiling) * (0.5 + Math.random() * 0.5));
      options.onThrottle?.(round + 1, wait);
      limiter.penalize(key, wait);
      return wait;
    },
    options.sleep,
  );
}

/** The quota is per account and region; a client has one of each, so its region names the bucket. */
async function limiterKey(client: CloudTrailClient): Promise<string> {
  try {
    return `cloudtrail:${await client.config.region()}`;
  } catch {
    return 'cloudtrail';
  }
}

type WireEvent = NonNullable<LookupEventsCommandOutput['Events']>[number];

/** The CloudTrailEvent JSON, or a minimal record from the summary fields when it is missing or broken. */
function toRecord(event: WireEvent): LookupRecord {
  if (event.CloudTrailEvent) {
    try {
      const parsed = JSON.parse(event.CloudTrailEvent) as LookupRecord;
      if (parsed && typeof parsed === 'object' && typeof parsed.eventName === 'string') {
        if (!parsed.eventID && event.EventId) parsed.eventID = event.EventId;
        return parsed;
      }
    } catch {
      // fall through to the summary
    }
  }
  const record: LookupRecord = {
    eventTime: (event.EventTime ?? new Date(0)).toISOString(),
    eventSource: event.EventSource ?? '',
    eventName: event.EventName ?? '',
  };
  if (event.EventId) record.eventID = event.EventId;
  if (event.AccessKeyId) record.userIdentity = { accessKeyId: event.AccessKeyId };
  return record;
}
