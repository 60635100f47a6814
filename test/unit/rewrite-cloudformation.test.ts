/**
 * `rewrite` on CloudFormation, YAML and JSON: cutover adds the new roles at
 * the end of Resources in the template's own style and repoints by logical
 * id; retire removes the shared role and what belongs to it; comments,
 * short-form intrinsics and indentation stay; bad input changes nothing.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { beforeEach, describe, expect, it } from 'vitest';
import { errorIs } from '../../src/core/errors.js';
import type { Plan } from '../../src/plan/schema.js';
import { rewritePaths } from '../../src/rewrite/run.js';
import { plannedRole, samplePlan } from './fixtures/plan-fixtures.js';
import { reportsPolicyPlan, stackOwnedPlan } from './fixtures/rewrite-plans.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/rewrite/cloudformation', import.meta.url));

const plan = reportsPolicyPlan;

let dir: string;
async function only(name: string): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'split-role-rewrite-cfn-'));
  await cp(join(FIXTURES, name), join(dir, name));
  return join(dir, name);
}
const original = (name: string) => readFile(join(FIXTURES, name), 'utf8');

describe('rewrite (CloudFormation YAML)', () => {
  let path: string;
  beforeEach(async () => {
    path = await only('app.yaml');
  });

  it('cutover: new roles at the end of Resources, workloads and the bucket policy repointed, the rest as written', async () => {
    const report = await rewritePaths(plan(), [dir], 'cutover', false, dir);
    const after = await readFile(path, 'utf8');
    expect(after).toContain('      IamInstanceProfile: !Ref AppSharedEc2InstanceProfile # the web tier\n');
    expect(after).toContain('      Role: !GetAtt AppSharedLambdaRole.Arn\n');
    expect(after).toContain('              AWS: [!GetAtt SharedRole.Arn, !GetAtt AppSharedLambdaRole.Arn]\n');
    // Without the inserted resources, the file is the original but for the three repointed lines.
    const inserted = after.slice(after.indexOf('  AppSharedEc2Role:'), after.indexOf('Outputs:'));
    const expected = (await original('app.yaml'))
      .replace('!Ref SharedProfile # the web tier', '!Ref AppSharedEc2InstanceProfile # the web tier')
      .replace('Role: !GetAtt SharedRole.Arn', 'Role: !GetAtt AppSharedLambdaRole.Arn')
      .replace('AWS: !GetAtt SharedRole.Arn', 'AWS: [!GetAtt SharedRole.Arn, !GetAtt AppSharedLambdaRole.Arn]');
    expect(after.replace(inserted, '')).toBe(expected);
    expect(inserted.endsWith('\n\n')).toBe(true);
    expect(after.endsWith('Outputs:\n  WebId:\n    Value: !Ref Web\n')).toBe(true);
    const resources = parseDocument(after).toJS() as { Resources: Record<string, { Type: string }> };
    expect(Object.keys(resources.Resources).slice(-3)).toEqual(['AppSharedEc2Role', 'AppSharedEc2InstanceProfile', 'AppSharedLambdaRole']);
    expect(after).toMatch(/\n {2}AppSharedEc2InstanceProfile:\n {4}Type: AWS::IAM::InstanceProfile\n/);
    expect(report.checked).toEqual([
      'ok: AppSharedEc2Role is trusted by ec2.amazonaws.com',
      'ok: AppSharedLambdaRole is trusted by lambda.amazonaws.com',
      'app-shared is still defined, so rollback is a revert; retire removes it after the deploy, verify and soak',
    ]);
  });

  it('retire: removes the role, its managed policy and profile (with their comment), and its place in the bucket policy', async () => {
    await rewritePaths(plan(), [dir], 'cutover', false, dir);
    const report = await rewritePaths(plan(), [dir], 'retire', false, dir);
    const after = await readFile(path, 'utf8');
    expect(after).not.toMatch(/SharedRole\b|SharedPolicy|SharedProfile|One role for everything/);
    expect(after).toContain('Resources:\n  Web:\n');
    expect(after).toContain('              AWS: [!GetAtt AppSharedLambdaRole.Arn]\n');
    expect(report.checked).toEqual(['ok: no role named app-shared is left']);
  });

  it('refuses a shared role made under a Condition, naming the file, line and role, and writes nothing', async () => {
    const text = (await original('app.yaml')).replace('    Type: AWS::IAM::Role\n', '    Type: AWS::IAM::Role\n    Condition: IsProd\n');
    await writeFile(path, text);
    const error = await rewritePaths(plan(), [dir], 'cutover', false, dir).catch((e: unknown) => e);
    expect(errorIs.RewriteRefused(error)).toBe(true);
    // Line 12: the Condition key, below the role's Type.
    expect((error as Error).message).toMatch(/app\.yaml:12: SharedRole is created only under a Condition/);
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('refuses, naming the Transform line, when the role must come from a macro: no template given defines it', async () => {
    const text = `Transform: AcmeRoles\n${(await original('app.yaml')).replace('RoleName: app-shared', 'RoleName: other')}`;
    await writeFile(path, text);
    const error = await rewritePaths(plan(), [dir], 'cutover', false, dir).catch((e: unknown) => e);
    expect(errorIs.RewriteRefused(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /app\.yaml:1: no template given defines an AWS::IAM::Role with RoleName app-shared, and this one's Transform AcmeRoles is a macro/,
    );
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('refuses a shared role with a property chosen by Fn::If, naming the file, line and role, and writes nothing', async () => {
    const text = (await original('app.yaml')).replace(
      '      RoleName: app-shared\n',
      '      RoleName: app-shared\n      MaxSessionDuration:\n        Fn::If: [IsProd, 3600, 7200]\n',
    );
    await writeFile(path, text);
    const error = await rewritePaths(plan(), [dir], 'cutover', false, dir).catch((e: unknown) => e);
    expect(errorIs.RewriteRefused(error)).toBe(true);
    expect((error as Error).message).toMatch(/app\.yaml:14: SharedRole has a property chosen by Fn::If/);
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('retire drops the shared role from a DependsOn list, and refuses while an output still names it', async () => {
    await rewritePaths(plan(), [dir], 'cutover', false, dir);
    const cut = (await readFile(path, 'utf8')).replace(
      '    Type: AWS::S3::BucketPolicy\n',
      '    Type: AWS::S3::BucketPolicy\n    DependsOn: [SharedRole, Web]\n',
    );
    await writeFile(path, cut);
    const retired = await rewritePaths(plan(), [dir], 'retire', true, dir);
    expect(retired.changes[0]!.after).toContain('    DependsOn: [Web]\n');
    const blocked = cut.replace('  WebId:\n    Value: !Ref Web', '  Role:\n    Value: !GetAtt SharedRole.Arn');
    await writeFile(path, blocked);
    const error = await rewritePaths(plan(), [dir], 'retire', false, dir).catch((e: unknown) => e);
    expect(errorIs.RewriteRefused(error)).toBe(true);
    expect((error as Error).message).toMatch(/still uses the shared role at .*app\.yaml:\d+ \(Outputs Role\.Value\)/);
    expect(await readFile(path, 'utf8')).toBe(blocked);
  });
});

describe('rewrite (CloudFormation JSON)', () => {
  it('writes the new resources as JSON in the file’s four-space indent, with long-form intrinsics, and retires them back', async () => {
    const path = await only('app.json');
    await rewritePaths(plan(), [dir], 'cutover', false, dir);
    const after = await readFile(path, 'utf8');
    const template = JSON.parse(after) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    expect(template.Resources.OrdersFunction!.Properties.Role).toEqual({ 'Fn::GetAtt': ['AppSharedLambdaRole', 'Arn'] });
    expect(template.Resources.Web!.Properties.IamInstanceProfile).toEqual({ Ref: 'AppSharedEc2InstanceProfile' });
    expect(template.Resources.AppSharedEc2InstanceProfile!.Properties.Roles).toEqual([{ Ref: 'AppSharedEc2Role' }]);
    expect(after).toContain('\n        "AppSharedEc2Role": {\n            "Type": "AWS::IAM::Role",\n');
    await rewritePaths(plan(), [dir], 'retire', false, dir);
    const retired = JSON.parse(await readFile(path, 'utf8')) as { Resources: Record<string, unknown> };
    expect(Object.keys(retired.Resources)).toEqual([
      'Web',
      'OrdersFunction',
      'AppSharedEc2Role',
      'AppSharedEc2InstanceProfile',
      'AppSharedLambdaRole',
    ]);
  });
});

describe('rewrite of a CDK-owned role', () => {
  it('edits nothing and prints, per role, the aws-cdk-lib/aws-iam code to add', async () => {
    await only('app.yaml');
    const cdkPlan = stackOwnedPlan(plan(), 'App', 'SharedRoleA1B2', 'App/SharedRole/Resource');
    const before = await original('app.yaml');
    const report = await rewritePaths(cdkPlan, [dir], 'cutover', false, dir);
    expect(report.changes).toEqual([]);
    expect(await readFile(join(dir, 'app.yaml'), 'utf8')).toBe(before);
    const code = report.notes.join('\n');
    expect(code).toContain("import * as iam from 'aws-cdk-lib/aws-iam';");
    expect(code).toContain('The roles that replace App/SharedRole/Resource');
    expect(code).toContain("const appSharedLambda = new iam.Role(this, 'AppSharedLambda', {");
    expect(code).toContain('assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),');
    expect(code).toContain("new iam.InstanceProfile(this, 'AppSharedEc2Profile'");
  });
});

describe('rewrite (SAM)', () => {
  it('repoints a Serverless function and state machine to their own roles, keeping the Transform and Globals', async () => {
    const path = await only('sam.yaml');
    const base = samplePlan();
    const samPlan: Plan = {
      ...base,
      newRoles: [
        plannedRole('lambda', 'lambda.amazonaws.com', 'app-shared-lambda'),
        plannedRole('states', 'states.amazonaws.com', 'app-shared-states'),
      ],
    };
    const report = await rewritePaths(samPlan, [dir], 'cutover', false, dir);
    const after = await readFile(path, 'utf8');
    expect(after.startsWith((await original('sam.yaml')).split('Resources:')[0]!)).toBe(true);
    expect(after).toContain('      CodeUri: orders/\n      Role: !GetAtt AppSharedLambdaRole.Arn\n');
    expect(after).toContain('      DefinitionUri: statemachine/orders.asl.json\n      Role: !GetAtt AppSharedStatesRole.Arn\n');
    expect(report.checked.slice(0, 2)).toEqual([
      'ok: AppSharedLambdaRole is trusted by lambda.amazonaws.com',
      'ok: AppSharedStatesRole is trusted by states.amazonaws.com',
    ]);
  });
});

describe('rewrite of the other workload kinds’ role properties', () => {
  it('repoints rule targets, pipeline actions, ECS task definitions, Batch and Firehose roles, and leaves an API Gateway method to a person, saying why', async () => {
    const path = await only('kinds.yaml');
    const base = samplePlan();
    const kindsPlan: Plan = {
      ...base,
      newRoles: [
        plannedRole('events', 'events.amazonaws.com', 'app-shared-events'),
        plannedRole('codepipeline', 'codepipeline.amazonaws.com', 'app-shared-codepipeline'),
        plannedRole('ecs-tasks', 'ecs-tasks.amazonaws.com', 'app-shared-ecs-tasks'),
        plannedRole('firehose', 'firehose.amazonaws.com', 'app-shared-firehose'),
        plannedRole('apigateway', 'apigateway.amazonaws.com', 'app-shared-apigateway'),
      ],
    };
    const report = await rewritePaths(kindsPlan, [dir], 'cutover', false, dir);
    const after = await readFile(path, 'utf8');
    const properties = (id: string) =>
      (parseDocument(after).toJS() as { Resources: Record<string, { Properties: Record<string, unknown> }> }).Resources[id]!.Properties;
    const getAtt = (id: string) => `!GetAtt ${id}.Arn`;
    expect(after).toContain(`          RoleArn: ${getAtt('AppSharedEventsRole')}\n`);
    expect(after).toContain(`      RoleArn: ${getAtt('AppSharedCodepipelineRole')}\n      Stages:`);
    expect(after).toContain(`              RoleArn: ${getAtt('AppSharedCodepipelineRole')}\n`);
    expect(after).toContain(
      `      TaskRoleArn: ${getAtt('AppSharedEcsTasksRole')}\n      ExecutionRoleArn: ${getAtt('AppSharedEcsTasksRole')}\n`,
    );
    expect(after).toContain(
      `        JobRoleArn: ${getAtt('AppSharedEcsTasksRole')}\n        ExecutionRoleArn: ${getAtt('AppSharedEcsTasksRole')}\n`,
    );
    expect(after).toContain(`        RoleARN: ${getAtt('AppSharedFirehoseRole')}\n        S3BackupMode: Enabled\n`);
    expect(after).toContain(`          RoleARN: ${getAtt('AppSharedFirehoseRole')}\n`);
    // The target without a role keeps none.
    expect((properties('Nightly').Targets as Array<Record<string, unknown>>)[0]).not.toHaveProperty('RoleArn');
    // The method still names the shared role, and the note says why.
    expect(after).toContain(`        Credentials: ${getAtt('AppRole')}\n`);
    expect(report.notes.join('\n')).toMatch(
      /GetOrders Integration\.Credentials still refers to AppRole: an API Gateway stage serves a deployment's snapshot/,
    );
    expect(after.match(/AppRole\.Arn/g)).toHaveLength(1);
  });
});

describe('rewrite checks the template against the deployed stack', () => {
  const owned = (): Plan => stackOwnedPlan(plan(), 'app', 'SharedRole');

  it('refuses, naming the resource and the stack, when the deployed template differs; --force rewrites anyway and says so', async () => {
    const path = await only('app.yaml');
    const text = await original('app.yaml');
    const asked: string[] = [];
    const edited = text.replace('      RoleName: app-shared\n', '      RoleName: app-shared\n      MaxSessionDuration: 7200\n');
    const deployed = (stack: { stackName: string; region: string }) => {
      asked.push(`${stack.stackName} ${stack.region}`);
      return Promise.resolve(edited);
    };
    const error = await rewritePaths(owned(), [dir], 'cutover', false, dir, { deployed }).catch((e: unknown) => e);
    expect(errorIs.RewriteRefused(error)).toBe(true);
    expect((error as Error).message).toMatch(/app\.yaml: SharedRole differs from the deployed stack app \(eu-west-1\)/);
    expect(asked).toEqual(['app eu-west-1']);
    expect(await readFile(path, 'utf8')).toBe(text);
    const forced = await rewritePaths(owned(), [dir], 'cutover', false, dir, { deployed, force: true });
    expect(forced.notes.at(-1)).toMatch(/SharedRole differs from the deployed stack app .*rewritten anyway: --force/);
  });

  it('rewrites when the deployed template matches, whatever its syntax (JSON long forms against YAML short forms)', async () => {
    await only('app.yaml');
    const { parseCfnYaml } = await import('../../src/iac/cfn-yaml.js');
    const asJson = JSON.stringify(parseCfnYaml(await original('app.yaml')).value);
    const report = await rewritePaths(owned(), [dir], 'cutover', false, dir, { deployed: () => Promise.resolve(asJson) });
    expect(report.written).toBe(true);
  });
});
