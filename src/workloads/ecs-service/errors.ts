/** The ECS service kind's error codes. */
import { kindErrorCode } from '../../core/errors.js';

/** The service's deployment circuit breaker rolled the new task definition back. */
export const ECS_DEPLOYMENT_FAILED = kindErrorCode('EcsDeploymentFailed');
