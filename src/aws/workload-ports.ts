/**
 * The ports the workload adapters use in one (account, region): narrow
 * interfaces, so adapters never see an SDK client and tests can hand them
 * an in-memory fake account instead.
 */
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { sdkAutoScaling, type AutoScalingPort } from './autoscaling.js';
import type { SessionClient, SessionClientConfig } from './session.js';
import { sdkEc2, type Ec2Port } from './ec2.js';
import { sdkEcs, type EcsPort } from './ecs.js';
import { sdkLambda, type LambdaPort } from './lambda.js';

export type { AutoScalingPort } from './autoscaling.js';
export type { Ec2Port } from './ec2.js';
export type { EcsPort } from './ecs.js';
export type { LambdaPort } from './lambda.js';

/** Builds one SDK client with a session's settings (an AwsSession is one). */
export interface SdkClientFactory {
  sdkClient<T extends SessionClient>(service: string, clientName: string, build: (config: SessionClientConfig) => T): Promise<T>;
}

/**
 * How a workload kind gets its port: `open` builds it over a session's SDK
 * clients; `id` keys it (one port per id and session; a test's fake account
 * hands out its fake under the same id). Each kind's folder defines its own.
 */
export interface PortFactory<P> {
  readonly id: string;
  open(sdk: SdkClientFactory): Promise<P>;
}

/** The workload services of one (account, region), each behind its port. */
export interface WorkloadPorts {
  ec2(): Promise<Ec2Port>;
  lambda(): Promise<LambdaPort>;
  ecs(): Promise<EcsPort>;
  autoScaling(): Promise<AutoScalingPort>;
  /** Any other kind's port, through its factory. */
  port<P>(factory: PortFactory<P>): Promise<P>;
}

/** The SDK clients the ports are built on (an AwsSession has them). */
export interface WorkloadSdkClients {
  ec2(): Promise<EC2Client>;
  lambda(): Promise<LambdaClient>;
  ecs(): Promise<ECSClient>;
  autoScaling(): Promise<AutoScalingClient>;
}

/** The ports over a session's SDK clients; each client is still built on first use. */
export function sdkWorkloadPorts(clients: WorkloadSdkClients & SdkClientFactory): WorkloadPorts {
  const ports = new Map<string, Promise<unknown>>();
  return {
    port<P>(factory: PortFactory<P>): Promise<P> {
      let port = ports.get(factory.id);
      if (!port) ports.set(factory.id, (port = factory.open(clients)));
      // One factory per id (the kind's own), so what is cached under it is its P.
      return port as Promise<P>;
    },
    ec2: async () => sdkEc2(await clients.ec2()),
    lambda: async () => sdkLambda(await clients.lambda()),
    ecs: async () => sdkEcs(await clients.ecs()),
    autoScaling: async () => sdkAutoScaling(await clients.autoScaling()),
  };
}
