/** The IaC readers: format detection, roles found, lines, suppressions, and malformed input. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCfnYaml } from '../../src/iac/cfn-yaml.js';
import { jsonLines, jsonPathKey } from '../../src/iac/json-lines.js';
import { classifyText } from '../../src/iac/read-file.js';
import { terraformLiteral } from '../../src/iac/terraform-json.js';
import type { IacFileOutcome, IacFileRoles } from '../../src/iac/types.js';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/iac/${path}`, import.meta.url), 'utf8');
const read = (path: string): IacFileOutcome => classifyText(fixture(path), path, false);
const roles = (path: string): IacFileRoles => {
  const outcome = read(path);
  if (outcome.status !== 'read') throw new Error(`${path}: ${outcome.status} ${outcome.reason}`);
  return outcome;
};
const lineOf = (path: string, needle: string) =>
  fixture(path)
    .split('\n')
    .findIndex((l) => l.includes(needle)) + 1;

describe('CloudFormation YAML', () => {
  const file = roles('cloudformation/app.yaml');

  it('finds every AWS::IAM::Role, in template order, at the line of its logical id', () => {
    expect(file.format).toBe('cloudformation');
    expect(file.roles.map((r) => r.resource)).toEqual([
      'OrdersSharedRole',
      'OrdersEdgeRole',
      'PartnerRole',
      'LegacyBatchRole',
      'WorkerRole',
      'ReportsRole',
    ]);
    for (const role of file.roles) expect(role.line, role.resource).toBe(lineOf('cloudformation/app.yaml', `  ${role.resource}:`));
  });

  it('turns short intrinsic tags into their long forms', () => {
    const shared = file.roles[0]!.trustPolicy as { Statement: Array<{ Principal: { Service: unknown[] } }> };
    expect(shared.Statement[0]!.Principal.Service[0]).toEqual({ 'Fn::Sub': 'ec2.${AWS::URLSuffix}' });
    const partner = file.roles[2]!.trustPolicy as { Statement: Array<{ Principal: Record<string, unknown> }> };
    expect(partner.Statement[0]!.Principal.Service).toEqual({ 'Fn::Join': ['', ['batch.', { Ref: 'AWS::URLSuffix' }]] });
    expect(partner.Statement[1]!.Principal.AWS).toEqual({ Ref: 'PartnerAccount' });
  });

  it('reads the suppression from a tag and from Metadata (an empty reason stays empty)', () => {
    const byId = new Map(file.roles.map((r) => [r.resource, r]));
    expect(byId.get('LegacyBatchRole')!.suppression).toEqual({ source: 'tag', reason: 'legacy batch host, split tracked in OPS-1234' });
    expect(byId.get('ReportsRole')!.suppression).toEqual({ source: 'metadata', reason: '' });
    expect(byId.get('OrdersSharedRole')!.suppression).toBeUndefined();
  });

  it.each([
    ['!GetAtt Role.Arn', { 'Fn::GetAtt': ['Role', 'Arn'] }],
    ['!GetAtt Db.Endpoint.Address', { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] }],
    ['!GetAtt [Role, Arn]', { 'Fn::GetAtt': ['Role', 'Arn'] }],
    ['!Sub [ "${A}", { A: x } ]', { 'Fn::Sub': ['${A}', { A: 'x' }] }],
    ['!Select [0, !GetAZs ""]', { 'Fn::Select': ['0', { 'Fn::GetAZs': '' }] }],
    ['!If [C, !Ref A, !Ref "AWS::NoValue"]', { 'Fn::If': ['C', { Ref: 'A' }, { Ref: 'AWS::NoValue' }] }],
    ['!Base64 { "Fn::Sub": x }', { 'Fn::Base64': { 'Fn::Sub': 'x' } }],
    ['!And [!Equals [a, b], !Not [!Condition C]]', { 'Fn::And': [{ 'Fn::Equals': ['a', 'b'] }, { 'Fn::Not': [{ Condition: 'C' }] }] }],
    ['!FindInMap [M, !Ref "AWS::Region", k]', { 'Fn::FindInMap': ['M', { Ref: 'AWS::Region' }, 'k'] }],
    ['!ImportValue shared-vpc', { 'Fn::ImportValue': 'shared-vpc' }],
    ['!Split [",", "a,b"]', { 'Fn::Split': [',', 'a,b'] }],
    ['!Join ["", [a, b]]', { 'Fn::Join': ['', ['a', 'b']] }],
    ['!Cidr [10.0.0.0/16, 4, 8]', { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] }],
  ])('%s', (source, long) => {
    // 0 in "!Select [0, …]" is a YAML number; compare loosely through JSON.
    const value = parseCfnYaml(`Resources:\n  X:\n    Type: T\n    Properties:\n      V: ${source}\n`).value as {
      Resources: { X: { Properties: { V: unknown } } };
    };
    expect(JSON.parse(JSON.stringify(value.Resources.X.Properties.V).replace('"Fn::Select":[0', '"Fn::Select":["0"'))).toEqual(long);
  });

  it('resolves aliases', () => {
    const value = parseCfnYaml('Base: &p { Service: ec2.amazonaws.com }\nResources:\n  R:\n    Type: T\n    P: *p\n').value as {
      Resources: { R: { P: unknown } };
    };
    expect(value.Resources.R.P).toEqual({ Service: 'ec2.amazonaws.com' });
  });
});

describe('CloudFormation JSON and CDK', () => {
  it('reads a JSON template with its lines and Mappings', () => {
    const file = roles('cloudformation/network.json');
    expect(file.format).toBe('cloudformation');
    expect(file.roles.map((r) => [r.resource, r.line, r.roleName])).toEqual([
      ['FlowLogsRole', lineOf('cloudformation/network.json', '"FlowLogsRole"'), undefined],
      ['OpsRole', lineOf('cloudformation/network.json', '"OpsRole"'), 'network-ops'],
    ]);
    expect(file.mappings).toHaveProperty('Principals.Ops.Scheduler', 'scheduler.amazonaws.com');
  });

  it('recognises a CDK template and keeps construct paths', () => {
    const file = roles('cdk.out/AppStack.template.json');
    expect(file.format).toBe('cdk');
    expect(file.roles.map((r) => r.constructPath)).toEqual([
      'AppStack/SharedTaskRole/Resource',
      'AppStack/Handler/ServiceRole/Resource',
      'AppStack/PipelineRole/Resource',
    ]);
    expect(file.roles[0]!.line).toBe(lineOf('cdk.out/AppStack.template.json', '"SharedTaskRole5A7A3C6E"'));
  });
});

describe('Terraform', () => {
  it('walks the plan root and nested child modules, with addresses and lines', () => {
    const file = roles('terraform/plan.json');
    expect(file.format).toBe('terraform-plan');
    expect(file.roles.map((r) => r.resource)).toEqual([
      'aws_iam_role.ci',
      'module.app.aws_iam_role.shared',
      'module.app.aws_iam_role.generated',
      'module.app.aws_iam_role.allowed',
      'module.app.module.workers.aws_iam_role.worker[0]',
    ]);
    for (const role of file.roles) expect(role.line).toBe(lineOf('terraform/plan.json', `"address": "${role.resource}"`));
  });

  it('reports a trust policy known only after apply as unresolved', () => {
    const generated = roles('terraform/plan.json').roles.find((r) => r.resource.endsWith('.generated'))!;
    expect(generated.trustPolicy).toBeUndefined();
    expect(generated.unresolved).toEqual(['assume_role_policy: (known after apply)']);
  });

  it('reads the suppression tag from a plan', () => {
    const allowed = roles('terraform/plan.json').roles.find((r) => r.resource.endsWith('.allowed'))!;
    expect(allowed.suppression).toEqual({ source: 'tag', reason: 'SSM hybrid activation needs ec2 and ssm on one role' });
  });

  it('reads plain JSON, data.aws_iam_policy_document, and reports template expressions in .tf.json', () => {
    const file = roles('terraform/roles.tf.json');
    expect(file.format).toBe('terraform-json');
    const [plain, build, encoded] = file.roles;
    expect(plain!.roleName).toBe('tf-plain');
    expect(JSON.parse(plain!.trustPolicy as string)).toHaveProperty(
      ['Statement', 0, 'Condition', 'StringEquals', 'aws:PrincipalTag/team'],
      '${aws:username}',
    );
    expect(build!.trustPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['sts:AssumeRole'], Principal: { Service: ['codebuild.amazonaws.com', 'codepipeline.amazonaws.com'] } },
      ],
    });
    expect(encoded!.trustPolicy).toBeUndefined();
    expect(encoded!.roleName).toBeUndefined();
    expect(encoded!.unresolved[0]).toMatch(/^assume_role_policy: \$\{jsonencode\(/);
    expect(plain!.line).toBe(lineOf('terraform/roles.tf.json', '"plain"'));
  });

  it.each([
    ['plain', 'plain'],
    ['$${aws:username}', '${aws:username}'],
    ['%%{if}', '%{if}'],
    ['${var.x}', undefined],
    ['a %{ if x }b%{ endif }', undefined],
  ])('terraformLiteral(%j)', (input, expected) => {
    expect(terraformLiteral(input)).toBe(expected);
  });
});

describe('detection and malformed files', () => {
  it.each([
    ['other/package.json', 'skipped'],
    ['other/ci.yml', 'skipped'],
    ['cdk.out/manifest.json', 'skipped'],
    ['malformed/broken.json', 'unreadable'],
    ['malformed/broken.yaml', 'unreadable'],
    ['malformed/bad-policy.yaml', 'read'],
  ])('%s is %s', (path, status) => {
    expect(read(path).status).toBe(status);
  });

  it('names the problem and the line for malformed YAML, in one line for malformed JSON', () => {
    const yaml = read('malformed/broken.yaml');
    const json = read('malformed/broken.json');
    expect(yaml.status === 'unreadable' && yaml.reason).toMatch(/^invalid YAML: .*\(line \d+\)$/);
    expect(json.status === 'unreadable' && json.reason).toMatch(/^invalid JSON: /);
    expect(json.status === 'unreadable' && json.reason).not.toContain('\n');
  });

  it('reads a file the user named even without markers, and skips JSON of another shape', () => {
    expect(classifyText('{"name": "x"}', 'x.json', true).status).toBe('skipped');
    expect(classifyText('{"name": ', 'x.json', true).status).toBe('unreadable');
    expect(classifyText('{"name": ', 'x.json', false).status).toBe('skipped');
  });

  it('tolerates a byte-order mark and a YAML template without AWSTemplateFormatVersion', () => {
    const outcome = classifyText('\ufeffResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: {}\n', 't.yaml', false);
    expect(outcome.status === 'read' && outcome.roles[0]?.unresolved).toEqual(['AssumeRolePolicyDocument: missing']);
  });
});

describe('jsonLines', () => {
  const text = '{\n  "a": {\n    "b": [\n      {"c": 1},\n      {"c": "x\\"}"}\n    ],\n    "d\\u0041": 2\n  }\n}';
  it('finds keys and array elements, through escaped strings', () => {
    const lines = jsonLines(text, [['a'], ['a', 'b', 0], ['a', 'b', 1, 'c'], ['a', 'dA'], ['missing']]);
    expect(lines.get(jsonPathKey(['a']))).toBe(2);
    expect(lines.get(jsonPathKey(['a', 'b', 0]))).toBe(4);
    expect(lines.get(jsonPathKey(['a', 'b', 1, 'c']))).toBe(5);
    expect(lines.get(jsonPathKey(['a', 'dA']))).toBe(7);
    expect(lines.has(jsonPathKey(['missing']))).toBe(false);
  });
});
