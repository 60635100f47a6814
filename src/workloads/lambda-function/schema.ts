/** The Lambda function kind's plan-file variant. Only zod here, so reading a plan never loads an AWS SDK. */
import { z } from 'zod';
import { moveRegion } from '../move-fields.js';

/** A Lambda function ($LATEST) moved to the new Lambda role. */
export const lambdaFunctionMove = z.object({
  kind: z.literal('lambda-function'),
  service: z.string(),
  region: moveRegion,
  functionName: z.string(),
  functionArn: z.string(),
  current: z.object({ roleArn: z.string() }),
  target: z.object({ roleArn: z.string() }),
});

/** One Lambda function move of a plan. */
export type LambdaMove = z.infer<typeof lambdaFunctionMove>;
