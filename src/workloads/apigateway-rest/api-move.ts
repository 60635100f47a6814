/** The plan-file variant both API Gateway kinds share, by kind name. Only zod here, so reading a plan never loads an AWS SDK. */
import { z } from 'zod';
import { moveRegion } from '../move-fields.js';

/**
 * One API moved to the new API Gateway role: each slot that named the shared
 * role (integration or authorizer credentials) is pointed at the new role, and
 * each stage that does not deploy by itself is redeployed, the deployment it
 * served recorded for undo.
 */
export function apiMoveSchema<K extends string>(kind: K) {
  return z.object({
    kind: z.literal(kind),
    service: z.string(),
    region: moveRegion,
    apiId: z.string(),
    apiName: z.string(),
    slots: z.array(z.object({ kind: z.enum(['integration', 'authorizer']), id: z.string(), label: z.string() })).min(1),
    /** The stages apply redeploys, with the deployment each served when planned (undo serves it again). */
    stages: z.array(z.object({ stageName: z.string(), deploymentId: z.string() })),
    current: z.object({ roleArn: z.string() }),
    target: z.object({ roleArn: z.string() }),
    /** Apply redeploys the stages itself: the next request after the step already runs as the new role. */
    takesEffect: z.literal('at-once'),
  });
}

/** One move of either API Gateway kind. */
export type ApiMove = z.infer<ReturnType<typeof apiMoveSchema<string>>>;
