/**
 * The retry policy of every AWS client, made for long runs: a call that is
 * throttled or answered with a 5xx is sent again, with exponential backoff
 * and full jitter, until a per-call time budget (2 min by default) is spent;
 * only then does the error reach a person. Network blips get the SDK's usual
 * three attempts. It is the SDK retry strategy of every session client
 * (BudgetRetryStrategy, set by the client factory), so re-sends stay inside
 * the SDK's retry loop and the error translation still sees only the final
 * failure. AWS_MAX_ATTEMPTS, when set, replaces all of this with the SDK's
 * own adaptive retries and that fixed number of attempts.
 */
import { isThrottling } from '../core/aws-error-names.js';
import { usageError } from '../core/errors.js';
import type { IoHost } from '../core/io-host.js';
import { delay, now } from '../core/timing.js';

/** What a wait before a re-send is for, as the person is told. */
export interface RetryNotice {
  /** The service's display name, e.g. "IAM". */
  service: string;
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
  return isNetworkError(error) ? 'network' : undefined;
}

// The SDK's transient errors (its service-error-classification), written out so this module loads no SDK code:
// the CLI's cold start (--version, check) must not pay for it.
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

function isNetworkError(error: object, depth = 0): boolean {
  const e = error as { name?: string; code?: string; cause?: unknown; $retryable?: unknown; $metadata?: { clockSkewCorrected?: boolean } };
  if (e.name === 'AbortError') return false;
  if (e.$retryable !== undefined || e.$metadata?.clockSkewCorrected || TIMEOUT_NAMES.has(e.name ?? '') || NETWORK_CODES.has(e.code ?? ''))
    return true;
  return typeof e.cause === 'object' && e.cause !== null && depth < 10 && isNetworkError(e.cause, depth + 1);
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

function noticeText(kind: Exclude<Retryable, undefined>, service: string, errorName: string, delayMs: number): string {
  const wait = delayMs >= 1_000 ? `${Math.round(delayMs / 1_000)} s` : `${Math.round(delayMs)} ms`;
  const what =
    kind === 'throttled' ? `throttled by ${service}` : kind === 'server' ? `${service} answered ${errorName}` : `${service}: ${errorName}`;
  return `${what}, retrying in ${wait}`;
}

/** The SDK's retry token (RetryStrategyV2): how many retries, and the pause the SDK itself takes (none: the strategy waited). */
export interface BudgetRetryToken {
  readonly started: number;
  readonly retries: number;
  readonly waited: number;
  getRetryCount(): number;
  getRetryDelay(): number;
  getRetryCost(): number | undefined;
}

/** The client-side pacing of the SDK's adaptive mode (its DefaultRateLimiter). */
export interface SendPacer {
  getSendToken(): Promise<void>;
  updateClientSendingRate(response: unknown): void;
}

function token(started: number, retries: number, waited: number): BudgetRetryToken {
  return { started, retries, waited, getRetryCount: () => retries, getRetryDelay: () => 0, getRetryCost: () => undefined };
}

/**
 * The SDK retry strategy (RetryStrategyV2) of every session client while the
 * budget applies. It lives inside the SDK's retry loop, so a re-send is the
 * same serialized request with the same idempotency token (a call AWS applied
 * before its answer was lost is not applied twice). It waits itself, with an
 * injectable sleep, and hands the SDK a zero delay; `pacer` keeps the
 * adaptive mode's client-side rate limiting.
 */
export class BudgetRetryStrategy {
  readonly mode = 'adaptive';
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly policy: RetryBudget,
    /** The service's display name for progress, e.g. "IAM". */
    private readonly service: string,
    /** Makes the adaptive mode's pacer, on first use (undefined: no pacing). */
    private readonly makePacer?: () => Promise<SendPacer>,
  ) {
    this.now = policy.now ?? now;
    this.sleep = policy.sleep ?? delay;
    this.random = policy.random ?? Math.random;
  }

  private pacer?: SendPacer;

  async acquireInitialRetryToken(_scope: string): Promise<BudgetRetryToken> {
    if (this.makePacer && !this.pacer) this.pacer = await this.makePacer();
    await this.pacer?.getSendToken();
    return token(this.now(), 0, 0);
  }

  async refreshRetryTokenForRetry(previous: BudgetRetryToken, errorInfo: { error?: unknown }): Promise<BudgetRetryToken> {
    this.pacer?.updateClientSendingRate(errorInfo);
    const error = errorInfo.error;
    const kind = classify(error);
    const attempt = previous.retries + 1;
    const remaining = previous.started + this.policy.budgetMs - this.now();
    const spent = kind === undefined || (kind === 'network' ? attempt >= this.policy.networkAttempts : remaining <= 0);
    if (spent)
      throw annotate(error, attempt, previous.waited, kind === 'network' ? undefined : this.policy.budgetMs, this.now() - previous.started);
    const base = kind === 'throttled' ? this.policy.throttleBaseMs : this.policy.baseMs;
    const ceiling = Math.min(this.policy.maxDelayMs, base * 2 ** (attempt - 1));
    // Full jitter spreads the re-sends of many callers; the last wait ends at the deadline, for one more try there.
    const wait = Math.max(0, Math.min(Math.round(this.random() * ceiling), kind === 'network' ? ceiling : remaining));
    const errorName = (error as { name?: string } | undefined)?.name ?? 'Error';
    this.policy.onRetry?.({
      service: this.service,
      errorName,
      throttled: kind === 'throttled',
      attempt,
      delayMs: wait,
      text: noticeText(kind, this.service, errorName, wait),
    });
    await this.sleep(wait);
    await this.pacer?.getSendToken();
    return token(previous.started, attempt, previous.waited + wait);
  }

  recordSuccess(_token: BudgetRetryToken): void {
    this.pacer?.updateClientSendingRate({});
  }
}

/** The display name of an SDK client for progress lines ("IAMClient" → "IAM"). */
export function serviceName(clientName: string | undefined): string {
  if (!clientName) return 'AWS';
  return SERVICE_NAMES[clientName] ?? clientName.replace(/Client$/, '');
}

/** Records on the SDK error how long it was retried, for the message a person reads. */
function annotate(error: unknown, attempts: number, totalRetryDelay: number, budgetMs: number | undefined, elapsedMs: number): unknown {
  if (typeof error !== 'object' || error === null || attempts <= 1) return error;
  const sdk = error as {
    $metadata?: { attempts?: number; totalRetryDelay?: number };
    $retryBudget?: { budgetMs: number; elapsedMs: number };
  };
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
      error: notice.errorName,
      attempt: notice.attempt,
      delayMs: notice.delayMs,
    });
  };
}
