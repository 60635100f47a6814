/** Reading templates as CloudFormation does: lenient indentation, odd layouts, unquoted ids, SAM, CDK manifests, hostile input. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPaths } from '../../src/check/check-paths.js';
import { buildCheckReport } from '../../src/check/check-report.js';
import { parseCfnYaml } from '../../src/iac/cfn-yaml.js';
import { classifyText, hasTopLevelMarker, MAX_FILE_BYTES, readIacFile } from '../../src/iac/read-file.js';
import { relaxFlowIndentation } from '../../src/iac/yaml-relax.js';
import { splitTemplate } from '../../src/iac/yaml-sections.js';

const check = (text: string, file = 't.yaml') => buildCheckReport([classifyText(text, file, false)], { paths: [file] });
const trust = (principal: string) =>
  `      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal:\n${principal}\n            Action: sts:AssumeRole\n`;

describe('lenient YAML, as CloudFormation reads it', () => {
  const template = [
    'Resources:',
    '  Role:',
    '    Type: AWS::IAM::Role',
    '    Properties:',
    '      Description: "a description that goes on',
    '      to a second line"',
    '      ManagedPolicyArns: [',
    '      "arn:aws:iam::aws:policy/ReadOnlyAccess" ]',
    '      Tags: [{Key: owner,',
    '      Value: team-a}]',
    trust('              Service: [ec2.amazonaws.com,\n              lambda.amazonaws.com]').trimEnd(),
    '  Other:',
    '    Type: AWS::SQS::Queue',
    '',
  ].join('\n');

  it('reads multi-line quoted strings and flow collections continued no deeper than their key', () => {
    const parsed = parseCfnYaml(template).value as { Resources: { Role: { Properties: Record<string, unknown> } } };
    expect(parsed.Resources.Role.Properties.Description).toBe('a description that goes on to a second line');
    expect(parsed.Resources.Role.Properties.ManagedPolicyArns).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
    expect(parsed.Resources.Role.Properties.Tags).toEqual([{ Key: 'owner', Value: 'team-a' }]);
    const report = check(template);
    expect(report.unreadable).toEqual([]);
    expect(report.findings.map((f) => [f.resource, f.line, f.kinds])).toEqual([['Role', 2, ['multi-service']]]);
  });

  it('changes only indentation, never the line count, and leaves valid YAML alone', () => {
    const relaxed = relaxFlowIndentation(template);
    expect(relaxed.split('\n')).toHaveLength(template.split('\n').length);
    expect(relaxed).toContain('       to a second line"');
    const valid = 'A: "one\n  two"\nB: |\n  "not a flow\nC: [1,\n  2]\n';
    expect(relaxFlowIndentation(valid)).toBe(valid);
  });

  it('still reports YAML that is broken beyond indentation, with its line', () => {
    const outcome = classifyText('Resources:\n  R:\n    Type: [unclosed\n  S: {\n', 'bad.yaml', false);
    expect(outcome.status === 'unreadable' && outcome.reason).toMatch(/^invalid YAML: .*\(line \d+\)$/);
  });
});

describe('the pre-filter', () => {
  it.each([
    ['plain', true, 'Resources:\n  R:\n    Type: T\n'],
    ['quoted keys', true, "'AWSTemplateFormatVersion': '2010-09-09'\n\"Resources\":\n  R:\n    Type: T\n"],
    ['a wholly indented top level', true, '# comment\n---\n    Resources:\n      R:\n        Type: T\n'],
    ['a nested Resources key only', false, 'jobs:\n  build:\n    Resources:\n      x: 1\n'],
    ['no marker', false, 'name: ci\non: push\n'],
  ])('%s → %s', (_name, expected, text) => {
    expect(hasTopLevelMarker(text)).toBe(expected);
    expect(classifyText(text, 'x.yaml', false).status === 'skipped').toBe(!expected);
  });
});

describe('values YAML would otherwise lose', () => {
  it('keeps an unquoted account id with a leading zero as that account', () => {
    const text = `Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n${trust('              Service: ec2.amazonaws.com\n              AWS: 012345678901')}`;
    const report = check(text);
    expect(report.findings[0]?.otherPrincipals).toEqual([
      { principal: '012345678901', type: 'AWS', crossAccount: true, account: '012345678901' },
    ]);
    expect(report.findings[0]?.kinds).toEqual(['service-and-cross-account']);
  });

  it('keeps an unquoted account id read through the full reader too (flow-style Resources)', () => {
    const text =
      'Resources: {R: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Action: "sts:AssumeRole", Principal: {Service: ec2.amazonaws.com, AWS: 012345678901}}]}}}}\n';
    expect(splitTemplate(text)).toBeUndefined();
    expect(check(text).findings[0]?.otherPrincipals[0]?.account).toBe('012345678901');
  });
});

describe('reading one resource at a time', () => {
  it('gives the same value and lines as reading the whole', () => {
    const text = `AWSTemplateFormatVersion: '2010-09-09'\nMappings:\n  M:\n    a: {b: c}\nResources:\n  A:\n    Type: AWS::IAM::Role\n    Properties:\n${trust('              Service: !Sub "ec2.${AWS::URLSuffix}"')}  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt A.Arn\nOutputs:\n  O:\n    Value: !Ref B\n`;
    const sections = splitTemplate(text);
    expect(sections?.resources.map((r) => r.line)).toEqual([6, 15]);
    const fast = parseCfnYaml(text);
    // A document end marker is a layout the splitter leaves to the full reader.
    const ended = `${text}...\n`;
    expect(splitTemplate(ended)).toBeUndefined();
    const whole = parseCfnYaml(ended);
    expect(fast.value).toEqual(whole.value);
    expect([...fast.resourceLines]).toEqual([...whole.resourceLines]);
  });
});

describe('SAM', () => {
  const sam = (properties: string) =>
    `Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n${properties}  Machine:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Definition: {}\n`;

  it('reports the implicit roles as single-service and compliant, with a note', () => {
    const report = check(sam(''));
    expect(report.summary).toMatchObject({ rolesChecked: 2, findings: 0, compliantPercent: 100 });
    expect(report.serviceRoles.map((r) => [r.resource, r.roleName, r.services, r.notes?.[0]])).toEqual([
      [
        'Fn',
        'FnRole',
        ['lambda.amazonaws.com'],
        'implicit role FnRole, which SAM creates for AWS::Serverless::Function trusting lambda.amazonaws.com only',
      ],
      [
        'Machine',
        'MachineRole',
        ['states.amazonaws.com'],
        'implicit role MachineRole, which SAM creates for AWS::Serverless::StateMachine trusting states.amazonaws.com only',
      ],
    ]);
  });

  it('checks an AssumeRolePolicyDocument given to a function', () => {
    const report = check(sam(trust('              Service: [lambda.amazonaws.com, ec2.amazonaws.com]')));
    expect(report.findings.map((f) => [f.resource, f.kinds])).toEqual([['Fn', ['multi-service']]]);
  });

  it('leaves a function with its own Role to that role', () => {
    const report = check(sam('      Role: !GetAtt SomeRole.Arn\n'));
    expect(report.serviceRoles.map((r) => r.resource)).toEqual(['Machine']);
  });
});

describe('CDK cloud assembly manifests and files on disk', () => {
  let dir: string;
  const template = (principal: string) =>
    JSON.stringify({
      Resources: {
        R: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: {
              Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ec2.amazonaws.com', AWS: principal } }],
            },
          },
        },
      },
    });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'split-role-lenient-'));
    const stage = join(dir, 'cdk.out', 'assembly-Prod');
    await mkdir(stage, { recursive: true });
    await writeFile(
      join(stage, 'manifest.json'),
      JSON.stringify({
        version: '36.0.0',
        artifacts: {
          ProdApp: {
            type: 'aws:cloudformation:stack',
            environment: 'aws://111111111111/eu-west-1',
            properties: { templateFile: 'ProdApp.template.json' },
          },
        },
      }),
    );
    await writeFile(join(stage, 'ProdApp.template.json'), template('arn:aws:iam::111111111111:root'));
    await writeFile(
      join(dir, 'bomb.yaml'),
      `Resources:\n  a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from({ length: 9 }, (_, i) => `  ${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`).join('\n')}\n`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("treats the stack's target account as its own, unless --account overrides it", async () => {
    expect((await checkPaths([join(dir, 'cdk.out')], { cwd: dir })).findings).toEqual([]);
    const overridden = await checkPaths([join(dir, 'cdk.out')], { cwd: dir, ownAccounts: ['222222222222'] });
    expect(overridden.findings.map((f) => f.kinds)).toEqual([['service-and-cross-account']]);
  });

  it('refuses a YAML bomb with a clear reason, and still checks the other files', async () => {
    const report = await checkPaths([dir], { cwd: dir });
    expect(report.unreadable).toEqual([
      { file: 'bomb.yaml', reason: expect.stringMatching(/^invalid YAML: aliases expand more than 10000 times \(a YAML bomb\?\)/) },
    ]);
    expect(report.summary.filesChecked).toBe(1);
  });

  it('refuses a file over the size limit without reading it', async () => {
    const big = join(dir, 'big.json');
    await writeFile(big, '');
    const { truncate } = await import('node:fs/promises');
    await truncate(big, MAX_FILE_BYTES + 1);
    const outcome = await readIacFile({ path: big, explicit: true }, 'big.json');
    expect(outcome).toEqual({ status: 'unreadable', file: 'big.json', reason: 'too large to read: 32.0 MB (the limit is 32.0 MB)' });
    await rm(big);
  });
});
