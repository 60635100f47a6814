/**
 * Client-side pacing: the token buckets, which calls share one, the
 * SPLIT_ROLE_RATE_LIMITS settings, and a real SDK client paced through the
 * middleware the session gives every client. The clock is fake: nothing sleeps.
 */
import { Readable } from 'node:stream';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_RULES, paceCalls, RateLimits, rateRulesFromEnv, TokenBucket, type PaceClock } from '../../src/aws/rate-limit.js';
import { openSessionProvider } from '../../src/aws/session.js';
import { SplitRoleError } from '../../src/core/errors.js';

/** A clock that stands still unless told; sleeps are recorded, and move it when `advance` is set. */
class FakeClock implements PaceClock {
  ms = 0;
  readonly sleeps: number[] = [];
  constructor(private readonly advance = false) {}
  now = () => this.ms;
  sleep = (ms: number) => {
    this.sleeps.push(ms);
    if (this.advance) this.ms += ms;
    return Promise.resolve();
  };
}

describe('TokenBucket', () => {
  it('lets a burst through at once, then queues callers in order at the rate', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(2, 2, clock);
    const waits = await Promise.all([1, 2, 3, 4, 5].map(() => bucket.take()));
    expect(waits).toEqual([0, 0, 500, 1000, 1500]);
  });

  it('refills with time, up to the burst', async () => {
    const clock = new FakeClock(true);
    const bucket = new TokenBucket(10, 5, clock);
    for (let i = 0; i < 5; i++) expect(await bucket.take()).toBe(0);
    expect(await bucket.take()).toBe(100);
    clock.ms += 60_000; // a long quiet spell refills only to the burst
    const waits = [];
    for (let i = 0; i < 6; i++) waits.push(await bucket.take());
    expect(waits).toEqual([0, 0, 0, 0, 0, 100]);
  });
});

describe('RateLimits', () => {
  const limits = () => new RateLimits(DEFAULT_RATE_RULES, new FakeClock());

  it("shares one IAM bucket between an account's regions, and keeps accounts apart", () => {
    const l = limits();
    const a = l.bucketFor('iam', 'GetRole', undefined, 'us-east-1');
    expect(l.bucketFor('iam', 'ListRoles', undefined, 'eu-west-1')).toBe(a);
    expect(l.bucketFor('iam', 'GetRole', '111122223333', 'us-east-1')).not.toBe(a);
    expect(a?.rate).toBe(15);
  });

  it('paces EC2 per region and per API, reads faster than writes, as EC2 throttles', () => {
    const l = limits();
    const describe1 = l.bucketFor('ec2', 'DescribeInstances', undefined, 'us-east-1');
    expect(describe1).toMatchObject({ rate: 20, burst: 100 });
    expect(l.bucketFor('ec2', 'DescribeInstances', undefined, 'eu-west-1')).not.toBe(describe1);
    expect(l.bucketFor('ec2', 'DescribeIamInstanceProfileAssociations', undefined, 'us-east-1')).not.toBe(describe1);
    expect(l.bucketFor('ec2', 'ReplaceIamInstanceProfileAssociation', undefined, 'us-east-1')).toMatchObject({ rate: 5, burst: 50 });
  });

  it('paces LookupEvents at 2/s per region and leaves unlisted calls alone', () => {
    const l = limits();
    expect(l.bucketFor('cloudtrail', 'LookupEvents', undefined, 'us-east-1')).toMatchObject({ rate: 2, burst: 2 });
    expect(l.bucketFor('cloudtrail', 'DescribeTrails', undefined, 'us-east-1')).toBeUndefined();
    expect(l.bucketFor('s3', 'GetObject', undefined, 'us-east-1')).toBeUndefined();
  });
});

describe('rateRulesFromEnv', () => {
  it('uses the defaults for real AWS and none against an emulator', () => {
    expect(rateRulesFromEnv({}).map((r) => r.name)).toEqual(DEFAULT_RATE_RULES.map((r) => r.name));
    expect(rateRulesFromEnv({ SPLIT_ROLE_FAST_WAITS: '1' })).toEqual([]);
  });

  it('changes a rate and burst, turns one rule or all off, and refuses what it cannot read', () => {
    const rules = rateRulesFromEnv({ SPLIT_ROLE_RATE_LIMITS: 'iam=5/8, lambda=0' });
    expect(rules.find((r) => r.name === 'iam')).toMatchObject({ rate: 5, burst: 8 });
    expect(rules.find((r) => r.name === 'lambda')).toBeUndefined();
    expect(rateRulesFromEnv({ SPLIT_ROLE_RATE_LIMITS: 'lookupevents=1' }).find((r) => r.name === 'lookupevents')).toMatchObject({
      rate: 1,
      burst: 1,
    });
    expect(rateRulesFromEnv({ SPLIT_ROLE_RATE_LIMITS: 'off' })).toEqual([]);
    expect(() => rateRulesFromEnv({ SPLIT_ROLE_RATE_LIMITS: 'dynamo=3' })).toThrow(SplitRoleError);
    expect(() => rateRulesFromEnv({ SPLIT_ROLE_RATE_LIMITS: 'iam=fast' })).toThrow(/cannot read 'iam=fast'/);
  });

  it('is what every session client of a new provider is paced by', async () => {
    const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
    expect((await openSessionProvider({}, env)).rateLimits.rules.map((r) => r.name)).toContain('iam');
    expect((await openSessionProvider({}, { ...env, SPLIT_ROLE_RATE_LIMITS: 'off' })).rateLimits.rules).toEqual([]);
  });
});

const ROLE_XML = `<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role><Path>/</Path><RoleName>app</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::123456789012:role/app</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></Role></GetRoleResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetRoleResponse>`;

describe('paceCalls on a real SDK client', () => {
  const requestHandler = (sent: string[]) => ({
    handle: () => {
      sent.push('GetRole');
      const body = Readable.from([Buffer.from(ROLE_XML)]);
      return Promise.resolve({ response: { statusCode: 200, headers: { 'content-type': 'text/xml' }, body } });
    },
  });
  const pacedIam = (sent: string[], clock: PaceClock, rate: number) => {
    const iam = new IAMClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      requestHandler: requestHandler(sent),
    });
    const limits = new RateLimits(
      DEFAULT_RATE_RULES.map((r) => (r.name === 'iam' ? { ...r, rate, burst: 1 } : r)),
      clock,
    );
    paceCalls(iam.middlewareStack, limits, { service: 'iam', account: undefined, region: 'us-east-1' });
    return { iam, limits };
  };

  it('makes calls past the burst wait their turn', async () => {
    const clock = new FakeClock();
    const { iam, limits } = pacedIam([], clock, 4);
    await Promise.all([1, 2, 3].map(() => iam.send(new GetRoleCommand({ RoleName: 'app' }))));
    iam.destroy();
    expect(clock.sleeps).toEqual([250, 500]);
    expect(limits.waitedMs).toBe(750);
  });

  it('does not send a call before its wait is over', async () => {
    let release: () => void = () => undefined;
    const clock: PaceClock = { now: () => 0, sleep: () => new Promise<void>((resolve) => (release = resolve)) };
    const sent: string[] = [];
    const { iam } = pacedIam(sent, clock, 1);
    const first = iam.send(new GetRoleCommand({ RoleName: 'app' }));
    const second = iam.send(new GetRoleCommand({ RoleName: 'app' }));
    await first;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sent).toHaveLength(1);
    release();
    await second;
    iam.destroy();
    expect(sent).toHaveLength(2);
  });
});
