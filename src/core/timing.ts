/**
 * Waiting on something outside the process: one pause, one polling loop and
 * one retry loop, each with an injectable sleep so tests run without waiting.
 * The clock they read is `now()`: the real one, or for end-to-end tests a
 * clock that pauses move on at once (SPLIT_ROLE_TEST_CLOCK, below).
 */
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * SPLIT_ROLE_TEST_CLOCK=FILE (tests only): every pause ends at once and moves
 * this process's clock on instead, and the file holds how far the clock is
 * ahead of the real one, so a test's AWS stand-in reads the same time and
 * one run carries on from where the previous one left it. Pauses that run at
 * the same time move it on as far as the longest, not their sum.
 */
const testClock = process.env.SPLIT_ROLE_TEST_CLOCK?.trim() || undefined;
let aheadMs: number | undefined;

function ahead(): number {
  if (aheadMs === undefined) {
    let saved = 0;
    try {
      saved = Number(readFileSync(testClock!, 'utf8').trim());
    } catch {
      // no file yet: the clock starts at real time
    }
    aheadMs = Number.isFinite(saved) && saved > 0 ? saved : 0;
  }
  return aheadMs;
}

/** Milliseconds since the epoch, as the waits see them. */
export function now(): number {
  return testClock ? Date.now() + ahead() : Date.now();
}

/** Resolves after `ms` (under SPLIT_ROLE_TEST_CLOCK: at once, with the clock `ms` further on). */
export function delay(ms: number): Promise<void> {
  if (!testClock) return new Promise((resolve) => setTimeout(resolve, ms));
  const target = now() + Math.max(0, ms);
  aheadMs = Math.max(ahead(), target - Date.now());
  writeFileSync(testClock, String(aheadMs));
  return new Promise((resolve) => setImmediate(resolve));
}

/** How often and until when to poll. */
export interface PollOptions {
  intervalMs: number;
  /** Wall-clock time (as now()) past which no further check is started. */
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
    if (now() + options.intervalMs > options.deadline) return await onTimeout();
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
