/** The Firehose delivery stream kind's error codes. */
import { kindErrorCode } from '../../core/errors.js';

/** A delivery stream is not ACTIVE (creating, deleting, failed): UpdateDestination takes only an active one. */
export const FIREHOSE_NOT_ACTIVE = kindErrorCode('FirehoseNotActive');
