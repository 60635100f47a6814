/**
 * `rewrite` on Terraform: cutover adds the plan's roles in one new file and
 * changes only the lines that refer to the shared role; retire removes it;
 * every rewritten file parses and `check` reads the result; bad input changes nothing.
 */
import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { errorIs } from '../../src/core/errors.js';
import { rewritePaths } from '../../src/rewrite/run.js';
import type { Plan } from '../../src/plan/schema.js';
import { plannedRole, samplePlan } from './fixtures/plan-fixtures.js';
import { reportsPolicyPlan } from './fixtures/rewrite-plans.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/rewrite/terraform/app', import.meta.url));

const plan = reportsPolicyPlan;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'split-role-rewrite-'));
  await cp(FIXTURE, dir, { recursive: true });
});

const read = (name: string) => readFile(join(dir, name), 'utf8');
const original = (name: string) => readFile(join(FIXTURE, name), 'utf8');

/** The rewrite plan with its shared role recorded at `address` in a Terraform state. */
function stateOwnedPlan(address: string): Plan {
  const base = plan();
  const owner = { tool: 'terraform' as const, address, resourceType: 'aws_iam_role', state: 'terraform.tfstate' };
  return {
    ...base,
    ownership: {
      cloudFormationRegions: [],
      terraformStates: [{ source: 'terraform.tfstate' }],
      resources: [{ kind: 'shared-role', ref: base.sharedRole.arn, name: base.sharedRole.roleName, owner }],
    },
  };
}

/** The 1-based lines that differ between two texts of the same line count. */
function changedLines(before: string, after: string): number[] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b).toHaveLength(a.length);
  return a.flatMap((line, i) => (line === b[i] ? [] : [i + 1]));
}

describe('rewrite --stage cutover (Terraform)', () => {
  it('adds the new roles in one new file and changes only the lines that refer to the shared role', async () => {
    const report = await rewritePaths(plan(), [dir], 'cutover', false, dir);
    expect(report.written).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['main.tf', 'network.tf', 'split-role-app-shared.tf']);
    const before = await original('main.tf');
    const after = await read('main.tf');
    const lineOf = (needle: string) => before.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(changedLines(before, after)).toEqual([
      lineOf('iam_instance_profile = aws_iam_instance_profile.app.name'),
      lineOf('arn = aws_iam_instance_profile.app.arn'),
      lineOf('role          = aws_iam_role.app.arn'),
      lineOf('Principal = { AWS = aws_iam_role.app.arn }'),
    ]);
    expect(after).toContain('  role          = aws_iam_role.app_shared_lambda.arn # the shared role\n');
    expect(after).toContain('  iam_instance_profile = aws_iam_instance_profile.app_shared_ec2.name\n');
    expect(after).toContain('Principal = { AWS = [aws_iam_role.app.arn, aws_iam_role.app_shared_lambda.arn] }');
    // A file with nothing of the role stays byte for byte (non-ASCII text and a $${ escape included).
    expect(await read('network.tf')).toBe(await original('network.tf'));
    const added = await read('split-role-app-shared.tf');
    expect(added).toContain('resource "aws_iam_role" "app_shared_ec2"');
    expect(added).toContain('resource "aws_iam_instance_profile" "app_shared_ec2"');
    expect(added).toContain('resource "aws_iam_role" "app_shared_lambda"');
    expect(report.checked).toEqual([
      'ok: aws_iam_role.app_shared_ec2 is trusted by ec2.amazonaws.com',
      'ok: aws_iam_role.app_shared_lambda is trusted by lambda.amazonaws.com',
      'app-shared is still defined, so rollback is a revert; retire removes it after the deploy, verify and soak',
    ]);
    expect(report.notes).toContain(
      `main.tf:${lineOf('role          = aws_iam_role.app.arn')}: aws_lambda_function.orders role → aws_iam_role.app_shared_lambda`,
    );
  });

  it('--dry-run prints the diff and writes nothing', async () => {
    const report = await rewritePaths(plan(), [dir], 'cutover', true, dir);
    expect(report.written).toBe(false);
    expect((await readdir(dir)).sort()).toEqual(['main.tf', 'network.tf']);
    expect(await read('main.tf')).toBe(await original('main.tf'));
    expect(report.diff).toContain('--- a/main.tf');
    expect(report.diff).toContain('-  role          = aws_iam_role.app.arn # the shared role');
    expect(report.diff).toContain('+  role          = aws_iam_role.app_shared_lambda.arn # the shared role');
    expect(report.diff).toContain('+++ b/split-role-app-shared.tf');
  });
});

describe('rewrite of the other workload kinds’ role attributes (Terraform)', () => {
  it('repoints a pipeline action, an ECS task definition’s two roles and a Firehose destination and backup, keeps the Kinesis source, and leaves an API Gateway integration to a person', async () => {
    const kinds = await mkdtemp(join(tmpdir(), 'split-role-rewrite-kinds-'));
    await cp(fileURLToPath(new URL('../fixtures/rewrite/terraform/kinds', import.meta.url)), kinds, { recursive: true });
    const base = samplePlan();
    const kindsPlan: Plan = {
      ...base,
      newRoles: [
        plannedRole('codepipeline', 'codepipeline.amazonaws.com', 'app-shared-codepipeline'),
        plannedRole('ecs-tasks', 'ecs-tasks.amazonaws.com', 'app-shared-ecs-tasks'),
        plannedRole('firehose', 'firehose.amazonaws.com', 'app-shared-firehose'),
        plannedRole('apigateway', 'apigateway.amazonaws.com', 'app-shared-apigateway'),
      ],
    };
    const report = await rewritePaths(kindsPlan, [kinds], 'cutover', false, kinds);
    const after = await readFile(join(kinds, 'main.tf'), 'utf8');
    expect(after).toContain('  role_arn = aws_iam_role.app_shared_codepipeline.arn\n');
    expect(after).toContain('      role_arn = aws_iam_role.app_shared_codepipeline.arn\n');
    expect(after).toContain('  task_role_arn      = aws_iam_role.app_shared_ecs_tasks.arn\n');
    expect(after).toContain('  execution_role_arn = aws_iam_role.app_shared_ecs_tasks.arn\n');
    expect(after).toContain('    role_arn       = aws_iam_role.app_shared_firehose.arn\n');
    expect(after).toContain('      role_arn   = aws_iam_role.app_shared_firehose.arn\n');
    // The Kinesis source's role is not one the Firehose kind moves, nor is the API's (its stage serves a snapshot).
    expect(after).toContain('    role_arn           = aws_iam_role.app.arn\n');
    expect(after).toContain('  credentials             = aws_iam_role.app.arn\n');
    expect(after.match(/aws_iam_role\.app\.arn/g)).toHaveLength(2);
    expect(report.notes.join('\n')).toMatch(
      /aws_kinesis_firehose_delivery_stream\.clicks kinesis_source_configuration\.role_arn still refers to aws_iam_role\.app; review it/,
    );
    expect(report.notes.join('\n')).toMatch(
      /aws_api_gateway_integration\.get_orders credentials still refers to aws_iam_role\.app: an API Gateway stage serves a deployment's snapshot/,
    );
  });
});

describe('rewrite --stage retire (Terraform)', () => {
  it('removes the shared role, its profile and policy attachment, and its place in resource policies', async () => {
    await rewritePaths(plan(), [dir], 'cutover', false, dir);
    const report = await rewritePaths(plan(), [dir], 'retire', false, dir);
    const after = await read('main.tf');
    expect(after).not.toMatch(/aws_iam_role\.app\b|aws_iam_instance_profile\.app\b|"app_ssm"/);
    expect(after).toContain('Principal = { AWS = [aws_iam_role.app_shared_lambda.arn] }');
    expect(after).toContain('resource "aws_lambda_function" "orders"');
    expect(report.checked).toEqual(['ok: no role named app-shared is left']);
    expect(await read('network.tf')).toBe(await original('network.tf'));
  });

  it('refuses, naming the file and line, while other code still uses the shared role, and writes nothing', async () => {
    await rewritePaths(plan(), [dir], 'cutover', false, dir);
    await writeFile(join(dir, 'outputs.tf'), 'output "role" {\n  value = aws_iam_role.app.arn\n}\n');
    const before = await read('main.tf');
    const error = await rewritePaths(plan(), [dir], 'retire', false, dir).catch((e: unknown) => e);
    expect(errorIs.RewriteRefused(error)).toBe(true);
    expect((error as Error).message).toMatch(/outputs\.tf:2 \(output\.role value\)/);
    expect(await read('main.tf')).toBe(before);
  });

  it('refuses before cutover: the new roles are not in the code yet', async () => {
    const error = await rewritePaths(plan(), [dir], 'retire', false, dir).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /the new roles are not in the code \(aws_iam_role\.app_shared_ec2, aws_iam_role\.app_shared_lambda\)/,
    );
  });
});

describe('rewrite refuses what it cannot place, and changes nothing', () => {
  const refusal = async (edit: (text: string) => string) => {
    await writeFile(join(dir, 'main.tf'), edit(await original('main.tf')));
    const before = await read('main.tf');
    const error = await rewritePaths(plan(), [dir], 'cutover', false, dir).catch((e: unknown) => e);
    expect(errorIs.RewriteRefused(error), String(error)).toBe(true);
    expect(await read('main.tf')).toBe(before);
    expect((await readdir(dir)).sort()).toEqual(['main.tf', 'network.tf']);
    return (error as Error).message;
  };

  it('a shared role made with count', async () => {
    const message = await refusal((t) =>
      t.replace('  name               = "app-shared"\n', '  count              = 1\n  name               = "app-shared"\n'),
    );
    expect(message).toMatch(/main\.tf:3: aws_iam_role\.app uses count/);
  });

  it('a shared role made with for_each', async () => {
    const message = await refusal((t) =>
      t.replace('  name               = "app-shared"\n', '  for_each           = toset(["a"])\n  name               = "app-shared"\n'),
    );
    expect(message).toMatch(/main\.tf:3: aws_iam_role\.app uses for_each/);
  });

  it('a shared role the plan records at an indexed address (count or for_each inside a module)', async () => {
    const owned = stateOwnedPlan('module.iam.aws_iam_role.app["orders"]');
    const error = await rewritePaths(owned, [dir], 'cutover', false, dir).catch((e: unknown) => e);
    expect(errorIs.RewriteRefused(error)).toBe(true);
    expect((error as Error).message).toMatch(/module\.iam\.aws_iam_role\.app\["orders"\]: the shared role is made with count or for_each/);
    expect(await read('main.tf')).toBe(await original('main.tf'));
  });

  it('a shared role made inside a module whose folder was not given: the module call is named', async () => {
    const owned = stateOwnedPlan('module.iam.aws_iam_role.app');
    const root = await mkdtemp(join(tmpdir(), 'split-role-rewrite-module-'));
    const text = 'locals {\n  team = "orders"\n}\n\nmodule "iam" {\n  source = "./modules/iam"\n  team   = local.team\n}\n';
    await writeFile(join(root, 'main.tf'), text);
    const error = await rewritePaths(owned, [root], 'cutover', false, root).catch((e: unknown) => e);
    expect(errorIs.RewriteRefused(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /main\.tf:5: module "iam" \(source \.\/modules\/iam\) makes module\.iam\.aws_iam_role\.app, and no Terraform file given defines aws_iam_role\.app/,
    );
    expect(await readFile(join(root, 'main.tf'), 'utf8')).toBe(text);
  });

  it('a resource policy that names the shared role inside a string template', async () => {
    const message = await refusal((t) =>
      t.replace('Principal = { AWS = aws_iam_role.app.arn }', 'Principal = { AWS = "${aws_iam_role.app.arn}" }'),
    );
    expect(message).toMatch(/main\.tf:\d+: aws_s3_bucket_policy\.reports names the shared role inside a string template/);
  });

  it('a file that does not parse', async () => {
    expect(await refusal((t) => `${t}\nresource "x" "y" {\n  a =\n}\n`)).toMatch(/main\.tf:\d+:\d+: not valid Terraform syntax/);
  });

  it('no shared role in the paths given', async () => {
    expect(await refusal((t) => t.replace('"app-shared"\n  assume', '"other"\n  assume'))).toMatch(
      /defines an aws_iam_role named app-shared/,
    );
  });
});
