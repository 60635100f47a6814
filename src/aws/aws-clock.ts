/**
 * AWS's clock, as the `Date` header of its responses shows it. Cutover and
 * the retire gate's window are measured on it, not on the host's clock: a
 * host clock hours fast would put cutover in the future and hide every call
 * made with the shared role in between. One middleware on every session
 * client records each response's Date beside the local time it arrived.
 */
import { SplitRoleError } from '../core/errors.js';

/** The host's clock and AWS's, side by side. */
export interface Clocks {
  /** The host's clock. */
  local(): Date;
  /** AWS's clock now, estimated from the responses seen so far; undefined before any response carried a Date. */
  aws(): Date | undefined;
}

/** How far the host's clock may be from AWS's before apply, the retire gate and verify refuse. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** Clocks fed by the Date headers of AWS responses. */
export class AwsClock implements Clocks {
  private offsetMs: number | undefined;

  constructor(private readonly localNow: () => number = Date.now) {}

  local(): Date {
    return new Date(this.localNow());
  }

  aws(): Date | undefined {
    return this.offsetMs === undefined ? undefined : new Date(this.localNow() + this.offsetMs);
  }

  /**
   * Records one response's Date header (RFC 7231, whole seconds). The header
   * is cut to the second and sent before the local arrival, so each sample
   * reads AWS's clock up to a second (plus latency) early; the largest offset
   * seen is the closest. Why early is the safe side: an early cutover only
   * widens the window the gate reads.
   */
  observe(dateHeader: string | undefined, arrivedAt: number = this.localNow()): void {
    if (!dateHeader) return;
    const aws = Date.parse(dateHeader);
    if (Number.isNaN(aws)) return;
    const offset = aws - arrivedAt;
    if (this.offsetMs === undefined || offset > this.offsetMs) this.offsetMs = offset;
  }
}

/** The part of an SDK client's middleware stack this needs. */
export interface DateRecordingStack {
  add<In, Out>(
    middleware: (next: (args: In) => Promise<Out>) => (args: In) => Promise<Out>,
    options: { step: 'deserialize'; name: string },
  ): void;
}

/** Adds the middleware that feeds `clock` from each response's Date header (inside the retry loop: every attempt's answer counts). */
export function recordServerDates(stack: DateRecordingStack, clock: AwsClock): void {
  stack.add(
    (next) => async (args) => {
      try {
        const out = await next(args);
        clock.observe(dateOf((out as { response?: unknown }).response));
        return out;
      } catch (error) {
        // An error answer carries AWS's Date too.
        clock.observe(dateOf((error as { $response?: unknown } | undefined)?.$response));
        throw error;
      }
    },
    { step: 'deserialize', name: 'splitRoleServerDate' },
  );
}

function dateOf(response: unknown): string | undefined {
  const headers = (response as { headers?: Record<string, string | undefined> } | undefined)?.headers;
  return headers?.date ?? headers?.Date;
}

/**
 * Refuses when the host's clock and AWS's differ by more than
 * MAX_CLOCK_SKEW_MS; passes when no response has shown AWS's clock yet.
 */
export function assertClocksAgree(clocks: Clocks | undefined, what: string): void {
  const aws = clocks?.aws();
  if (!clocks || !aws) return;
  const local = clocks.local();
  const skew = local.getTime() - aws.getTime();
  if (Math.abs(skew) <= MAX_CLOCK_SKEW_MS) return;
  const minutes = Math.round(Math.abs(skew) / 60_000);
  throw new SplitRoleError(
    'ClockSkew',
    `this host's clock is ${minutes} min ${skew > 0 ? 'ahead of' : 'behind'} AWS's (host ${local.toISOString()}, AWS ${aws.toISOString()}), more than the ${MAX_CLOCK_SKEW_MS / 60_000} min ${what} allows`,
    'set the host clock right (NTP) and run again; nothing was changed',
  );
}
