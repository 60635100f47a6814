/**
 * Each workload kind's plan-file variant: what a plan records about one
 * workload it moves (where it is bound now, where apply points it). The
 * plan schema's workload union is these, in registry order. Only zod here,
 * so reading a plan never loads an AWS SDK.
 */
import { z } from 'zod';

/** The region the workload lives in: repoint, verify, drift and undo use a client there. */
const region = z.string().min(1);

/** An EC2 instance moved to the new EC2 role's instance profile. */
export const ec2InstanceMove = z.object({
  kind: z.literal('ec2-instance'),
  service: z.string(),
  region,
  instanceId: z.string(),
  associationId: z.string(),
  current: z.object({ instanceProfileArn: z.string() }),
  target: z.object({ instanceProfileArn: z.string(), instanceProfileName: z.string(), roleName: z.string() }),
});

/** A Lambda function ($LATEST) moved to the new Lambda role. */
export const lambdaFunctionMove = z.object({
  kind: z.literal('lambda-function'),
  service: z.string(),
  region,
  functionName: z.string(),
  functionArn: z.string(),
  current: z.object({ roleArn: z.string() }),
  target: z.object({ roleArn: z.string() }),
});

/** An ECS service moved to a copy of its task definition with the new role(s). */
export const ecsServiceMove = z.object({
  kind: z.literal('ecs-service'),
  service: z.string(),
  region,
  clusterArn: z.string(),
  serviceName: z.string(),
  serviceArn: z.string(),
  current: z.object({ taskDefinitionArn: z.string(), taskRoleArn: z.string().optional(), executionRoleArn: z.string().optional() }),
  target: z.object({ taskRoleArn: z.string().optional(), executionRoleArn: z.string().optional() }),
});

/** The plan schema's workload union: one variant per registered adapter, in registry order. */
export const plannedWorkloadSchema = z.discriminatedUnion('kind', [ec2InstanceMove, lambdaFunctionMove, ecsServiceMove]);

/** One workload move of a plan. */
export type PlannedWorkload = z.infer<typeof plannedWorkloadSchema>;
/** The kinds of workload a plan can move. */
export type WorkloadKind = PlannedWorkload['kind'];
/** The move of one kind. */
export type MoveOf<K extends WorkloadKind> = Extract<PlannedWorkload, { kind: K }>;
