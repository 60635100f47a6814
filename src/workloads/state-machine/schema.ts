/** The Step Functions state-machine kind's plan-file variant. Only zod here, so reading a plan never loads an AWS SDK. */
import { z } from 'zod';
import { moveRegion } from '../move-fields.js';

/** A state machine moved to the new Step Functions role (UpdateStateMachine roleArn). */
export const stateMachineMove = z.object({
  kind: z.literal('state-machine'),
  service: z.string(),
  region: moveRegion,
  stateMachineName: z.string(),
  stateMachineArn: z.string(),
  current: z.object({ roleArn: z.string() }),
  target: z.object({ roleArn: z.string() }),
  /** Executions already running keep the role they started with: the repoint counts from the next execution. */
  takesEffect: z.literal('next-run'),
});

/** One state-machine move of a plan. */
export type StateMachineMove = z.infer<typeof stateMachineMove>;
