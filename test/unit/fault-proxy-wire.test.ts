/**
 * The fault proxy's answers parse as AWS's own: each protocol's throttling
 * and 5xx body (IAM query XML, EC2 XML, Lambda REST-JSON with
 * x-amzn-ErrorType, ECS JSON 1.1), fed to the real SDK client of that
 * service, becomes the exception name AWS's would, and counts as throttling
 * (or a 5xx) for the retry budget.
 */
import { Readable } from 'node:stream';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { isThrottling } from '../../src/core/aws-error-names.js';
import { serverErrorFor, throttlingFor, type InjectedResponse } from '../support/fault-proxy.js';

interface SentRequest {
  path: string;
  headers: Record<string, string>;
}

/** Answers every request with what `answer` makes of it, as the proxy would. */
class ProxyLikeHandler {
  constructor(private readonly answer: (req: SentRequest) => InjectedResponse) {}
  handle(request: SentRequest) {
    const injected = this.answer(request);
    const response = { statusCode: injected.status, headers: injected.headers ?? {}, body: Readable.from([Buffer.from(injected.body)]) };
    return Promise.resolve({ response });
  }
}

const base = { region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 };

/** The service's call, through its real client, answered by `make` (throttlingFor or a 5xx). */
const CALLS: Record<string, (make: (req: SentRequest) => InjectedResponse) => Promise<unknown>> = {
  iam: (make) => new IAMClient({ ...base, requestHandler: new ProxyLikeHandler(make) }).send(new GetRoleCommand({ RoleName: 'app' })),
  ec2: (make) => new EC2Client({ ...base, requestHandler: new ProxyLikeHandler(make) }).send(new DescribeInstancesCommand({})),
  lambda: (make) =>
    new LambdaClient({ ...base, requestHandler: new ProxyLikeHandler(make) }).send(
      new GetFunctionConfigurationCommand({ FunctionName: 'fn' }),
    ),
  ecs: (make) =>
    new ECSClient({ ...base, requestHandler: new ProxyLikeHandler(make) }).send(new DescribeServicesCommand({ services: ['svc'] })),
};

describe('the fault proxy speaks each protocol', () => {
  it.each([
    ['iam', 'Throttling', 400],
    ['ec2', 'RequestLimitExceeded', 503],
    ['lambda', 'TooManyRequestsException', 429],
    ['ecs', 'ThrottlingException', 400],
  ])('%s throttling parses as %s (HTTP %d)', async (service, name, status) => {
    const error: unknown = await CALLS[service]!((req) => throttlingFor({ service, headers: req.headers, path: req.path })).catch(
      (e: unknown) => e,
    );

    expect(error).toMatchObject({ name, $metadata: { httpStatusCode: status } });
    expect(isThrottling(error)).toBe(true);
  });

  it.each([
    ['iam', 503, 'ServiceUnavailable'],
    ['ec2', 500, 'InternalError'],
    ['lambda', 500, 'ServiceException'],
    ['ecs', 500, 'ServerException'],
  ])('a %s %d parses as %s, a server error', async (service, status, name) => {
    const error: unknown = await CALLS[service]!((req) =>
      serverErrorFor({ service, headers: req.headers, path: req.path }, status as 500 | 503),
    ).catch((e: unknown) => e);

    expect(error).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: status } });
    expect((error as Error).name).toMatch(new RegExp(`^${name}`));
    expect(isThrottling(error)).toBe(false);
  });
});
