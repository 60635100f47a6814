/**
 * The API Gateway v2 port (HTTP and WebSocket APIs): each API's integrations
 * (CredentialsArn), authorizers (AuthorizerCredentialsArn) and stages, in the
 * shape both API Gateway kinds share, and its SDK implementation (NextToken
 * paging by hand: the v2 client has no paginators for these; the SDK loads on
 * first use).
 */
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { PortFactory } from '../../aws/workload-ports.js';
import { loadSdk } from '../../aws/sdk-modules.js';
import { unlessNotFound } from '../../core/aws-error-names.js';
import type { ApiRead, CredentialedApiPort } from '../apigateway-rest/api-model.js';

/** Every page of a NextToken listing. */
async function allPages<T>(get: (token: string | undefined) => Promise<{ Items?: T[]; NextToken?: string }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await get(token);
    items.push(...(page.Items ?? []));
    token = page.NextToken;
  } while (token);
  return items;
}

/** The v2 port over an SDK client. */
export function sdkApiGatewayV2(client: ApiGatewayV2Client): CredentialedApiPort {
  const sdk = () => loadSdk('client-apigatewayv2');
  const read = async (apiId: string, name: string): Promise<ApiRead> => {
    const { GetIntegrationsCommand, GetAuthorizersCommand, GetStagesCommand } = await sdk();
    const page = (token: string | undefined) => ({ ApiId: apiId, ...(token ? { NextToken: token } : {}) });
    const integrations = await allPages((t) => client.send(new GetIntegrationsCommand(page(t))));
    const authorizers = await allPages((t) => client.send(new GetAuthorizersCommand(page(t))));
    const stages = await allPages((t) => client.send(new GetStagesCommand(page(t))));
    return {
      apiId,
      name,
      slots: [
        ...integrations.map((i) => ({
          kind: 'integration' as const,
          id: i.IntegrationId ?? '',
          label: `integration ${i.IntegrationId ?? ''}`,
          ...(i.CredentialsArn ? { credentials: i.CredentialsArn } : {}),
        })),
        ...authorizers.map((a) => ({
          kind: 'authorizer' as const,
          id: a.AuthorizerId ?? '',
          label: `authorizer ${a.Name ?? a.AuthorizerId ?? ''}`,
          ...(a.AuthorizerCredentialsArn ? { credentials: a.AuthorizerCredentialsArn } : {}),
        })),
      ],
      stages: stages.map((s) => ({
        stageName: s.StageName ?? '',
        ...(s.DeploymentId ? { deploymentId: s.DeploymentId } : {}),
        autoDeploy: s.AutoDeploy === true,
      })),
    };
  };
  return {
    async listApis() {
      const { GetApisCommand } = await sdk();
      const apis = await allPages((t) => client.send(new GetApisCommand(t ? { NextToken: t } : {})));
      const out: ApiRead[] = [];
      for (const api of apis) out.push(await read(api.ApiId ?? '', api.Name ?? api.ApiId ?? ''));
      return out;
    },
    async getApi(apiId) {
      const { GetApiCommand } = await sdk();
      return unlessNotFound('NotFoundException', async () => {
        const api = await client.send(new GetApiCommand({ ApiId: apiId }));
        return read(apiId, api.Name ?? apiId);
      });
    },
    async setCredentials(apiId, slot, roleArn) {
      const { UpdateIntegrationCommand, UpdateAuthorizerCommand } = await sdk();
      // UpdateIntegration and UpdateAuthorizer change only the fields they are sent.
      if (slot.kind === 'authorizer')
        await client.send(new UpdateAuthorizerCommand({ ApiId: apiId, AuthorizerId: slot.id, AuthorizerCredentialsArn: roleArn }));
      else await client.send(new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: slot.id, CredentialsArn: roleArn }));
    },
    async createDeployment(apiId, description) {
      const { CreateDeploymentCommand } = await sdk();
      return (await client.send(new CreateDeploymentCommand({ ApiId: apiId, Description: description }))).DeploymentId ?? '';
    },
    async listDeployments(apiId) {
      const { GetDeploymentsCommand } = await sdk();
      const page = (token: string | undefined) => ({ ApiId: apiId, ...(token ? { NextToken: token } : {}) });
      const deployments = await allPages((t) => client.send(new GetDeploymentsCommand(page(t))));
      return deployments.map((d) => ({ id: d.DeploymentId ?? '', ...(d.Description ? { description: d.Description } : {}) }));
    },
    async setStageDeployment(apiId, stageName, deploymentId) {
      const { UpdateStageCommand } = await sdk();
      await client.send(new UpdateStageCommand({ ApiId: apiId, StageName: stageName, DeploymentId: deploymentId }));
    },
    async deleteDeployment(apiId, deploymentId) {
      const { DeleteDeploymentCommand } = await sdk();
      await client.send(new DeleteDeploymentCommand({ ApiId: apiId, DeploymentId: deploymentId }));
    },
  };
}

/** How a session makes the v2 port. */
export const apiGatewayV2Ports: PortFactory<CredentialedApiPort> = {
  id: 'apigatewayv2',
  async open(sdk) {
    const { ApiGatewayV2Client } = await loadSdk('client-apigatewayv2');
    return sdkApiGatewayV2(await sdk.sdkClient('apigatewayv2', 'ApiGatewayV2Client', (config) => new ApiGatewayV2Client(config)));
  },
};
