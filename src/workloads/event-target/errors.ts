/** The EventBridge rule-target kind's error codes. */
import { kindErrorCode } from '../../core/errors.js';

/** A target has a field this split-role's AWS SDK does not know: PutTargets would drop it. */
export const EVENT_TARGET_NOT_CARRIED = kindErrorCode('EventTargetNotCarried');
