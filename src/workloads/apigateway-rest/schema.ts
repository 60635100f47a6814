/** The API Gateway REST API kind's plan-file variant. Only zod here, so reading a plan never loads an AWS SDK. */
import { apiMoveSchema } from './api-move.js';

/** A REST API moved to the new API Gateway role (UpdateIntegration / UpdateAuthorizer, then a new deployment of each stage). */
export const apiGatewayRestMove = apiMoveSchema('apigateway-rest');
