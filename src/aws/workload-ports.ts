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
import { sdkEc2, type Ec2Port } from './ec2.js';
import { sdkEcs, type EcsPort } from './ecs.js';
import { sdkLambda, type LambdaPort } from './lambda.js';

export type { AutoScalingPort } from './autoscaling.js';
export type { Ec2Port } from './ec2.js';
export type { EcsPort } from './ecs.js';
export type { LambdaPort } from './lambda.js';

/** The workload services of one (account, region), each behind its port. */
export interface WorkloadPorts {
  ec2(): Promise<Ec2Port>;
  lambda(): Promise<LambdaPort>;
  ecs(): Promise<EcsPort>;
  autoScaling(): Promise<AutoScalingPort>;
}

/** The SDK clients the ports are built on (an AwsSession has them). */
export interface WorkloadSdkClients {
  ec2(): Promise<EC2Client>;
  lambda(): Promise<LambdaClient>;
  ecs(): Promise<ECSClient>;
  autoScaling(): Promise<AutoScalingClient>;
}

/** The ports over a session's SDK clients; each client is still built on first use. */
export function sdkWorkloadPorts(clients: WorkloadSdkClients): WorkloadPorts {
  return {
    ec2: async () => sdkEc2(await clients.ec2()),
    lambda: async () => sdkLambda(await clients.lambda()),
    ecs: async () => sdkEcs(await clients.ecs()),
    autoScaling: async () => sdkAutoScaling(await clients.autoScaling()),
  };
}
