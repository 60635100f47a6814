/**
 * API Gateway HTTP (and WebSocket) APIs: bound to a role by an integration's
 * CredentialsArn or an authorizer's AuthorizerCredentialsArn. A stage with
 * autoDeploy deploys the changed integration by itself; apply redeploys the
 * stages without it (a stage serves a deployment, a snapshot). The move takes
 * effect at once. The steps and their undo are the REST kind's (api-adapter.ts).
 */
import { apiAdapter, manualBindings } from '../apigateway-rest/api-adapter.js';
import { apiGatewayV2Ports } from './port.js';

/** The API Gateway HTTP API adapter. */
export const apiGatewayHttpAdapter = apiAdapter({
  id: 'apigatewayv2',
  kind: 'apigateway-http',
  noun: 'API Gateway HTTP API',
  ports: apiGatewayV2Ports,
  // https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages.html: autoDeploy "specifies whether updates to an API automatically trigger a new deployment".
  redeploys: (stage) => !stage.autoDeploy,
  codeBindings: {
    cloudFormation: manualBindings([
      { type: 'AWS::ApiGatewayV2::Integration', path: 'CredentialsArn' },
      { type: 'AWS::ApiGatewayV2::Authorizer', path: 'AuthorizerCredentialsArn' },
    ]),
    terraform: manualBindings([
      { type: 'aws_apigatewayv2_integration', path: 'credentials_arn' },
      { type: 'aws_apigatewayv2_authorizer', path: 'authorizer_credentials_arn' },
    ]),
  },
  snippet: (slot, role, format) =>
    slot.kind === 'authorizer'
      ? format === 'terraform'
        ? `\`authorizer_credentials_arn = ${role}\` on the \`aws_apigatewayv2_authorizer\``
        : `\`AuthorizerCredentialsArn: ${role}\` on the \`AWS::ApiGatewayV2::Authorizer\``
      : format === 'terraform'
        ? `\`credentials_arn = ${role}\` on the \`aws_apigatewayv2_integration\``
        : `\`CredentialsArn: ${role}\` on the \`AWS::ApiGatewayV2::Integration\``,
});
