/** The EventBridge Scheduler schedule kind's plan-file variant. Only zod here, so reading a plan never loads an AWS SDK. */
import { z } from 'zod';
import { moveRegion } from '../move-fields.js';

/** A schedule moved to the new Scheduler role (UpdateSchedule, every other field carried over from GetSchedule). */
export const scheduleMove = z.object({
  kind: z.literal('schedule'),
  service: z.string(),
  region: moveRegion,
  groupName: z.string(),
  scheduleName: z.string(),
  scheduleArn: z.string(),
  current: z.object({ roleArn: z.string() }),
  target: z.object({ roleArn: z.string() }),
  /** Scheduler assumes the role at each invocation: the repoint counts from the schedule's next run. */
  takesEffect: z.literal('next-run'),
});

/** One schedule move of a plan. */
export type ScheduleMove = z.infer<typeof scheduleMove>;
