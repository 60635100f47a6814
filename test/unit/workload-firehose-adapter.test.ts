/**
 * The Firehose delivery stream adapter, in-process on the in-memory fake
 * (whose UpdateDestination checks the version id and merges into a
 * destination of the same type, as Firehose's does): discovery of every role
 * field, a source role as a follow-up naming the field, repoint sending the
 * role fields alone at the version just read, the waits for a new role and a
 * concurrent update, a stream that is not ACTIVE, drift, and undo.
 */
import type { DestinationDescription } from '@aws-sdk/client-firehose';
import { beforeEach, describe, expect, it } from 'vitest';
import { SplitRoleError } from '../../src/core/errors.js';
import { indexAccount, workloadsForRole } from '../../src/inventory/workloads.js';
import { plannedWorkloadSchema, type MoveOf } from '../../src/workloads/moves.js';
import { WORKLOAD_ADAPTERS } from '../../src/workloads/registry.js';
import { FakeServiceError } from '../support/fake-account/aws-error.js';
import { fakeApplyContext } from '../support/fake-account/workload-context.js';
import { FakeWorkloads } from '../support/fake-account/workloads.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { ACCOUNT, PLAN_ID, plannedRole, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

const adapter = WORKLOAD_ADAPTERS['firehose-stream'];
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const NEW_ROLE = roleArn('app-firehose');
const binding = { arn: SHARED_ARN, roleName: SHARED_NAME, instanceProfiles: [] };
const role = plannedRole('firehose', 'firehose.amazonaws.com', 'app-firehose');
const DEST = 'destinationId-000000000001';
const BUCKET = 'arn:aws:s3:::app-logs';
/** What DescribeDeliveryStream always tells of an S3 configuration besides its role and bucket. */
const S3_DEFAULTS = {
  BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300 },
  CompressionFormat: 'UNCOMPRESSED' as const,
  EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' as const },
};

/** An ExtendedS3 destination with settings an update must keep, described as AWS does (with its plain-S3 view). */
function extendedS3(roleArnValue: string): DestinationDescription {
  const common = {
    RoleARN: roleArnValue,
    BucketARN: BUCKET,
    Prefix: 'logs/',
    ErrorOutputPrefix: 'errors/',
    BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 120 },
    CompressionFormat: 'GZIP' as const,
    EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' as const },
  };
  return {
    DestinationId: DEST,
    S3DestinationDescription: common,
    ExtendedS3DestinationDescription: {
      ...common,
      S3BackupMode: 'Enabled',
      S3BackupDescription: { ...S3_DEFAULTS, RoleARN: roleArnValue, BucketARN: `${BUCKET}-backup` },
      CloudWatchLoggingOptions: { Enabled: true, LogGroupName: '/firehose/app', LogStreamName: 'delivery' },
    },
  };
}

/** An HTTP endpoint destination whose backup S3 configuration uses the role too (as the console sets it up). */
const HTTP: DestinationDescription = {
  DestinationId: DEST,
  HttpEndpointDestinationDescription: {
    EndpointConfiguration: { Url: 'https://collector.example.com', Name: 'collector' },
    RoleARN: SHARED_ARN,
    S3BackupMode: 'FailedDataOnly',
    S3DestinationDescription: { ...S3_DEFAULTS, RoleARN: SHARED_ARN, BucketARN: BUCKET, Prefix: 'failed/' },
    RetryOptions: { DurationInSeconds: 300 },
  },
};

let region: FakeWorkloads;
let firehose: FakeWorkloads['services']['firehose'];
let roles: Set<string>;

beforeEach(() => {
  roles = new Set([SHARED_ARN, NEW_ROLE, roleArn('theirs')]);
  region = new FakeWorkloads({ region: REGION, account: ACCOUNT, knowsRole: (arn) => roles.has(arn) });
  firehose = region.services.firehose;
  firehose.addStream({ DeliveryStreamName: 'logs', Destinations: [extendedS3(SHARED_ARN)] });
  firehose.addStream({ DeliveryStreamName: 'other', Destinations: [extendedS3(roleArn('theirs'))] });
});

async function found() {
  return workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding);
}

async function planMoves(): Promise<Array<MoveOf<'firehose-stream'>>> {
  const targets = { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION };
  return adapter.planMoves((await found()).firehose, targets);
}

async function planMove(name = 'logs'): Promise<MoveOf<'firehose-stream'>> {
  const move = (await planMoves()).find((m) => m.streamName === name);
  if (!move) throw new Error(`no move for ${name}`);
  return move;
}

/** A stream as stored, without what every update changes (version, timestamp). */
function settings(name: string) {
  const { VersionId: _v, LastUpdateTimestamp: _t, ...rest } = firehose.streamOf(name) ?? {};
  return rest;
}

describe('Firehose discovery and planning on the fake', () => {
  it('finds the streams naming the shared role and plans a move of their role fields, at once', async () => {
    const move = await planMove();
    expect(move).toMatchObject({
      kind: 'firehose-stream',
      streamName: 'logs',
      destinationId: DEST,
      destinationType: 'ExtendedS3',
      fields: ['RoleARN', 'S3BackupDescription.RoleARN'],
      versionId: '1',
      current: { roleArn: SHARED_ARN },
      target: { roleArn: NEW_ROLE },
      takesEffect: 'at-once',
    });
    expect(plannedWorkloadSchema.parse(move)).toEqual(move);
    expect((await found()).firehose.streams.map((s) => s.streamName)).toEqual(['logs']);
    expect(adapter.describeMove(move)[1]).toBe('Firehose delivery stream, ExtendedS3 destination (at once: its next delivery)');
  });

  it('a Kinesis source read as the shared role is a follow-up naming the field, and keeps the stream in use', async () => {
    firehose.addStream({
      DeliveryStreamName: 'orders',
      DeliveryStreamType: 'KinesisStreamAsSource',
      Source: {
        KinesisStreamSourceDescription: { KinesisStreamARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/orders`, RoleARN: SHARED_ARN },
      },
      Destinations: [HTTP],
    });
    const move = await planMove('orders');
    expect(move.fields).toEqual(['RoleARN', 'S3DestinationDescription.RoleARN']);
    const followUps = adapter.followUps((await found()).firehose, {
      role,
      shared: { arn: SHARED_ARN },
      staysShared: false,
      region: REGION,
    });
    expect(followUps).toEqual([
      {
        kind: 'firehose-fixed-role',
        resource: `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/orders`,
        message: expect.stringContaining(
          'Firehose delivery stream orders names the shared role in Source.KinesisStreamSourceDescription.RoleARN, which UpdateDestination cannot change',
        ) as string,
      },
    ]);
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    // The destination moved; the source still reads as the shared role, so retire must still see the stream.
    expect(adapter.describeUsers((await found()).firehose, 'the shared role')).toEqual([
      'Firehose delivery stream logs uses the shared role (Destinations[destinationId-000000000001].ExtendedS3DestinationDescription.RoleARN, Destinations[destinationId-000000000001].ExtendedS3DestinationDescription.S3BackupDescription.RoleARN)',
      'Firehose delivery stream orders uses the shared role (Source.KinesisStreamSourceDescription.RoleARN)',
    ]);
  });
});

describe('Firehose repoint on the fake', () => {
  it('run sends the role fields alone at the current version; a second run changes nothing; undo restores every field', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    const before = settings('logs');
    expect(await adapter.repoint(move, [move]).run(ctx)).toEqual({ replaced: SHARED_ARN });
    expect(firehose.updates).toEqual([
      {
        DeliveryStreamName: 'logs',
        CurrentDeliveryStreamVersionId: '1',
        DestinationId: DEST,
        ExtendedS3DestinationUpdate: { RoleARN: NEW_ROLE, S3BackupUpdate: { RoleARN: NEW_ROLE } },
      },
    ]);
    const moved = extendedS3(NEW_ROLE);
    expect(settings('logs')).toEqual({ ...before, Destinations: [moved] });
    expect(await adapter.verify(ctx, move)).toEqual([]);
    expect(await adapter.showsMoved(ctx, move)).toBe(`Firehose delivery stream logs delivers as ${NEW_ROLE}`);
    await adapter.repoint(move, [move]).run(ctx);
    expect(firehose.writes).toEqual([`updateDestination:logs/${DEST}`]);
    await adapter.repoint(move, [move]).undo(ctx);
    // Undo read the version the run's update made: each update changes it.
    expect(firehose.updates[1]?.CurrentDeliveryStreamVersionId).toBe('2');
    expect(settings('logs')).toEqual(before);
    expect(await adapter.drift(ctx, move)).toEqual([]);
  });

  it('an HTTP endpoint destination moves its own role and its backup S3 role in one update', async () => {
    firehose.addStream({ DeliveryStreamName: 'events', Destinations: [HTTP] });
    const move = await planMove('events');
    await adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID));
    expect(firehose.updates[0]?.HttpEndpointDestinationUpdate).toEqual({ RoleARN: NEW_ROLE, S3Update: { RoleARN: NEW_ROLE } });
    const http = firehose.streamOf('events')?.Destinations?.[0]?.HttpEndpointDestinationDescription;
    expect(http).toEqual({
      ...HTTP.HttpEndpointDestinationDescription,
      RoleARN: NEW_ROLE,
      S3DestinationDescription: { ...S3_DEFAULTS, RoleARN: NEW_ROLE, BucketARN: BUCKET, Prefix: 'failed/' },
    });
  });

  it('an update by someone else since the plan is not drift: run reads the new version and keeps their change', async () => {
    const move = await planMove();
    firehose.change('logs', (s) => {
      const d = s.Destinations?.[0]?.ExtendedS3DestinationDescription;
      if (d) d.Prefix = 'theirs/';
    });
    const ctx = fakeApplyContext(region, PLAN_ID);
    expect(await adapter.drift(ctx, move)).toEqual([]);
    // And an update landing between our read and our write is retried at the version it made.
    firehose.faults.failNext('updateDestination', new FakeServiceError('ConcurrentModificationException', 'version ids do not match'));
    await adapter.repoint(move, [move]).run(ctx);
    const d = firehose.streamOf('logs')?.Destinations?.[0]?.ExtendedS3DestinationDescription;
    expect([d?.RoleARN, d?.Prefix]).toEqual([NEW_ROLE, 'theirs/']);
    expect(firehose.updates.map((u) => u.CurrentDeliveryStreamVersionId)).toEqual(['2']);
  });

  it('retries while Firehose cannot yet assume the new role', async () => {
    let asks = 0;
    region = new FakeWorkloads({ region: REGION, account: ACCOUNT, knowsRole: (arn) => arn !== NEW_ROLE || ++asks > 1 });
    region.services.firehose.addStream({ DeliveryStreamName: 'logs', Destinations: [extendedS3(SHARED_ARN)] });
    const move = await planMove();
    await adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID));
    expect(region.services.firehose.streamOf('logs')?.Destinations?.[0]?.ExtendedS3DestinationDescription?.RoleARN).toBe(NEW_ROLE);
    expect(asks).toBe(2);
  });

  it('a stream that is not ACTIVE stops run before any write, with FirehoseNotActive', async () => {
    const move = await planMove();
    firehose.change('logs', (s) => (s.DeliveryStreamStatus = 'CREATING_FAILED'));
    const error = await adapter
      .repoint(move, [move])
      .run(fakeApplyContext(region, PLAN_ID))
      .catch((e: unknown) => e);
    expect((error as SplitRoleError).code).toBe('FirehoseNotActive');
    expect((error as Error).message).toBe('Firehose delivery stream logs is CREATING_FAILED: UpdateDestination needs it ACTIVE');
    expect(firehose.writes).toEqual([]);
  });

  it('drift names a changed role, a role field added since, a changed type and a deleted stream; run refuses drift', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    firehose.change('logs', (s) => {
      const d = s.Destinations?.[0]?.ExtendedS3DestinationDescription;
      if (d) d.RoleARN = roleArn('theirs');
    });
    expect(await adapter.drift(ctx, move)).toEqual([
      `Firehose delivery stream logs has RoleARN ${roleArn('theirs')} in its ExtendedS3 destination, plan says ${SHARED_ARN}`,
    ]);
    const error = await adapter
      .repoint(move, [move])
      .run(ctx)
      .catch((e: unknown) => e);
    expect((error as SplitRoleError).code).toBe('Drift');
    expect(firehose.writes).toEqual([]);

    firehose.addStream({ DeliveryStreamName: 'logs', Destinations: [extendedS3(SHARED_ARN)] });
    const narrow = { ...move, fields: ['RoleARN'] };
    expect(await adapter.drift(ctx, narrow)).toEqual([
      `Firehose delivery stream logs now also names ${SHARED_ARN} in S3BackupDescription.RoleARN, which the plan does not move`,
    ]);
    firehose.addStream({ DeliveryStreamName: 'logs', Destinations: [HTTP] });
    expect(await adapter.drift(ctx, move)).toEqual([
      `Firehose delivery stream logs destination ${DEST} is now HttpEndpoint, plan says ExtendedS3`,
    ]);
    firehose.deleteStream('logs');
    expect(await adapter.drift(ctx, move)).toEqual(['Firehose delivery stream logs no longer exists']);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(ctx.io.messages.map((m) => m.data?.workload)).toEqual(['Firehose delivery stream logs']);
  });

  it('an Iceberg destination’s S3 configuration goes back whole (it is a full S3DestinationConfiguration)', async () => {
    const s3 = { ...S3_DEFAULTS, RoleARN: SHARED_ARN, BucketARN: BUCKET, Prefix: 'ice/' };
    firehose.addStream({
      DeliveryStreamName: 'lake',
      Destinations: [
        {
          DestinationId: DEST,
          IcebergDestinationDescription: {
            RoleARN: SHARED_ARN,
            CatalogConfiguration: { CatalogARN: `arn:aws:glue:${REGION}:${ACCOUNT}:catalog` },
            S3DestinationDescription: s3,
          },
        },
      ],
    });
    const move = await planMove('lake');
    await adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID));
    expect(firehose.updates[0]?.IcebergDestinationUpdate).toEqual({ RoleARN: NEW_ROLE, S3Configuration: { ...s3, RoleARN: NEW_ROLE } });
  });
});

describe('Firehose review, checklist and rollback guard', () => {
  it('the checklist names the blocks of each moved field, in Terraform’s and CloudFormation’s words', async () => {
    const move = await planMove();
    const names = { tf: 'app_role', cfnRole: 'AppRole', cfnProfile: 'AppInstanceProfile' };
    expect(adapter.checklist(move, { format: 'terraform', role: () => names })).toEqual([
      `- [ ] delivery stream \`logs\`: role → \`${NEW_ROLE}\``,
      '  - `role_arn = aws_iam_role.app_role.arn` in `extended_s3_configuration`, `extended_s3_configuration.s3_backup_configuration` of the `aws_kinesis_firehose_delivery_stream`',
    ]);
    expect(adapter.checklist(move, { format: 'cloudformation', role: () => undefined })[1]).toBe(
      `  - \`RoleARN: ${NEW_ROLE}\` in \`ExtendedS3DestinationConfiguration\`, \`ExtendedS3DestinationConfiguration.S3BackupConfiguration\` of the \`AWS::KinesisFirehose::DeliveryStream\``,
    );
  });

  it('after rollback, a stream still uses a role only through fields the moves do not point back', async () => {
    firehose.addStream({
      DeliveryStreamName: 'orders',
      DeliveryStreamType: 'KinesisStreamAsSource',
      Source: { KinesisStreamSourceDescription: { KinesisStreamARN: 'arn:aws:kinesis:x:1:stream/o', RoleARN: SHARED_ARN } },
      Destinations: [HTTP],
    });
    const moves = await planMoves();
    const left = await adapter.withoutMovedBack(fakeApplyContext(region, PLAN_ID), (await found()).firehose, moves);
    expect(left.streams.map((s) => s.streamName)).toEqual(['orders']);
    const partly = await adapter.withoutMovedBack(fakeApplyContext(region, PLAN_ID), (await found()).firehose, [
      { ...moves[0], fields: ['RoleARN'] } as MoveOf<'firehose-stream'>,
    ]);
    expect(partly.streams.map((s) => s.streamName)).toEqual(['logs', 'orders']);
  });

  it('rollback keeps the new role while a moved field stays on it because undo stops on a sibling field someone changed since', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    const onNew = { arn: NEW_ROLE, roleName: 'app-firehose', instanceProfiles: [] };
    const usersAfterUndo = async () => {
      const left = await adapter.withoutMovedBack(
        ctx,
        workloadsForRole(await indexAccount(region, new RecordingIoHost()), onNew).firehose,
        [move],
      );
      return adapter.describeUsers(left, 'the new role');
    };
    expect(await usersAfterUndo()).toEqual([]);
    // Someone points the destination's own role elsewhere (its plain-S3 view follows, as Firehose shows it).
    firehose.change('logs', (stream) => {
      const destination = stream.Destinations?.[0];
      for (const view of [destination?.ExtendedS3DestinationDescription, destination?.S3DestinationDescription])
        if (view) view.RoleARN = roleArn('theirs');
    });
    // Undo now finds drift and points nothing of the destination back: its backup configuration still delivers as the new role.
    expect(await usersAfterUndo()).toEqual([
      `Firehose delivery stream logs uses the new role (Destinations[${DEST}].ExtendedS3DestinationDescription.S3BackupDescription.RoleARN)`,
    ]);
  });
});

describe('Firehose role fields beyond the destination’s own', () => {
  it('a Secrets Manager configuration’s role moves too, its configuration sent whole (Enabled is required)', async () => {
    const secrets = { SecretARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:hec`, RoleARN: SHARED_ARN, Enabled: true };
    firehose.addStream({
      DeliveryStreamName: 'events',
      Destinations: [
        {
          ...HTTP,
          HttpEndpointDestinationDescription: { ...HTTP.HttpEndpointDestinationDescription, SecretsManagerConfiguration: secrets },
        },
      ],
    });
    const move = await planMove('events');
    expect(move.fields).toEqual(['RoleARN', 'S3DestinationDescription.RoleARN', 'SecretsManagerConfiguration.RoleARN']);
    await adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID));
    expect(firehose.updates[0]?.HttpEndpointDestinationUpdate?.SecretsManagerConfiguration).toEqual({ ...secrets, RoleARN: NEW_ROLE });
  });

  it('a processor’s RoleArn parameter and a role in a destination type this release does not know are follow-ups, still in use', async () => {
    const processing = {
      Enabled: true,
      Processors: [{ Type: 'Lambda' as const, Parameters: [{ ParameterName: 'RoleArn' as const, ParameterValue: SHARED_ARN }] }],
    };
    const withProcessor = extendedS3(roleArn('theirs'));
    if (withProcessor.ExtendedS3DestinationDescription) withProcessor.ExtendedS3DestinationDescription.ProcessingConfiguration = processing;
    firehose.addStream({ DeliveryStreamName: 'logs', Destinations: [withProcessor] });
    // As AWS would send a destination type added after this SDK: the port keeps it from the wire.
    const future = { DestinationId: DEST, FutureDestinationDescription: { RoleARN: SHARED_ARN, Endpoint: 'x' } };
    firehose.addStream({ DeliveryStreamName: 'future', Destinations: [future] });
    expect(await planMoves()).toEqual([]);
    const followUps = adapter.followUps((await found()).firehose, {
      role,
      shared: { arn: SHARED_ARN },
      staysShared: false,
      region: REGION,
    });
    expect(followUps.map((f) => f.message)).toEqual([
      expect.stringContaining(
        `logs names the shared role in Destinations[${DEST}].ExtendedS3DestinationDescription.ProcessingConfiguration.Processors[0].Parameters[0].ParameterValue, which UpdateDestination cannot change: set it to the new role in the stream’s configuration`,
      ),
      expect.stringContaining(
        `future names the shared role in Destinations[${DEST}].FutureDestinationDescription.RoleARN, which UpdateDestination cannot change: its destination is of a type this split-role does not know`,
      ),
    ]);
    expect(adapter.describeUsers((await found()).firehose, 'the shared role')).toHaveLength(2);
  });
});
