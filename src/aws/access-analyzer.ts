/**
 * Access Analyzer policy generation: start a job, poll it to the end, read the
 * generated policies. The SDK has no waiter for it, so the polling is here,
 * bounded. Only one job may run per account at a time (and 50 a day), so
 * starting one first waits out anyone else's job, and a refused start is
 * retried a bounded number of times.
 */
import type { AccessAnalyzerClient, GetGeneratedPolicyCommandOutput, PolicyGeneration } from '@aws-sdk/client-accessanalyzer';
import { hasAwsName } from '../core/aws-error-names.js';
import { SplitRoleError } from '../core/errors.js';
import { firstLine } from '../core/text.js';
import { delay, poll, retry, type PollOptions } from '../core/timing.js';
import { loadSdk } from './sdk-modules.js';

// Command classes load on first use: the SDK's service modules are most of the CLI's start-up time.
const sdk = () => loadSdk('client-accessanalyzer');

/** A job's state, as Access Analyzer reports it. */
export type PolicyGenerationStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';

/** What to generate a policy from. */
export interface PolicyGenerationRequest {
  /** The role (or user) whose activity is analysed. */
  principalArn: string;
  /** The trail whose logs Access Analyzer reads. */
  trailArn: string;
  /** The service role Access Analyzer assumes to read the trail. */
  accessRoleArn: string;
  window: { start: Date; end: Date };
  /** Regions of the trail to read (default: all regions). */
  regions?: string[];
  /** Idempotency token; the SDK makes one when absent. */
  clientToken?: string;
}

/** Starts a policy generation job; returns its id. */
export async function startPolicyGeneration(client: AccessAnalyzerClient, request: PolicyGenerationRequest): Promise<string> {
  const { StartPolicyGenerationCommand } = await sdk();
  const regions = request.regions ?? [];
  const output = await client.send(
    new StartPolicyGenerationCommand({
      policyGenerationDetails: { principalArn: request.principalArn },
      cloudTrailDetails: {
        trails: [{ cloudTrailArn: request.trailArn, allRegions: regions.length === 0, ...(regions.length ? { regions } : {}) }],
        accessRole: request.accessRoleArn,
        startTime: request.window.start,
        endTime: request.window.end,
      },
      ...(request.clientToken ? { clientToken: request.clientToken } : {}),
    }),
  );
  if (!output.jobId) throw new SplitRoleError('PolicyGenerationFailed', 'StartPolicyGeneration returned no job id');
  return output.jobId;
}

/** How to wait for a job. */
export interface WaitOptions {
  /** Between polls (default 10 s: jobs take minutes). */
  pollIntervalMs?: number;
  /** Give up after this long (default 30 min). */
  timeoutMs?: number;
  /** Told the status after every poll. */
  onProgress?: (status: PolicyGenerationStatus, elapsedMs: number) => void;
  /** Ask for resource placeholders such as arn:aws:s3:::${BucketName} (default true). */
  includeResourcePlaceholders?: boolean;
  /** Ask for service-level `service:*` statements too (default false: they are not per-action evidence). */
  includeServiceLevelTemplate?: boolean;
  /** Cancel the job when the wait times out, freeing the account's one slot (default false). */
  cancelOnTimeout?: boolean;
  sleep?: (ms: number) => Promise<void>;
}

/** A finished job's output. */
export interface GeneratedPolicies {
  jobId: string;
  /** The generated policy documents, parsed. */
  policies: unknown[];
  /** False when Access Analyzer says the policy does not cover everything it found. */
  isComplete: boolean;
  principalArn?: string;
}

/**
 * Polls GetGeneratedPolicy until the job ends. SUCCEEDED returns the
 * documents; FAILED, CANCELED and the timeout throw SplitRoleErrors that say
 * what to do.
 */
export async function waitForGeneratedPolicy(
  client: AccessAnalyzerClient,
  jobId: string,
  options: WaitOptions = {},
): Promise<GeneratedPolicies> {
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const interval = options.pollIntervalMs ?? 10_000;
  const started = Date.now();
  let status: PolicyGenerationStatus = 'IN_PROGRESS';
  let elapsed = 0;
  return poll(
    async () => {
      const output = await getGeneratedPolicy(client, jobId, options);
      status = output.jobDetails?.status ?? 'IN_PROGRESS';
      elapsed = Date.now() - started;
      options.onProgress?.(status, elapsed);
      if (status === 'SUCCEEDED') return toGenerated(jobId, output);
      if (status === 'FAILED') throw jobFailed(jobId, output);
      if (status === 'CANCELED') {
        throw new SplitRoleError(
          'PolicyGenerationCanceled',
          `Access Analyzer policy generation job ${jobId} was canceled`,
          'start it again; check that no one else cancels jobs in this account',
        );
      }
      return undefined;
    },
    { intervalMs: interval, deadline: started + timeoutMs, ...(options.sleep ? { sleep: options.sleep } : {}) },
    async () => {
      if (options.cancelOnTimeout) await cancelPolicyGeneration(client, jobId).catch(() => undefined);
      throw new SplitRoleError(
        'PolicyGenerationTimeout',
        `Access Analyzer policy generation job ${jobId} was still ${status} after ${Math.round(elapsed / 1000)} s`,
        options.cancelOnTimeout
          ? 'the job was canceled; allow a longer timeout (jobs take minutes) and run again'
          : 'the job keeps running in AWS; allow a longer timeout (jobs take minutes) and run again',
      );
    },
  );
}

/** Cancels a job (no-op for a finished one). */
export async function cancelPolicyGeneration(client: AccessAnalyzerClient, jobId: string): Promise<void> {
  const { CancelPolicyGenerationCommand } = await sdk();
  await client.send(new CancelPolicyGenerationCommand({ jobId }));
}

/** The account's IN_PROGRESS jobs, any principal. */
export async function inProgressJobs(client: AccessAnalyzerClient): Promise<PolicyGeneration[]> {
  const { ListPolicyGenerationsCommand } = await sdk();
  const running: PolicyGeneration[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListPolicyGenerationsCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
    for (const job of page.policyGenerations ?? []) if (job.status === 'IN_PROGRESS') running.push(job);
    nextToken = page.nextToken;
  } while (nextToken);
  return running;
}

/** How to queue for the account's one job slot. */
export interface QueueOptions {
  /** Between checks on someone else's job (default 15 s). */
  pollIntervalMs?: number;
  /** Longest total wait for the slot (default 30 min). */
  waitTimeoutMs?: number;
  /** Refused starts retried before giving up (default 5). */
  maxStartRetries?: number;
  /** Progress lines ("waiting for job … of role …"). */
  onProgress?: (message: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** AWS's names for "the account's one job slot is taken". */
const BUSY_ERRORS: ReadonlySet<string> = new Set(['ServiceQuotaExceededException', 'ConflictException']);

/**
 * Starts a job once the account's one slot is free: waits (bounded) for any
 * IN_PROGRESS job first, and retries (bounded) when the start is still refused
 * because someone else got in between.
 */
export async function startPolicyGenerationWhenFree(
  client: AccessAnalyzerClient,
  request: PolicyGenerationRequest,
  options: QueueOptions = {},
): Promise<string> {
  const interval = options.pollIntervalMs ?? 15_000;
  const deadline = Date.now() + (options.waitTimeoutMs ?? 30 * 60_000);
  const maxRetries = options.maxStartRetries ?? 5;
  const sleep = options.sleep ?? delay;
  const clientToken = request.clientToken ?? cryptoToken();
  let refusals = 0;
  let lastBusy: PolicyGeneration | undefined;
  return retry(
    async () => {
      for (const job of await inProgressJobs(client)) {
        if (!job.jobId) continue;
        lastBusy = job;
        options.onProgress?.(
          `waiting for Access Analyzer job ${job.jobId} (${job.principalArn ?? 'another principal'}): one job runs per account at a time`,
        );
        await waitForJobToEnd(client, job.jobId, { intervalMs: interval, deadline, sleep });
      }
      // The same token on every try: if a refused-looking start did start a job, AWS hands back that job.
      return await startPolicyGeneration(client, { ...request, clientToken });
    },
    (error) => {
      if (!(error instanceof SplitRoleError) || !hasAwsName(error, BUSY_ERRORS)) throw error;
      if (/day|daily/i.test(error.message)) {
        throw error.retold(error.message, 'Access Analyzer allows 50 policy generations per account per day; run again tomorrow');
      }
      refusals += 1;
      if (refusals > maxRetries || Date.now() + interval > deadline) {
        throw new SplitRoleError(
          'PolicyGenerationBusy',
          `Access Analyzer refused to start a policy generation job ${refusals} times (${error.label}): ${error.message}` +
            (lastBusy ? ` (last seen running: ${lastBusy.jobId})` : ''),
          'another policy generation job keeps the account’s one slot busy; wait for it to finish and run again',
          undefined,
          { cause: error },
        );
      }
      options.onProgress?.(`Access Analyzer is busy (${error.label}); retrying in ${Math.round(interval / 1000)} s`);
      return interval;
    },
    sleep,
  );
}

async function waitForJobToEnd(client: AccessAnalyzerClient, jobId: string, polling: PollOptions): Promise<void> {
  await poll(
    async () =>
      (await getGeneratedPolicy(client, jobId, { includeResourcePlaceholders: false })).jobDetails?.status !== 'IN_PROGRESS'
        ? true
        : undefined,
    polling,
    () => {
      throw new SplitRoleError(
        'PolicyGenerationBusy',
        `Access Analyzer job ${jobId} still holds the account’s one policy-generation slot`,
        'wait for it to finish (or cancel it) and run again, or allow a longer wait',
      );
    },
  );
}

async function getGeneratedPolicy(
  client: AccessAnalyzerClient,
  jobId: string,
  options: Pick<WaitOptions, 'includeResourcePlaceholders' | 'includeServiceLevelTemplate'>,
): Promise<GetGeneratedPolicyCommandOutput> {
  const { GetGeneratedPolicyCommand } = await sdk();
  return client.send(
    new GetGeneratedPolicyCommand({
      jobId,
      includeResourcePlaceholders: options.includeResourcePlaceholders ?? true,
      includeServiceLevelTemplate: options.includeServiceLevelTemplate ?? false,
    }),
  );
}

function toGenerated(jobId: string, output: GetGeneratedPolicyCommandOutput): GeneratedPolicies {
  const result = output.generatedPolicyResult;
  const policies = (result?.generatedPolicies ?? []).map((entry, index) => {
    try {
      return JSON.parse(entry.policy ?? '') as unknown;
    } catch {
      throw new SplitRoleError('PolicyGenerationFailed', `generated policy ${index + 1} of job ${jobId} is not valid JSON`);
    }
  });
  const generated: GeneratedPolicies = { jobId, policies, isComplete: result?.properties?.isComplete ?? true };
  if (result?.properties?.principalArn) generated.principalArn = result.properties.principalArn;
  return generated;
}

const JOB_ERROR_HINTS: Record<string, string> = {
  AUTHORIZATION_ERROR: 'check the access role: it must trust access-analyzer.amazonaws.com and may read the trail’s bucket and KMS key',
  RESOURCE_NOT_FOUND_ERROR: 'check that the trail, its S3 bucket and the access role exist',
  SERVICE_QUOTA_EXCEEDED_ERROR:
    'Access Analyzer quota reached (e.g. CloudTrail data volume or 50 jobs a day); narrow the window or run later',
  SERVICE_ERROR: 'an Access Analyzer error; run again later',
};

function jobFailed(jobId: string, output: GetGeneratedPolicyCommandOutput): SplitRoleError {
  const jobError = output.jobDetails?.jobError;
  const code = jobError?.code ?? 'UNKNOWN';
  return new SplitRoleError(
    'PolicyGenerationFailed',
    `Access Analyzer policy generation job ${jobId} failed: ${code}${jobError?.message ? `: ${firstLine(jobError.message)}` : ''}`,
    JOB_ERROR_HINTS[code] ?? 'see the job in the IAM console (Access Analyzer, policy generation)',
  );
}

function cryptoToken(): string {
  return globalThis.crypto.randomUUID();
}
