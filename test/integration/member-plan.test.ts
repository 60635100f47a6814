/**
 * Member-account plans end to end on moto: the orders scenario lives in a
 * member account, the caller sits in the management account. `plan --account
 * --assume-role` plans there from an organization trail's files (other
 * accounts' folders never read), and apply, status and rollback reach the
 * member through the role the plan names. Without a way in, exit 2 before any
 * change.
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/schema.js';
import { captureAccountState, fullySplitProblems, planResources } from '../support/account-state.js';
import { MOTO_ACCOUNT, seedClients, TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { queryError, startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { resetMoto } from '../support/moto-server.js';
import { scenarioRecords, seedOrdersScenario, type OrdersScenario } from '../support/scenario.js';
import { writeTrailFiles } from '../support/trail-files.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { applyThroughRetire } from '../support/retire.js';

const endpoint = workerMotoEndpoint();
const MEMBER = '222222222222';
const NEIGHBOUR = '333333333333';
const ORG = 'o-abcde12345';
const ACCESS = 'split-role-access';

describe.skipIf(!endpoint)('member-account plans (moto)', () => {
  const motoEndpoint = endpoint as string;
  let proxy: FaultProxy;
  let workdir: string;
  let scenario: OrdersScenario;
  let memberCredentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  let trailRoot: string;
  const env = () => isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: proxy.endpoint, SPLIT_ROLE_FAST_WAITS: '1' });

  beforeAll(async () => {
    proxy = await startFaultProxy(motoEndpoint);
    workdir = await mkdtemp(join(tmpdir(), 'split-role-member-'));
  });
  afterAll(() => proxy.close());

  beforeEach(async () => {
    await resetMoto(motoEndpoint);
    proxy.setRule(undefined);
    proxy.clear();
    const out = await seedClients(motoEndpoint).sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/${ACCESS}`, RoleSessionName: 'seed' }),
    );
    const c = out.Credentials;
    memberCredentials = {
      accessKeyId: c?.AccessKeyId ?? '',
      secretAccessKey: c?.SecretAccessKey ?? '',
      sessionToken: c?.SessionToken ?? '',
    };
    scenario = await seedOrdersScenario(motoEndpoint, { member: { account: MEMBER, credentials: memberCredentials } });

    // An organization trail: AWSLogs/o-…/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/.
    trailRoot = await mkdtemp(join(workdir, 'org-trail-'));
    const flat = await mkdtemp(join(workdir, 'flat-'));
    await writeTrailFiles(flat, scenarioRecords(scenario), scenario);
    await mkdir(join(trailRoot, 'AWSLogs', ORG), { recursive: true });
    await rename(join(flat, 'AWSLogs', MEMBER), join(trailRoot, 'AWSLogs', ORG, MEMBER));
    // A neighbour's folder that must never be opened: a corrupt file there would show up as a warning.
    const neighbour = join(trailRoot, 'AWSLogs', ORG, NEIGHBOUR, 'CloudTrail', TEST_REGION, '2026', '11', '29');
    await mkdir(neighbour, { recursive: true });
    await writeFile(join(neighbour, `${NEIGHBOUR}_CloudTrail_${TEST_REGION}_20261129T0000Z_x.json.gz`), gzipSync('not json'));
  });

  async function plan(extra: string[] = []): Promise<{ path: string; plan: Plan }> {
    const path = join(await mkdtemp(join(workdir, 'plan-')), 'orders.plan.json');
    const run = await runCli(
      [
        'plan',
        '--account',
        MEMBER,
        '--assume-role',
        ACCESS,
        '--role',
        'orders',
        '--yes',
        '--out',
        path,
        '--evidence',
        'logs',
        '--cloudtrail-logs',
        trailRoot,
        '--unobservable',
        'drop',
        ...extra,
      ],
      env(),
    );
    expect(run.code, run.stderr).toBe(0);
    return { path, plan: JSON.parse(await readFile(path, 'utf8')) as Plan };
  }

  it('plans in the member account from its own trail folder, then applies, reports and rolls back through the same role', async () => {
    const { path, plan: made } = await plan();
    expect(made.account).toBe(MEMBER);
    expect(made.access).toEqual({ roleName: ACCESS });
    expect(made.sharedRole.arn).toBe(`arn:aws:iam::${MEMBER}:role/orders`);
    expect(made.evidence.warnings.join('\n')).not.toMatch(/corrupt/);
    expect(made.evidence.recordsRead).toBe(scenarioRecords(scenario).length);
    expect(made.newRoles.length).toBeGreaterThanOrEqual(3);

    const before = await captureAccountState(motoEndpoint);
    proxy.clear();
    const apply = await applyThroughRetire((args) => runCli(args, env()), path);
    expect(apply.code, apply.stderr).toBe(0);
    expect(proxy.operations).toContain('AssumeRole');
    const member = await captureAccountState(motoEndpoint, memberCredentials);
    expect(fullySplitProblems(member, 'orders')).toEqual([]);
    expect(planResources(member, made.planId).length).toBeGreaterThan(0);
    // The caller's own account is untouched.
    expect(await captureAccountState(motoEndpoint)).toEqual(before);

    const status = await runCli(['status', path, '--json'], env());
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { lastRun?: { command: string } }).lastRun?.command).toBe('apply');

    const rollback = await runCli(['rollback', path, '--yes'], env());
    expect(rollback.code, rollback.stderr).toBe(0);
    const after = await captureAccountState(motoEndpoint, memberCredentials);
    expect(planResources(after, made.planId)).toEqual([]);
    expect(after.roles.map((r) => r.name)).toContain('orders');
  });

  it('--account without a way in exits 2 before any call to the member', async () => {
    const run = await runCli(
      ['plan', '--account', MEMBER, '--role', 'orders', '--yes', '--evidence', 'logs', '--cloudtrail-logs', trailRoot],
      env(),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/UsageError: account 222222222222 is not the caller's \(123456789012\) and no role to reach it was given/);
    expect(proxy.operations).toEqual(['GetCallerIdentity']);

    const bad = await runCli(['plan', '--account', '22', '--assume-role', ACCESS, '--role', 'orders', '--yes'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a 12-digit AWS account id/);
  });

  it('apply of a member plan whose role is refused exits 2 with no mutating call', async () => {
    const { path } = await plan();
    proxy.clear();
    proxy.setRule((req) =>
      req.operation === 'AssumeRole'
        ? queryError(403, 'AccessDenied', `User: arn:aws:iam::${MOTO_ACCOUNT}:user/moto is not authorized to perform: sts:AssumeRole`)
        : undefined,
    );
    const run = await runCli(['apply', path, '--yes'], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/AssumeRoleFailed: cannot assume arn:aws:iam::222222222222:role\/split-role-access/);
    expect(proxy.mutatingOperations).toEqual([]);
  });
});
