/**
 * API Gateway REST APIs: bound to a role by integration `credentials` and
 * authorizer `authorizerCredentials`. A REST stage serves a snapshot (a
 * deployment), so apply redeploys every stage of a moved API; the move takes
 * effect at once. See api-adapter.ts for the steps and their undo.
 */
import { apiAdapter, manualBindings } from './api-adapter.js';
import { apiGatewayRestPorts } from './port.js';

/** The API Gateway REST API adapter. */
export const apiGatewayRestAdapter = apiAdapter({
  id: 'apigateway',
  kind: 'apigateway-rest',
  noun: 'API Gateway REST API',
  ports: apiGatewayRestPorts,
  // Every REST stage serves a snapshot: none picks up a changed integration by itself.
  redeploys: () => true,
  accountFollowUp: 'apigateway-account-log-role',
  codeBindings: {
    cloudFormation: manualBindings([
      { type: 'AWS::ApiGateway::Method', path: 'Integration.Credentials' },
      { type: 'AWS::ApiGateway::Authorizer', path: 'AuthorizerCredentials' },
    ]),
    terraform: manualBindings([
      { type: 'aws_api_gateway_integration', path: 'credentials' },
      { type: 'aws_api_gateway_authorizer', path: 'authorizer_credentials' },
    ]),
  },
  snippet: (slot, role, format) =>
    slot.kind === 'authorizer'
      ? format === 'terraform'
        ? `\`authorizer_credentials = ${role}\` on the \`aws_api_gateway_authorizer\``
        : `\`AuthorizerCredentials: ${role}\` on the \`AWS::ApiGateway::Authorizer\``
      : format === 'terraform'
        ? `\`credentials = ${role}\` on the \`aws_api_gateway_integration\``
        : `\`Credentials: ${role}\` in \`Integration\` of the \`AWS::ApiGateway::Method\``,
});
