/** The CodeBuild project kind's plan-file variant. Only zod here, so reading a plan never loads an AWS SDK. */
import { z } from 'zod';
import { moveRegion } from '../move-fields.js';

/** A CodeBuild project moved to the new CodeBuild role (UpdateProject serviceRole). */
export const codeBuildProjectMove = z.object({
  kind: z.literal('codebuild-project'),
  service: z.string(),
  region: moveRegion,
  projectName: z.string(),
  projectArn: z.string(),
  current: z.object({ serviceRole: z.string() }),
  target: z.object({ roleArn: z.string() }),
  /** Builds already running keep the role they started with: the repoint counts from the next build. */
  takesEffect: z.literal('next-run'),
});

/** One CodeBuild project move of a plan. */
export type CodeBuildMove = z.infer<typeof codeBuildProjectMove>;
