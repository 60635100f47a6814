/**
 * Bounded waiting: IAM's eventual consistency, Lambda updates and ECS
 * deployments. Every wait has a deadline and says what it was waiting for.
 */
import { SplitRoleError } from './errors.js';
import { exponentialMs, poll, retry } from './timing.js';

/** How long to wait for AWS to settle. */
export interface Timings {
  /** One pause after creating IAM resources, before the first repoint (once per stage). */
  iamSettleMs: number;
  pollIntervalMs: number;
  /** Deadline for one workload to become healthy (Lambda update, ECS deployment). */
  workloadTimeoutMs: number;
  /** Deadline for retrying IAM's known "not yet usable" errors. */
  consistencyBudgetMs: number;
}

/** Defaults for real AWS. */
export const AWS_TIMINGS: Timings = {
  iamSettleMs: 10_000,
  pollIntervalMs: 5_000,
  workloadTimeoutMs: 15 * 60_000,
  consistencyBudgetMs: 120_000,
};

/**
 * Emulators apply changes at once, so their runs need no pauses.
 * SPLIT_ROLE_FAST_WAITS=1 selects these (the demo and the tests set it).
 */
export const EMULATOR_TIMINGS: Timings = {
  iamSettleMs: 0,
  pollIntervalMs: 50,
  workloadTimeoutMs: 30_000,
  consistencyBudgetMs: 5_000,
};

/** The timings for this process. */
export function timingsFromEnv(env: NodeJS.ProcessEnv = process.env): Timings {
  return env.SPLIT_ROLE_FAST_WAITS === '1' ? EMULATOR_TIMINGS : AWS_TIMINGS;
}

const NOT_YET_USABLE = [/Invalid IAM Instance Profile/i, /cannot be assumed by Lambda/i, /role defined for the function cannot be assumed/i];

/** True for the errors AWS returns while a new role or profile is still propagating. */
export function isNotYetUsable(error: unknown): boolean {
  const message = (error as Error)?.message ?? '';
  return NOT_YET_USABLE.some((pattern) => pattern.test(message));
}

/** Runs `action`, retrying IAM-propagation errors until the budget runs out. */
export async function retryWhileNotYetUsable<T>(timings: Timings, action: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timings.consistencyBudgetMs;
  const base = Math.max(timings.pollIntervalMs, 1);
  return retry(action, (error, round) => {
    const wait = exponentialMs(round, base, 15_000);
    if (!isNotYetUsable(error) || Date.now() + wait > deadline) throw error;
    return wait;
  });
}

/** Polls `check` until it returns true; throws WaitTimeout naming `what` at the deadline. */
export async function waitUntil(timings: Timings, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timings.workloadTimeoutMs;
  await poll(async () => ((await check()) ? true : undefined), { intervalMs: timings.pollIntervalMs, deadline }, () => {
    throw new SplitRoleError('WaitTimeout', `gave up waiting for ${what} after ${Math.round(timings.workloadTimeoutMs / 1000)} s`, 'check it in the console; running apply again resumes');
  });
}
