/** The API Gateway HTTP API kind (apigatewayv2: HTTP and WebSocket APIs): everything it contributes, as one registry entry. */
import { defineKind } from '../kind.js';
import { apiGatewayHttpAdapter } from './adapter.js';
import { apiGatewayHttpMove } from './schema.js';

/** HTTP APIs, moved by UpdateIntegration CredentialsArn (and a new deployment of each stage without autoDeploy), at once. */
export const apiGatewayHttp = defineKind({
  schema: apiGatewayHttpMove,
  adapter: apiGatewayHttpAdapter,
  followUpKinds: [],
  sessionShapes: [],
  baselines: [],
  errorCodes: {},
  iamActions: {
    // apigatewayv2 is authorized by the same HTTP-verb actions as REST APIs (GetApis, GetIntegrations, GetAuthorizers, GetStages, GetDeployments).
    discover: ['apigateway:GET'],
    // PATCH: UpdateIntegration, UpdateAuthorizer, UpdateStage; POST: CreateDeployment; DELETE: undo's DeleteDeployment.
    apply: ['apigateway:GET', 'apigateway:PATCH', 'apigateway:POST', 'apigateway:DELETE'],
  },
});
