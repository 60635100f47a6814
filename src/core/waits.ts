/**
 * Bounded waiting: IAM's eventual consistency, Lambda updates and ECS
 * deployments. Every wait has a deadline and says what it was waiting for.
 */
import { hasAwsName } from './aws-error-names.js';
import { SplitRoleError } from './errors.js';
import { exponentialMs, now, poll, retry } from './timing.js';

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

const NOT_YET_USABLE = [
  /Invalid IAM Instance Profile/i,
  // EC2 knows the new profile but not yet the role added to it.
  /IAM Instance Profile .* has no associated IAM Roles/i,
  /cannot be assumed by Lambda/i,
  /role defined for the function cannot be assumed/i,
];

/** True for the errors AWS returns while a new role or profile is still propagating. */
export function isNotYetUsable(error: unknown): boolean {
  const message = (error as Error)?.message ?? '';
  return NOT_YET_USABLE.some((pattern) => pattern.test(message));
}

/** Runs `action`, retrying IAM-propagation errors until the budget runs out. */
export async function retryWhileNotYetUsable<T>(timings: Timings, action: () => Promise<T>): Promise<T> {
  return retryWhileSettling(timings, isNotYetUsable, action);
}

// How resource policies refuse a principal they do not know yet: S3 MalformedPolicy "Invalid principal in policy",
// KMS MalformedPolicyDocumentException "…invalid principals", SNS InvalidParameter "Policy Error: PrincipalNotFound",
// SQS InvalidAttributeValue, Secrets Manager's "unsupported principal".
const PRINCIPAL_REFUSALS = new Set([
  'MalformedPolicy',
  'MalformedPolicyDocumentException',
  'InvalidParameter',
  'InvalidParameterException',
  'InvalidAttributeValue',
  'InvalidParameterValue',
]);
const PRINCIPAL_MESSAGE = /invalid principal|PrincipalNotFound|unsupported principal|principal.*(?:not found|does not exist|invalid)/i;

/** True when a resource policy write refused a principal: a brand-new role takes seconds to become a valid one. */
export function isPrincipalNotYetValid(error: unknown): boolean {
  return hasAwsName(error, PRINCIPAL_REFUSALS) && PRINCIPAL_MESSAGE.test((error as Error)?.message ?? '');
}

/**
 * Runs `action`, retrying while `settling` says the error is AWS not having
 * caught up yet (a role just made, a policy just detached), with doubling
 * waits until the consistency budget (2 min; SPLIT_ROLE_FAST_WAITS: 5 s) runs
 * out; then the last error is thrown.
 */
export async function retryWhileSettling<T>(timings: Timings, settling: (error: unknown) => boolean, action: () => Promise<T>): Promise<T> {
  const deadline = now() + timings.consistencyBudgetMs;
  const base = Math.max(timings.pollIntervalMs, 1);
  return retry(action, (error, round) => {
    const wait = exponentialMs(round, base, 15_000);
    if (!settling(error) || now() + wait > deadline) throw error;
    return wait;
  });
}

/** Polls `check` until it returns true; throws WaitTimeout naming `what` at the deadline. */
export async function waitUntil(timings: Timings, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = now() + timings.workloadTimeoutMs;
  await poll(
    async () => ((await check()) ? true : undefined),
    { intervalMs: timings.pollIntervalMs, deadline },
    () => {
      throw new SplitRoleError(
        'WaitTimeout',
        `gave up waiting for ${what} after ${Math.round(timings.workloadTimeoutMs / 1000)} s`,
        'check it in the console; running apply again resumes',
      );
    },
  );
}
