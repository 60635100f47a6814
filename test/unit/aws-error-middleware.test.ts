/**
 * The error-translating middleware on real SDK clients: a request handler
 * answers with AWS's own error responses (no network), and the call fails
 * with a SplitRoleError naming the IAM action the command needs.
 */
import { Readable } from 'node:stream';
import { GetRoleCommand, IAMClient, paginateListRoles } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { iamActionOf, translateErrors } from '../../src/aws/error-middleware.js';
import { openAwsSession } from '../../src/aws/session.js';
import { isNoSuchEntity } from '../../src/core/aws-error-names.js';
import { SplitRoleError } from '../../src/core/errors.js';

/** An IAM (awsQuery) error body, as IAM sends it. */
function iamError(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;
}

/** A request handler that answers every request with one canned HTTP response, and counts the requests. */
class CannedHandler {
  requests = 0;
  constructor(
    private readonly statusCode: number,
    private readonly body: string,
  ) {}
  handle() {
    this.requests += 1;
    const response = {
      statusCode: this.statusCode,
      headers: { 'content-type': 'text/xml' },
      body: Readable.from([Buffer.from(this.body)]),
    };
    return Promise.resolve({ response });
  }
}

/** A real IAM client whose requests never leave the process. */
function iamClient(handler: CannedHandler, maxAttempts = 1): IAMClient {
  const client = new IAMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    requestHandler: handler,
    maxAttempts,
    retryMode: 'standard',
  });
  translateErrors(client.middlewareStack);
  return client;
}

afterEach(() => vi.unstubAllEnvs());

describe('iamActionOf', () => {
  it.each([
    ['IAMClient', 'GetRoleCommand', 'iam:GetRole'],
    ['EC2Client', 'DescribeRegionsCommand', 'ec2:DescribeRegions'],
    ['LambdaClient', 'GetFunctionConfigurationCommand', 'lambda:GetFunctionConfiguration'],
    ['ECSClient', 'DescribeServicesCommand', 'ecs:DescribeServices'],
    ['CloudTrailClient', 'LookupEventsCommand', 'cloudtrail:LookupEvents'],
    ['AccessAnalyzerClient', 'StartPolicyGenerationCommand', 'access-analyzer:StartPolicyGeneration'],
    ['SecretsManagerClient', 'GetResourcePolicyCommand', 'secretsmanager:GetResourcePolicy'],
    ['AutoScalingClient', 'DescribeAutoScalingGroupsCommand', 'autoscaling:DescribeAutoScalingGroups'],
    ['ConfigServiceClient', 'PutEvaluationsCommand', 'config:PutEvaluations'],
    ['S3Client', 'ListObjectsV2Command', 's3:ListBucket'],
    ['S3Client', 'ListBucketsCommand', 's3:ListAllMyBuckets'],
    ['S3Client', 'HeadObjectCommand', 's3:GetObject'],
    ['S3Client', 'GetBucketPolicyCommand', 's3:GetBucketPolicy'],
    // A client this table does not know falls back to its lower-cased name.
    ['GlueClient', 'GetTableCommand', 'glue:GetTable'],
  ])('%s + %s → %s', (client, command, action) => {
    expect(iamActionOf(client, command)).toBe(action);
  });

  it('names no action when the context lacks a name', () => {
    expect(iamActionOf(undefined, 'GetRoleCommand')).toBeUndefined();
    expect(iamActionOf('IAMClient', undefined)).toBeUndefined();
  });
});

describe('translateErrors', () => {
  it('turns AccessDenied into a SplitRoleError that says which action to grant', async () => {
    const client = iamClient(new CannedHandler(403, iamError('AccessDenied', 'User: bob is not authorized to perform: iam:GetRole')));

    const error: unknown = await client.send(new GetRoleCommand({ RoleName: 'app' })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SplitRoleError);
    expect(error).toMatchObject({ code: 'AccessDenied', awsName: 'AccessDenied' });
    expect((error as SplitRoleError).oneLine()).toMatch(/\(iam:GetRole\).*grant iam:GetRole to the caller/);
  });

  it('keeps AWS’s error name, so call sites can still tell a missing entity apart', async () => {
    const client = iamClient(new CannedHandler(404, iamError('NoSuchEntity', 'The role with name app cannot be found.')));

    const error: unknown = await client.send(new GetRoleCommand({ RoleName: 'app' })).catch((e: unknown) => e);

    // The SDK reports IAM's NoSuchEntity under its modelled name.
    expect(error).toMatchObject({ code: 'NotFound', awsName: 'NoSuchEntityException' });
    expect(isNoSuchEntity(error)).toBe(true);
  });

  it('covers paginators, which send through the same client', async () => {
    const client = iamClient(new CannedHandler(403, iamError('AccessDenied', 'denied')));

    const drain = async () => {
      for await (const page of paginateListRoles({ client }, {})) void page;
    };

    const error: unknown = await drain().catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'AccessDenied' });
    expect((error as SplitRoleError).oneLine()).toMatch(/\(iam:ListRoles\).*grant iam:ListRoles/);
  });

  it('runs outside the retry loop: the SDK retries AWS’s raw error, and only the last failure is translated', async () => {
    const handler = new CannedHandler(500, iamError('ServiceFailure', 'try again'));
    const client = iamClient(handler, 3);

    const error: unknown = await client.send(new GetRoleCommand({ RoleName: 'app' })).catch((e: unknown) => e);

    expect(handler.requests).toBe(3);
    expect(error).toMatchObject({ code: 'AwsError', awsName: 'ServiceFailureException' });
    expect((error as SplitRoleError).message).toBe('try again (iam:GetRole)');
    expect((error as SplitRoleError).cause).toMatchObject({ $metadata: { attempts: 3 } });
  });

  it('is on every client the session hands out', async () => {
    vi.stubEnv('AWS_PROFILE', undefined);
    const session = await openAwsSession({ region: 'us-east-1' });
    try {
      for (const client of [await session.iam(), await session.sts(), await session.s3(), await session.accessAnalyzer()]) {
        expect(client.middlewareStack.identify()).toContain('splitRoleTranslateErrors - initialize');
      }
    } finally {
      session.destroy();
    }
  });
});
