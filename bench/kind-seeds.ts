/**
 * One workload of each kind on a shared role, seeded into the typed fake
 * account, for the apply-kinds benchmark. Keyed by the plan-file kind, so the
 * benchmark iterates the registry (KINDS) and finds each kind's seed here; a
 * kind added to the registry without a line here is reported, not skipped
 * silently. Each seed is the smallest workload the kind moves.
 */
import type { FakeWorkloads } from '../test/support/fake-account/index.js';

/** Who the seed runs as, and where. */
export interface SeedTarget {
  account: string;
  region: string;
  sharedArn: string;
  sharedProfileArn: string;
}

type Services = FakeWorkloads['services'];

/** plan-file kind → seeds one workload of it on the shared role. */
export const KIND_SEEDS: Readonly<Record<string, (services: Services, at: SeedTarget) => void>> = {
  'ec2-instance': ({ ec2 }, at) => void ec2.addInstance(at.sharedProfileArn, 'i-0abc'),
  'lambda-function': ({ lambda }, at) => void lambda.addFunction('orders-fn', at.sharedArn),
  'ecs-service': ({ ecs }, at) => {
    const cluster = ecs.addCluster('main');
    const revision = ecs.addTaskDefinition({
      family: 'web',
      taskRoleArn: at.sharedArn,
      containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
    });
    ecs.addService(cluster, 'web', revision);
  },
  'codebuild-project': ({ codeBuild }, at) => void codeBuild.addProject('build-app', at.sharedArn),
  'state-machine': ({ stepFunctions }, at) => {
    // With an alias on a published version: the kind's longest repoint (update with publish, then the alias).
    const machine = stepFunctions.addStateMachine('orders-flow', at.sharedArn);
    const version = stepFunctions.publishVersion(machine);
    stepFunctions.addAlias(machine, 'live', [{ stateMachineVersionArn: version, weight: 100 }]);
  },
  pipeline: ({ codePipeline }, at) => void codePipeline.addPipeline('release', at.sharedArn, { 'Build/Compile': at.sharedArn }),
  'event-target': ({ eventBridge }, at) => {
    eventBridge.addRule('nightly');
    eventBridge.putTargetAs('default', 'nightly', {
      Id: 'stream',
      Arn: `arn:aws:kinesis:${at.region}:${at.account}:stream/orders`,
      RoleArn: at.sharedArn,
    });
  },
  schedule: ({ scheduler }, at) =>
    void scheduler.addSchedule({
      Name: 'nightly',
      ScheduleExpression: 'rate(1 hour)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: `arn:aws:sqs:${at.region}:${at.account}:reports`, RoleArn: at.sharedArn },
    }),
  'apigateway-rest': ({ apiGateway }, at) =>
    void apiGateway.addApi({
      apiId: 'api1',
      name: 'orders',
      slots: [{ kind: 'integration', id: 'r1/GET', label: 'integration GET /orders', credentials: at.sharedArn }],
      stages: [{ stageName: 'prod' }],
    }),
  'apigateway-http': ({ apiGatewayV2 }, at) =>
    void apiGatewayV2.addApi({
      apiId: 'h1',
      name: 'events',
      slots: [{ kind: 'integration', id: 'i1', label: 'integration i1', credentials: at.sharedArn }],
      stages: [{ stageName: '$default', autoDeploy: true }],
    }),
  'batch-job-definition': ({ batch }, at) =>
    void batch.addRevision({
      jobDefinitionName: 'nightly',
      type: 'container',
      containerProperties: { image: 'reports:1', jobRoleArn: at.sharedArn },
    }),
  'firehose-stream': ({ firehose }, at) => {
    const s3 = {
      RoleARN: at.sharedArn,
      BucketARN: 'arn:aws:s3:::orders-logs',
      BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300 },
      CompressionFormat: 'UNCOMPRESSED' as const,
      EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' as const },
    };
    firehose.addStream({
      DeliveryStreamName: 'logs',
      Destinations: [{ DestinationId: 'destinationId-000000000001', S3DestinationDescription: s3, ExtendedS3DestinationDescription: s3 }],
    });
  },
};
