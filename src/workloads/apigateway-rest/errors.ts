/** The API Gateway kinds' error codes. */
import { kindErrorCode } from '../../core/errors.js';

/** A stage apply would redeploy has a canary: part of its traffic stays on a deployment apply does not make. */
export const API_STAGE_CANARY = kindErrorCode('ApiGatewayStageCanary');
