/**
 * The retry policy of every AWS client, made for long runs: a call that is
 * throttled or answered with a 5xx is sent again, with exponential backoff
 * and full jitter, until a per-call time budget (2 min by default) is spent;
 * only then does the error reach a person. Network blips get the SDK's usual
 * three attempts. One middleware at the initialize step does it, outside the
 * SDK's own retry loop (which the factory sets to one attempt, keeping its
 * adaptive rate limiter) and inside the error translation, so the final
 * failure is still translated once. AWS_MAX_ATTEMPTS, when set, replaces all
 * of this with the SDK's own fixed number of attempts.
 */
import { isTransientError } from '@smithy/core/retry';
import { isThrottling } from '../core/aws-error-names.js';
import { usageError } from '../core/errors.js';
import type { IoHost } from '../core/io-host.js';
import { delay } from '../core/timing.js';

/** What a wait before a re-send is for, as the person is told. */
export interface RetryNotice {
  /** The service's display name, e.g. "IAM". */
  service: string;
  /** The IAM action of the call, e.g. "iam:ListRoles" (undefined when the SDK did not name it). */
  action?: string;
  /** AWS's error name, e.g. "Throttling". */
  errorName: string;
  throttled: boolean;
  /** Attempts made so far (1 after the first failure). */
  attempt: number;
  delayMs: number;
  /** One line for progress: "throttled by IAM, retrying in 8 s". */
  text: string;
}

/** Hears of every wait before a re-send (the commands report the long ones). */
export type RetryListener = (notice: RetryNotice) => void;

/** How long and how a call is retried. */
export interface RetryBudget {
  /** Time from a call's first attempt past which it is not sent again. */
  budgetMs: number;
  /** The first backoff ceiling for throttling; doubled per attempt up to maxDelayMs. */
  throttleBaseMs: number;
  /** The first backoff ceiling for 5xx and network errors. */
  baseMs: number;
  maxDelayMs: number;
  /** Attempts for network errors (connection refused or reset, timeouts): the SDK's default. */
  networkAttempts: number;
  onRetry?: RetryListener;
  /** Injectable for tests: the clock, the pause and the jitter. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** The default per-call budget. */
export const DEFAULT_RETRY_BUDGET_MS = 120_000;

/** Waits at least this long are worth telling a person about. */
export const NOTICE_AFTER_MS = 3_000;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds in SPLIT_ROLE_RETRY_BUDGET's value: "120s", "10m", "90" (seconds) or "0" (no retries past the first attempt). */
export function parseRetryBudget(text: string): number {
  const match = DURATION.exec(text.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[(match[2] ?? 's').toLowerCase()]! : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw usageError(`SPLIT_ROLE_RETRY_BUDGET=${text} is not a duration`, 'use seconds or a number with ms, s, m or h, e.g. 120s or 10m');
  }
  return Math.round(ms);
}

/**
 * The retry policy for this process, or undefined when AWS_MAX_ATTEMPTS is
 * set (the SDK's own attempts apply). SPLIT_ROLE_FAST_WAITS=1 shortens the
 * backoff, not the budget: emulators and the test proxy answer at once.
 */
export function retryBudgetFromEnv(env: NodeJS.ProcessEnv = process.env): RetryBudget | undefined {
  if (env.AWS_MAX_ATTEMPTS?.trim()) return undefined;
  const budget = env.SPLIT_ROLE_RETRY_BUDGET?.trim();
  const fast = env.SPLIT_ROLE_FAST_WAITS === '1';
  return {
    budgetMs: budget ? parseRetryBudget(budget) : DEFAULT_RETRY_BUDGET_MS,
    // The SDK's own bases: 500 ms for throttling, 100 ms otherwise, at most 20 s.
    throttleBaseMs: fast ? 20 : 500,
    baseMs: fast ? 10 : 100,
    maxDelayMs: fast ? 1_000 : 20_000,
    networkAttempts: 3,
  };
}

/** What a failed attempt calls for: wait within the budget, a few network attempts, or nothing. */
type Retryable = 'throttled' | 'server' | 'network' | undefined;

// Throttling by this project's names (aws-error-names), not the SDK's longer list: that one counts
// quota errors such as IAM's LimitExceeded, which no wait cures.
function classify(error: unknown): Retryable {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (isThrottling(error) || status === 429) return 'throttled';
  if (status !== undefined && status >= 500 && status <= 599) return 'server';
  return isTransientError(error as Parameters<typeof isTransientError>[0]) ? 'network' : undefined;
}

/** Display names for progress lines; others use the client's name without "Client". */
const SERVICE_NAMES: Readonly<Record<string, string>> = {
  IAMClient: 'IAM',
  EC2Client: 'EC2',
  ECSClient: 'ECS',
  ECRClient: 'ECR',
  KMSClient: 'KMS',
  S3Client: 'S3',
  SNSClient: 'SNS',
  SQSClient: 'SQS',
  STSClient: 'STS',
  CloudTrailClient: 'CloudTrail',
  AutoScalingClient: 'Auto Scaling',
  SecretsManagerClient: 'Secrets Manager',
  AccessAnalyzerClient: 'IAM Access Analyzer',
};

function serviceName(clientName: string | undefined): string {
  if (!clientName) return 'AWS';
  return SERVICE_NAMES[clientName] ?? clientName.replace(/Client$/, '');
}

function noticeText(kind: Exclude<Retryable, undefined>, service: string, errorName: string, delayMs: number): string {
  const wait = delayMs >= 1_000 ? `${Math.round(delayMs / 1_000)} s` : `${Math.round(delayMs)} ms`;
  const what = kind === 'throttled' ? `throttled by ${service}` : kind === 'server' ? `${service} answered ${errorName}` : `${service}: ${errorName}`;
  return `${what}, retrying in ${wait}`;
}

/** What the middleware is told about the command it runs. */
interface RetryContext {
  clientName?: string;
  commandName?: string;
}

type Handler<In, Out> = (args: In) => Promise<Out>;

/** The part of an SDK client's middleware stack this needs. */
export interface RetryableStack {
  add<In, Out>(
    middleware: (next: Handler<In, Out>, context: RetryContext) => Handler<In, Out>,
    options: { step: 'initialize'; priority: 'low'; name: string; override: boolean },
  ): void;
}

/**
 * Adds the budgeted retry to a client's stack. Low priority at the initialize
 * step puts it inside the error translation and the command counter, so a
 * re-sent command is counted and translated once; each re-send is serialized
 * and signed afresh.
 */
export function retryWithinBudget(stack: RetryableStack, policy: RetryBudget, action?: (context: RetryContext) => string | undefined): void {
  const now = policy.now ?? Date.now;
  const sleep = policy.sleep ?? delay;
  const random = policy.random ?? Math.random;
  stack.add(
    (next, context) => async (args) => {
      const started = now();
      const deadline = started + policy.budgetMs;
      let totalDelay = 0;
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await next(args);
        } catch (error) {
          const kind = classify(error);
          const remaining = deadline - now();
          const spent = kind === undefined || (kind === 'network' ? attempt >= policy.networkAttempts : remaining <= 0);
          if (spent) throw annotate(error, attempt, totalDelay, kind === 'network' ? undefined : policy.budgetMs, now() - started);
          const base = kind === 'throttled' ? policy.throttleBaseMs : policy.baseMs;
          const ceiling = Math.min(policy.maxDelayMs, base * 2 ** (attempt - 1));
          // Full jitter spreads the re-sends of many callers; the last wait ends at the deadline, for one more try.
          const wait = Math.max(0, Math.min(Math.round(random() * ceiling), kind === 'network' ? ceiling : remaining));
          const errorName = (error as { name?: string }).name ?? 'Error';
          const service = serviceName(context.clientName);
          policy.onRetry?.({
            service,
            ...(action?.(context) ? { action: action(context) } : {}),
            errorName,
            throttled: kind === 'throttled',
            attempt,
            delayMs: wait,
            text: noticeText(kind, service, errorName, wait),
          });
          totalDelay += wait;
          await sleep(wait);
        }
      }
    },
    { step: 'initialize', priority: 'low', name: 'splitRoleRetryWithinBudget', override: true },
  );
}

/** Records on the SDK error how long it was retried, for the message a person reads. */
function annotate(error: unknown, attempts: number, totalRetryDelay: number, budgetMs: number | undefined, elapsedMs: number): unknown {
  if (typeof error !== 'object' || error === null || attempts <= 1) return error;
  const sdk = error as { $metadata?: { attempts?: number; totalRetryDelay?: number }; $retryBudget?: { budgetMs: number; elapsedMs: number } };
  sdk.$metadata = { ...sdk.$metadata, attempts, totalRetryDelay };
  if (budgetMs !== undefined) sdk.$retryBudget = { budgetMs, elapsedMs };
  return error;
}

/** A listener that tells the person about every wait of NOTICE_AFTER_MS or more ("throttled by IAM, retrying in 8 s"). */
export function reportLongRetries(io: Pick<IoHost, 'progress'>): RetryListener {
  return (notice) => {
    if (notice.delayMs < NOTICE_AFTER_MS) return;
    io.progress('SR_CLI_P9004', notice.text, {
      service: notice.service,
      ...(notice.action ? { action: notice.action } : {}),
      error: notice.errorName,
      attempt: notice.attempt,
      delayMs: notice.delayMs,
    });
  };
}
