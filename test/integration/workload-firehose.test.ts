/**
 * Firehose + Lambda end to end on moto (issue 23: Kinesis Data Firehose
 * delivery streams): one role trusted by firehose.amazonaws.com and
 * lambda.amazonaws.com is a Lambda function's role and an ExtendedS3 delivery
 * stream's role (its destination's RoleARN and its S3 backup's). The first
 * test reads moto's streams through the kind's own port (the wire shapes: a
 * Kinesis source, an HTTP endpoint's backup S3 role, the version id); the
 * second plans from trail files, applies through retirement, verifies and
 * rolls back, each a CLI run, every other stream setting as it was.
 * UpdateDestination's merge comes from a moto patch (test/support/moto-patches).
 */
import {
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  FirehoseClient,
} from '@aws-sdk/client-firehose';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sdkFirehose } from '../../src/workloads/firehose-stream/port.js';
import { roleFields } from '../../src/workloads/firehose-stream/roles.js';
import { MOTO_ACCOUNT, seedClients, serviceTrust, TEST_CREDENTIALS, TEST_REGION, seedSharedRole } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { EMPTY_ZIP, planArgs } from '../support/scenario.js';
import { resetMoto } from '../support/moto-server.js';
import { applyThroughRetire } from '../support/retire.js';
import { writeTrailFiles } from '../support/trail-files.js';
import { serviceSessionRecords } from '../support/trail-records.js';

const endpoint = workerMotoEndpoint();
const ROLE = 'ingest';
const ROLE_ARN = `arn:aws:iam::${MOTO_ACCOUNT}:role/${ROLE}`;
const THEIRS = `arn:aws:iam::${MOTO_ACCOUNT}:role/theirs`;
const BUCKET = 'arn:aws:s3:::app-logs';

/** One session per service, each making its own call (what the plan narrows each new role to). */
const records = () =>
  serviceSessionRecords({ arn: ROLE_ARN, name: ROLE }, [
    { principal: 'lambda.amazonaws.com', name: 'transform', calls: [['sqs.amazonaws.com', 'SendMessage']] },
    { principal: 'firehose.amazonaws.com', name: '1700000000000', calls: [['s3.amazonaws.com', 'PutObject']] },
  ]);

describe.skipIf(!endpoint)('Firehose + Lambda sharing one role', () => {
  const motoEndpoint = endpoint as string;
  const config = { endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };
  const firehose = new FirehoseClient(config);
  const lambda = new LambdaClient(config);
  const env = () => isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: motoEndpoint, SPLIT_ROLE_FAST_WAITS: '1' });
  const cli = (args: string[]) => runCli(args, env());
  let dir: string;

  /** The function's role and the stream as Firehose describes it (what every update changes left out). */
  async function live(): Promise<Record<string, unknown>> {
    const stream = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'logs' }))).DeliveryStreamDescription;
    const { VersionId: _v, LastUpdateTimestamp: _l, ...rest } = stream ?? {};
    return { lambda: (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'transform' }))).Role, stream: rest };
  }

  beforeAll(async () => {
    await resetMoto(motoEndpoint);
    dir = await mkdtemp(join(tmpdir(), 'split-role-firehose-'));
    const { iam } = seedClients(motoEndpoint);
    await seedSharedRole(iam, ROLE, serviceTrust('firehose.amazonaws.com', 'lambda.amazonaws.com'), [
      'sqs:SendMessage',
      's3:PutObject',
      's3:GetBucketLocation',
      's3:DeleteBucket',
    ]);
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'transform',
        Role: ROLE_ARN,
        Runtime: 'python3.12',
        Handler: 'a.h',
        Code: { ZipFile: EMPTY_ZIP },
      }),
    );
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'logs',
        ExtendedS3DestinationConfiguration: {
          RoleARN: ROLE_ARN,
          BucketARN: BUCKET,
          Prefix: 'logs/',
          ErrorOutputPrefix: 'errors/',
          BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 120 },
          CompressionFormat: 'GZIP',
          S3BackupMode: 'Enabled',
          S3BackupConfiguration: { RoleARN: ROLE_ARN, BucketARN: `${BUCKET}-backup`, Prefix: 'raw/' },
        },
      }),
    );
    await writeTrailFiles(join(dir, 'trail'), records(), { account: MOTO_ACCOUNT, region: TEST_REGION });
  });

  it("the kind's port reads moto's streams: every role field, the source's, and the version UpdateDestination needs", async () => {
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'orders',
        DeliveryStreamType: 'KinesisStreamAsSource',
        KinesisStreamSourceConfiguration: {
          KinesisStreamARN: `arn:aws:kinesis:${TEST_REGION}:${MOTO_ACCOUNT}:stream/orders`,
          RoleARN: THEIRS,
        },
        HttpEndpointDestinationConfiguration: {
          EndpointConfiguration: { Url: 'https://collector.example.com', Name: 'collector' },
          RoleARN: THEIRS,
          S3Configuration: { RoleARN: THEIRS, BucketARN: BUCKET },
        },
      }),
    );
    const port = sdkFirehose(firehose);
    const streams = await port.listStreams();
    expect(streams.map((s) => [s.DeliveryStreamName, s.DeliveryStreamStatus, s.VersionId])).toEqual([
      ['logs', 'ACTIVE', '1'],
      ['orders', 'ACTIVE', '1'],
    ]);
    const fields = (name: string) => roleFields(streams.find((s) => s.DeliveryStreamName === name) as (typeof streams)[number]);
    const d = { destinationId: 'destinationId-000000000001', movable: true };
    expect(fields('logs')).toEqual([
      { ...d, destinationType: 'ExtendedS3', path: 'RoleARN', roleArn: ROLE_ARN },
      { ...d, destinationType: 'ExtendedS3', path: 'S3BackupDescription.RoleARN', roleArn: ROLE_ARN },
    ]);
    expect(fields('orders')).toEqual([
      { path: 'Source.KinesisStreamSourceDescription.RoleARN', roleArn: THEIRS, movable: false },
      { ...d, destinationType: 'HttpEndpoint', path: 'RoleARN', roleArn: THEIRS },
      { ...d, destinationType: 'HttpEndpoint', path: 'S3DestinationDescription.RoleARN', roleArn: THEIRS },
    ]);
    // A stale version is refused by name: apply re-reads and tries again.
    const stale = await port
      .updateDestination({
        DeliveryStreamName: 'orders',
        CurrentDeliveryStreamVersionId: '7',
        DestinationId: d.destinationId,
        HttpEndpointDestinationUpdate: { RoleARN: ROLE_ARN },
      })
      .catch((e: unknown) => e);
    expect((stale as Error).name).toBe('ConcurrentModificationException');
    expect(await port.getStream('missing')).toBeUndefined();
    await firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: 'orders' }));
  });

  it('plans both kinds, applies through retirement, verifies, and rolls back every stream setting', { timeout: 240_000 }, async () => {
    const planPath = join(dir, 'ingest.plan.json');
    const planned = await cli(planArgs(ROLE, planPath, join(dir, 'trail'), '--regions', TEST_REGION));
    expect(planned.stderr).not.toMatch(/split-role: /);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(await readFile(planPath, 'utf8')) as {
      workloads: Array<{ kind: string; takesEffect?: string; fields?: string[] }>;
      followUps: Array<{ kind: string }>;
    };
    expect(plan.workloads.map((w) => [w.kind, w.takesEffect, w.fields]).sort()).toEqual([
      ['firehose-stream', 'at-once', ['RoleARN', 'S3BackupDescription.RoleARN']],
      ['lambda-function', undefined, undefined],
    ]);
    expect(plan.followUps).toEqual([]);
    const review = await readFile(planPath.replace(/\.json$/, '.md'), 'utf8');
    expect(review).toContain('Firehose delivery stream, ExtendedS3 destination (at once: its next delivery)');

    const before = await live();
    const applied = await applyThroughRetire(cli, planPath);
    expect(applied.stderr).not.toMatch(/split-role: /);
    expect(applied.code).toBe(0);
    expect(applied.stderr).toMatch(/Done\./);
    // Only the role fields changed (the plain-S3 view follows the ExtendedS3 destination).
    const NEW = `${ROLE_ARN}-firehose`;
    const stream = before.stream as { Destinations: Array<Record<string, Record<string, unknown>>> };
    const [dest] = stream.Destinations;
    const ext = dest?.ExtendedS3DestinationDescription ?? {};
    expect(await live()).toEqual({
      lambda: `${ROLE_ARN}-lambda`,
      stream: {
        ...stream,
        Destinations: [
          {
            ...dest,
            S3DestinationDescription: { ...dest?.S3DestinationDescription, RoleARN: NEW },
            ExtendedS3DestinationDescription: {
              ...ext,
              RoleARN: NEW,
              S3BackupDescription: { ...(ext.S3BackupDescription as object), RoleARN: NEW },
            },
          },
        ],
      },
    });

    const verified = await cli(['verify', planPath, '--delivery-lag', '0', '--json']);
    expect(verified.stderr).not.toMatch(/split-role: /);
    expect(verified.code, verified.stdout).toBe(0);
    expect((JSON.parse(verified.stdout) as { workloadProblems: string[] }).workloadProblems).toEqual([]);

    const rolledBack = await cli(['rollback', planPath, '--yes']);
    expect(rolledBack.stderr).not.toMatch(/split-role: /);
    expect(rolledBack.code).toBe(0);
    expect(await live()).toEqual(before);
  });
});
