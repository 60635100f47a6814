/** `check` as a library: the report over the fixture tree, suppression, unresolved values, own accounts. */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPaths, displayName } from '../../src/check/check-paths.js';
import { buildCheckReport, type CheckReport } from '../../src/check/check-report.js';
import { classifyText } from '../../src/iac/read-file.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TREE = fileURLToPath(new URL('../fixtures/iac', import.meta.url));
const F = 'test/fixtures/iac';

describe('check over the fixture tree', () => {
  let report: CheckReport;
  beforeAll(async () => {
    report = await checkPaths([TREE], { cwd: ROOT });
  });

  it('reports each shared role with its file, resource, services and kinds', () => {
    expect(report.findings.map((f) => [f.file, f.resource, f.kinds])).toEqual([
      [`${F}/cdk.out/AppStack.template.json`, 'SharedTaskRole5A7A3C6E', ['multi-service']],
      [`${F}/cloudformation/app.yaml`, 'OrdersSharedRole', ['multi-service']],
      [`${F}/cloudformation/app.yaml`, 'WorkerRole', ['multi-service']],
      [`${F}/cloudformation/app.yaml`, 'ReportsRole', ['service-and-cross-account']],
      [`${F}/cloudformation/network.json`, 'OpsRole', ['multi-service']],
      [`${F}/terraform-hcl/orders/iam.tf`, 'aws_iam_role.orders_shared', ['multi-service']],
      [`${F}/terraform-hcl/orders/iam.tf`, 'aws_iam_role.build', ['multi-service']],
      [`${F}/terraform/plan.json`, 'module.app.aws_iam_role.shared', ['multi-service']],
      [`${F}/terraform/plan.json`, 'module.app.module.workers.aws_iam_role.worker[0]', ['service-and-cross-account']],
      [`${F}/terraform/roles.tf.json`, 'aws_iam_role.plain', ['multi-service']],
      [`${F}/terraform/roles.tf.json`, 'aws_iam_role.build', ['multi-service']],
    ]);
    const byResource = new Map(report.findings.map((f) => [f.resource, f]));
    expect(byResource.get('OrdersSharedRole')!.services).toEqual(['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com', 'lambda.amazonaws.com']);
    expect(byResource.get('SharedTaskRole5A7A3C6E')).toMatchObject({
      format: 'cdk',
      services: ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'],
      constructPath: 'AppStack/SharedTaskRole/Resource',
      line: 3,
    });
    expect(byResource.get('OpsRole')).toMatchObject({
      roleName: 'network-ops',
      services: ['pipes.amazonaws.com', 'scheduler.amazonaws.com'],
    });
    expect(byResource.get('module.app.aws_iam_role.shared')).toMatchObject({ format: 'terraform-plan', roleName: 'app-shared' });
    expect(byResource.get('aws_iam_role.orders_shared')).toMatchObject({
      format: 'terraform-hcl',
      roleName: 'orders-shared',
      services: ['ecs-tasks.amazonaws.com', 'ecs.amazonaws.com', 'lambda.amazonaws.com'],
      line: 3,
    });
    expect(byResource.get('ReportsRole')!.otherPrincipals).toEqual([
      { principal: 'arn:aws:iam::210987654321:root', type: 'AWS', crossAccount: true, account: '210987654321' },
    ]);
  });

  it('does not report Lambda@Edge pairs or single-service roles', () => {
    const reported = new Set([...report.findings, ...report.suppressed].map((f) => f.resource));
    for (const resource of ['OrdersEdgeRole', 'FlowLogsRole', 'HandlerServiceRoleFCDC14AE', 'aws_iam_role.ci'])
      expect(reported.has(resource)).toBe(false);
    expect(report.serviceRoles.find((r) => r.resource === 'OrdersEdgeRole')!.services).toEqual([
      'edgelambda.amazonaws.com',
      'lambda.amazonaws.com',
    ]);
  });

  it('notes Fn::If branches, and an allow-shared marker without a reason', () => {
    expect(report.findings.find((f) => f.resource === 'WorkerRole')!.notes).toEqual([
      'Statement[0].Principal.Service depends on condition "IsProd"; both branches are counted',
    ]);
    expect(report.findings.find((f) => f.resource === 'ReportsRole')!.notes).toContain(
      'split-role:allow-shared is set without a reason, so it does not suppress this finding',
    );
  });

  it('lists suppressed roles with their reasons instead of as findings', () => {
    expect(report.suppressed.map((s) => [s.resource, s.suppressedBy, s.reason, s.kinds])).toEqual([
      ['LegacyBatchRole', 'tag', 'legacy batch host, split tracked in OPS-1234', ['multi-service']],
      ['aws_iam_role.ssm_hybrid', 'tag', 'SSM hybrid activation needs ec2 and ssm on one role', ['multi-service']],
      ['module.app.aws_iam_role.allowed', 'tag', 'SSM hybrid activation needs ec2 and ssm on one role', ['multi-service']],
    ]);
  });

  it('lists what could not be resolved, and analyses the rest', () => {
    expect(report.unresolved.map((u) => [u.resource, u.unresolved, u.services, u.finding])).toEqual([
      [
        'PipelineRoleD68726F7',
        ['Statement[1].Principal.AWS: {"Fn::GetAtt":["DeployerRole1C2B3A4D","Arn"]}'],
        ['codepipeline.amazonaws.com'],
        false,
      ],
      ['PartnerRole', ['Statement[1].Principal.AWS: {"Ref":"PartnerAccount"}'], ['batch.amazonaws.com'], false],
      ['aws_iam_role.per_env', ['assume_role_policy: ${var.trust_policy}'], [], false],
      ['module.app.aws_iam_role.generated', ['assume_role_policy: (known after apply)'], [], false],
      ['aws_iam_role.encoded', [expect.stringMatching(/^assume_role_policy: \$\{jsonencode/)], [], false],
    ]);
    // The same-account principal prints as written, and is not cross-account.
    expect(report.serviceRoles.find((r) => r.resource === 'PartnerRole')!.otherPrincipals).toEqual(['arn:aws:iam::${AWS::AccountId}:root']);
  });

  it('reports, skips and counts malformed files', () => {
    expect(report.unreadable.map((u) => [u.file, u.resource])).toEqual([
      [`${F}/malformed/bad-policy.yaml`, 'NoEffectRole'],
      [`${F}/malformed/broken.json`, undefined],
      [`${F}/malformed/broken.tf`, undefined],
      [`${F}/malformed/broken.yaml`, undefined],
    ]);
    expect(report.summary).toEqual({
      filesChecked: 7,
      filesSkipped: 3,
      filesUnreadable: 3,
      rolesChecked: 25,
      findings: 11,
      suppressed: 3,
      unresolved: 5,
      rolesUnreadable: 1,
      compliantPercent: 40,
    });
  });

  it('treats principals of --account as the same account', async () => {
    const own = await checkPaths([`${TREE}/terraform/plan.json`], { cwd: ROOT, ownAccounts: ['123456789012'] });
    expect(own.findings.map((f) => f.resource)).toEqual(['module.app.aws_iam_role.shared']);
    expect(own.serviceRoles.find((r) => r.resource.includes('worker'))!.otherPrincipals).toEqual(['arn:aws:iam::123456789012:root']);
  });

  it('refuses a path that does not exist', async () => {
    await expect(checkPaths([`${TREE}/nope`])).rejects.toThrow(/UsageError|cannot read/);
  });
});

describe('buildCheckReport edge cases', () => {
  const template = (properties: string) =>
    classifyText(`Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n${properties}`, 't.yaml', true);

  it('a trust policy from a parameter is wholly unresolved, never a crash', () => {
    const report = buildCheckReport([template('      AssumeRolePolicyDocument: !Ref TrustPolicy\n')], { paths: ['t.yaml'] });
    expect(report.findings).toEqual([]);
    expect(report.unresolved[0]!.unresolved).toEqual(['(policy): {"Ref":"TrustPolicy"}']);
  });

  it('a policy broken only by an unresolved Statement is reported as unresolved, not unreadable', () => {
    const report = buildCheckReport([template('      AssumeRolePolicyDocument:\n        Statement: !Ref Statements\n')], {
      paths: ['t.yaml'],
    });
    expect(report.unreadable).toEqual([]);
    expect(report.unresolved[0]!.unresolved).toEqual([
      'Statement: {"Ref":"Statements"}',
      '(policy): cannot be analysed: policy document has no Statement',
    ]);
  });

  it('a role of the same template named by Fn::GetAtt is same-account, not unresolved', () => {
    const outcome = classifyText(
      [
        'Resources:',
        '  Deployer:',
        '    Type: AWS::IAM::Role',
        '    Properties:',
        '      AssumeRolePolicyDocument: { Statement: [{ Effect: Allow, Principal: { Service: codebuild.amazonaws.com }, Action: sts:AssumeRole }] }',
        '  Pipeline:',
        '    Type: AWS::IAM::Role',
        '    Properties:',
        '      AssumeRolePolicyDocument:',
        '        Statement:',
        '          - { Effect: Allow, Principal: { Service: codepipeline.amazonaws.com }, Action: sts:AssumeRole }',
        '          - { Effect: Allow, Principal: { AWS: !GetAtt Deployer.Arn }, Action: sts:AssumeRole }',
        '',
      ].join('\n'),
      't.yaml',
    );
    const report = buildCheckReport([outcome], { paths: ['t.yaml'] });
    expect(report.findings).toEqual([]);
    expect(report.unresolved).toEqual([]);
    expect(report.serviceRoles.find((r) => r.resource === 'Pipeline')!.otherPrincipals).toEqual([
      'arn:aws:iam::${AWS::AccountId}:role/Deployer',
    ]);
  });

  it('an empty tree is fully compliant', () => {
    expect(buildCheckReport([], { paths: [] }).summary.compliantPercent).toBe(100);
  });

  it('names files relative to the working directory with forward slashes', () => {
    expect(displayName('/repo/infra/app.yaml', '/repo')).toBe('infra/app.yaml');
    expect(displayName('/elsewhere/app.yaml', '/repo')).toBe('/elsewhere/app.yaml');
  });
});
