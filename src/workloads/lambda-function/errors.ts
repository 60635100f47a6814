/** The Lambda function kind's error codes. */
import { kindErrorCode } from '../../core/errors.js';

/** Lambda reported the role update as Failed. */
export const LAMBDA_UPDATE_FAILED = kindErrorCode('LambdaUpdateFailed');
