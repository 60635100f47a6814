/**
 * LookupEvents against a loopback CloudTrail that speaks the real JSON 1.1
 * protocol, through the real SDK client built by openAwsSession.
 */
import { LookupEventsCommand, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lookupEvents, rateLimiterFor, RateLimiter, type LookupRecord } from '../../src/aws/cloudtrail.js';
import { openAwsSession, type AwsSession } from '../../src/aws/session.js';
import { SplitRoleError } from '../../src/core/errors.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { lookupRoleRecords } from '../../src/evidence/lookup-events-source.js';
import { roleCalls } from '../../src/evidence/role-records.js';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import {
  assumeRoleRecord,
  CloudTrailFake,
  sessionCallRecord,
  tempAccessKeyId,
  type CloudTrailFakeOptions,
  type SeedRecord,
} from '../fakes/cloudtrail-fake.js';

const ACCOUNT = '123456789012';
const ROLE = { arn: `arn:aws:iam::${ACCOUNT}:role/shared-app`, name: 'shared-app' };
const OTHER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/billing-worker`;
const NOW = Date.now();
const WINDOW = { start: new Date(NOW - 7 * 86_400_000), end: new Date(NOW) };
/** A time `minutes` before now, inside the window. */
const ago = (minutes: number) => new Date(NOW - minutes * 60_000);

let fake: CloudTrailFake | undefined;
let session: AwsSession | undefined;

afterEach(async () => {
  session?.destroy();
  session = undefined;
  await fake?.close();
  fake = undefined;
  vi.unstubAllEnvs();
});

/** A fake seeded with `records`, and a real CloudTrail client pointed at it through AWS_ENDPOINT_URL_CLOUDTRAIL. */
async function setup(records: SeedRecord[] = [], options: CloudTrailFakeOptions = {}, env: Record<string, string> = {}) {
  fake = await CloudTrailFake.start(options);
  fake.seed(records);
  vi.stubEnv('AWS_ENDPOINT_URL_CLOUDTRAIL', fake.endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_PROFILE', undefined);
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  session = await openAwsSession({ region: 'us-east-1' });
  const client = await session.cloudTrail();
  return { fake, client, limiter: rateLimiterFor(session) };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** `count` S3 calls by one session, a minute apart. */
function s3Calls(count: number, sessionName = 'i-0aaa', roleArn = ROLE.arn, startMinutes = 1): SeedRecord[] {
  const key = tempAccessKeyId();
  return Array.from({ length: count }, (_, i) =>
    sessionCallRecord({
      roleArn,
      sessionName,
      accessKeyId: key,
      eventSource: 's3.amazonaws.com',
      eventName: 'ListBuckets',
      time: ago(startMinutes + i),
    }),
  );
}

describe('lookupEvents', () => {
  it('follows NextToken past 50 events, newest first, with MaxResults 50 and one attribute per call', async () => {
    const others = s3Calls(3).map((r) => ({ ...r, eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances' }));
    // A data event: in the trail, never in LookupEvents.
    const dataEvent: SeedRecord = { ...s3Calls(1)[0]!, eventName: 'GetObject', eventCategory: 'Data' };
    const { fake, client, limiter } = await setup([...s3Calls(120), ...others, dataEvent]);

    const records = await collect(lookupEvents(client, { key: 'EventSource', value: 's3.amazonaws.com' }, WINDOW, limiter));

    expect(records).toHaveLength(120);
    expect(records.some((r) => r.eventName === 'GetObject')).toBe(false);
    expect(new Set(records.map((r) => r.eventID)).size).toBe(120);
    const times = records.map((r) => Date.parse(r.eventTime));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Parsed from CloudTrailEvent, not just the summary fields.
    expect(records[0]?.userIdentity?.arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/shared-app/i-0aaa`);
    expect(records[0]?.userIdentity?.sessionContext?.sessionIssuer?.arn).toBe(ROLE.arn);

    expect(fake.calls).toHaveLength(3);
    expect(fake.calls.map((c) => c.maxResults)).toEqual([50, 50, 50]);
    expect(fake.calls.map((c) => c.attributes)).toEqual(
      Array(3).fill([{ AttributeKey: 'EventSource', AttributeValue: 's3.amazonaws.com' }]),
    );
    expect(fake.calls.map((c) => c.nextToken !== undefined)).toEqual([false, true, true]);
    // The SDK sends the window as epoch seconds.
    expect(fake.calls[0]?.startTime).toBeCloseTo(WINDOW.start.getTime() / 1000, 0);
    expect(fake.throttled).toBe(0);
  });

  it('is refused like AWS for MaxResults over 50, two attributes, or a foreign NextToken', async () => {
    const { client } = await setup(s3Calls(60));
    const limiter = new RateLimiter();
    const send = async (input: LookupEventsCommandInput) => {
      await limiter.acquire();
      return client.send(new LookupEventsCommand(input));
    };

    await expect(send({ MaxResults: 51 })).rejects.toMatchObject({ awsName: 'InvalidMaxResultsException' });
    await expect(
      send({
        LookupAttributes: [
          { AttributeKey: 'EventName', AttributeValue: 'ListBuckets' },
          { AttributeKey: 'Username', AttributeValue: 'i-0aaa' },
        ],
      }),
    ).rejects.toMatchObject({ awsName: 'InvalidLookupAttributesException' });
    const first = await send({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ListBuckets' }] });
    expect(first.Events).toHaveLength(50);
    expect(first.Events?.[0]?.EventTime).toBeInstanceOf(Date);
    expect(first.Events?.[0]?.Username).toBe('i-0aaa');
    expect(first.NextToken).toEqual(expect.any(String));
    await expect(send({ NextToken: first.NextToken! })).rejects.toMatchObject({ awsName: 'InvalidNextTokenException' });
    await expect(send({ NextToken: 'bm90LWEtdG9rZW4=' })).rejects.toMatchObject({ awsName: 'InvalidNextTokenException' });
  });

  it('serves a service-invoked AssumeRole as AWS does: no Username, the role among its Resources', async () => {
    const key = tempAccessKeyId();
    const { client } = await setup([
      assumeRoleRecord({ roleArn: ROLE.arn, sessionName: 'i-0abc', service: 'ec2.amazonaws.com', accessKeyId: key, time: ago(5) }),
    ]);

    const page = await client.send(
      new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: ROLE.arn }], MaxResults: 50 }),
    );

    expect(page.NextToken).toBeUndefined();
    const event = page.Events?.[0];
    expect(event).toMatchObject({ EventName: 'AssumeRole', EventSource: 'sts.amazonaws.com', ReadOnly: 'true' });
    expect(event?.Username).toBeUndefined();
    expect(event?.AccessKeyId).toBeUndefined();
    expect(event?.Resources).toEqual([
      { ResourceType: 'AWS::IAM::AccessKey', ResourceName: key },
      { ResourceType: 'AWS::STS::AssumedRole', ResourceName: 'i-0abc' },
      { ResourceType: 'AWS::STS::AssumedRole', ResourceName: expect.stringMatching(/^AROA\w+:i-0abc$/) },
      { ResourceType: 'AWS::STS::AssumedRole', ResourceName: `arn:aws:sts::${ACCOUNT}:assumed-role/shared-app/i-0abc` },
      { ResourceType: 'AWS::IAM::Role', ResourceName: ROLE.arn },
    ]);
    const record = JSON.parse(event!.CloudTrailEvent!) as CloudTrailRecord;
    expect(record.userIdentity).toEqual({ type: 'AWSService', invokedBy: 'ec2.amazonaws.com' });
    expect(record.requestParameters).toEqual({ roleArn: ROLE.arn, roleSessionName: 'i-0abc' });
  });

  it('keeps 8 concurrent lookups under 2 requests/second with the session limiter', async () => {
    const records = Array.from({ length: 8 }, (_, i) => s3Calls(2, `i-0${i}`)).flat();
    const { fake, client, limiter } = await setup(records);
    const started = performance.now();

    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => collect(lookupEvents(client, { key: 'Username', value: `i-0${i}` }, WINDOW, limiter))),
    );

    expect(results.map((r) => r.length)).toEqual(Array(8).fill(2));
    expect(fake.calls).toHaveLength(8);
    expect(fake.requests).toBe(8);
    expect(fake.throttled).toBe(0);
    // Seven gaps of at least 500 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(3400);
    expect(limiter.granted).toBe(8);
  }, 15_000);

  it('recovers a burst without the limiter by backing off, even with the SDK retries off', async () => {
    const records = Array.from({ length: 4 }, (_, i) => s3Calls(1, `burst-${i}`)).flat();
    // AWS_MAX_ATTEMPTS=1: the SDK gives up at once, so only lookupEvents' own back-off can recover.
    // (The SDK's adaptive mode still slows the client after the first throttle, to about 0.5 request/s.)
    // Burst 1 at 1 request/s: four concurrent lookups throttle however slowly a loaded machine sends them,
    // unless they spread over three seconds (the default burst of 2 let a busy CI worker pass untouched).
    const { fake, client } = await setup(records, { ratePerSecond: 1, burst: 1 }, { AWS_MAX_ATTEMPTS: '1' });
    const unlimited = RateLimiter.unlimited();
    const rounds: number[] = [];

    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        collect(
          lookupEvents(client, { key: 'Username', value: `burst-${i}` }, WINDOW, unlimited, {
            baseDelayMs: 300,
            maxDelayMs: 2000,
            maxThrottleRetries: 10,
            onThrottle: (round) => rounds.push(round),
          }),
        ),
      ),
    );

    expect(results.map((r) => r.length)).toEqual(Array(4).fill(1));
    expect(fake.throttled).toBeGreaterThan(0);
    expect(rounds.length).toBe(fake.throttled);
    expect(fake.requests).toBe(4 + fake.throttled);
  }, 15_000);

  it('gives up after bounded back-off with a translated throttling error', async () => {
    const { fake, client } = await setup(s3Calls(1), { ratePerSecond: 0.01, burst: 1 }, { AWS_MAX_ATTEMPTS: '1' });
    const limiter = RateLimiter.unlimited();
    await collect(lookupEvents(client, { key: 'Username', value: 'i-0aaa' }, WINDOW, limiter)); // spends the one token

    const error = await collect(
      lookupEvents(client, { key: 'Username', value: 'i-0aaa' }, WINDOW, limiter, { baseDelayMs: 20, maxThrottleRetries: 1 }),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SplitRoleError);
    expect(error).toMatchObject({ code: 'Throttled', awsName: 'ThrottlingException' });
    expect((error as SplitRoleError).oneLine()).toMatch(/^ThrottlingException: .*cloudtrail:LookupEvents.*1 round of back-off/);
    // Bounded: the spending call, then the first try and one retry.
    expect(fake.requests).toBe(3);
    expect(fake.throttled).toBe(2);
  });

  it('turns AccessDenied into a SplitRoleError naming cloudtrail:LookupEvents', async () => {
    const { fake, client, limiter } = await setup(s3Calls(1));
    fake.ops.accessDenied = true;

    const error = await collect(lookupEvents(client, { key: 'Username', value: 'i-0aaa' }, WINDOW, limiter)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SplitRoleError);
    expect(error).toMatchObject({ code: 'AccessDenied', awsName: 'AccessDeniedException' });
    expect((error as SplitRoleError).oneLine()).toMatch(
      /not authorized to perform: cloudtrail:LookupEvents.*grant cloudtrail:LookupEvents/,
    );
    expect(fake.requests).toBe(1);
  });

  it('gives one limiter per session', async () => {
    const { limiter } = await setup();
    expect(rateLimiterFor(session!)).toBe(limiter);
    const other = await openAwsSession({ region: 'us-east-1' });
    expect(rateLimiterFor(other)).not.toBe(limiter);
    other.destroy();
  });
});

describe('lookupRoleRecords', () => {
  function scenario(): SeedRecord[] {
    const ec2Key = tempAccessKeyId();
    const ec2Key2 = tempAccessKeyId();
    const lambdaKey = tempAccessKeyId();
    const foreignKey = tempAccessKeyId();
    const userKey = 'AKIAADMINUSEREXAMPLE';
    return [
      // The shared role, assumed by EC2 twice (credential refresh, same session name) and by Lambda.
      assumeRoleRecord({ roleArn: ROLE.arn, sessionName: 'i-0abc', service: 'ec2.amazonaws.com', accessKeyId: ec2Key, time: ago(120) }),
      assumeRoleRecord({ roleArn: ROLE.arn, sessionName: 'i-0abc', service: 'ec2.amazonaws.com', accessKeyId: ec2Key2, time: ago(60) }),
      assumeRoleRecord({
        roleArn: ROLE.arn,
        sessionName: 'ingest',
        service: 'lambda.amazonaws.com',
        accessKeyId: lambdaKey,
        time: ago(90),
      }),
      sessionCallRecord({
        roleArn: ROLE.arn,
        sessionName: 'i-0abc',
        accessKeyId: ec2Key,
        eventSource: 's3.amazonaws.com',
        eventName: 'ListBuckets',
        time: ago(110),
      }),
      sessionCallRecord({
        roleArn: ROLE.arn,
        sessionName: 'i-0abc',
        accessKeyId: ec2Key2,
        eventSource: 'ec2.amazonaws.com',
        eventName: 'DescribeTags',
        time: ago(50),
      }),
      sessionCallRecord({
        roleArn: ROLE.arn,
        sessionName: 'ingest',
        accessKeyId: lambdaKey,
        eventSource: 'dynamodb.amazonaws.com',
        eventName: 'DescribeTable',
        time: ago(80),
      }),
      // Another role whose Lambda function has the same name: same session name, not ours.
      assumeRoleRecord({
        roleArn: OTHER_ROLE_ARN,
        sessionName: 'ingest',
        service: 'lambda.amazonaws.com',
        accessKeyId: foreignKey,
        time: ago(70),
      }),
      sessionCallRecord({
        roleArn: OTHER_ROLE_ARN,
        sessionName: 'ingest',
        accessKeyId: foreignKey,
        eventSource: 'sqs.amazonaws.com',
        eventName: 'ListQueues',
        time: ago(65),
      }),
      // A role of the same name in another account.
      sessionCallRecord({
        roleArn: 'arn:aws:iam::999999999999:role/shared-app',
        sessionName: 'i-0abc',
        accessKeyId: tempAccessKeyId(),
        eventSource: 'kms.amazonaws.com',
        eventName: 'ListKeys',
        time: ago(40),
      }),
      // An IAM user called "ingest", and an admin reading the role: both name the role or session, neither is its usage.
      {
        eventTime: ago(30).toISOString(),
        eventSource: 'iam.amazonaws.com',
        eventName: 'GetRole',
        userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/ingest`, accessKeyId: userKey, userName: 'ingest' },
        requestParameters: { roleName: 'shared-app' },
        resources: [{ type: 'AWS::IAM::Role', ARN: ROLE.arn, accountId: ACCOUNT }],
      },
      // Outside the window.
      sessionCallRecord({
        roleArn: ROLE.arn,
        sessionName: 'i-0abc',
        accessKeyId: ec2Key,
        eventSource: 's3.amazonaws.com',
        eventName: 'GetBucketAcl',
        time: new Date(WINDOW.start.getTime() - 60_000),
      }),
    ];
  }

  it('finds AssumeRole events by role ARN, then each distinct session by Username, keeping only this role’s sessions', async () => {
    const { fake, client, limiter } = await setup(scenario());
    const io = new RecordingIoHost();

    const records: CloudTrailRecord[] = await collect(lookupRoleRecords(client, limiter, ROLE, WINDOW, io));

    const summary = records.map((r) => `${r.eventName}:${r.userIdentity?.invokedBy ?? r.userIdentity?.arn?.split('/').pop()}`);
    expect(summary).toEqual([
      'AssumeRole:ec2.amazonaws.com',
      'AssumeRole:lambda.amazonaws.com',
      'AssumeRole:ec2.amazonaws.com',
      'DescribeTags:i-0abc',
      'ListBuckets:i-0abc',
      'DescribeTable:ingest',
    ]);
    for (const record of records.filter((r) => r.eventName !== 'AssumeRole')) {
      expect(record.userIdentity?.sessionContext?.sessionIssuer?.arn).toBe(ROLE.arn);
    }
    expect((records[0] as LookupRecord).eventID).toEqual(expect.any(String));

    // One attribute per call: the role ARN once, then each distinct session name once.
    expect(fake.calls.map((c) => c.attributes)).toEqual([
      [{ AttributeKey: 'ResourceName', AttributeValue: ROLE.arn }],
      [{ AttributeKey: 'Username', AttributeValue: 'i-0abc' }],
      [{ AttributeKey: 'Username', AttributeValue: 'ingest' }],
    ]);
    expect(fake.throttled).toBe(0);
    const progress = io.messages.filter((m) => m.level === 'progress').map((m) => m.message);
    expect(progress).toContain('LookupEvents: 3 AssumeRole events, 2 distinct sessions for shared-app');
    expect(progress).toContain('LookupEvents: session 2/2 (ingest) of shared-app');
  });

  it('yields nothing, after one call, when the role was never assumed in the window', async () => {
    const records = scenario().filter((r) => !(r.eventName === 'AssumeRole' && r.requestParameters?.roleArn === ROLE.arn));
    const { fake, client, limiter } = await setup(records);
    const io = new RecordingIoHost();

    expect(await collect(lookupRoleRecords(client, limiter, ROLE, WINDOW, io))).toEqual([]);
    expect(fake.calls).toHaveLength(1);
    expect(io.messages.map((m) => m.message)).toContain('LookupEvents: no AssumeRole events for shared-app in the window');
  });
});

describe('how far LookupEvents reaches after cutover (issue 21 item 3)', () => {
  it('notes the newest event in the window, anyone’s, and records AWS’s clock from the answers’ Date headers', async () => {
    const cutover = ago(60);
    const key = tempAccessKeyId();
    await setup([
      assumeRoleRecord({ roleArn: ROLE.arn, sessionName: 'i-0abc', service: 'ec2.amazonaws.com', accessKeyId: key, time: ago(70) }),
      sessionCallRecord({
        roleArn: ROLE.arn,
        sessionName: 'i-0abc',
        accessKeyId: key,
        eventSource: 's3.amazonaws.com',
        eventName: 'ListBuckets',
        time: ago(50),
      }),
      // Someone else's call, newest in the window: how far the region's history reaches.
      sessionCallRecord({
        roleArn: OTHER_ROLE_ARN,
        sessionName: 'job',
        accessKeyId: tempAccessKeyId(),
        eventSource: 'sqs.amazonaws.com',
        eventName: 'SendMessage',
        time: ago(20),
      }),
    ]);
    const shared = { ...ROLE, calls: 'all' as const };
    const read = await roleCalls(
      session!,
      new RecordingIoHost(),
      [shared],
      { source: 'lookup-events', config: {}, regions: ['us-east-1'] },
      {
        start: cutover,
        end: new Date(NOW),
      },
    );
    expect(read?.byRole.get(ROLE.arn)?.map((c) => c.eventName)).toEqual(['ListBuckets']);
    expect(read?.reach.latest).toBe(
      ago(20)
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
    );
    // Every answer carried a Date: AWS's clock is known, and agrees with this host's.
    const aws = session!.clock.aws();
    expect(aws).toBeDefined();
    expect(Math.abs(aws!.getTime() - Date.now())).toBeLessThan(5 * 60_000);
  });
});
