/**
 * A loopback IAM Access Analyzer serving policy generation over the real
 * REST-JSON protocol, so the real @aws-sdk/client-accessanalyzer can talk to
 * it (moto has no Access Analyzer). Field names and HTTP bindings follow the
 * SDK's own schema (dist-cjs: StartPolicyGeneration$, GetGeneratedPolicy$, …):
 *
 * - `PUT /policy/generation` StartPolicyGeneration → `{jobId}`; idempotent on
 *   `clientToken`.
 * - `GET /policy/generation/{jobId}?includeResourcePlaceholders=&includeServiceLevelTemplate=`
 *   GetGeneratedPolicy → `{jobDetails, generatedPolicyResult}`.
 * - `GET /policy/generation?principalArn=&maxResults=&nextToken=` ListPolicyGenerations.
 * - `PUT /policy/generation/{jobId}` CancelPolicyGeneration → `{}`.
 * - Timestamps are ISO-8601 date-time strings (the model's timestampFormat).
 * - Errors: status from the model (400 Validation, 402 ServiceQuotaExceeded,
 *   403 AccessDenied, 404 ResourceNotFound, 409 Conflict), `x-amzn-ErrorType`
 *   header and `{message, …}` body.
 *
 * Jobs finish after `pollsToComplete` GetGeneratedPolicy calls. One job may be
 * IN_PROGRESS per account at a time; a second start gets
 * ServiceQuotaExceededException (configurable to ConflictException: AWS lists
 * both for StartPolicyGeneration without saying which the concurrency quota uses).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callerOf, listen, readBody, sendJson, type Listening } from './fake-http.js';

/** The job states AWS reports. */
export type JobStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';

/** A JobError as AWS reports it. */
export interface FakeJobError {
  code: 'AUTHORIZATION_ERROR' | 'RESOURCE_NOT_FOUND_ERROR' | 'SERVICE_QUOTA_EXCEEDED_ERROR' | 'SERVICE_ERROR';
  message: string;
}

/** What a principal's generated policy will say. */
export interface PrincipalActivity {
  /** IAM actions used, e.g. "s3:GetObject". */
  actions: string[];
  /** Services for the service-level template (includeServiceLevelTemplate=true). */
  serviceLevel?: string[];
  /** Reported as generatedPolicyResult.properties.isComplete (default true). */
  isComplete?: boolean;
  /** Makes jobs for this principal fail with this error. */
  fail?: FakeJobError;
}

/** A job in the fake. */
export interface FakeJob {
  jobId: string;
  principalArn: string;
  accountId: string;
  status: JobStatus;
  startedOn: Date;
  completedOn?: Date;
  polls: number;
  pollsToComplete: number;
  clientToken?: string;
  trails: Array<{ cloudTrailArn: string; regions?: string[]; allRegions?: boolean }>;
  startTime?: string;
  endTime?: string;
  jobError?: FakeJobError;
}

/** Options for a fake. */
export interface AccessAnalyzerFakeOptions {
  accountId?: string;
  /** GetGeneratedPolicy calls after which a job is done (default 2). */
  pollsToComplete?: number;
  /** What a second concurrent StartPolicyGeneration gets (default ServiceQuotaExceededException). */
  concurrencyError?: 'ServiceQuotaExceededException' | 'ConflictException';
  /** Jobs per account per day (default 50, as AWS). */
  dailyQuota?: number;
  /** Actions per generated policy document before another document starts (AWS splits large policies). */
  maxActionsPerPolicy?: number;
}

const PRINCIPAL_PATTERN = /^arn:[^:]*:iam::[^:]*:(role|user)\/.{1,576}$/;

/** A running fake Access Analyzer. */
export class AccessAnalyzerFake {
  /** HTTP requests received. */
  requests = 0;
  /** Operations served or refused, in order ("StartPolicyGeneration", …). */
  readonly operations: string[] = [];
  /** Fault switches: every call AccessDenied; the next N starts refused with the concurrency error. */
  readonly ops = { accessDenied: false, rejectNextStarts: 0 };
  readonly jobs = new Map<string, FakeJob>();

  private readonly activity = new Map<string, PrincipalActivity>();
  private listening!: Listening;

  private constructor(private readonly options: Required<AccessAnalyzerFakeOptions>) {}

  /** Starts a fake on a free loopback port. */
  static async start(options: AccessAnalyzerFakeOptions = {}): Promise<AccessAnalyzerFake> {
    const fake = new AccessAnalyzerFake({
      accountId: options.accountId ?? '123456789012',
      pollsToComplete: options.pollsToComplete ?? 2,
      concurrencyError: options.concurrencyError ?? 'ServiceQuotaExceededException',
      dailyQuota: options.dailyQuota ?? 50,
      maxActionsPerPolicy: options.maxActionsPerPolicy ?? 1000,
    });
    fake.listening = await listen((req, res) => fake.handle(req, res));
    return fake;
  }

  /** The URL for AWS_ENDPOINT_URL_ACCESSANALYZER. */
  get endpoint(): string {
    return this.listening.endpoint;
  }

  /** Sets what the generated policy for `principalArn` contains. */
  setActivity(principalArn: string, activity: PrincipalActivity): void {
    this.activity.set(principalArn, activity);
  }

  /** Adds a job someone else started (e.g. an IN_PROGRESS one holding the account's slot). */
  seedJob(args: { principalArn: string; status?: JobStatus; pollsToComplete?: number }): string {
    const job = this.newJob(args.principalArn, this.options.accountId, []);
    job.status = args.status ?? 'IN_PROGRESS';
    if (args.pollsToComplete !== undefined) job.pollsToComplete = args.pollsToComplete;
    if (job.status !== 'IN_PROGRESS') job.completedOn = new Date();
    return job.jobId;
  }

  /** Stops the server. */
  close(): Promise<void> {
    return this.listening.close();
  }

  private newJob(principalArn: string, accountId: string, trails: FakeJob['trails']): FakeJob {
    const job: FakeJob = {
      jobId: randomUUID(),
      principalArn,
      accountId,
      status: 'IN_PROGRESS',
      startedOn: new Date(),
      polls: 0,
      pollsToComplete: this.options.pollsToComplete,
      trails,
    };
    this.jobs.set(job.jobId, job);
    return job;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests += 1;
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const caller = callerOf(req);
    if (!caller) return fail(res, 403, 'UnrecognizedClientException', 'Missing Authentication Token');
    const accountId = this.options.accountId;
    const path = url.pathname.replace(/\/+$/, '');
    const jobMatch = /^\/policy\/generation\/([^/]+)$/.exec(path);

    let operation: string;
    if (path === '/policy/generation' && req.method === 'PUT') operation = 'StartPolicyGeneration';
    else if (path === '/policy/generation' && req.method === 'GET') operation = 'ListPolicyGenerations';
    else if (jobMatch && req.method === 'GET') operation = 'GetGeneratedPolicy';
    else if (jobMatch && req.method === 'PUT') operation = 'CancelPolicyGeneration';
    else return fail(res, 404, 'UnknownOperationException', `no route for ${req.method} ${url.pathname}`);
    this.operations.push(operation);

    if (this.ops.accessDenied) {
      return fail(
        res,
        403,
        'AccessDeniedException',
        `User: arn:aws:iam::${accountId}:user/${caller.accessKeyId} is not authorized to perform: access-analyzer:${operation}`,
      );
    }
    const jobId = jobMatch ? decodeURIComponent(jobMatch[1]!) : '';
    switch (operation) {
      case 'StartPolicyGeneration':
        return this.start(res, body, accountId);
      case 'ListPolicyGenerations':
        return this.list(res, url.searchParams, accountId);
      case 'GetGeneratedPolicy':
        return this.get(res, jobId, url.searchParams, accountId);
      default:
        return this.cancel(res, jobId, accountId);
    }
  }

  private start(res: ServerResponse, body: string, accountId: string): void {
    let input: {
      policyGenerationDetails?: { principalArn?: string };
      cloudTrailDetails?: { trails?: FakeJob['trails']; accessRole?: string; startTime?: string; endTime?: string };
      clientToken?: string;
    };
    try {
      input = JSON.parse(body || '{}') as typeof input;
    } catch {
      return fail(res, 400, 'SerializationException', 'request body is not JSON');
    }
    const principalArn = input.policyGenerationDetails?.principalArn;
    if (!principalArn || !PRINCIPAL_PATTERN.test(principalArn)) {
      return validation(res, 'policyGenerationDetails.principalArn', 'must be the ARN of an IAM role or user');
    }
    const details = input.cloudTrailDetails;
    if (!details?.trails?.length) return validation(res, 'cloudTrailDetails.trails', 'at least one trail is required');
    if (!details.accessRole) return validation(res, 'cloudTrailDetails.accessRole', 'is required');
    if (!details.startTime || Number.isNaN(Date.parse(details.startTime))) {
      return validation(res, 'cloudTrailDetails.startTime', 'must be a date-time');
    }
    if (details.endTime && Date.parse(details.endTime) < Date.parse(details.startTime)) {
      return validation(res, 'cloudTrailDetails.endTime', 'must not be before startTime');
    }
    for (const trail of details.trails) {
      if (!trail.cloudTrailArn?.startsWith('arn:')) return validation(res, 'cloudTrailDetails.trails.cloudTrailArn', 'must be an ARN');
    }
    if (input.clientToken) {
      // Idempotency: a retried request gets the job its first attempt started.
      const existing = [...this.jobs.values()].find((j) => j.clientToken === input.clientToken && j.accountId === accountId);
      if (existing) return sendJson(res, 200, { jobId: existing.jobId }, jsonType());
    }
    const running = [...this.jobs.values()].find((j) => j.accountId === accountId && j.status === 'IN_PROGRESS');
    if (running || this.ops.rejectNextStarts > 0) {
      if (!running) this.ops.rejectNextStarts -= 1;
      const status = this.options.concurrencyError === 'ConflictException' ? 409 : 402;
      return fail(res, status, this.options.concurrencyError, 'Only one policy generation job can run at a time in an account.', {
        resourceId: running?.jobId ?? 'policy-generation',
        resourceType: 'AWS::IAM::Role',
      });
    }
    const today = new Date().toISOString().slice(0, 10);
    const startedToday = [...this.jobs.values()].filter(
      (j) => j.accountId === accountId && j.startedOn.toISOString().slice(0, 10) === today,
    ).length;
    if (startedToday >= this.options.dailyQuota) {
      return fail(res, 402, 'ServiceQuotaExceededException', 'Daily policy generation quota exceeded.', {
        resourceId: 'policy-generation',
        resourceType: 'AWS::IAM::Role',
      });
    }
    const job = this.newJob(principalArn, accountId, details.trails);
    if (input.clientToken) job.clientToken = input.clientToken;
    job.startTime = details.startTime;
    if (details.endTime) job.endTime = details.endTime;
    sendJson(res, 200, { jobId: job.jobId }, jsonType());
  }

  private get(res: ServerResponse, jobId: string, query: URLSearchParams, accountId: string): void {
    const job = this.jobs.get(jobId);
    if (!job || job.accountId !== accountId) {
      return fail(res, 404, 'ResourceNotFoundException', `Job ${jobId} not found.`, {
        resourceId: jobId,
        resourceType: 'PolicyGeneration',
      });
    }
    if (job.status === 'IN_PROGRESS') {
      job.polls += 1;
      if (job.polls >= job.pollsToComplete) this.finish(job);
    }
    const activity = this.activity.get(job.principalArn);
    const jobDetails: Record<string, unknown> = {
      jobId: job.jobId,
      status: job.status,
      startedOn: job.startedOn.toISOString(),
    };
    if (job.completedOn) jobDetails.completedOn = job.completedOn.toISOString();
    if (job.jobError) jobDetails.jobError = job.jobError;
    const properties: Record<string, unknown> = { principalArn: job.principalArn };
    if (job.status === 'SUCCEEDED') {
      properties.isComplete = activity?.isComplete ?? true;
      properties.cloudTrailProperties = {
        trailProperties: job.trails.map((t) => ({
          cloudTrailArn: t.cloudTrailArn,
          regions: t.regions ?? [],
          allRegions: t.allRegions ?? false,
        })),
        startTime: job.startTime ?? job.startedOn.toISOString(),
        endTime: job.endTime ?? job.startedOn.toISOString(),
      };
    }
    const result: Record<string, unknown> = { properties };
    if (job.status === 'SUCCEEDED') {
      result.generatedPolicies = buildPolicies(
        activity?.actions ?? [],
        query.get('includeResourcePlaceholders') === 'true',
        query.get('includeServiceLevelTemplate') === 'true' ? (activity?.serviceLevel ?? []) : [],
        this.options.maxActionsPerPolicy,
      ).map((policy) => ({ policy: JSON.stringify(policy) }));
    }
    sendJson(res, 200, { jobDetails, generatedPolicyResult: result }, jsonType());
  }

  private finish(job: FakeJob): void {
    const failure = this.activity.get(job.principalArn)?.fail;
    job.status = failure ? 'FAILED' : 'SUCCEEDED';
    if (failure) job.jobError = failure;
    job.completedOn = new Date();
  }

  private list(res: ServerResponse, query: URLSearchParams, accountId: string): void {
    const principalArn = query.get('principalArn');
    const maxResults = Number(query.get('maxResults') ?? '100');
    const offset = query.get('nextToken') ? Number(Buffer.from(query.get('nextToken')!, 'base64').toString('utf8')) : 0;
    if (!Number.isInteger(offset) || offset < 0) return fail(res, 400, 'ValidationException', 'Invalid nextToken.', { reason: 'other' });
    const all = [...this.jobs.values()]
      .filter((j) => j.accountId === accountId && (!principalArn || j.principalArn === principalArn))
      .sort((a, b) => b.startedOn.getTime() - a.startedOn.getTime());
    const page = all.slice(offset, offset + maxResults);
    const output: Record<string, unknown> = {
      policyGenerations: page.map((j) => {
        const entry: Record<string, unknown> = {
          jobId: j.jobId,
          principalArn: j.principalArn,
          status: j.status,
          startedOn: j.startedOn.toISOString(),
        };
        if (j.completedOn) entry.completedOn = j.completedOn.toISOString();
        return entry;
      }),
    };
    if (offset + maxResults < all.length) output.nextToken = Buffer.from(String(offset + maxResults)).toString('base64');
    sendJson(res, 200, output, jsonType());
  }

  private cancel(res: ServerResponse, jobId: string, accountId: string): void {
    const job = this.jobs.get(jobId);
    if (!job || job.accountId !== accountId) {
      return fail(res, 404, 'ResourceNotFoundException', `Job ${jobId} not found.`, {
        resourceId: jobId,
        resourceType: 'PolicyGeneration',
      });
    }
    if (job.status === 'IN_PROGRESS') {
      job.status = 'CANCELED';
      job.completedOn = new Date();
    }
    sendJson(res, 200, {}, jsonType());
  }
}

function jsonType(): Record<string, string> {
  return { 'content-type': 'application/json' };
}

/** A REST-JSON error: the model's HTTP status, the type in `x-amzn-ErrorType`, members in the body. */
function fail(res: ServerResponse, status: number, type: string, message: string, extra: Record<string, unknown> = {}): void {
  sendJson(res, status, { message, ...extra }, { ...jsonType(), 'x-amzn-errortype': type });
}

function validation(res: ServerResponse, field: string, message: string): void {
  fail(res, 400, 'ValidationException', `1 validation error detected: ${field} ${message}`, {
    reason: 'fieldValidationFailed',
    fieldList: [{ name: field, message }],
  });
}

/** Resource placeholders Access Analyzer writes for actions with resource-level permissions. */
const PLACEHOLDERS: Array<[RegExp, string]> = [
  [/^s3:(GetObject|PutObject|DeleteObject)/i, 'arn:aws:s3:::${BucketName}/${ObjectName}'],
  [/^s3:/i, 'arn:aws:s3:::${BucketName}'],
  [/^dynamodb:/i, 'arn:aws:dynamodb:${Region}:${Account}:table/${TableName}'],
  [/^sqs:/i, 'arn:aws:sqs:${Region}:${Account}:${QueueName}'],
  [/^sns:/i, 'arn:aws:sns:${Region}:${Account}:${TopicName}'],
  [/^lambda:/i, 'arn:aws:lambda:${Region}:${Account}:function:${FunctionName}'],
  [/^logs:/i, 'arn:aws:logs:${Region}:${Account}:log-group:${LogGroupName}'],
  [/^kms:/i, 'arn:aws:kms:${Region}:${Account}:key/${KeyId}'],
];

/** Generated policy documents: one statement per resource template, split like AWS splits large policies. */
function buildPolicies(actions: string[], placeholders: boolean, serviceLevel: string[], maxActions: number): unknown[] {
  const byResource = new Map<string, string[]>();
  for (const action of [...new Set(actions)].sort()) {
    const resource = placeholders ? (PLACEHOLDERS.find(([re]) => re.test(action))?.[1] ?? '*') : '*';
    byResource.set(resource, [...(byResource.get(resource) ?? []), action]);
  }
  const statements: Array<Record<string, unknown>> = [];
  for (const [resource, group] of byResource) {
    for (let i = 0; i < group.length; i += maxActions) {
      statements.push({ Effect: 'Allow', Action: group.slice(i, i + maxActions), Resource: resource });
    }
  }
  if (serviceLevel.length > 0) {
    statements.push({ Effect: 'Allow', Action: serviceLevel.map((s) => `${s}:*`), Resource: '*' });
  }
  const policies: unknown[] = [];
  let current: Array<Record<string, unknown>> = [];
  let count = 0;
  for (const statement of statements) {
    const size = (statement.Action as string[]).length;
    if (current.length > 0 && count + size > maxActions) {
      policies.push({ Version: '2012-10-17', Statement: current });
      current = [];
      count = 0;
    }
    current.push(statement);
    count += size;
  }
  if (current.length > 0 || policies.length === 0) policies.push({ Version: '2012-10-17', Statement: current });
  return policies;
}
