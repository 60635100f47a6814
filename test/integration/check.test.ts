/**
 * `split-role check` and `split-role export` end to end: the built CLI on the
 * IaC fixtures and on exported code. Needs no AWS and no moto_server.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCfnYaml } from '../../src/iac/cfn-yaml.js';
import { samplePlan } from '../unit/fixtures/plan-fixtures.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';

const TREE = 'test/fixtures/iac';

interface CheckJson {
  paths: string[];
  summary: Record<string, number>;
  findings: Array<{
    file: string;
    line?: number;
    resource: string;
    roleName: string;
    services: string[];
    kinds: string[];
    unresolved: string[];
    notes: string[];
  }>;
  suppressed: Array<{ resource: string; reason: string }>;
  unresolved: Array<{ resource: string; unresolved: string[] }>;
  unreadable: Array<{ file: string; resource?: string; reason: string }>;
}

interface Sarif {
  version: string;
  runs: Array<{
    tool: { driver: { rules: Array<{ id: string }> } };
    invocations: Array<{
      executionSuccessful: boolean;
      toolExecutionNotifications: Array<{
        message: { text: string };
        locations?: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>;
      }>;
    }>;
    results: Array<{
      ruleId: string;
      locations: Array<{
        physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } };
        logicalLocations: Array<{ name: string }>;
      }>;
      partialFingerprints: Record<string, string>;
    }>;
  }>;
}

const env = () => isolatedAwsEnv();
const lineOf = async (file: string, needle: string) => (await readFile(file, 'utf8')).split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('split-role check', () => {
  let workdir: string;
  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'split-role-check-'));
  });

  it('--json: one document with findings, suppressions, unresolved values and unreadable files; exit 2 for the unreadable ones', async () => {
    const run = await runCli(['check', TREE, '--json'], env());
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/4 unreadable entries: exit 2 \(pass --allow-unreadable to judge on findings alone\)/);
    const report = JSON.parse(run.stdout) as CheckJson;
    expect(report.paths).toEqual([TREE]);
    expect(report.summary).toMatchObject({
      filesChecked: 7,
      filesSkipped: 3,
      filesUnreadable: 3,
      rolesChecked: 25,
      findings: 11,
      suppressed: 3,
      unresolved: 5,
    });
    const shared = report.findings.find((f) => f.resource === 'OrdersSharedRole')!;
    expect(shared).toMatchObject({
      file: `${TREE}/cloudformation/app.yaml`,
      line: await lineOf(`${TREE}/cloudformation/app.yaml`, '  OrdersSharedRole:'),
      services: ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com', 'lambda.amazonaws.com'],
      kinds: ['multi-service'],
    });
    expect(report.findings.map((f) => f.resource)).toContain('module.app.module.workers.aws_iam_role.worker[0]');
    expect(report.suppressed.map((s) => s.resource)).toEqual([
      'LegacyBatchRole',
      'aws_iam_role.ssm_hybrid',
      'module.app.aws_iam_role.allowed',
    ]);
    expect(report.unresolved.find((u) => u.resource === 'PartnerRole')!.unresolved).toEqual([
      'Statement[1].Principal.AWS: {"Ref":"PartnerAccount"}',
    ]);
    expect(report.unreadable.map((u) => u.file)).toEqual([
      `${TREE}/malformed/bad-policy.yaml`,
      `${TREE}/malformed/broken.json`,
      `${TREE}/malformed/broken.tf`,
      `${TREE}/malformed/broken.yaml`,
    ]);
    expect(run.stderr).toMatch(/warning: could not read test\/fixtures\/iac\/malformed\/broken\.yaml: invalid YAML/);
  });

  it('--sarif: rule ids, file and line of each finding, stable fingerprints, no suppressed roles', async () => {
    const first = join(workdir, 'first.sarif');
    const second = join(workdir, 'second.sarif');
    expect((await runCli(['check', TREE, '--sarif', first, '--allow-unreadable'], env())).code).toBe(1);
    expect((await runCli(['check', TREE, '--json', '--sarif', second], env())).code).toBe(2);
    const sarif = JSON.parse(await readFile(first, 'utf8')) as Sarif;
    const invocation = sarif.runs[0]!.invocations[0]!;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications.map((n) => n.locations?.[0]?.physicalLocation.artifactLocation.uri)).toEqual([
      `${TREE}/malformed/bad-policy.yaml`,
      `${TREE}/malformed/broken.json`,
      `${TREE}/malformed/broken.tf`,
      `${TREE}/malformed/broken.yaml`,
    ]);
    expect(invocation.toolExecutionNotifications[3]!.message.text).toMatch(/^could not read .*broken\.yaml: invalid YAML/);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.tool.driver.rules.map((r) => r.id)).toEqual(['SR001', 'SR002']);
    const results = sarif.runs[0]!.results;
    expect(results).toHaveLength(11);
    const at = (name: string) => results.find((r) => r.locations[0]!.logicalLocations[0]!.name === name)!;
    expect(at('OrdersSharedRole').ruleId).toBe('SR001');
    expect(at('OrdersSharedRole').locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: `${TREE}/cloudformation/app.yaml` },
      region: { startLine: await lineOf(`${TREE}/cloudformation/app.yaml`, '  OrdersSharedRole:') },
    });
    expect(at('OpsRole').locations[0]!.physicalLocation.region!.startLine).toBe(
      await lineOf(`${TREE}/cloudformation/network.json`, '"OpsRole"'),
    );
    expect(at('ReportsRole').ruleId).toBe('SR002');
    expect(at('aws_iam_role.orders_shared').locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: `${TREE}/terraform-hcl/orders/iam.tf` },
      region: { startLine: await lineOf(`${TREE}/terraform-hcl/orders/iam.tf`, 'resource "aws_iam_role" "orders_shared"') },
    });
    expect(at('aws_iam_role.plain').locations[0]!.physicalLocation.region!.startLine).toBe(
      await lineOf(`${TREE}/terraform/roles.tf.json`, '"plain"'),
    );
    expect(results.some((r) => r.locations[0]!.logicalLocations[0]!.name === 'LegacyBatchRole')).toBe(false);
    const again = (JSON.parse(await readFile(second, 'utf8')) as Sarif).runs[0]!.results;
    expect(again.map((r) => r.partialFingerprints)).toEqual(results.map((r) => r.partialFingerprints));
    expect(new Set(results.map((r) => r.partialFingerprints['splitRoleFinding/v1'])).size).toBe(11);
  });

  it('text by default: the table, then the sections and the summary; --allow-unreadable leaves exit 1 for findings', async () => {
    const run = await runCli(['check', TREE, '--allow-unreadable'], env());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^LOCATION\s+ROLE\s+SERVICES\s+OTHER PRINCIPALS\s+FINDING$/m);
    expect(run.stdout).toContain('Suppressed with split-role:allow-shared:');
    expect(run.stdout).toContain('Unresolved (analysed as far as the code allows):');
    expect(run.stdout).toContain('Unreadable (skipped):');
    expect(run.stdout).toMatch(/^Checked 25 roles in 7 IaC files, 3 other skipped, 3 unreadable: 11 shared roles, 3 suppressed/m);
  });

  it('exit 0 when nothing is shared; the allow-shared tag is what makes the difference', async () => {
    const dir = await mkdtemp(join(workdir, 'suppress-'));
    const template = (tags: string) =>
      [
        'Resources:',
        '  Hybrid:',
        '    Type: AWS::IAM::Role',
        '    Properties:',
        '      AssumeRolePolicyDocument:',
        '        Statement:',
        '          - { Effect: Allow, Principal: { Service: [ec2.amazonaws.com, ssm.amazonaws.com] }, Action: sts:AssumeRole }',
        tags,
        '',
      ].join('\n');
    await writeFile(join(dir, 'stack.yaml'), template('      Tags: [{ Key: split-role:allow-shared, Value: "hybrid activation" }]'));
    const suppressed = await runCli(['check', dir, '--json'], env());
    expect(suppressed.code).toBe(0);
    expect((JSON.parse(suppressed.stdout) as CheckJson).suppressed).toMatchObject([{ resource: 'Hybrid', reason: 'hybrid activation' }]);
    await writeFile(join(dir, 'stack.yaml'), template('      Tags: [{ Key: team, Value: ops }]'));
    expect((await runCli(['check', dir], env())).code).toBe(1);
    await writeFile(join(dir, 'stack.yaml'), template('      Tags: [{ Key: split-role:allow-shared, Value: "" }]'));
    const empty = await runCli(['check', dir, '--json'], env());
    expect(empty.code).toBe(1);
    expect((JSON.parse(empty.stdout) as CheckJson).findings[0]!.notes).toContain(
      'split-role:allow-shared is set without a reason, so it does not suppress this finding',
    );
  });

  it('--account makes that account’s principals same-account', async () => {
    const run = await runCli(['check', `${TREE}/terraform/plan.json`, '--account', '123456789012', '--json'], env());
    expect((JSON.parse(run.stdout) as CheckJson).findings.map((f) => f.resource)).toEqual(['module.app.aws_iam_role.shared']);
  });

  it('exit 2 for a folder with no IaC file unless --allow-empty, and for a binary or UTF-16 file named explicitly', async () => {
    const dir = await mkdtemp(join(workdir, 'empty-'));
    await writeFile(join(dir, 'package.json'), '{"name": "app"}');
    const empty = await runCli(['check', dir], env());
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(
      /no CloudFormation, CDK, Terraform \(\.tf, \.tf\.json\) or Terraform plan file found in .*empty-.*--allow-empty/,
    );
    expect((await runCli(['check', dir, '--allow-empty'], env())).code).toBe(0);
    await writeFile(join(dir, 'template.bin'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]));
    await writeFile(join(dir, 'utf16.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Resources: {}\n', 'utf16le')]));
    for (const [file, reason] of [
      ['template.bin', 'binary data'],
      ['utf16.yaml', 'UTF-16 text'],
    ]) {
      const run = await runCli(['check', join(dir, file!), '--allow-empty'], env());
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).toContain(reason);
    }
  });

  it('exit 2 for a missing path or a bad --account', async () => {
    const missing = await runCli(['check', `${TREE}/does-not-exist`], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^split-role: UsageError: cannot read .*does-not-exist: ENOENT/m);
    expect((await runCli(['check', TREE, '--account', '12'], env())).code).toBe(2);
    expect((await runCli(['check'], env())).code).toBe(2);
  });
});

describe('split-role export', () => {
  let dir: string;
  let planFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'split-role-export-'));
    planFile = join(dir, 'app-shared.plan.json');
    await writeFile(planFile, `${JSON.stringify(samplePlan(), null, 2)}\n`);
  });

  it('writes Terraform (.tf.json) and a checklist that check reads back clean', async () => {
    const out = join(dir, 'tf');
    const run = await runCli(['export', planFile, '--format', 'terraform', '--syntax', 'json', '--out', out], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^Wrote .*app-shared-split\.tf\.json \(app-shared-ec2, app-shared-lambda\) and .*app-shared-split-checklist\.md/,
    );
    expect(await readFile(join(out, 'app-shared-split-checklist.md'), 'utf8')).toContain('`role = aws_iam_role.app_shared_lambda.arn`');
    const check = await runCli(['check', out, '--json'], env());
    expect(check.code).toBe(0);
    expect((JSON.parse(check.stdout) as CheckJson).summary).toMatchObject({ filesChecked: 1, rolesChecked: 2, findings: 0 });
  });

  it('prints CloudFormation on stdout and the checklist on stderr without --out', async () => {
    const run = await runCli(['export', planFile, '--format', 'cloudformation'], env());
    expect(run.code).toBe(0);
    const template = parseCfnYaml(run.stdout).value as { Resources: Record<string, { Type: string }> };
    expect(Object.values(template.Resources).map((r) => r.Type)).toEqual(['AWS::IAM::Role', 'AWS::IAM::InstanceProfile', 'AWS::IAM::Role']);
    expect(run.stderr).toContain('# Move the workloads off app-shared');
  });

  it('refuses an edited plan, and bad flags, with exit 2', async () => {
    const edited = join(dir, 'edited.plan.json');
    await writeFile(edited, (await readFile(planFile, 'utf8')).replace('"maxSessionDuration": 3600', '"maxSessionDuration": 43200'));
    const refused = await runCli(['export', edited, '--format', 'terraform'], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('PlanDigestMismatch');
    expect((await runCli(['export', planFile], env())).code).toBe(2);
    expect((await runCli(['export', planFile, '--format', 'pulumi'], env())).code).toBe(2);
    expect((await runCli(['export', planFile, '--format', 'cloudformation', '--syntax', 'json'], env())).code).toBe(2);
  });
});
