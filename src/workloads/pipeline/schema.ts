/** The CodePipeline pipeline kind's plan-file variant. Only zod here, so reading a plan never loads an AWS SDK. */
import { z } from 'zod';
import { moveRegion } from '../move-fields.js';

/** A pipeline whose own role and actions' roles that name the shared role move to the new CodePipeline role (UpdatePipeline). */
export const pipelineMove = z.object({
  kind: z.literal('pipeline'),
  service: z.string(),
  region: moveRegion,
  pipelineName: z.string(),
  current: z.object({
    /** The pipeline's own role. */
    roleArn: z.string(),
    /** The actions that name the shared role (they move with the pipeline). */
    actionRoles: z.array(z.object({ stage: z.string(), action: z.string(), roleArn: z.string() })),
  }),
  target: z.object({ roleArn: z.string() }),
  /** An execution in progress finishes as it started: the repoint counts from the next execution. */
  takesEffect: z.literal('next-run'),
});

/** One pipeline move of a plan. */
export type PipelineMove = z.infer<typeof pipelineMove>;
