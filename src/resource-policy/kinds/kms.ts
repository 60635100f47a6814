/** KMS key policies: GetKeyPolicy / PutKeyPolicy on the policy named `default` (the only name KMS has). */
import { collectItems } from '../../aws/call.js';
import { perRegion, type PolicyKindAdapter, type PolicyResource } from './types.js';
import { loadSdk } from '../../aws/sdk-modules.js';

const POLICY_NAME = 'default';

/** KMS keys of the regions. */
export const kmsKeys: PolicyKindAdapter = {
  kind: 'kms-key',
  service: 'KMS',
  // Key policy documents: at most 32 KB (32,768 bytes).
  sizeLimit: { max: 32_768, unit: 'bytes', source: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html' },
  async list(session, regions) {
    const { paginateListKeys } = await loadSdk('client-kms');
    return perRegion(regions, async (region) => {
      const client = await (await session.inRegion(region)).kms();
      const keys = await collectItems(paginateListKeys({ client }, {}), (page) => page.Keys ?? []);
      return keys.flatMap((key): PolicyResource[] =>
        key.KeyId && key.KeyArn ? [{ kind: 'kms-key', region, id: key.KeyId, arn: key.KeyArn }] : [],
      );
    });
  },
  async read(session, resource) {
    const { GetKeyPolicyCommand } = await loadSdk('client-kms');
    const client = await (await session.inRegion(resource.region)).kms();
    const out = await client.send(new GetKeyPolicyCommand({ KeyId: resource.id, PolicyName: POLICY_NAME }));
    return out.Policy ?? undefined;
  },
  async write(session, resource, desired) {
    const { PutKeyPolicyCommand } = await loadSdk('client-kms');
    const client = await (await session.inRegion(resource.region)).kms();
    // Never BypassPolicyLockoutSafetyCheck: KMS must still refuse a policy that would lock the account out of the key.
    await client.send(new PutKeyPolicyCommand({ KeyId: resource.id, PolicyName: POLICY_NAME, Policy: desired }));
  },
  names: (resource) => [resource.arn, resource.id],
};
