/** The EventBridge Scheduler schedule kind's error codes. */
import { kindErrorCode } from '../../core/errors.js';

/** A schedule has a field UpdateSchedule cannot carry over (unknown to this SDK, or not an UpdateSchedule field). */
export const SCHEDULE_NOT_CARRIED = kindErrorCode('ScheduleNotCarried');
