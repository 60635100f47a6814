/** The API Gateway REST API kind: everything it contributes, as one registry entry. */
import { defineKind } from '../kind.js';
import { apiGatewayRestAdapter } from './adapter.js';
import { apiGatewayRestMove } from './schema.js';

/** REST APIs, moved by UpdateIntegration / UpdateAuthorizer and a new deployment of each stage (at once). */
export const apiGatewayRest = defineKind({
  schema: apiGatewayRestMove,
  adapter: apiGatewayRestAdapter,
  // The region's CloudWatch logging role (an account setting, no API's): reported, and retire waits while it names the shared role.
  followUpKinds: ['apigateway-account-log-role'],
  // API Gateway gives its role sessions no stable name.
  sessionShapes: [],
  // An integration's role needs only what calling its backend takes (the evidence shows it).
  baselines: [],
  errorCodes: {
    ApiGatewayStageCanary:
      'a REST API stage apply would redeploy has a canary, whose share of the traffic would stay on a deployment made before the move',
  },
  iamActions: {
    // API Gateway's management actions are HTTP verbs on its resources (GetRestApis, GetResources, GetAuthorizers, GetStages).
    discover: ['apigateway:GET'],
    // PATCH: UpdateIntegration, UpdateAuthorizer, UpdateStage; POST: CreateDeployment; DELETE: undo's DeleteDeployment.
    apply: ['apigateway:GET', 'apigateway:PATCH', 'apigateway:POST', 'apigateway:DELETE'],
  },
});
