/**
 * The workload services of one (account, region) in memory: what the
 * workload adapters and the inventory get in place of an AwsSession's
 * workloadPorts(). Seed through `services`; the FakeAccount keeps one per region.
 */
import type { PortFactory, WorkloadPorts } from '../../../src/aws/workload-ports.js';
import { FakeApiGateway } from './apigateway.js';
import { FakeAutoScaling } from './autoscaling.js';
import { FakeBatch } from './batch.js';
import { FakeCodeBuild } from './codebuild.js';
import { FakeCodePipeline } from './codepipeline.js';
import { FakeStepFunctions } from './step-functions.js';
import { FakeEc2 } from './ec2.js';
import { FakeEcs } from './ecs.js';
import { FakeEventBridge } from './eventbridge.js';
import { FakeFirehose } from './firehose.js';
import { FakeLambda } from './lambda.js';
import { FakeScheduler } from './scheduler.js';

/** Where the region is, and what of IAM the services may check against (the IAM fake's roles and profiles). */
export interface FakeWorkloadsOptions {
  account?: string;
  region?: string;
  knowsRole?: (arn: string) => boolean;
  knowsProfile?: (arn: string) => boolean;
  /** Reads an update or deployment takes to settle (default 1). */
  settleReads?: number;
}

/** EC2, Lambda, ECS, Auto Scaling and the kinds' own services (CodeBuild, …) of one region, each a typed in-memory fake. */
export class FakeWorkloads implements WorkloadPorts {
  readonly region: string;
  /** The fakes themselves, to seed and inspect. */
  readonly services: {
    ec2: FakeEc2;
    lambda: FakeLambda;
    ecs: FakeEcs;
    autoScaling: FakeAutoScaling;
    codeBuild: FakeCodeBuild;
    stepFunctions: FakeStepFunctions;
    codePipeline: FakeCodePipeline;
    eventBridge: FakeEventBridge;
    scheduler: FakeScheduler;
    firehose: FakeFirehose;
    apiGateway: FakeApiGateway;
    apiGatewayV2: FakeApiGateway;
    batch: FakeBatch;
  };
  /** The fakes a kind's port factory asks for, by the factory's id. */
  private readonly byPortId: ReadonlyMap<string, unknown>;

  constructor(options: FakeWorkloadsOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    const where = { region: this.region, ...(options.account ? { account: options.account } : {}) };
    this.services = {
      ec2: new FakeEc2(options.knowsProfile ? { knowsProfile: options.knowsProfile } : {}),
      lambda: new FakeLambda({
        ...where,
        ...(options.knowsRole ? { knowsRole: options.knowsRole } : {}),
        updateReads: options.settleReads ?? 1,
      }),
      ecs: new FakeEcs({ ...where, deploymentReads: options.settleReads ?? 1 }),
      autoScaling: new FakeAutoScaling(),
      codeBuild: new FakeCodeBuild({ ...where, ...(options.knowsRole ? { knowsRole: options.knowsRole } : {}) }),
      stepFunctions: new FakeStepFunctions({ ...where, ...(options.knowsRole ? { knowsRole: options.knowsRole } : {}) }),
      codePipeline: new FakeCodePipeline(options.knowsRole ? { knowsRole: options.knowsRole } : {}),
      eventBridge: new FakeEventBridge(where),
      scheduler: new FakeScheduler({ ...where, ...(options.knowsRole ? { knowsRole: options.knowsRole } : {}) }),
      firehose: new FakeFirehose({ ...where, ...(options.knowsRole ? { knowsRole: options.knowsRole } : {}) }),
      apiGateway: new FakeApiGateway({ accountSettings: true }),
      apiGatewayV2: new FakeApiGateway(),
      batch: new FakeBatch(where),
    };
    this.byPortId = new Map<string, unknown>([
      ['codebuild', this.services.codeBuild],
      ['states', this.services.stepFunctions],
      ['codepipeline', this.services.codePipeline],
      ['events', this.services.eventBridge],
      ['scheduler', this.services.scheduler],
      ['firehose', this.services.firehose],
      ['apigateway', this.services.apiGateway],
      ['apigatewayv2', this.services.apiGatewayV2],
      ['batch', this.services.batch],
    ]);
  }

  /** Itself: the inventory asks a region for its ports. */
  workloadPorts(): WorkloadPorts {
    return this;
  }

  async ec2(): Promise<FakeEc2> {
    return this.services.ec2;
  }
  async lambda(): Promise<FakeLambda> {
    return this.services.lambda;
  }
  async ecs(): Promise<FakeEcs> {
    return this.services.ecs;
  }
  async autoScaling(): Promise<FakeAutoScaling> {
    return this.services.autoScaling;
  }
  /** The fake a kind's factory opens: its id names the service (each fake implements that kind's port). */
  async port<P>(factory: PortFactory<P>): Promise<P> {
    const fake = this.byPortId.get(factory.id);
    if (fake === undefined) throw new Error(`the fake account has no service for port ${factory.id}`);
    return fake as P;
  }
}
