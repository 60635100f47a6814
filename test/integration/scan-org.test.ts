/**
 * `split-role scan --org` / `--accounts` end to end on moto: Organizations
 * lists the accounts, each member is reached by assuming the access role
 * (moto switches accounts on a cross-account AssumeRole), and an account
 * without the role is reported unreachable while the others are scanned.
 * moto's AssumeRole does not check that the role exists (its docs say so), so
 * the proxy answers for the role-less account as AWS does: AccessDenied.
 */
import { CloseAccountCommand, CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MOTO_ACCOUNT, seedClients, serviceTrust, TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { queryError, startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { resetMoto } from '../support/moto-server.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';

const endpoint = workerMotoEndpoint();
const ACCESS_ROLE = 'split-role-access';

interface OrgJson {
  accounts: Array<{
    account: string;
    name?: string;
    status: string;
    reason?: string;
    summary: { findings: number; rolesInScope: number } | null;
    findings: Array<{ roleName: string }>;
  }>;
  summary: { accounts: number; scanned: number; unreachable: number; findings: number; compliantPercent: number; rolesInScope: number };
}

describe.skipIf(!endpoint)('split-role scan --org against moto', () => {
  const motoEndpoint = endpoint as string;
  let proxy: FaultProxy;
  let workdir: string;
  let members: { shared: string; clean: string; noRole: string; closed: string };
  const env = () => isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: proxy.endpoint });

  /** IAM in `account`, through an assumed session as a member account's own admin would have. */
  async function iamIn(account: string): Promise<IAMClient> {
    const { sts } = seedClients(motoEndpoint);
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`, RoleSessionName: 'seed' }),
    );
    const c = out.Credentials;
    return new IAMClient({
      endpoint: motoEndpoint,
      region: TEST_REGION,
      credentials: { accessKeyId: c?.AccessKeyId ?? '', secretAccessKey: c?.SecretAccessKey ?? '', sessionToken: c?.SessionToken ?? '' },
    });
  }

  beforeAll(async () => {
    proxy = await startFaultProxy(motoEndpoint);
    workdir = await mkdtemp(join(tmpdir(), 'split-role-org-'));
  });
  afterAll(() => proxy.close());
  beforeEach(async () => {
    await resetMoto(motoEndpoint);
    proxy.clear();
    const org = new OrganizationsClient({ endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const create = async (name: string) =>
      (await org.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }))).CreateAccountStatus
        ?.AccountId as string;
    members = {
      shared: await create('shared'),
      clean: await create('clean'),
      noRole: await create('no-role'),
      closed: await create('closed'),
    };
    await org.send(new CloseAccountCommand({ AccountId: members.closed }));
    org.destroy();

    const home = seedClients(motoEndpoint).iam;
    await home.send(
      new CreateRoleCommand({
        RoleName: 'mgmt-shared',
        AssumeRolePolicyDocument: serviceTrust('ec2.amazonaws.com', 'lambda.amazonaws.com'),
      }),
    );
    for (const account of [members.shared, members.clean]) {
      const iam = await iamIn(account);
      await iam.send(
        new CreateRoleCommand({
          RoleName: ACCESS_ROLE,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
          }),
        }),
      );
      await iam.send(new CreateRoleCommand({ RoleName: 'lambda-only', AssumeRolePolicyDocument: serviceTrust('lambda.amazonaws.com') }));
      if (account === members.shared) {
        await iam.send(
          new CreateRoleCommand({
            RoleName: 'app-shared',
            AssumeRolePolicyDocument: serviceTrust('ecs-tasks.amazonaws.com', 'ec2.amazonaws.com'),
          }),
        );
      }
      iam.destroy();
    }
    // The role-less account refuses the assume, as AWS would.
    proxy.setRule((req) =>
      req.operation === 'AssumeRole' && decodeURIComponent(req.body).includes(`:iam::${members.noRole}:role/`)
        ? queryError(
            403,
            'AccessDenied',
            `User: arn:aws:iam::${MOTO_ACCOUNT}:user/moto is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${members.noRole}:role/${ACCESS_ROLE}`,
          )
        : undefined,
    );
  });

  it('scans every ACTIVE account, reports the role-less one unreachable, and exits 1 on findings when --allow-unreachable covers it', async () => {
    const sarif = join(workdir, 'org.sarif');
    const run = await runCli(
      ['scan', '--org', '--assume-role', ACCESS_ROLE, '--json', '--sarif', sarif, '--concurrency', '2', '--allow-unreachable', '1'],
      env(),
    );
    expect(run.code, run.stderr).toBe(1);
    const out = JSON.parse(run.stdout) as OrgJson;
    const byId = new Map(out.accounts.map((a) => [a.account, a]));
    expect([...byId.keys()].sort()).toEqual([MOTO_ACCOUNT, members.shared, members.clean, members.noRole].sort());
    expect(byId.has(members.closed)).toBe(false);
    expect(byId.get(MOTO_ACCOUNT)?.findings.map((f) => f.roleName)).toEqual(['mgmt-shared']);
    expect(byId.get(members.shared)?.findings.map((f) => f.roleName)).toEqual(['app-shared']);
    expect(byId.get(members.clean)?.findings).toEqual([]);
    const unreachable = byId.get(members.noRole);
    expect(unreachable?.status).toBe('unreachable');
    expect(unreachable?.reason).toMatch(
      new RegExp(`AssumeRoleFailed: cannot assume arn:aws:iam::${members.noRole}:role/${ACCESS_ROLE}: AccessDenied`),
    );
    expect(unreachable?.summary).toBeNull();
    expect(out.summary).toMatchObject({ accounts: 4, scanned: 3, unreachable: 1, findings: 2 });
    // Compliance over reachable accounts only: in scope are mgmt-shared, app-shared, lambda-only ×2 (the access roles trust no service).
    const inScope = out.accounts.reduce((n, a) => n + (a.summary?.rolesInScope ?? 0), 0);
    expect(out.summary.rolesInScope).toBe(inScope);
    expect(out.summary.compliantPercent).toBe(Math.floor(((inScope - 2) / inScope) * 1000) / 10);
    expect(run.stderr).toMatch(new RegExp(`warning: account ${members.noRole} unreachable`));

    const log = JSON.parse(await readFile(sarif, 'utf8')) as {
      runs: Array<{
        invocations: Array<{
          executionSuccessful: boolean;
          toolExecutionNotifications: Array<{ level: string; message: { text: string } }>;
        }>;
        results: Array<{
          properties?: { account?: string };
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>;
        }>;
      }>;
    };
    // Allowed or not, the unread account is in the log: the run was not complete.
    expect(log.runs[0]?.invocations[0]?.executionSuccessful).toBe(false);
    expect(log.runs[0]?.invocations[0]?.toolExecutionNotifications).toEqual([
      {
        level: 'error',
        message: { text: expect.stringMatching(new RegExp(`^account ${members.noRole} \\(no-role\\) was not scanned: AssumeRoleFailed`)) },
      },
    ]);
    const results = log.runs[0]?.results ?? [];
    expect(results.map((r) => r.properties?.account).sort()).toEqual([MOTO_ACCOUNT, members.shared].sort());
    for (const r of results) expect(r.locations[0]?.physicalLocation.artifactLocation.uri).toContain(`:${r.properties?.account}:`);
  });

  it('an account that refuses the role makes the exit code 3, findings or not, unless --allow-unreachable covers it', async () => {
    const sarif = join(workdir, 'unread.sarif');
    const both = await runCli(
      ['scan', '--accounts', `${members.shared},${members.noRole}`, '--assume-role', ACCESS_ROLE, '--sarif', sarif],
      env(),
    );
    expect(both.code, both.stderr).toBe(3);
    expect(both.stderr).toMatch(/1 of 2 accounts unread \(0 allowed\): exit 3/);
    const log = JSON.parse(await readFile(sarif, 'utf8')) as {
      runs: Array<{ invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: unknown[] }> }>;
    };
    expect(log.runs[0]?.invocations[0]).toMatchObject({ executionSuccessful: false, toolExecutionNotifications: [{ level: 'error' }] });
    expect(
      (
        await runCli(
          ['scan', '--accounts', `${members.shared},${members.noRole}`, '--assume-role', ACCESS_ROLE, '--allow-unreachable', '1'],
          env(),
        )
      ).code,
    ).toBe(1);
    const bad = await runCli(['scan', '--accounts', members.shared, '--allow-unreachable', '-1'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/UsageError: --allow-unreachable must be a whole number/);
  });

  it('an account throttled past retries is unread too: exit 3', async () => {
    proxy.setRule((req) =>
      req.operation === 'AssumeRole' && decodeURIComponent(req.body).includes(`:iam::${members.clean}:role/`)
        ? queryError(400, 'Throttling', 'Rate exceeded')
        : undefined,
    );
    const run = await runCli(['scan', '--accounts', `${members.shared},${members.clean}`, '--assume-role', ACCESS_ROLE, '--json'], env());
    expect(run.code, run.stderr).toBe(3);
    const out = JSON.parse(run.stdout) as OrgJson;
    expect(out.accounts.find((a) => a.account === members.clean)).toMatchObject({
      status: 'unreachable',
      reason: expect.stringMatching(/Throttl/),
    });
  });

  it('groups text output by account and names the unreachable one', async () => {
    const run = await runCli(
      ['scan', '--accounts', `${members.clean},${members.noRole}`, '--assume-role', ACCESS_ROLE, '--allow-unreachable', '1'],
      env(),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`== Account ${members.clean}\\nNo shared roles found\\.`));
    expect(run.stdout).toMatch(new RegExp(`== Account ${members.noRole}: unreachable — AssumeRoleFailed`));
    expect(run.stdout).toMatch(/Organization: 1 of 2 accounts scanned \(1 unreachable\)/);
  });

  it('exits 2 when no account could be scanned, and refuses bad flags before any call', async () => {
    const none = await runCli(['scan', '--accounts', members.noRole, '--assume-role', ACCESS_ROLE], env());
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/NoAccountScanned: none of the 1 accounts could be scanned/);

    proxy.clear();
    for (const args of [
      ['scan', '--accounts', '12345'],
      ['scan', '--org', '--accounts', members.clean],
      ['scan', '--org', '--concurrency', '0'],
      ['scan', '--concurrency', '4'],
      ['scan', '--org', '--external-id', 'abc'],
    ]) {
      const run = await runCli(args, env());
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/UsageError/);
    }
    expect(proxy.operations).toEqual([]);
  });

  it('assumes the role with the --profile credentials, not the default chain', async () => {
    const credentials = join(workdir, 'credentials');
    await writeFile(credentials, '[caller]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
    const run = await runCli(
      ['scan', '--accounts', members.shared, '--assume-role', ACCESS_ROLE, '--profile', 'caller', '--json'],
      isolatedAwsEnv({
        AWS_REGION: TEST_REGION,
        AWS_ENDPOINT_URL: proxy.endpoint,
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SHARED_CREDENTIALS_FILE: credentials,
      }),
    );
    expect(run.code, run.stderr).toBe(1);
    expect((JSON.parse(run.stdout) as OrgJson).accounts[0]?.status).toBe('scanned');
  });

  it('without --assume-role, other accounts are unreachable with the hint and the caller’s own is scanned', async () => {
    const run = await runCli(['scan', '--accounts', `${MOTO_ACCOUNT},${members.clean}`, '--json'], env());
    expect(run.code, run.stderr).toBe(3);
    const out = JSON.parse(run.stdout) as OrgJson;
    expect(out.accounts.find((a) => a.account === members.clean)?.reason).toMatch(/no role to reach it was given — pass --assume-role/);
    expect(out.accounts.find((a) => a.account === MOTO_ACCOUNT)?.status).toBe('scanned');
  });
});
