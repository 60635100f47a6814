/**
 * The API Gateway (REST) port: each REST API's integrations (GetResources
 * with embed=methods: every method with its integration in one call per
 * page), authorizers and stages, in the shape both API Gateway kinds share,
 * and its SDK implementation (the SDK loads on first use). Credentials change
 * by PATCH operations (`replace /credentials`, `replace /authorizerCredentials`),
 * a stage's deployment by `replace /deploymentId`.
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { PortFactory } from '../../aws/workload-ports.js';
import { loadSdk } from '../../aws/sdk-modules.js';
import { unlessNotFound } from '../../core/aws-error-names.js';
import type { ApiRead, CredentialedApiPort, CredentialSlot } from './api-model.js';

/** "resourceId/METHOD": a REST integration's slot id. */
function integrationId(resourceId: string, httpMethod: string): string {
  return `${resourceId}/${httpMethod}`;
}

/** The REST port over an SDK client. */
export function sdkApiGatewayRest(client: APIGatewayClient): CredentialedApiPort {
  const sdk = () => loadSdk('client-api-gateway');
  const read = async (apiId: string, name: string): Promise<ApiRead> => {
    const { paginateGetResources, GetAuthorizersCommand, GetStagesCommand } = await sdk();
    const slots: CredentialSlot[] = [];
    for await (const page of paginateGetResources({ client }, { restApiId: apiId, embed: ['methods'] })) {
      for (const resource of page.items ?? []) {
        for (const [httpMethod, method] of Object.entries(resource.resourceMethods ?? {})) {
          const integration = method.methodIntegration;
          if (!integration) continue;
          slots.push({
            kind: 'integration',
            id: integrationId(resource.id ?? '', httpMethod),
            label: `integration ${httpMethod} ${resource.path ?? resource.id ?? ''}`,
            ...(integration.credentials ? { credentials: integration.credentials } : {}),
          });
        }
      }
    }
    let position: string | undefined;
    do {
      const page = await client.send(new GetAuthorizersCommand({ restApiId: apiId, ...(position ? { position } : {}) }));
      for (const a of page.items ?? []) {
        slots.push({
          kind: 'authorizer',
          id: a.id ?? '',
          label: `authorizer ${a.name ?? a.id ?? ''}`,
          ...(a.authorizerCredentials ? { credentials: a.authorizerCredentials } : {}),
        });
      }
      position = page.position;
    } while (position);
    const stages = (await client.send(new GetStagesCommand({ restApiId: apiId }))).item ?? [];
    return {
      apiId,
      name,
      slots,
      stages: stages.map((s) => ({
        stageName: s.stageName ?? '',
        ...(s.deploymentId ? { deploymentId: s.deploymentId } : {}),
        autoDeploy: false,
        ...(s.canarySettings ? { canary: true } : {}),
      })),
    };
  };
  return {
    async listApis() {
      const { paginateGetRestApis } = await sdk();
      const apis: ApiRead[] = [];
      for await (const page of paginateGetRestApis({ client }, {})) {
        for (const api of page.items ?? []) apis.push(await read(api.id ?? '', api.name ?? api.id ?? ''));
      }
      return apis;
    },
    async getApi(apiId) {
      const { GetRestApiCommand } = await sdk();
      return unlessNotFound('NotFoundException', async () => {
        const api = await client.send(new GetRestApiCommand({ restApiId: apiId }));
        return read(apiId, api.name ?? apiId);
      });
    },
    async setCredentials(apiId, slot, roleArn) {
      const { UpdateIntegrationCommand, UpdateAuthorizerCommand } = await sdk();
      if (slot.kind === 'authorizer') {
        const patchOperations = [{ op: 'replace' as const, path: '/authorizerCredentials', value: roleArn }];
        await client.send(new UpdateAuthorizerCommand({ restApiId: apiId, authorizerId: slot.id, patchOperations }));
        return;
      }
      const cut = slot.id.lastIndexOf('/');
      const patchOperations = [{ op: 'replace' as const, path: '/credentials', value: roleArn }];
      await client.send(
        new UpdateIntegrationCommand({
          restApiId: apiId,
          resourceId: slot.id.slice(0, cut),
          httpMethod: slot.id.slice(cut + 1),
          patchOperations,
        }),
      );
    },
    async createDeployment(apiId, description) {
      const { CreateDeploymentCommand } = await sdk();
      // No stageName: the stages are switched one by one (UpdateStage), as undo switches them back.
      return (await client.send(new CreateDeploymentCommand({ restApiId: apiId, description }))).id ?? '';
    },
    async listDeployments(apiId) {
      const { paginateGetDeployments } = await sdk();
      const out: Array<{ id: string; description?: string }> = [];
      for await (const page of paginateGetDeployments({ client }, { restApiId: apiId })) {
        for (const d of page.items ?? []) out.push({ id: d.id ?? '', ...(d.description ? { description: d.description } : {}) });
      }
      return out;
    },
    async setStageDeployment(apiId, stageName, deploymentId) {
      const { UpdateStageCommand } = await sdk();
      const patchOperations = [{ op: 'replace' as const, path: '/deploymentId', value: deploymentId }];
      await client.send(new UpdateStageCommand({ restApiId: apiId, stageName, patchOperations }));
    },
    async deleteDeployment(apiId, deploymentId) {
      const { DeleteDeploymentCommand } = await sdk();
      await client.send(new DeleteDeploymentCommand({ restApiId: apiId, deploymentId }));
    },
    async accountLogRole() {
      const { GetAccountCommand } = await sdk();
      return (await client.send(new GetAccountCommand({}))).cloudwatchRoleArn || undefined;
    },
  };
}

/** How a session makes the REST port. */
export const apiGatewayRestPorts: PortFactory<CredentialedApiPort> = {
  id: 'apigateway',
  async open(sdk) {
    const { APIGatewayClient } = await loadSdk('client-api-gateway');
    return sdkApiGatewayRest(await sdk.sdkClient('apigateway', 'APIGatewayClient', (config) => new APIGatewayClient(config)));
  },
};
