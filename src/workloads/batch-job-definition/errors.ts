/** The AWS Batch job-definition kind's error codes. */
import { kindErrorCode } from '../../core/errors.js';

/** A revision has a field RegisterJobDefinition cannot carry over to a new revision (unknown to this SDK, or not a RegisterJobDefinition field). */
export const BATCH_NOT_CARRIED = kindErrorCode('BatchNotCarried');
