/**
 * split-role outside the clone, as a user gets it: `npm run release` packs the tarball and its checksum, npm installs
 * it into a fresh prefix, and the installed `split-role` runs from another folder; the GitHub Action and the pre-commit
 * hook run from the installed package the way a runner and pre-commit run them. Needs no AWS and no moto_server.
 *
 * pre-commit itself is a Python tool that this project's CI does not install (PyPI is not reachable), so the hook is run
 * as pre-commit runs a `language: node` hook: the package installed with npm, its `entry` with the changed files that
 * pass `files` and `exclude`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isolatedAwsEnv, type CliResult } from '../support/cli.js';
import { samplePlan } from '../unit/fixtures/plan-fixtures.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { name: string; version: string };

const SHARED = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: { Service: [ec2.amazonaws.com, lambda.amazonaws.com] }
            Action: sts:AssumeRole
`;
const SINGLE = SHARED.replace('[ec2.amazonaws.com, lambda.amazonaws.com]', 'lambda.amazonaws.com');
const WORKFLOW = 'name: ci\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n';

/** Runs a program and resolves with its exit code and output (never rejects). */
function run(file: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(file, args, { ...options, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let prefix = '';
let installed = '';
/** The environment of a user with the prefix's bin on PATH, fake credentials, and a HOME of their own. */
let userEnv: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  const scratch = await mkdtemp(join(tmpdir(), 'split-role-install-'));
  const out = join(scratch, 'release');
  // `npm test` has just built dist/; `--no-build` packs that build instead of compiling again.
  const release = await run(process.execPath, ['--import', 'tsx', 'scripts/release.ts', '--no-build', '--out', out], {
    cwd: root,
    env: process.env,
  });
  expect(release.code, release.stderr).toBe(0);
  const tarball = join(out, `${pkg.name}-${pkg.version}.tgz`);
  const [digest, name] = (await readFile(`${tarball}.sha256`, 'utf8')).trim().split(/ +/);
  expect(name).toBe(`${pkg.name}-${pkg.version}.tgz`);
  expect(digest).toBe(
    createHash('sha256')
      .update(await readFile(tarball))
      .digest('hex'),
  );

  prefix = join(scratch, 'prefix');
  // --prefer-offline: the dependencies come from npm's cache where it has them (npm ci filled it).
  const install = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], {
    cwd: scratch,
    env: process.env,
  });
  expect(install.code, install.stderr).toBe(0);
  installed = join(prefix, 'lib', 'node_modules', pkg.name);
  const home = join(scratch, 'home');
  await mkdir(home);
  userEnv = isolatedAwsEnv({ HOME: home, PATH: `${join(prefix, 'bin')}${delimiter}${process.env.PATH ?? ''}` });
}, 300_000);

/** A folder of the user's, far from the clone, holding these files. */
async function workspace(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'split-role-user-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

describe('the release tarball installed into a fresh prefix', () => {
  it('ships the built CLI, the Action, the hook and the docs, and no sources or tests', async () => {
    const files = await readdir(installed);
    for (const expected of ['bin', 'dist', 'docs', 'action.yml', '.pre-commit-hooks.yaml', 'README.md', 'CHANGELOG.md', 'plans'])
      expect(files).toContain(expected);
    for (const absent of ['src', 'test', 'scripts', 'bench']) expect(files).not.toContain(absent);
  });

  it('runs split-role --version and split-role check from another folder', async () => {
    const cwd = await workspace({ 'infra/app.yaml': SHARED, 'infra/lambda.yaml': SINGLE });
    const version = await run('split-role', ['--version'], { cwd, env: userEnv });
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });

    const check = await run('split-role', ['check', 'infra/', '--json'], { cwd, env: userEnv });
    expect(check.code, check.stderr).toBe(1);
    const report = JSON.parse(check.stdout) as { findings: Array<{ file: string; line: number; roleName: string; kinds: string[] }> };
    expect(report.findings).toEqual([
      expect.objectContaining({ file: 'infra/app.yaml', line: 3, roleName: 'AppRole', kinds: ['multi-service'] }),
    ]);
    const clean = await run('split-role', ['check', 'infra/lambda.yaml'], { cwd, env: userEnv });
    expect(clean.code, clean.stderr).toBe(0);
  });

  it('prints only --version and --help before credentials are needed: without them, a command prints one error line', async () => {
    const cwd = await workspace({ 'orders.plan.json': JSON.stringify(samplePlan()) });
    const noCredentials = { ...userEnv };
    delete noCredentials.AWS_ACCESS_KEY_ID;
    delete noCredentials.AWS_SECRET_ACCESS_KEY;
    for (const args of [['--version'], ['--help'], ['scan', '--help']]) {
      const ok = await run('split-role', args, { cwd, env: noCredentials });
      expect(ok.code, args.join(' ')).toBe(0);
      expect(ok.stdout, args.join(' ')).not.toBe('');
      expect(ok.stderr, args.join(' ')).toBe('');
    }
    for (const args of [
      ['scan', '--region', 'us-east-1'],
      ['plan', '--role', 'orders', '--yes', '--region', 'us-east-1'],
      // A valid plan names its region: these read it, then need credentials before they print anything.
      ['apply', 'orders.plan.json', '--yes'],
      ['verify', 'orders.plan.json'],
      ['rollback', 'orders.plan.json', '--yes'],
    ]) {
      const refused = await run('split-role', args, { cwd, env: noCredentials });
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stdout, args.join(' ')).toBe('');
      expect(refused.stderr, args.join(' ')).toMatch(/^split-role: NoCredentials: [^\n]*\n$/);
    }
  });
});

interface ActionStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface ActionFile {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: ActionStep[] };
}

/**
 * Runs the composite action at `actionPath` as a GitHub runner would, in `workspace`: `${{ inputs.* }}`,
 * `${{ github.action_path }}` and `${{ steps.ID.outputs.* }}` are filled in, each `run` step goes to
 * `bash --noprofile --norc -eo pipefail` (GitHub's `shell: bash`) with GITHUB_OUTPUT, and `uses` steps (setup-node,
 * the SARIF upload: GitHub's own actions) are listed rather than run. Resolves with the last step's result.
 */
async function runAction(actionPath: string, workspace: string, withInputs: Record<string, string>) {
  const action = parse(await readFile(join(actionPath, 'action.yml'), 'utf8')) as ActionFile;
  expect(action.runs.using).toBe('composite');
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, withInputs[k] ?? v.default ?? '']));
  const outputs: Record<string, Record<string, string>> = {};
  const fill = (text: string) =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
      if (expr === 'github.action_path') return actionPath;
      const input = /^inputs\.([\w-]+)$/.exec(expr);
      if (input?.[1] !== undefined) return inputs[input[1]] ?? '';
      const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
      if (output?.[1] !== undefined && output[2] !== undefined) return outputs[output[1]]?.[output[2]] ?? '';
      throw new Error(`the runner in this test does not evaluate \${{ ${expr} }}`);
    });
  const skipped: string[] = [];
  let last: CliResult = { code: 0, stdout: '', stderr: '' };
  for (const [index, step] of action.runs.steps.entries()) {
    if (step.uses) {
      skipped.push(step.uses);
      continue;
    }
    expect(step.if, `step ${step.name ?? index}: a run step's condition is not evaluated here`).toBeUndefined();
    expect(step.shell).toBe('bash');
    const outputFile = join(workspace, `.github-output-${index}`);
    await writeFile(outputFile, '');
    const scriptFile = join(workspace, `.github-step-${index}.sh`);
    await writeFile(scriptFile, fill(step.run ?? ''));
    const env: NodeJS.ProcessEnv = { ...userEnv, GITHUB_OUTPUT: outputFile, GITHUB_ACTION_PATH: actionPath, GITHUB_WORKSPACE: workspace };
    for (const [key, value] of Object.entries(step.env ?? {})) env[key] = fill(value);
    const cwd = step['working-directory'] ? fill(step['working-directory']) : workspace;
    last = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile], { cwd, env });
    if (step.id) {
      const lines = (await readFile(outputFile, 'utf8')).split('\n').filter(Boolean);
      outputs[step.id] = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    }
    if (last.code !== 0) break;
  }
  return { last, outputs, skipped };
}

describe('the GitHub Action, used from the installed package (uses: ./node_modules/split-role)', () => {
  it('fails the job on a shared role, with check’s exit code as its output and the SARIF in the workspace', async () => {
    const cwd = await workspace({ 'infra/app.yaml': SHARED, 'infra/lambda.yaml': SINGLE });
    const { last, outputs, skipped } = await runAction(installed, cwd, { paths: 'infra/', args: '--account 123456789012' });
    expect(skipped).toEqual(['actions/setup-node@v4', 'github/codeql-action/upload-sarif@v3']);
    expect(outputs.check).toEqual({ 'exit-code': '1' });
    expect(last.code).toBe(1);
    const sarif = JSON.parse(await readFile(join(cwd, 'split-role.sarif'), 'utf8')) as {
      runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }>;
    };
    expect(sarif.runs[0]?.results.map((r) => [r.ruleId, r.locations[0]?.physicalLocation.artifactLocation.uri])).toEqual([
      ['SR001', 'infra/app.yaml'],
    ]);
  });

  it('passes the job when every role serves one service', async () => {
    const cwd = await workspace({ 'infra/lambda.yaml': SINGLE });
    const { last, outputs } = await runAction(installed, cwd, { paths: 'infra/' });
    expect(outputs.check).toEqual({ 'exit-code': '0' });
    expect(last.code).toBe(0);
  });
});

interface Hook {
  id: string;
  entry: string;
  language: string;
  files: string;
  exclude: string;
  pass_filenames: boolean;
}

/** Runs the hook as pre-commit runs a node hook on a commit that changes `changed`: the files it passes, and the result. */
async function runHook(changed: Record<string, string>) {
  const hooks = parse(await readFile(join(installed, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
  const hook = hooks.find((h) => h.id === 'split-role-check');
  expect(hook?.language).toBe('node');
  if (!hook) throw new Error('no split-role-check hook');
  const cwd = await workspace(changed);
  // pre-commit's `files` and `exclude` are Python regular expressions searched in the path; these read the same in JS.
  const passed = Object.keys(changed).filter((file) => new RegExp(hook.files).test(file) && !new RegExp(hook.exclude).test(file));
  const [command = '', ...args] = hook.entry.split(/\s+/);
  const result = await run(command, [...args, ...(hook.pass_filenames ? passed : [])], { cwd, env: userEnv });
  return { passed, result };
}

describe('the pre-commit hook split-role-check, run as pre-commit runs it', () => {
  it('checks the templates a commit changes and fails it on a shared role', async () => {
    const { passed, result } = await runHook({
      'infra/app.yaml': SHARED,
      'package.json': '{"name": "app"}',
      '.github/workflows/ci.yml': WORKFLOW,
      'README.md': '# app\n',
    });
    expect(passed).toEqual(['infra/app.yaml', '.github/workflows/ci.yml']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/infra\/app\.yaml:3\s+AppRole\s+ec2\.amazonaws\.com, lambda\.amazonaws\.com/);
  });

  it('lets through a commit whose JSON and YAML hold no infrastructure code', async () => {
    const { passed, result } = await runHook({ '.github/workflows/ci.yml': WORKFLOW, 'tsconfig.json': '{}' });
    expect(passed).toEqual(['.github/workflows/ci.yml']);
    expect(result.code, result.stderr).toBe(0);
  });

  it('lets through a commit whose templates define single-service roles', async () => {
    const { result } = await runHook({ 'infra/lambda.yaml': SINGLE });
    expect(result.code, result.stderr).toBe(0);
  });
});
