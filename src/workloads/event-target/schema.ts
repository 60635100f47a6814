/** The EventBridge rule-target kind's plan-file variant. Only zod here, so reading a plan never loads an AWS SDK. */
import { z } from 'zod';
import { moveRegion } from '../move-fields.js';

/** An EventBridge rule target moved to the new EventBridge role (PutTargets with the whole target, RoleArn changed). */
export const eventTargetMove = z.object({
  kind: z.literal('event-target'),
  service: z.string(),
  region: moveRegion,
  eventBusName: z.string(),
  ruleName: z.string(),
  ruleArn: z.string(),
  targetId: z.string(),
  /** What the target invokes (a queue, a stream, a state machine…). */
  targetArn: z.string(),
  current: z.object({ roleArn: z.string() }),
  target: z.object({ roleArn: z.string() }),
  /** EventBridge reads a target's role for each delivery: the next event after the repoint uses the new role. */
  takesEffect: z.literal('at-once'),
});

/** One EventBridge rule-target move of a plan. */
export type EventTargetMove = z.infer<typeof eventTargetMove>;
