/**
 * `split-role scan` end to end: the built CLI and the real SDK against
 * moto_server, with the endpoint passed the way users pass it.
 */
import { CreateRoleCommand, DeleteRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MOTO_ACCOUNT, seedClients, serviceTrust, TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { queryError, startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { resetMoto } from '../support/moto-server.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';

const endpoint = workerMotoEndpoint();

/** The parts of a SARIF log these tests read; loose objects keep every other key, so whole-log comparisons stay whole. */
const SarifLog = z.looseObject({
  version: z.string(),
  runs: z.array(
    z.looseObject({
      tool: z.looseObject({
        driver: z.looseObject({
          rules: z.array(z.looseObject({ id: z.string(), defaultConfiguration: z.looseObject({ level: z.string() }) })),
        }),
      }),
      results: z.array(
        z.looseObject({
          ruleId: z.string(),
          level: z.string(),
          message: z.looseObject({ text: z.string() }),
          partialFingerprints: z.record(z.string(), z.string()),
        }),
      ),
    }),
  ),
});

async function readSarif(file: string): Promise<z.infer<typeof SarifLog>> {
  return SarifLog.parse(JSON.parse(await readFile(file, 'utf8')));
}

interface ScanJson {
  account: string;
  region: string;
  summary: { rolesScanned: number; serviceLinkedExcluded: number; findings: number; compliantPercent: number; rolesInScope: number };
  findings: Array<{
    roleName: string;
    roleArn: string;
    path: string;
    kinds: string[];
    services: string[];
    otherPrincipals: Array<{ principal: string; crossAccount: boolean }>;
  }>;
}

async function createRole(iam: IAMClient, name: string, trust: string, path = '/'): Promise<void> {
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust, Path: path }));
}

/** A small account with one of each interesting shape. */
async function seedAccount(iam: IAMClient): Promise<void> {
  await createRole(iam, 'app-shared', serviceTrust('lambda.amazonaws.com', 'ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'));
  await createRole(iam, 'lambda-only', serviceTrust('lambda.amazonaws.com'));
  await createRole(iam, 'edge-fn', serviceTrust('lambda.amazonaws.com', 'edgelambda.amazonaws.com'));
  await createRole(
    iam,
    'AWSServiceRoleForECS',
    serviceTrust('ecs.amazonaws.com', 'ecs-tasks.amazonaws.com'),
    '/aws-service-role/ecs.amazonaws.com/',
  );
  await createRole(
    iam,
    'batch-and-partner',
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'batch.amazonaws.com' }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: 'sts:AssumeRole' },
      ],
    }),
    '/team/',
  );
  await createRole(
    iam,
    'tag-only',
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com', 'lambda.amazonaws.com'] }, Action: 'sts:TagSession' }],
    }),
  );
}

describe.skipIf(!endpoint)('split-role scan against moto', () => {
  const motoEndpoint = endpoint as string;
  const env = (extra: Record<string, string | undefined> = {}) =>
    isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: motoEndpoint, ...extra });
  let iam: IAMClient;
  let workdir: string;

  beforeAll(async () => {
    iam = seedClients(motoEndpoint).iam;
    workdir = await mkdtemp(join(tmpdir(), 'split-role-scan-'));
  });
  beforeEach(async () => {
    await resetMoto(motoEndpoint);
  });

  it('reports shared roles as JSON and exits 1', async () => {
    await seedAccount(iam);
    const run = await runCli(['scan', '--json'], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as ScanJson;
    expect(report.account).toBe(MOTO_ACCOUNT);
    expect(report.region).toBe(TEST_REGION);
    expect(report.summary).toMatchObject({ rolesScanned: 6, serviceLinkedExcluded: 1, rolesInScope: 5, findings: 2, compliantPercent: 60 });
    const byName = Object.fromEntries(report.findings.map((f) => [f.roleName, f]));
    expect(Object.keys(byName).sort()).toEqual(['app-shared', 'batch-and-partner']);
    expect(byName['app-shared']).toMatchObject({
      roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/app-shared`,
      path: '/',
      kinds: ['multi-service'],
      services: ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com', 'lambda.amazonaws.com'],
      otherPrincipals: [],
    });
    expect(byName['batch-and-partner']).toMatchObject({
      path: '/team/',
      kinds: ['service-and-cross-account'],
      services: ['batch.amazonaws.com'],
      otherPrincipals: [{ principal: 'arn:aws:iam::210987654321:root', crossAccount: true }],
    });
  });

  it('exits 0 with 100% compliance when every role serves one service', async () => {
    await createRole(iam, 'lambda-only', serviceTrust('lambda.amazonaws.com'));
    await createRole(iam, 'ec2-only', serviceTrust('ec2.amazonaws.com'));
    const run = await runCli(['scan', '--json'], env());
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ScanJson;
    expect(report.summary).toMatchObject({ rolesScanned: 2, findings: 0, compliantPercent: 100 });
    expect(report.findings).toEqual([]);
  });

  it('prints a table and a summary line by default', async () => {
    await seedAccount(iam);
    const run = await runCli(['scan'], env());
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ROLE\s+SERVICES\s+OTHER PRINCIPALS\s+FINDING$/);
    expect(run.stdout).toMatch(/app-shared\s+ec2\.amazonaws\.com, ecs-tasks\.amazonaws\.com, lambda\.amazonaws\.com\s+-\s+multi-service/);
    expect(lines.at(-1)).toBe(
      `Scanned 6 roles in ${MOTO_ACCOUNT} (${TEST_REGION}): 2 shared roles, 1 service-linked excluded. ` +
        'Single-service compliance: 60% (3 of 5 in-scope roles).',
    );
  });

  it('pages through more roles than fit in one ListRoles page', async () => {
    const names = Array.from({ length: 1105 }, (_, i) => `role-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(
        names
          .slice(i, i + 50)
          .map((name, j) =>
            createRole(
              iam,
              name,
              (i + j) % 100 === 0 ? serviceTrust('ec2.amazonaws.com', 'glue.amazonaws.com') : serviceTrust('ec2.amazonaws.com'),
            ),
          ),
      );
    }
    const proxy = await startFaultProxy(motoEndpoint);
    try {
      const run = await runCli(['scan', '--json'], env({ AWS_ENDPOINT_URL: proxy.endpoint }));
      const report = JSON.parse(run.stdout) as ScanJson;
      expect(report.summary.rolesScanned).toBe(1105);
      expect(report.summary.findings).toBe(12);
      expect(proxy.operations.filter((op) => op === 'ListRoles')).toHaveLength(2);
      expect(proxy.operations).not.toContain('GetRole');
    } finally {
      await proxy.close();
    }
  });

  it('checks only the roles named with --role', async () => {
    await seedAccount(iam);
    const run = await runCli(['scan', '--json', '--role', 'lambda-only', '--role', 'app-shared'], env());
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as ScanJson;
    expect(report.summary.rolesScanned).toBe(2);
    expect(report.findings.map((f) => f.roleName)).toEqual(['app-shared']);

    const clean = await runCli(['scan', '--json', '--role', 'lambda-only'], env());
    expect(clean.code).toBe(0);
  });

  it('fails with exit 2 and one line for an unknown --role', async () => {
    await seedAccount(iam);
    const run = await runCli(['scan', '--role', 'no-such-role'], env());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('no-such-role');
  });

  it('writes SARIF 2.1.0 with stable rule ids and fingerprints', async () => {
    await seedAccount(iam);
    const first = join(workdir, 'first.sarif');
    const second = join(workdir, 'second.sarif');
    expect((await runCli(['scan', '--sarif', first], env())).code).toBe(1);
    expect((await runCli(['scan', '--json', '--sarif', second], env())).code).toBe(1);
    const sarif = await readSarif(first);
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run?.tool.driver.rules.map((r) => r.id)).toEqual(['SR001', 'SR002']);
    const results = run?.results ?? [];
    expect(results.map((r) => r.ruleId).sort()).toEqual(['SR001', 'SR002']);
    for (const result of results) expect(result.partialFingerprints['splitRoleFinding/v1']).toMatch(/^[0-9a-f]{64}$/);
    const again = await readSarif(second);
    expect(again.runs[0]?.results).toEqual(run?.results);
  });

  it('--require-tags: rule SR003 reports roles without the tags, with its own SARIF rule; off by default', async () => {
    const tags = (owner?: string) => [
      ...(owner === undefined ? [] : [{ Key: 'owner', Value: owner }]),
      { Key: 'application', Value: 'orders' },
    ];
    await iam.send(
      new CreateRoleCommand({ RoleName: 'owned', AssumeRolePolicyDocument: serviceTrust('lambda.amazonaws.com'), Tags: tags('team-a') }),
    );
    await iam.send(
      new CreateRoleCommand({ RoleName: 'orphan', AssumeRolePolicyDocument: serviceTrust('lambda.amazonaws.com'), Tags: tags() }),
    );
    await iam.send(
      new CreateRoleCommand({ RoleName: 'blank-owner', AssumeRolePolicyDocument: serviceTrust('ec2.amazonaws.com'), Tags: tags('') }),
    );
    expect((await runCli(['scan', '--json'], env())).code).toBe(0);
    const sarifFile = join(workdir, 'tags.sarif');
    const run = await runCli(['scan', '--json', '--require-tags', 'owner,application', '--sarif', sarifFile], env());
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as { findings: Array<{ roleName: string; kinds: string[]; notes: string[] }> };
    expect(report.findings.map((f) => [f.roleName, f.kinds, f.notes])).toEqual([
      ['blank-owner', ['missing-ownership-tags'], ['SR003: missing tags: owner']],
      ['orphan', ['missing-ownership-tags'], ['SR003: missing tags: owner']],
    ]);
    const sarif = await readSarif(sarifFile);
    expect(sarif.runs[0]?.tool.driver.rules.map((r) => [r.id, r.defaultConfiguration.level])).toEqual([
      ['SR001', 'error'],
      ['SR002', 'error'],
      ['SR003', 'warning'],
    ]);
    expect(sarif.runs[0]?.results.map((r) => [r.ruleId, r.level, r.message.text])).toEqual([
      ['SR003', 'warning', 'Role blank-owner can be assumed by ec2.amazonaws.com. missing tags: owner.'],
      ['SR003', 'warning', 'Role orphan can be assumed by lambda.amazonaws.com. missing tags: owner.'],
    ]);
    expect((await runCli(['scan', '--require-tags', 'owner,,x'], env())).stderr).toMatch(
      /UsageError: --require-tags "owner,,x" has an empty tag key/,
    );
  });

  it('--history appends one line per run; report follows the finding from opened to closed', async () => {
    const history = join(workdir, 'kpi.jsonl');
    await createRole(iam, 'app-shared', serviceTrust('lambda.amazonaws.com', 'ec2.amazonaws.com'));
    await createRole(iam, 'lambda-only', serviceTrust('lambda.amazonaws.com'));
    expect((await runCli(['scan', '--history', history], env())).code).toBe(1);
    await iam.send(new DeleteRoleCommand({ RoleName: 'app-shared' }));
    expect((await runCli(['scan', '--history', history], env())).code).toBe(0);
    const lines = (await readFile(history, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    const report = await runCli(['report', history, '--json'], env());
    expect(report.code, report.stderr).toBe(0);
    const [account] = (
      JSON.parse(report.stdout) as {
        accounts: Array<{
          account: string;
          runs: Array<{ compliantPercent: number; opened: number; closed: number }>;
          open: number;
          closed: number;
        }>;
      }
    ).accounts;
    expect(account?.account).toBe(MOTO_ACCOUNT);
    expect(account?.runs.map((r) => [r.compliantPercent, r.opened, r.closed])).toEqual([
      [50, 1, 0],
      [100, 0, 1],
    ]);
    expect([account?.open, account?.closed]).toEqual([0, 1]);
    const text = await runCli(['report', history], env());
    expect(text.stdout).toMatch(/% compliant {2}▅█ {2}50% → 100%/);
    await writeFile(history, 'garbage\n', { flag: 'a' });
    const bad = await runCli(['report', history], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/InvalidHistory: .*kpi\.jsonl: line 3 is not JSON/);
  });

  it('honours AWS_ENDPOINT_URL_<SERVICE> and lets --endpoint-url override the environment', async () => {
    await seedAccount(iam);
    const perService = await runCli(
      ['scan', '--json'],
      env({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_IAM: motoEndpoint, AWS_ENDPOINT_URL_STS: motoEndpoint }),
    );
    expect(perService.code).toBe(1);
    expect((JSON.parse(perService.stdout) as ScanJson).summary.findings).toBe(2);

    const flag = await runCli(['--endpoint-url', motoEndpoint, 'scan', '--json'], env({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }));
    expect(flag.code).toBe(1);
  });

  it('takes the region from the profile when neither flag nor environment sets one', async () => {
    await seedAccount(iam);
    const config = join(workdir, 'config');
    const credentials = join(workdir, 'credentials');
    await writeFile(config, '[profile audit]\nregion = eu-west-3\n');
    await writeFile(credentials, '[audit]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
    const profileEnv = env({
      AWS_REGION: undefined,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
    });
    const run = await runCli(['--profile', 'audit', 'scan', '--json'], profileEnv);
    expect(run.stderr).toBe('');
    expect((JSON.parse(run.stdout) as ScanJson).region).toBe('eu-west-3');

    const viaEnv = await runCli(['scan', '--json'], { ...profileEnv, AWS_PROFILE: 'audit', AWS_DEFAULT_REGION: 'ap-south-1' });
    expect((JSON.parse(viaEnv.stdout) as ScanJson).region).toBe('ap-south-1');
  });

  it.each([
    ['no region', { AWS_REGION: undefined }, /^split-role: NoRegion: .*--region/],
    ['no credentials', { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }, /^split-role: NoCredentials: /],
    ['a usage error', {}, /unknown option '--bogus'/],
  ])('exits 2 with one clear line for %s', async (name, extra, message) => {
    const args = name === 'a usage error' ? ['scan', '--bogus'] : ['scan'];
    const run = await runCli(args, env(extra));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  describe('AWS errors through a fault proxy', () => {
    let proxy: FaultProxy;
    beforeAll(async () => {
      proxy = await startFaultProxy(motoEndpoint);
    });
    afterAll(async () => {
      await proxy.close();
    });

    it('names the missing permission on AccessDenied, with no stack trace', async () => {
      proxy.setRule((req) =>
        req.operation === 'ListRoles'
          ? queryError(403, 'AccessDenied', 'User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: iam:ListRoles')
          : undefined,
      );
      const run = await runCli(['scan'], env({ AWS_ENDPOINT_URL: proxy.endpoint }));
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^split-role: AccessDenied: .*iam:ListRoles.* — grant iam:ListRoles to the caller/),
      ]);

      const debug = await runCli(['--debug', 'scan'], env({ AWS_ENDPOINT_URL: proxy.endpoint }));
      expect(debug.stderr).toMatch(/\n\s+at /);
    });

    it('gives up on throttling that outlasts the retries, naming the code', async () => {
      proxy.setRule((req) => (req.operation === 'ListRoles' ? queryError(400, 'Throttling', 'Rate exceeded') : undefined));
      const before = proxy.operations.length;
      const run = await runCli(['scan'], env({ AWS_ENDPOINT_URL: proxy.endpoint, AWS_MAX_ATTEMPTS: '2' }));
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^split-role: Throttling: AWS kept throttling \(iam:ListRoles\) after 2 attempts/);
      expect(proxy.operations.slice(before).filter((op) => op === 'ListRoles')).toHaveLength(2);
    });

    it('retries a transient throttle and succeeds', async () => {
      let throttled = 0;
      proxy.setRule((req) => {
        if (req.operation !== 'ListRoles' || throttled >= 1) return undefined;
        throttled += 1;
        return queryError(400, 'Throttling', 'Rate exceeded');
      });
      await seedAccount(iam);
      const run = await runCli(['scan', '--json'], env({ AWS_ENDPOINT_URL: proxy.endpoint }));
      expect(run.code).toBe(1);
      expect(throttled).toBe(1);
      expect((JSON.parse(run.stdout) as ScanJson).summary.findings).toBe(2);
    });

    it('sends a split-role user agent', async () => {
      const agents: string[] = [];
      proxy.setRule((req) => {
        agents.push(String(req.headers['user-agent'] ?? ''));
        return undefined;
      });
      await runCli(['scan', '--json'], env({ AWS_ENDPOINT_URL: proxy.endpoint }));
      expect(agents.length).toBeGreaterThan(0);
      for (const agent of agents) expect(agent).toMatch(/split-role\/\d+\.\d+\.\d+/);
    });
  });
});
