/**
 * Client-side pacing: every AWS call waits for a token from the bucket of its
 * (service, account, region) before it is sent, so a sweep of many regions or
 * many roles stays under AWS's own request rates instead of running into
 * throttling and backing off. The defaults follow AWS's published rates (each
 * rule cites its page); SPLIT_ROLE_RATE_LIMITS changes or turns them off. It
 * is one middleware the client factory (session.ts) gives every client.
 */
import { usageError } from '../core/errors.js';
import { delay, now } from '../core/timing.js';

/** One pacing rule: the calls it covers, how fast they may go, and where AWS says so. */
export interface RateRule {
  /** What SPLIT_ROLE_RATE_LIMITS calls it, e.g. "iam", "ec2-read". */
  name: string;
  /** The client's key in the session (iam, ec2, cloudtrail, …). */
  service: string;
  /** The operations it covers (default: all of the service's). */
  operations?: RegExp;
  /** IAM is one endpoint per account: its bucket is shared by every region's client. */
  scope: 'account' | 'region';
  /** EC2 throttles each API on its own: one bucket per operation. */
  perOperation?: boolean;
  /** Sustained requests per second (the bucket's refill rate). */
  rate: number;
  /** Requests that may go at once after a quiet spell (the bucket's size). */
  burst: number;
  /** The page that gives the rate. */
  source: string;
}

/**
 * The defaults, first match wins. IAM does not publish a number for its
 * control plane; 15/s is the middle of what accounts see before Throttling
 * (10–20/s), well below which plan's reads stay anyway.
 */
export const DEFAULT_RATE_RULES: readonly RateRule[] = [
  {
    name: 'lookupevents',
    service: 'cloudtrail',
    operations: /^LookupEvents$/,
    scope: 'region',
    rate: 2,
    burst: 2,
    // "LookupEvents: 2 transactions per second (TPS) per account per Region"
    source: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html',
  },
  {
    name: 'ec2-read',
    service: 'ec2',
    operations: /^(Describe|Get|List)/,
    scope: 'region',
    perOperation: true,
    rate: 20,
    burst: 100,
    // Non-mutating actions: bucket 100 tokens, refill 20 per second, per API.
    source: 'https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html',
  },
  {
    name: 'ec2-write',
    service: 'ec2',
    scope: 'region',
    perOperation: true,
    rate: 5,
    burst: 50,
    // Mutating actions: bucket 50 tokens, refill 5 per second, per API.
    source: 'https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html',
  },
  {
    name: 'iam',
    service: 'iam',
    scope: 'account',
    rate: 15,
    burst: 15,
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
  },
  {
    name: 'lambda',
    service: 'lambda',
    scope: 'region',
    rate: 15,
    burst: 15,
    // "Control plane API requests (excludes invocation, GetFunction, and GetPolicy requests): 15 requests per second"
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html',
  },
  {
    name: 'ecs',
    service: 'ecs',
    scope: 'region',
    rate: 20,
    burst: 50,
    // Cluster and service read actions: bucket 50, refill 20 per second.
    source: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html',
  },
];

/** The clock and pause a bucket uses; tests and the fault proxy's time source inject their own. */
export interface PaceClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const REAL_CLOCK: PaceClock = { now, sleep: delay };

/**
 * A token bucket that queues: a call that finds it empty reserves the next
 * token and waits for it, so callers go in arrival order at `rate` per second.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly clock: PaceClock = REAL_CLOCK,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Waits until the caller may send; returns how long it waited (ms). */
  async take(): Promise<number> {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    const wait = Math.ceil((-this.tokens / this.rate) * 1000);
    await this.clock.sleep(wait);
    return wait;
  }
}

/** The buckets of one run, shared by every session (an account's IAM bucket serves all its regions). */
export class RateLimits {
  private readonly buckets = new Map<string, TokenBucket>();
  /** Total time calls waited for a token, for --debug and the benchmarks. */
  waitedMs = 0;

  constructor(
    readonly rules: readonly RateRule[],
    private readonly clock: PaceClock = REAL_CLOCK,
  ) {}

  /** The bucket a call takes from, or undefined when no rule paces it. */
  bucketFor(service: string, operation: string, account: string | undefined, region: string): TokenBucket | undefined {
    const rule = this.rules.find((r) => r.service === service && (!r.operations || r.operations.test(operation)));
    if (!rule || rule.rate <= 0) return undefined;
    const key = [rule.name, account ?? 'caller', rule.scope === 'region' ? region : '*', rule.perOperation ? operation : '*'].join('/');
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new TokenBucket(rule.rate, rule.burst, this.clock)));
    return bucket;
  }

  /** Waits for the call's token (at once when no rule paces it). */
  async pace(service: string, operation: string, account: string | undefined, region: string): Promise<void> {
    const bucket = this.bucketFor(service, operation, account, region);
    if (!bucket) return;
    // Read the total only after the wait: callers wait at the same time.
    const waited = await bucket.take();
    this.waitedMs += waited;
  }
}

/**
 * The rules for this process: the defaults, changed by
 * SPLIT_ROLE_RATE_LIMITS ("iam=10,ec2-read=40/200": rate per second, optional
 * burst; "name=0" or "off" turns pacing off). An emulator
 * (SPLIT_ROLE_FAST_WAITS=1) never throttles, so it is not paced either unless
 * the variable asks for it.
 */
export function rateRulesFromEnv(env: NodeJS.ProcessEnv = process.env): RateRule[] {
  const text = env.SPLIT_ROLE_RATE_LIMITS?.trim() ?? '';
  if (text === '') return env.SPLIT_ROLE_FAST_WAITS === '1' ? [] : [...DEFAULT_RATE_RULES];
  const rules = DEFAULT_RATE_RULES.map((rule) => ({ ...rule }));
  for (const entry of text.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    if (entry.toLowerCase() === 'off') return [];
    const match = /^([a-z0-9-]+)=(\d+(?:\.\d+)?)(?:\/(\d+))?$/i.exec(entry);
    const rule = match ? rules.find((r) => r.name === match[1]!.toLowerCase()) : undefined;
    if (!match || !rule) {
      throw usageError(
        `SPLIT_ROLE_RATE_LIMITS: cannot read '${entry}'`,
        `use NAME=RATE or NAME=RATE/BURST with NAME one of ${DEFAULT_RATE_RULES.map((r) => r.name).join(', ')}, or 'off'`,
      );
    }
    rule.rate = Number(match[2]);
    rule.burst = match[3] === undefined ? Math.max(1, Math.ceil(rule.rate)) : Math.max(1, Number(match[3]));
  }
  return rules.filter((rule) => rule.rate > 0);
}

/** The part of an SDK client's middleware stack pacing needs. */
export interface PaceableStack {
  add: (...args: never[]) => void;
}

/**
 * Adds pacing to a client: every attempt (re-sends included, since AWS counts
 * them too) waits for a token of the client's (service, account, region).
 */
export function paceCalls(
  stack: PaceableStack,
  limits: RateLimits,
  target: { service: string; account: string | undefined; region: string },
): void {
  const typed = stack as unknown as { add: (mw: unknown, opts: { step: string; name: string }) => void };
  typed.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      await limits.pace(target.service, operation, target.account, target.region);
      return next(args);
    },
    // The deserialize step runs once per HTTP attempt, inside the retry loop.
    { step: 'deserialize', name: 'splitRolePacing' },
  );
}
