/** The AWS Batch job-definition kind's plan-file variant. Only zod here, so reading a plan never loads an AWS SDK. */
import { z } from 'zod';
import { moveRegion } from '../move-fields.js';

/** A rule target or schedule that submits jobs naming the moved revision (by ARN or name:revision): it follows the move. */
export const batchFollower = z.discriminatedUnion('via', [
  z.object({
    via: z.literal('event-target'),
    eventBusName: z.string(),
    ruleName: z.string(),
    targetId: z.string(),
    /** BatchParameters.JobDefinition as the plan found it. */
    jobDefinition: z.string(),
  }),
  z.object({
    via: z.literal('schedule'),
    groupName: z.string(),
    scheduleName: z.string(),
    /** The universal target's Input JobDefinition as the plan found it. */
    jobDefinition: z.string(),
  }),
]);

/** One follower of a moved revision. */
export type BatchFollower = z.infer<typeof batchFollower>;

/**
 * A job definition moved to the new ECS-tasks role: a new revision registered
 * with every field of the latest ACTIVE one and the new role in each role
 * field that named the shared role; what named the old revision follows; the
 * old revision is deregistered when the shared role is retired.
 */
export const batchJobDefinitionMove = z.object({
  kind: z.literal('batch-job-definition'),
  service: z.string(),
  region: moveRegion,
  jobDefinitionName: z.string(),
  /** The latest ACTIVE revision when planned: the one copied. */
  revisionArn: z.string(),
  revision: z.number().int().positive(),
  /** The role fields that named the shared role ("containerProperties.jobRoleArn"): each gets the new role. */
  roleFields: z.array(z.string()).min(1),
  followers: z.array(batchFollower),
  current: z.object({ roleArn: z.string() }),
  target: z.object({ roleArn: z.string() }),
  /** A job takes its role when submitted: the move counts from the next job submitted with the new revision. */
  takesEffect: z.literal('next-run'),
});

/** One Batch job-definition move of a plan. */
export type BatchJobDefinitionMove = z.infer<typeof batchJobDefinitionMove>;
