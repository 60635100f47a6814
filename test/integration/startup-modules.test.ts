/**
 * Cold start: commands that never reach AWS load none of the SDK. The built
 * CLI runs with a preload (test/support/loaded-modules.mjs) that writes down
 * every module the process loads, ES and CommonJS.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedAwsEnv, runCli } from '../support/cli.js';

const RECORDER = fileURLToPath(new URL('../support/loaded-modules.mjs', import.meta.url));
const TEMPLATE = fileURLToPath(new URL('../fixtures/iac/cloudformation/app.yaml', import.meta.url));
/** The AWS SDK's own packages and the Smithy runtime under them. */
const SDK = /[/\\]node_modules[/\\]@(aws-sdk|smithy)[/\\]/;

let dir: string;
let runs = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'split-role-modules-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every module a run of `split-role ARGS` loaded, and how it ended. */
async function loadedBy(args: readonly string[]): Promise<{ code: number; modules: string[] }> {
  const log = join(dir, `run-${(runs += 1)}.log`);
  const env = isolatedAwsEnv({ SPLIT_ROLE_MODULE_LOG: log, NODE_OPTIONS: `--import ${JSON.stringify(RECORDER)}` });
  const { code } = await runCli(args, env);
  return { code, modules: (await readFile(log, 'utf8')).split('\n').filter(Boolean) };
}

describe('cold start', () => {
  it('the recorder sees the SDK when something loads it', async () => {
    const log = join(dir, 'control.log');
    const env = isolatedAwsEnv({ SPLIT_ROLE_MODULE_LOG: log });
    const script = "await import('@aws-sdk/client-sts')";
    await promisify(execFile)(process.execPath, ['--import', RECORDER, '--input-type=module', '-e', script], {
      env,
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    const modules = (await readFile(log, 'utf8')).split('\n');
    expect(modules.filter((m) => SDK.test(m)).length).toBeGreaterThan(0);
  });

  it.each([
    ['--version', ['--version'], 0],
    ['--help', ['--help'], 0],
    ['check FILE', ['check', TEMPLATE], 1],
  ])('`split-role %s` loads no AWS SDK module', async (_label, args, exitCode) => {
    const { code, modules } = await loadedBy(args);
    expect(code).toBe(exitCode);
    // The run loaded the CLI itself, so the log is live.
    expect(modules.some((m) => m.endsWith('/dist/cli/main.js'))).toBe(true);
    expect(modules.filter((m) => SDK.test(m))).toEqual([]);
  });
});
