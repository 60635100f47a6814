/** The EventBridge Scheduler schedule kind: everything it contributes, as one registry entry. */
import { defineKind } from '../kind.js';
import { scheduleAdapter } from './adapter.js';
import { scheduleMove } from './schema.js';

/** Scheduler schedules, moved by UpdateSchedule with every field carried over (from each schedule's next run). */
export const schedule = defineKind({
  schema: scheduleMove,
  adapter: scheduleAdapter,
  followUpKinds: [],
  sessionShapes: [],
  // A schedule's role needs only what invoking its target takes (the evidence shows it).
  baselines: [],
  errorCodes: {
    ScheduleNotCarried:
      'a schedule has a field UpdateSchedule cannot carry over through this split-role’s AWS SDK (it replaces the whole schedule)',
  },
  iamActions: {
    discover: ['scheduler:ListSchedules', 'scheduler:GetSchedule'],
    apply: ['scheduler:UpdateSchedule'],
  },
});
