/**
 * The retry budget on real SDK clients: a request handler answers with AWS's
 * own error responses (no network) a given number of times, then succeeds.
 * The clock and the pause are fake, so a two-minute budget runs at once.
 */
import { Readable } from 'node:stream';
import { AthenaClient, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { translateErrors } from '../../src/aws/error-middleware.js';
import {
  BudgetRetryStrategy,
  parseRetryBudget,
  reportLongRetries,
  retryBudgetFromEnv,
  type RetryBudget,
  type RetryNotice,
} from '../../src/aws/retry-budget.js';
import { openSessionProvider } from '../../src/aws/session.js';
import { SplitRoleError } from '../../src/core/errors.js';
import type { MessageData } from '../../src/core/io-host.js';
import type { CodeAt } from '../../src/core/message-codes.js';
import { jsonError } from '../support/fault-proxy.js';

const ROLE_XML = `<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role><Path>/</Path><RoleName>app</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::123456789012:role/app</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></Role></GetRoleResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetRoleResponse>`;

function iamError(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;
}

interface Answer {
  status: number;
  body: string;
}

/** Answers with `failure` `times` times (Infinity: always), then with GetRole's success; counts the requests. */
class ScriptedHandler {
  requests = 0;
  constructor(
    private readonly failure: Answer | Error,
    private readonly times: number,
  ) {}
  handle() {
    this.requests += 1;
    if (this.requests <= this.times && this.failure instanceof Error) return Promise.reject(this.failure);
    const answer = this.requests <= this.times ? (this.failure as Answer) : { status: 200, body: ROLE_XML };
    const response = {
      statusCode: answer.status,
      headers: { 'content-type': 'text/xml' },
      body: Readable.from([Buffer.from(answer.body)]),
    };
    return Promise.resolve({ response });
  }
}

/** A fake clock whose sleep moves time on at once. */
class FakeTime {
  ms = 0;
  readonly sleeps: number[] = [];
  now = () => this.ms;
  sleep = (ms: number) => {
    this.sleeps.push(ms);
    this.ms += ms;
    return Promise.resolve();
  };
}

const THROTTLING: Answer = { status: 400, body: iamError('Throttling', 'Rate exceeded') };

/** A real IAM client with the budget's retry strategy and the error translation the session adds. */
function client(handler: ScriptedHandler, time: FakeTime, overrides: Partial<RetryBudget> = {}, notices: RetryNotice[] = []): IAMClient {
  const budget = {
    ...retryBudgetFromEnv({})!,
    now: time.now,
    sleep: time.sleep,
    random: () => 1,
    onRetry: (n: RetryNotice) => notices.push(n),
    ...overrides,
  };
  const iam = new IAMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    requestHandler: handler,
    retryStrategy: new BudgetRetryStrategy(budget, 'IAM'),
  });
  translateErrors(iam.middlewareStack);
  return iam;
}

afterEach(() => vi.unstubAllEnvs());

describe('retryWithinBudget', () => {
  it('re-sends a throttled call until it succeeds within the budget, with growing waits', async () => {
    const handler = new ScriptedHandler(THROTTLING, 6);
    const time = new FakeTime();
    const notices: RetryNotice[] = [];

    const output = await client(handler, time, {}, notices).send(new GetRoleCommand({ RoleName: 'app' }));

    expect(output.Role?.RoleName).toBe('app');
    expect(handler.requests).toBe(7);
    // random() = 1: the full ceiling, doubling from the 500 ms throttling base.
    expect(time.sleeps).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(notices.map((n) => n.text)).toContain('throttled by IAM, retrying in 8 s');
    expect(notices[0]).toMatchObject({ service: 'IAM', errorName: 'Throttling', throttled: true, attempt: 1 });
  });

  it('gives up when the budget is spent, and the error says how long it tried', async () => {
    const handler = new ScriptedHandler(THROTTLING, Infinity);
    const time = new FakeTime();

    const error: unknown = await client(handler, time)
      .send(new GetRoleCommand({ RoleName: 'app' }))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SplitRoleError);
    expect(error).toMatchObject({ code: 'Throttled', awsName: 'Throttling' });
    // The last wait is cut to end at the deadline, for one more try there.
    expect(time.ms).toBe(120_000);
    expect((error as SplitRoleError).message).toBe(
      `AWS kept throttling (iam:GetRole) after ${handler.requests} attempts over 120 s: Rate exceeded`,
    );
    expect((error as SplitRoleError).hint).toMatch(/SPLIT_ROLE_RETRY_BUDGET/);
  });

  it('spends a budget taken from SPLIT_ROLE_RETRY_BUDGET', async () => {
    const handler = new ScriptedHandler(THROTTLING, Infinity);
    const time = new FakeTime();

    await client(handler, time, { budgetMs: retryBudgetFromEnv({ SPLIT_ROLE_RETRY_BUDGET: '10m' })!.budgetMs })
      .send(new GetRoleCommand({ RoleName: 'app' }))
      .catch(() => undefined);

    expect(time.ms).toBe(600_000);
  });

  it('retries a 5xx like throttling', async () => {
    const handler = new ScriptedHandler({ status: 503, body: iamError('ServiceUnavailable', 'try later') }, 4);
    const time = new FakeTime();

    await client(handler, time).send(new GetRoleCommand({ RoleName: 'app' }));

    expect(handler.requests).toBe(5);
    // 100 ms base for server errors.
    expect(time.sleeps).toEqual([100, 200, 400, 800]);
  });

  it('does not retry a client error', async () => {
    const handler = new ScriptedHandler({ status: 403, body: iamError('AccessDenied', 'no') }, Infinity);

    const error: unknown = await client(handler, new FakeTime())
      .send(new GetRoleCommand({ RoleName: 'app' }))
      .catch((e: unknown) => e);

    expect(handler.requests).toBe(1);
    expect(error).toMatchObject({ code: 'AccessDenied' });
  });

  it('does not retry a quota error the SDK counts as throttling (IAM LimitExceeded)', async () => {
    const handler = new ScriptedHandler(
      { status: 409, body: iamError('LimitExceeded', 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1') },
      Infinity,
    );

    await client(handler, new FakeTime())
      .send(new GetRoleCommand({ RoleName: 'app' }))
      .catch(() => undefined);

    expect(handler.requests).toBe(1);
  });

  it('gives a dropped connection the SDK’s three attempts, not the budget', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const handler = new ScriptedHandler(reset, Infinity);

    const error: unknown = await client(handler, new FakeTime())
      .send(new GetRoleCommand({ RoleName: 'app' }))
      .catch((e: unknown) => e);

    expect(handler.requests).toBe(3);
    expect(error).toMatchObject({ code: 'NetworkError' });
  });
});

describe('the budget’s settings', () => {
  it.each([
    ['120s', 120_000],
    ['10m', 600_000],
    ['90', 90_000],
    ['1h', 3_600_000],
    ['500ms', 500],
    ['0', 0],
  ])('SPLIT_ROLE_RETRY_BUDGET=%s is %d ms', (text, ms) => {
    expect(parseRetryBudget(text)).toBe(ms);
  });

  it('refuses a budget that is not a duration', () => {
    expect(() => parseRetryBudget('two minutes')).toThrow(/SPLIT_ROLE_RETRY_BUDGET=two minutes is not a duration/);
  });

  it('defaults to 2 minutes; AWS_MAX_ATTEMPTS replaces the budget', () => {
    expect(retryBudgetFromEnv({})?.budgetMs).toBe(120_000);
    expect(retryBudgetFromEnv({ AWS_MAX_ATTEMPTS: '5' })).toBeUndefined();
  });

  it('is the retry strategy of every session client, unless AWS_MAX_ATTEMPTS is set', async () => {
    vi.stubEnv('AWS_PROFILE', undefined);
    vi.stubEnv('AWS_MAX_ATTEMPTS', undefined);
    const budgeted = await openSessionProvider({ region: 'us-east-1' }, {});
    for (const made of [await budgeted.home.iam(), await budgeted.home.ec2(), await budgeted.home.s3()]) {
      expect(await made.config.retryStrategy()).toBeInstanceOf(BudgetRetryStrategy);
    }
    budgeted.destroy();

    vi.stubEnv('AWS_MAX_ATTEMPTS', '5');
    const fixed = await openSessionProvider({ region: 'us-east-1' }, { AWS_MAX_ATTEMPTS: '5' });
    const plain = await fixed.home.iam();
    expect(await plain.config.retryStrategy()).not.toBeInstanceOf(BudgetRetryStrategy);
    expect(await plain.config.maxAttempts()).toBe(5);
    fixed.destroy();
  });

  it('re-sends the same serialized request: an idempotency token is not made afresh', async () => {
    const bodies: string[] = [];
    const handler = {
      handle(request: { body?: unknown }) {
        bodies.push(String(request.body));
        const answer =
          bodies.length < 3
            ? jsonError(400, 'ThrottlingException', 'Rate exceeded')
            : { status: 200, body: '{"QueryExecutionId":"q-1"}', headers: { 'content-type': 'application/x-amz-json-1.1' } };
        return Promise.resolve({
          response: { statusCode: answer.status, headers: answer.headers ?? {}, body: Readable.from([Buffer.from(answer.body)]) },
        });
      },
    };
    const time = new FakeTime();
    const athena = new AthenaClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      requestHandler: handler,
      retryStrategy: new BudgetRetryStrategy({ ...retryBudgetFromEnv({})!, now: time.now, sleep: time.sleep }, 'Athena'),
    });

    // StartQueryExecution's ClientRequestToken is filled in by the SDK when serializing: a new token would start a second query.
    expect((await athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1' }))).QueryExecutionId).toBe('q-1');

    expect(bodies).toHaveLength(3);
    expect(bodies[0]).toMatch(/ClientRequestToken/);
    expect(new Set(bodies).size).toBe(1);
  });
});

describe('reportLongRetries', () => {
  it('reports waits of 3 s or more as progress, and keeps quiet about short ones', () => {
    const lines: Array<[CodeAt<'progress'>, string, MessageData | undefined]> = [];
    const report = reportLongRetries({ progress: (code, message, data) => lines.push([code, message, data]) });
    const notice = (delayMs: number): RetryNotice => ({
      service: 'IAM',
      errorName: 'Throttling',
      throttled: true,
      attempt: 4,
      delayMs,
      text: `throttled by IAM, retrying in ${delayMs / 1000} s`,
    });

    report(notice(2_000));
    report(notice(8_000));

    expect(lines).toEqual([
      ['SR_CLI_P9004', 'throttled by IAM, retrying in 8 s', { service: 'IAM', error: 'Throttling', attempt: 4, delayMs: 8_000 }],
    ]);
  });
});
