/**
 * The session provider against moto: the caller's own account, another
 * account reached by assuming the access role (moto switches accounts on a
 * cross-account AssumeRole), per-target caching, and the failures a user
 * meets: no role given, the role refused.
 */
import { CreateRoleCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openSessionProvider, type SessionProvider } from '../../src/aws/session.js';
import { SplitRoleError } from '../../src/core/errors.js';
import { MOTO_ACCOUNT, serviceTrust, TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { queryError, startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { resetMoto } from '../support/moto-server.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';

const endpoint = workerMotoEndpoint();
const MEMBER = '111111111111';

describe.skipIf(!endpoint)('session provider (moto)', () => {
  const motoEndpoint = endpoint as string;
  const saved: Record<string, string | undefined> = {};
  let proxy: FaultProxy;
  let provider: SessionProvider | undefined;

  beforeAll(async () => {
    for (const key of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_EC2_METADATA_DISABLED',
      'AWS_ENDPOINT_URL',
    ]) {
      saved[key] = process.env[key];
    }
    process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_ENDPOINT_URL;
    proxy = await startFaultProxy(motoEndpoint);
  });
  afterAll(async () => {
    await proxy.close();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  beforeEach(async () => {
    await resetMoto(motoEndpoint);
    proxy.setRule(undefined);
    proxy.clear();
  });
  afterEach(() => {
    provider?.destroy();
    provider = undefined;
  });

  const account = async (p: SessionProvider, target: { account?: string; region?: string }) =>
    (await (await (await p.forTarget(target)).sts()).send(new GetCallerIdentityCommand({}))).Arn;

  it('reaches another account through the access role, with session name split-role and the external id', async () => {
    const bodies: string[] = [];
    proxy.setRule((req) => {
      if (req.operation === 'AssumeRole') bodies.push(req.body);
      return undefined;
    });
    provider = await openSessionProvider({
      region: TEST_REGION,
      endpointUrl: proxy.endpoint,
      assumeRole: 'split-role-access',
      externalId: 'ext-123',
    });
    expect(await account(provider, {})).toMatch(new RegExp(`::${MOTO_ACCOUNT}:`));
    expect(await account(provider, { account: MEMBER })).toBe(`arn:aws:sts::${MEMBER}:assumed-role/split-role-access/split-role`);
    const assume = proxy.operations.filter((op) => op === 'AssumeRole');
    expect(assume).toHaveLength(1);
    const params = new URLSearchParams(bodies[0]);
    expect([params.get('RoleArn'), params.get('RoleSessionName'), params.get('ExternalId')]).toEqual([
      `arn:aws:iam::${MEMBER}:role/split-role-access`,
      'split-role',
      'ext-123',
    ]);
    expect(provider.calls.commands.get('AssumeRoleCommand')).toBe(1);

    // The member's IAM is its own: a role made there is not in the caller's account.
    const member = await provider.forTarget({ account: MEMBER });
    await (
      await member.iam()
    ).send(new CreateRoleCommand({ RoleName: 'only-in-member', AssumeRolePolicyDocument: serviceTrust('ec2.amazonaws.com') }));
    const home = await (await provider.home.iam()).send(new ListRolesCommand({}));
    expect(home.Roles?.map((r) => r.RoleName)).not.toContain('only-in-member');
    const there = await (await member.iam()).send(new ListRolesCommand({}));
    expect(there.Roles?.map((r) => r.RoleName)).toContain('only-in-member');
  });

  it('caches one session per (account, region) and assumes the role once per target', async () => {
    provider = await openSessionProvider({ region: TEST_REGION, endpointUrl: motoEndpoint, assumeRole: 'split-role-access' });
    const a = await provider.forTarget({ account: MEMBER });
    expect(await provider.forTarget({ account: MEMBER, region: TEST_REGION })).toBe(a);
    const west = await a.inRegion('eu-west-1');
    expect(west).not.toBe(a);
    expect(west.region).toBe('eu-west-1');
    expect(west.account).toBe(MEMBER);
    expect(await provider.forTarget({})).toBe(provider.home);
    expect(await a.sts()).toBe(await a.sts());
    await account(provider, { account: MEMBER });
    await account(provider, { account: MEMBER });
    expect(provider.calls.commands.get('AssumeRoleCommand')).toBe(1);
  });

  it('uses the caller’s own credentials for the caller’s account, role or not', async () => {
    provider = await openSessionProvider({ region: TEST_REGION, endpointUrl: proxy.endpoint });
    expect(await account(provider, { account: MOTO_ACCOUNT })).toMatch(new RegExp(`::${MOTO_ACCOUNT}:user/`));
    expect(proxy.operations).not.toContain('AssumeRole');
  });

  it('refuses another account without --assume-role before calling it', async () => {
    provider = await openSessionProvider({ region: TEST_REGION, endpointUrl: proxy.endpoint });
    const error = await provider.forTarget({ account: MEMBER }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SplitRoleError);
    expect((error as SplitRoleError).oneLine()).toMatch(/account 111111111111 is not the caller's .*--assume-role/);
    expect(proxy.operations).toEqual(['GetCallerIdentity']);
  });

  it('names the role and the reason when the account refuses the role', async () => {
    proxy.setRule((req) =>
      req.operation === 'AssumeRole'
        ? queryError(403, 'AccessDenied', `User: arn:aws:iam::${MOTO_ACCOUNT}:user/moto is not authorized to perform: sts:AssumeRole`)
        : undefined,
    );
    provider = await openSessionProvider({ region: TEST_REGION, endpointUrl: proxy.endpoint, assumeRole: 'split-role-access' });
    const member = await provider.forTarget({ account: MEMBER });
    const error = await (await member.iam()).send(new ListRolesCommand({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SplitRoleError);
    expect((error as SplitRoleError).code).toBe('AssumeRoleFailed');
    expect((error as SplitRoleError).message).toMatch(
      /arn:aws:iam::111111111111:role\/split-role-access: AccessDenied: User: .* not authorized/,
    );
  });

  it('rejects a bad role name, external id without a role, and a bad account id before any call', async () => {
    await expect(openSessionProvider({ region: TEST_REGION, assumeRole: 'no spaces' })).rejects.toThrow(/not an IAM role name/);
    await expect(openSessionProvider({ region: TEST_REGION, externalId: 'abc' })).rejects.toThrow(/--external-id needs --assume-role/);
    provider = await openSessionProvider({ region: TEST_REGION, endpointUrl: proxy.endpoint, assumeRole: 'r' });
    await expect(provider.forTarget({ account: '12' })).rejects.toThrow(/not a 12-digit AWS account id/);
    expect(proxy.operations.filter((op) => op !== 'GetCallerIdentity')).toEqual([]);
  });

  it('honours AWS_ENDPOINT_URL for assumed sessions too, unless --endpoint-url overrides it', async () => {
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    try {
      provider = await openSessionProvider({ region: TEST_REGION, assumeRole: 'split-role-access' });
      expect(await account(provider, { account: MEMBER })).toMatch(/assumed-role\/split-role-access\/split-role$/);
      expect(proxy.operations).toEqual(['GetCallerIdentity', 'AssumeRole', 'GetCallerIdentity']);
      provider.destroy();
      proxy.clear();
      provider = await openSessionProvider({ region: TEST_REGION, endpointUrl: motoEndpoint, assumeRole: 'split-role-access' });
      expect(await account(provider, { account: MEMBER })).toMatch(/split-role$/);
      expect(proxy.operations).toEqual([]);
    } finally {
      delete process.env.AWS_ENDPOINT_URL;
    }
  });

  it('reads the enabled regions once per account and run, and SPLIT_ROLE_ENABLED_REGIONS stands in for DescribeRegions', async () => {
    provider = await openSessionProvider({ region: TEST_REGION, endpointUrl: proxy.endpoint }, {});
    const first = await provider.home.enabledRegions();
    expect(first).toContain(TEST_REGION);
    expect(first).toContain('eu-west-1');
    // moto lists ap-east-1 as opt-in and not opted into.
    expect(first).not.toContain('ap-east-1');
    expect(await (await provider.forTarget({ region: 'eu-west-1' })).enabledRegions()).toEqual(first);
    expect(proxy.forwarded.filter((f) => f.operation === 'DescribeRegions')).toHaveLength(1);
    provider.destroy();

    proxy.clear();
    provider = await openSessionProvider(
      { region: TEST_REGION, endpointUrl: proxy.endpoint },
      { SPLIT_ROLE_ENABLED_REGIONS: ' eu-west-1, us-east-1,eu-west-1 ' },
    );
    expect(await provider.home.enabledRegions()).toEqual(['eu-west-1', 'us-east-1']);
    expect(await provider.home.accountRegions()).toEqual([
      { name: 'eu-west-1', enabled: true },
      { name: 'us-east-1', enabled: true },
    ]);
    expect(proxy.forwarded.filter((f) => f.operation === 'DescribeRegions')).toHaveLength(0);
  });
});
