/** Secrets Manager resource policies. */
import { collectItems } from '../../aws/call.js';
import { perRegion, type PolicyKindAdapter, type PolicyResource } from './types.js';
import { loadSdk } from '../../aws/sdk-modules.js';

/** Secrets of the regions. */
export const secrets: PolicyKindAdapter = {
  kind: 'secret',
  service: 'Secrets Manager',
  // Resource-based permissions policy: at most 20,480 characters.
  sizeLimit: {
    max: 20_480,
    unit: 'characters',
    source: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html',
  },
  async list(session, regions) {
    const { paginateListSecrets } = await loadSdk('client-secrets-manager');
    return perRegion(regions, async (region) => {
      const client = await (await session.inRegion(region)).secretsManager();
      const list = await collectItems(paginateListSecrets({ client }, {}), (page) => page.SecretList ?? []);
      return list.flatMap((s): PolicyResource[] => (s.ARN ? [{ kind: 'secret', region, id: s.ARN, arn: s.ARN }] : []));
    });
  },
  async read(session, resource) {
    const { GetResourcePolicyCommand } = await loadSdk('client-secrets-manager');
    const client = await (await session.inRegion(resource.region)).secretsManager();
    const out = await client.send(new GetResourcePolicyCommand({ SecretId: resource.id }));
    return out.ResourcePolicy || undefined;
  },
  async write(session, resource, desired) {
    const { PutResourcePolicyCommand } = await loadSdk('client-secrets-manager');
    const client = await (await session.inRegion(resource.region)).secretsManager();
    // BlockPublicPolicy stays on: the edit adds the account's own roles, never the public.
    await client.send(new PutResourcePolicyCommand({ SecretId: resource.id, ResourcePolicy: desired, BlockPublicPolicy: true }));
  },
  names: (resource) => [
    resource.arn,
    resource.arn
      .split(':')
      .pop()
      ?.replace(/-[A-Za-z0-9]{6}$/, '') ?? '',
  ],
};
