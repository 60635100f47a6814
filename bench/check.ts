/**
 * Check benchmark: `split-role check` over a generated tree of 1,000
 * infrastructure files (CloudFormation YAML and JSON, CDK output, Terraform
 * plan JSON, Terraform JSON), in process through the library and as the
 * built CLI in a child process. Prints files/s; asserts nothing. Needs no AWS.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkPaths } from '../src/check/check-paths.js';
import { fmtMs, median } from './report.js';

const FILES = 1000;
const REPETITIONS = 3;
const CLI = fileURLToPath(new URL('../bin/split-role.js', import.meta.url));
const execFileAsync = promisify(execFile);

/** Generates the tree, times both paths, prints the figures. */
export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'split-role-bench-check-'));
  try {
    const genStart = performance.now();
    const { bytes, roles, shared } = await generateTree(root);
    process.stdout.write(
      `\n${FILES} files, ${(bytes / 1024 / 1024).toFixed(1)} MB, ${roles} roles (${shared} shared): generated in ${fmtMs(performance.now() - genStart)}\n`,
    );

    await checkPaths([root]); // warm-up: JIT, file cache
    const lib: number[] = [];
    let findings = 0;
    for (let i = 0; i < REPETITIONS; i++) {
      const start = performance.now();
      const report = await checkPaths([root]);
      lib.push(performance.now() - start);
      findings = report.summary.findings;
    }
    const cli: number[] = [];
    for (let i = 0; i < REPETITIONS; i++) {
      const start = performance.now();
      // Exit code 1 (findings) is the expected outcome here.
      await childCheck(root);
      cli.push(performance.now() - start);
    }
    const libMs = median(lib);
    const cliMs = median(cli);
    printTable([
      ['library checkPaths (median of 3)', fmtMs(libMs), `${rate(libMs)} files/s  ${samples(lib)}`],
      ['CLI child process (median of 3)', fmtMs(cliMs), `${rate(cliMs)} files/s  ${samples(cli)}`],
      ['findings', String(findings), `expected ${shared}`],
    ]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function childCheck(root: string): Promise<void> {
  try {
    await execFileAsync(process.execPath, [CLI, 'check', root, '--json'], { maxBuffer: 256 * 1024 * 1024 });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 1) throw error;
  }
}

/** Writes FILES files in five formats, nested a few folders deep like a monorepo. */
async function generateTree(root: string): Promise<{ bytes: number; roles: number; shared: number }> {
  let bytes = 0;
  let roles = 0;
  let shared = 0;
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, `team-${i % 10}`, `service-${i % 37}`);
    await mkdir(dir, { recursive: true });
    const isShared = i % 4 === 0;
    const kind = i % 10;
    let name: string;
    let text: string;
    if (kind < 4) [name, text] = [`stack-${i}.yaml`, cfnYaml(i, isShared)];
    else if (kind < 6) [name, text] = [`stack-${i}.template.json`, JSON.stringify(cfnJson(i, isShared), null, 1)];
    else if (kind < 8) [name, text] = [join('cdk.out', `Stack${i}.template.json`), JSON.stringify(cfnJson(i, isShared, true), null, 1)];
    else if (kind < 9) [name, text] = [`plan-${i}.json`, JSON.stringify(tfPlan(i, isShared))];
    else [name, text] = [`roles-${i}.tf.json`, JSON.stringify(tfJson(i, isShared), null, 2)];
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
    bytes += Buffer.byteLength(text);
    roles += 3;
    if (isShared) shared += 1;
  }
  return { bytes, roles, shared };
}

const SERVICES = ['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com', 'states.amazonaws.com'];
const trust = (services: unknown[]) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: services }, Action: 'sts:AssumeRole' }],
});

function cfnYaml(i: number, shared: boolean): string {
  const roles = [0, 1, 2].map((n) => {
    const services = n === 0 && shared ? ['!Sub "ec2.${AWS::URLSuffix}"', SERVICES[n]] : [SERVICES[n]];
    return [
      `  Role${n}:`,
      '    Type: AWS::IAM::Role',
      '    Properties:',
      `      RoleName: !Sub "app-${i}-${n}-\${AWS::Region}"`,
      '      AssumeRolePolicyDocument:',
      '        Version: "2012-10-17"',
      '        Statement:',
      '          - Effect: Allow',
      `            Principal: { Service: [${services.join(', ')}] }`,
      '            Action: sts:AssumeRole',
      '      Policies:',
      '        - PolicyName: data',
      '          PolicyDocument:',
      '            Statement:',
      '              - { Effect: Allow, Action: ["s3:GetObject", "s3:PutObject"], Resource: !Sub "${Bucket.Arn}/*" }',
      '      Tags: [{ Key: team, Value: !Ref Team }]',
    ].join('\n');
  });
  const filler = Array.from(
    { length: 6 },
    (_, n) =>
      `  Queue${n}:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub "q-${i}-${n}-\${AWS::StackName}"\n      VisibilityTimeout: 60`,
  );
  return [
    'AWSTemplateFormatVersion: "2010-09-09"',
    'Parameters:',
    '  Team: { Type: String }',
    'Resources:',
    '  Bucket:',
    '    Type: AWS::S3::Bucket',
    ...roles,
    ...filler,
    '',
  ].join('\n');
}

function cfnJson(i: number, shared: boolean, cdk = false): object {
  const resources: Record<string, unknown> = {};
  for (let n = 0; n < 3; n++) {
    const ec2 = { 'Fn::Join': ['', ['ec2.', { Ref: 'AWS::URLSuffix' }]] };
    resources[`Role${n}ABCDEF${i}`] = {
      Type: 'AWS::IAM::Role',
      Properties: { AssumeRolePolicyDocument: trust(n === 0 && shared ? [ec2, SERVICES[n]] : [SERVICES[n]]) },
      ...(cdk ? { Metadata: { 'aws:cdk:path': `Stack${i}/Role${n}/Resource` } } : {}),
    };
  }
  for (let n = 0; n < 6; n++)
    resources[`Fn${n}`] = {
      Type: 'AWS::Lambda::Function',
      Properties: { Role: { 'Fn::GetAtt': [`Role${n % 3}ABCDEF${i}`, 'Arn'] }, Runtime: 'nodejs20.x', Handler: 'index.handler' },
    };
  return cdk
    ? { Resources: resources, Parameters: { BootstrapVersion: { Type: 'String' } } }
    : { AWSTemplateFormatVersion: '2010-09-09', Resources: resources };
}

function tfPlan(i: number, shared: boolean): object {
  const role = (n: number) => ({
    address: `module.m${n}.aws_iam_role.r`,
    mode: 'managed',
    type: 'aws_iam_role',
    name: 'r',
    values: {
      name: `tf-${i}-${n}`,
      assume_role_policy: JSON.stringify(trust(n === 0 && shared ? ['ec2.amazonaws.com', SERVICES[n]] : [SERVICES[n]])),
      tags: { team: 't' },
    },
  });
  return {
    format_version: '1.2',
    planned_values: {
      root_module: { resources: [], child_modules: [0, 1, 2].map((n) => ({ address: `module.m${n}`, resources: [role(n)] })) },
    },
    resource_changes: [],
  };
}

function tfJson(i: number, shared: boolean): object {
  const roles: Record<string, unknown> = {};
  for (let n = 0; n < 3; n++) {
    roles[`r${n}`] = {
      name: `tfj-${i}-${n}`,
      assume_role_policy: JSON.stringify(trust(n === 0 && shared ? ['ec2.amazonaws.com', SERVICES[n]] : [SERVICES[n]])),
    };
  }
  return { resource: { aws_iam_role: roles } };
}

function rate(ms: number): string {
  return (FILES / (ms / 1000)).toFixed(0);
}

function samples(values: readonly number[]): string {
  return `(${values.map((v) => v.toFixed(0)).join(', ')} ms)`;
}

function printTable(rows: ReadonlyArray<readonly [string, string, string]>): void {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [label, value, note] of rows) {
    process.stdout.write(`  ${label.padEnd(w0)}  ${value.padStart(w1)}  ${note}`.trimEnd() + '\n');
  }
}
