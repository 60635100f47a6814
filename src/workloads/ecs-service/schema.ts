/** The ECS service kind's plan-file variant. Only zod here, so reading a plan never loads an AWS SDK. */
import { z } from 'zod';
import { moveRegion } from '../move-fields.js';

/** An ECS service moved to a copy of its task definition with the new role(s). */
export const ecsServiceMove = z.object({
  kind: z.literal('ecs-service'),
  service: z.string(),
  region: moveRegion,
  clusterArn: z.string(),
  serviceName: z.string(),
  serviceArn: z.string(),
  current: z.object({ taskDefinitionArn: z.string(), taskRoleArn: z.string().optional(), executionRoleArn: z.string().optional() }),
  target: z.object({ taskRoleArn: z.string().optional(), executionRoleArn: z.string().optional() }),
});

/** One ECS service move of a plan. */
export type EcsMove = z.infer<typeof ecsServiceMove>;
