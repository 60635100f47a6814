/**
 * Waiting on something outside the process: one pause, one polling loop and
 * one retry loop, each with an injectable sleep so tests run without waiting.
 */

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How often and until when to poll. */
export interface PollOptions {
  intervalMs: number;
  /** Wall-clock time (as Date.now()) past which no further check is started. */
  deadline: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Calls `check` until it returns a value other than undefined. When the next
 * check would start past the deadline, `onTimeout` runs; it throws the error
 * that says what was being waited for.
 */
export async function poll<T>(
  check: () => Promise<T | undefined>,
  options: PollOptions,
  onTimeout: () => Promise<never> | never,
): Promise<T> {
  const sleep = options.sleep ?? delay;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (Date.now() + options.intervalMs > options.deadline) return await onTimeout();
    await sleep(options.intervalMs);
  }
}

/**
 * Runs `attempt` until it succeeds. After the failure of try `round` (from
 * 0), `backOff` either throws (give up: usually the error itself) or returns
 * the ms to wait before the next try.
 */
export async function retry<T>(
  attempt: (round: number) => Promise<T>,
  backOff: (error: unknown, round: number) => number | Promise<number>,
  sleep: (ms: number) => Promise<void> = delay,
): Promise<T> {
  for (let round = 0; ; round += 1) {
    try {
      return await attempt(round);
    } catch (error) {
      await sleep(await backOff(error, round));
    }
  }
}

/** `baseMs` doubled per round, capped at `maxMs`. */
export function exponentialMs(round: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** round);
}
