/**
 * Check memory benchmark: `split-role check --json` on one 13 MB CloudFormation
 * YAML template, as the built CLI in a child process, reporting the child's
 * peak RSS against the file size (the goal: under 10×). Two shapes: a mixed
 * template (functions with inline code, queues, one role in five) and a
 * role-heavy one (every other resource a shared role, so every role is a
 * finding and the report itself is large). Prints figures; asserts nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtMs, printTable } from './report.js';

const TARGET_BYTES = 13 * 1024 * 1024;
const CLI = fileURLToPath(new URL('../bin/split-role.js', import.meta.url));
// Prints the child's own peak RSS (KiB) on exit, whatever the exit code.
const REPORT_RSS = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))`;

/** Generates both templates, runs the CLI on each, prints the figures. */
export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'split-role-bench-memory-'));
  try {
    for (const shape of ['mixed', 'role-heavy'] as const) {
      const file = join(dir, `${shape}.yaml`);
      const { bytes, roles } = await writeTemplate(file, shape);
      const start = performance.now();
      const { rssKiB, code } = await childCheck(file);
      const ms = performance.now() - start;
      const rssBytes = rssKiB * 1024;
      process.stdout.write(`\n${shape}: ${mb(bytes)} MB YAML, ${roles} roles\n`);
      printTable([
        ['peak RSS (child)', `${mb(rssBytes)} MB`, `${(rssBytes / bytes).toFixed(1)}× the file (goal < 10×)`],
        ['wall time', fmtMs(ms), `exit ${code}`],
      ]);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function childCheck(file: string): Promise<{ rssKiB: number; code: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', REPORT_RSS, CLI, 'check', file, '--json'],
      { maxBuffer: 512 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        const rss = /maxrss=(\d+)/.exec(stderr)?.[1];
        if (!rss) {
          reject(error ?? new Error(`no RSS figure from the child: ${stderr}`));
          return;
        }
        resolve({ rssKiB: Number(rss), code: typeof error?.code === 'number' ? error.code : 0 });
      },
    );
  });
}

async function writeTemplate(file: string, shape: 'mixed' | 'role-heavy'): Promise<{ bytes: number; roles: number }> {
  const parts = ["AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"];
  let bytes = parts[0]!.length;
  let roles = 0;
  for (let i = 0; bytes < TARGET_BYTES; i++) {
    const role = shape === 'role-heavy' ? i % 2 === 0 : i % 5 === 0;
    const text = role ? roleYaml(i, i % 3 === 0) : shape === 'mixed' && i % 5 === 1 ? samFunctionYaml(i) : functionYaml(i);
    if (role) roles += 1;
    parts.push(text);
    bytes += text.length;
  }
  await writeFile(file, parts.join(''));
  return { bytes, roles };
}

function roleYaml(i: number, shared: boolean): string {
  const services = shared
    ? ['lambda.amazonaws.com', 'ec2.amazonaws.com']
    : ['lambda.amazonaws.com', "!Sub 'logs.${AWS::Region}.amazonaws.com'"];
  return `  Role${i}:
    Type: AWS::IAM::Role
    Properties:
      RoleName: role-${i}
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service:
${services.map((s) => `                - ${s}`).join('\n')}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: p${i}
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: ['s3:GetObject', 's3:PutObject']
                Resource: !Sub 'arn:\${AWS::Partition}:s3:::bucket-${i}/*'
      Tags:
        - { Key: owner, Value: team-${i % 7} }
`;
}

function functionYaml(i: number): string {
  const code = Array.from(
    { length: 40 },
    (_, k) => `          console.log("step ${k} of handler ${i}", event.detail?.value ?? null);`,
  ).join('\n');
  return `  Fn${i}:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !GetAtt Role${i - (i % 5)}.Arn
      Code:
        ZipFile: |
          exports.handler = async (event) => {
${code}
          };
      Environment:
        Variables: { STAGE: prod, INDEX: '${i}' }
`;
}

function samFunctionYaml(i: number): string {
  return `  Sam${i}:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://bucket/code-${i}.zip
      Events:
        Api: { Type: Api, Properties: { Path: /items/${i}, Method: get } }
`;
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
