/** The API Gateway HTTP API kind's plan-file variant. Only zod here, so reading a plan never loads an AWS SDK. */
import { apiMoveSchema } from '../apigateway-rest/api-move.js';

/** An HTTP or WebSocket API moved to the new API Gateway role (UpdateIntegration CredentialsArn; a new deployment of each stage without autoDeploy). */
export const apiGatewayHttpMove = apiMoveSchema('apigateway-http');
