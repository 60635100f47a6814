/**
 * Rewrite benchmark: `split-role rewrite --stage cutover` as the built CLI in
 * a child process, on a 5 MB CloudFormation template and on a 300-file
 * Terraform tree, each holding the test fixture's shared role among many
 * unrelated resources. Prints wall time and the child's peak RSS (goals:
 * under 2 s and 300 MB each), then `git diff --stat` of the Terraform tree:
 * only the referring lines change, plus one new file. Asserts nothing.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sealPlan, writePlan } from '../src/plan/plan-file.js';
import { reportsPolicyPlan } from '../test/unit/fixtures/rewrite-plans.js';
import { fmtMs, printTable } from './report.js';

const CLI = fileURLToPath(new URL('../bin/split-role.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../test/fixtures/rewrite', import.meta.url));
const REPORT_RSS = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))`;
const CFN_BYTES = 5 * 1024 * 1024;
const TF_FILES = 300;
/** Builds both trees, rewrites each, prints the figures. */
export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'split-role-bench-rewrite-'));
  try {
    const planPath = join(dir, 'plan.json');
    const { digest: _unsealed, ...body } = reportsPolicyPlan();
    await writePlan(planPath, sealPlan(body));
    const cfn = join(dir, 'cfn');
    await mkdir(cfn);
    const bytes = await writeTemplate(join(cfn, 'app.yaml'));
    const tf = join(dir, 'tf');
    await writeTerraformTree(tf);
    await git(tf, ['init', '-q']);
    await git(tf, ['add', '.']);
    await git(tf, ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-qm', 'before']);
    const rows: Array<[string, string, string]> = [];
    for (const [label, path] of [
      [`CloudFormation, one ${(bytes / 1024 / 1024).toFixed(1)} MB YAML template`, cfn],
      [`Terraform, ${TF_FILES} files`, tf],
    ] as const) {
      const start = performance.now();
      const { rssKiB, code, stderr } = await child(['rewrite', planPath, '--stage', 'cutover', path]);
      const ms = performance.now() - start;
      rows.push([`${label}${code === 0 ? '' : ` (exit ${code})`}`, fmtMs(ms), `${((rssKiB * 1024) / 1024 / 1024).toFixed(0)} MB`]);
      if (code !== 0) process.stderr.write(stderr);
    }
    printTable([['case', 'wall time (goal < 2 s)', 'peak RSS (goal < 300 MB)'], ...rows]);
    await git(tf, ['add', '-N', '.']);
    process.stdout.write(`\ngit diff --stat of the Terraform tree:\n${await git(tf, ['diff', '--stat'])}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The YAML fixture's resources, then unrelated queues with long descriptions until the file reaches 5 MB. */
async function writeTemplate(file: string): Promise<number> {
  const fixture = await readFile(join(FIXTURES, 'cloudformation/app.yaml'), 'utf8');
  const [head, tail] = fixture.split('\nOutputs:\n') as [string, string];
  const parts = [head];
  let size = head.length;
  for (let i = 0; size < CFN_BYTES; i++) {
    const queue = `\n  # Queue ${i} of the backlog.\n  Queue${i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: backlog-${i}\n      VisibilityTimeout: 60\n      Tags:\n        - { Key: note, Value: "${'x'.repeat(200)}" }\n`;
    parts.push(queue);
    size += queue.length;
  }
  const text = `${parts.join('')}\nOutputs:\n${tail}`;
  await writeFile(file, text);
  return Buffer.byteLength(text);
}

/** The Terraform fixture, plus unrelated files of buckets and security groups. */
async function writeTerraformTree(dir: string): Promise<void> {
  await cp(join(FIXTURES, 'terraform/app'), dir, { recursive: true });
  for (let f = 0; f < TF_FILES - 2; f++) {
    const blocks = Array.from(
      { length: 10 },
      (_, i) =>
        `resource "aws_s3_bucket" "b_${f}_${i}" {\n  bucket = "bench-${f}-${i}"\n  tags = {\n    Team = var.team\n  }\n}\n\nresource "aws_security_group" "sg_${f}_${i}" {\n  name = "sg-${f}-${i}"\n  ingress {\n    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["10.0.0.0/8"]\n  }\n}\n`,
    );
    await writeFile(join(dir, `module_${String(f).padStart(3, '0')}.tf`), blocks.join('\n'));
  }
}

function child(args: string[]): Promise<{ rssKiB: number; code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', REPORT_RSS, CLI, ...args], { maxBuffer: 256 * 1024 * 1024 }, (error, _stdout, stderr) => {
      const rss = Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? 0);
      resolve({ rssKiB: rss, code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd }, (error, stdout) =>
      error ? reject(new Error(`git ${args.join(' ')}: ${error.message}`)) : resolve(stdout),
    );
  });
}
