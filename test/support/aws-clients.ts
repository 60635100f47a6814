/** Real SDK clients pointed at the test moto_server, for seeding and checking accounts. */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';

/** Standard fake credentials; moto accepts any. */
export const TEST_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
/** moto's default account id. */
export const MOTO_ACCOUNT = '123456789012';
/** The region every test uses. */
export const TEST_REGION = 'us-east-1';

/** Clients for seeding moto at `endpoint`. */
export function seedClients(endpoint: string) {
  const config = { endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };
  return { iam: new IAMClient(config), sts: new STSClient(config) };
}

/** A trust policy letting the given service principals assume a role. */
export function serviceTrust(...services: string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: services.length === 1 ? services[0] : services }, Action: 'sts:AssumeRole' }],
  });
}

/** The role a kind test splits: trusted as `trustDocument` says, with one inline policy `all` allowing `actions` on everything. */
export async function seedSharedRole(iam: IAMClient, roleName: string, trustDocument: string, actions: readonly string[]): Promise<void> {
  await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trustDocument }));
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
  await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'all', PolicyDocument: JSON.stringify(policy) }));
}
