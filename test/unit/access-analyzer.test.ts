/**
 * Access Analyzer policy generation against a loopback fake that speaks the
 * real REST-JSON protocol, through the real SDK client built by openAwsSession.
 */
import {
  CancelPolicyGenerationCommand,
  GetGeneratedPolicyCommand,
  ListPolicyGenerationsCommand,
  type AccessAnalyzerClient,
} from '@aws-sdk/client-accessanalyzer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  startPolicyGeneration,
  startPolicyGenerationWhenFree,
  waitForGeneratedPolicy,
  type PolicyGenerationRequest,
} from '../../src/aws/access-analyzer.js';
import { openAwsSession, type AwsSession } from '../../src/aws/session.js';
import { SplitRoleError } from '../../src/core/errors.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { actionsOf, generatedActions } from '../../src/evidence/access-analyzer-source.js';
import { AccessAnalyzerFake, type AccessAnalyzerFakeOptions } from '../fakes/access-analyzer-fake.js';

const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/shared-app`;
const OTHER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/someone-else`;
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management`;
const ACCESS_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/AccessAnalyzerMonitorServiceRole`;
const WINDOW = { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-03-01T00:00:00Z') };
const REQUEST = { roleArn: ROLE_ARN, trailArn: TRAIL_ARN, accessRoleArn: ACCESS_ROLE_ARN, window: WINDOW };
const GENERATION: PolicyGenerationRequest = { principalArn: ROLE_ARN, trailArn: TRAIL_ARN, accessRoleArn: ACCESS_ROLE_ARN, window: WINDOW };
/** Fast polling for tests. */
const FAST = { pollIntervalMs: 5, timeoutMs: 2000, queue: { pollIntervalMs: 5, waitTimeoutMs: 2000 } };

let fake: AccessAnalyzerFake | undefined;
let session: AwsSession | undefined;

afterEach(async () => {
  session?.destroy();
  session = undefined;
  await fake?.close();
  fake = undefined;
  vi.unstubAllEnvs();
});

/** A fake and a real Access Analyzer client pointed at it through AWS_ENDPOINT_URL_ACCESSANALYZER. */
async function setup(options: AccessAnalyzerFakeOptions = {}): Promise<{ fake: AccessAnalyzerFake; client: AccessAnalyzerClient }> {
  fake = await AccessAnalyzerFake.start(options);
  vi.stubEnv('AWS_ENDPOINT_URL_ACCESSANALYZER', fake.endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_PROFILE', undefined);
  session = await openAwsSession({ region: 'us-east-1' });
  return { fake, client: await session.accessAnalyzer() };
}

describe('generatedActions', () => {
  it('starts a job, polls it to SUCCEEDED and returns the sorted, distinct actions', async () => {
    const { fake, client } = await setup({ pollsToComplete: 3 });
    fake.setActivity(ROLE_ARN, { actions: ['s3:ListBucket', 'dynamodb:GetItem', 's3:GetObject', 'sts:GetCallerIdentity', 's3:GetObject'] });
    const io = new RecordingIoHost();
    const lines: string[] = [];

    const result = await generatedActions(client, REQUEST, { ...FAST, io, onProgress: (line) => lines.push(line) });

    expect(result.actions).toEqual(['dynamodb:GetItem', 's3:GetObject', 's3:ListBucket', 'sts:GetCallerIdentity']);
    expect(result.isComplete).toBe(true);
    expect(lines.map((line) => /job \S+ (\w+) \(\d+ s\)$/.exec(line)?.[1]).filter(Boolean)).toEqual([
      'IN_PROGRESS',
      'IN_PROGRESS',
      'SUCCEEDED',
    ]);
    expect(lines[0]).toBe(`Access Analyzer: policy generation job ${result.jobId} started for ${ROLE_ARN}`);
    // Placeholders, as Access Analyzer writes them.
    expect(JSON.stringify(result.policies)).toContain('arn:aws:s3:::${BucketName}/${ObjectName}');
    expect(fake.operations).toEqual([
      'ListPolicyGenerations',
      'StartPolicyGeneration',
      'GetGeneratedPolicy',
      'GetGeneratedPolicy',
      'GetGeneratedPolicy',
    ]);
    // What the SDK put on the wire reached the fake intact.
    const job = fake.jobs.get(result.jobId)!;
    expect(job.principalArn).toBe(ROLE_ARN);
    expect(job.trails).toEqual([{ cloudTrailArn: TRAIL_ARN, allRegions: true }]);
    expect(job.startTime).toBe('2025-01-01T00:00:00Z');
    expect(job.clientToken).toEqual(expect.any(String));
    expect(io.messages.some((m) => m.message.includes(`job ${result.jobId} SUCCEEDED`))).toBe(true);
  });

  it('collects actions from every generated document and flags an incomplete policy', async () => {
    const { fake, client } = await setup({ pollsToComplete: 1, maxActionsPerPolicy: 2 });
    fake.setActivity(ROLE_ARN, { actions: ['sqs:SendMessage', 'logs:PutLogEvents', 'ec2:DescribeInstances'], isComplete: false });
    const io = new RecordingIoHost();

    const result = await generatedActions(client, REQUEST, { ...FAST, io });

    expect(result.policies.length).toBeGreaterThan(1);
    expect(result.actions).toEqual(['ec2:DescribeInstances', 'logs:PutLogEvents', 'sqs:SendMessage']);
    expect(result.isComplete).toBe(false);
    expect(io.messages).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        code: 'SR_EVID_W3004',
        message: `Access Analyzer: the generated policy for ${ROLE_ARN} is not complete`,
      }),
    );
  });

  it('waits out another principal’s job that holds the account’s one slot', async () => {
    const { fake, client } = await setup({ pollsToComplete: 1 });
    const foreign = fake.seedJob({ principalArn: OTHER_ROLE_ARN, pollsToComplete: 3 });
    fake.setActivity(ROLE_ARN, { actions: ['s3:GetObject'] });
    const io = new RecordingIoHost();

    const result = await generatedActions(client, REQUEST, { ...FAST, io });

    expect(result.actions).toEqual(['s3:GetObject']);
    expect(fake.jobs.get(foreign)?.status).toBe('SUCCEEDED');
    expect(fake.jobs.get(foreign)?.polls).toBe(3);
    // Never refused: the start waited until the slot was free.
    expect(fake.operations.slice(0, 5)).toEqual([
      'ListPolicyGenerations',
      'GetGeneratedPolicy',
      'GetGeneratedPolicy',
      'GetGeneratedPolicy',
      'StartPolicyGeneration',
    ]);
    expect(io.messages.map((m) => m.message)).toContain(
      `waiting for Access Analyzer job ${foreign} (${OTHER_ROLE_ARN}): one job runs per account at a time`,
    );
  });

  it('retries a start refused by the one-job quota (a job started between the check and the start)', async () => {
    const { fake, client } = await setup({ pollsToComplete: 1 });
    fake.setActivity(ROLE_ARN, { actions: ['s3:GetObject'] });
    fake.ops.rejectNextStarts = 2;
    const io = new RecordingIoHost();

    const result = await generatedActions(client, REQUEST, { ...FAST, io });

    expect(result.actions).toEqual(['s3:GetObject']);
    expect(fake.operations.filter((op) => op === 'StartPolicyGeneration')).toHaveLength(3);
    expect(io.messages.filter((m) => m.message.startsWith('Access Analyzer is busy (ServiceQuotaExceededException)'))).toHaveLength(2);
    expect(fake.jobs.size).toBe(1);
  });

  it('gives up on the quota after a bounded number of refusals', async () => {
    const { fake, client } = await setup({ concurrencyError: 'ConflictException' });
    fake.ops.rejectNextStarts = 100;

    const error = await startPolicyGenerationWhenFree(client, GENERATION, { pollIntervalMs: 5, maxStartRetries: 2 }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(SplitRoleError);
    expect((error as SplitRoleError).code).toBe('PolicyGenerationBusy');
    expect((error as SplitRoleError).oneLine()).toMatch(/refused to start a policy generation job 3 times \(ConflictException\): /);
    expect(fake.operations.filter((op) => op === 'StartPolicyGeneration')).toHaveLength(3);
  });

  it('does not retry the daily quota, and says so', async () => {
    const { fake, client } = await setup({ pollsToComplete: 1, dailyQuota: 1 });
    fake.setActivity(ROLE_ARN, { actions: ['s3:GetObject'] });
    await generatedActions(client, REQUEST, FAST);

    const error = await generatedActions(client, REQUEST, FAST).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'AwsError', awsName: 'ServiceQuotaExceededException' });
    expect((error as SplitRoleError).oneLine()).toMatch(
      /^ServiceQuotaExceededException: Daily policy generation quota exceeded.*50 policy generations per account per day/,
    );
    expect(fake.operations.filter((op) => op === 'StartPolicyGeneration')).toHaveLength(2);
  });

  it('stops waiting for someone else’s job at the wait timeout', async () => {
    const { fake, client } = await setup();
    fake.seedJob({ principalArn: OTHER_ROLE_ARN, pollsToComplete: 10_000 });

    const error = await startPolicyGenerationWhenFree(client, GENERATION, { pollIntervalMs: 20, waitTimeoutMs: 150 }).catch(
      (e: unknown) => e,
    );

    expect((error as SplitRoleError).code).toBe('PolicyGenerationBusy');
    expect((error as SplitRoleError).oneLine()).toMatch(/still holds the account’s one policy-generation slot/);
    expect(fake.operations).not.toContain('StartPolicyGeneration');
  });
});

describe('waitForGeneratedPolicy', () => {
  it('turns a FAILED job into a clear error', async () => {
    const { fake, client } = await setup({ pollsToComplete: 2 });
    fake.setActivity(ROLE_ARN, {
      actions: [],
      fail: { code: 'AUTHORIZATION_ERROR', message: 'Access denied to the trail bucket.\nmore detail' },
    });

    const error = await generatedActions(client, REQUEST, FAST).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SplitRoleError);
    const e = error as SplitRoleError;
    expect(e.code).toBe('PolicyGenerationFailed');
    expect(e.oneLine()).toMatch(
      /job [0-9a-f-]{36} failed: AUTHORIZATION_ERROR: Access denied to the trail bucket\. — check the access role/,
    );
    expect(e.oneLine()).not.toContain('\n');
  });

  it('times out with a clear error, and can cancel the job to free the slot', async () => {
    const { fake, client } = await setup({ pollsToComplete: 10_000 });
    const jobId = await startPolicyGeneration(client, GENERATION);

    const kept = await waitForGeneratedPolicy(client, jobId, { pollIntervalMs: 20, timeoutMs: 100 }).catch((e: unknown) => e);
    expect((kept as SplitRoleError).code).toBe('PolicyGenerationTimeout');
    expect((kept as SplitRoleError).oneLine()).toMatch(
      new RegExp(`job ${jobId} was still IN_PROGRESS after \\d+ s — the job keeps running`),
    );
    expect(fake.jobs.get(jobId)?.status).toBe('IN_PROGRESS');

    const canceled = await waitForGeneratedPolicy(client, jobId, { pollIntervalMs: 20, timeoutMs: 100, cancelOnTimeout: true }).catch(
      (e: unknown) => e,
    );
    expect((canceled as SplitRoleError).oneLine()).toMatch(/the job was canceled/);
    expect(fake.jobs.get(jobId)?.status).toBe('CANCELED');
  });

  it('reports a canceled job', async () => {
    const { client } = await setup({ pollsToComplete: 10_000 });
    const jobId = await startPolicyGeneration(client, GENERATION);
    await client.send(new CancelPolicyGenerationCommand({ jobId }));

    await expect(waitForGeneratedPolicy(client, jobId, { pollIntervalMs: 5 })).rejects.toMatchObject({ code: 'PolicyGenerationCanceled' });
  });
});

describe('the Access Analyzer fake, through the real SDK', () => {
  it('parses every field of GetGeneratedPolicy and ListPolicyGenerations', async () => {
    const { fake, client } = await setup({ pollsToComplete: 1 });
    fake.setActivity(ROLE_ARN, { actions: ['s3:GetObject'], serviceLevel: ['ec2'] });
    const jobId = await startPolicyGeneration(client, { ...GENERATION, regions: ['us-east-1', 'eu-west-1'] });

    const got = await client.send(
      new GetGeneratedPolicyCommand({ jobId, includeResourcePlaceholders: true, includeServiceLevelTemplate: true }),
    );
    expect(got.jobDetails?.status).toBe('SUCCEEDED');
    expect(got.jobDetails?.startedOn).toBeInstanceOf(Date);
    expect(got.jobDetails?.completedOn).toBeInstanceOf(Date);
    expect(got.generatedPolicyResult?.properties?.principalArn).toBe(ROLE_ARN);
    expect(got.generatedPolicyResult?.properties?.isComplete).toBe(true);
    const trail = got.generatedPolicyResult?.properties?.cloudTrailProperties;
    expect(trail?.startTime).toEqual(WINDOW.start);
    expect(trail?.endTime).toEqual(WINDOW.end);
    expect(trail?.trailProperties).toEqual([{ cloudTrailArn: TRAIL_ARN, regions: ['us-east-1', 'eu-west-1'], allRegions: false }]);
    const policies = (got.generatedPolicyResult?.generatedPolicies ?? []).map((p) => JSON.parse(p.policy!) as unknown);
    expect(actionsOf(policies)).toEqual(['ec2:*', 's3:GetObject']);

    const listed = await client.send(new ListPolicyGenerationsCommand({ principalArn: ROLE_ARN }));
    expect(listed.policyGenerations).toEqual([
      { jobId, principalArn: ROLE_ARN, status: 'SUCCEEDED', startedOn: expect.any(Date), completedOn: expect.any(Date) },
    ]);
  });

  it('refuses a second concurrent job with ServiceQuotaExceededException, and an unknown job with ResourceNotFoundException', async () => {
    const { client } = await setup({ pollsToComplete: 10_000 });
    await startPolicyGeneration(client, GENERATION);

    const second = await startPolicyGeneration(client, { ...GENERATION, principalArn: OTHER_ROLE_ARN }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(SplitRoleError);
    expect(second).toMatchObject({ code: 'AwsError', awsName: 'ServiceQuotaExceededException' });
    expect((second as SplitRoleError).oneLine()).toContain('access-analyzer:StartPolicyGeneration');
    // The session's clients translate errors (keeping AWS's name); the wire error is the cause.
    const unknown: unknown = await client.send(new GetGeneratedPolicyCommand({ jobId: 'no-such-job' })).catch((e: unknown) => e);
    expect(unknown).toMatchObject({
      awsName: 'ResourceNotFoundException',
      cause: { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } },
    });
    expect((unknown as SplitRoleError).message).toContain('(access-analyzer:GetGeneratedPolicy)');
  });

  it('keeps StartPolicyGeneration idempotent on clientToken', async () => {
    const { fake, client } = await setup({ pollsToComplete: 10_000 });
    const first = await startPolicyGeneration(client, { ...GENERATION, clientToken: 'token-1' });
    const again = await startPolicyGeneration(client, { ...GENERATION, clientToken: 'token-1' });
    expect(again).toBe(first);
    expect(fake.jobs.size).toBe(1);
  });

  it('answers AccessDenied, which names the IAM action to grant', async () => {
    const { fake, client } = await setup();
    fake.ops.accessDenied = true;

    const error = await generatedActions(client, REQUEST, FAST).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'AccessDenied', awsName: 'AccessDeniedException' });
    expect((error as SplitRoleError).oneLine()).toMatch(/grant access-analyzer:ListPolicyGenerations/);
  });
});

describe('actionsOf', () => {
  it('keeps Allow actions only, distinct case-insensitively, sorted', () => {
    expect(
      actionsOf([
        { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } },
        {
          Statement: [
            { Effect: 'Allow', Action: ['S3:getobject', 'kms:Decrypt'], Resource: '*' },
            { Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' },
            { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
          ],
        },
        null,
      ]),
    ).toEqual(['kms:Decrypt', 's3:GetObject']);
  });
});
