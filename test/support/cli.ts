/** Runs the built CLI as a user would: a child process with a clean AWS environment. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { TEST_REGION } from './aws-clients.js';

/** The CLI's entry script. */
export const CLI = fileURLToPath(new URL('../../bin/split-role.js', import.meta.url));

/** What a CLI run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A developer's settings that would change what a test run reads: the evidence cache would answer from an earlier test's account. */
const HOST_ONLY = new Set(['CI', 'SPLIT_ROLE_EVIDENCE_CACHE', 'XDG_CACHE_HOME']);

/**
 * An environment with fake credentials and no host AWS config, so a
 * developer's own profile can never leak into a test, and one enabled region.
 */
export function isolatedAwsEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !HOST_ONLY.has(key)) env[key] = value;
  }
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_CONFIG_FILE: '/nonexistent/split-role-test-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/split-role-test-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // moto reports every region enabled; sweeping twenty empty ones in every retire and rollback was most of the
    // suite's time. The region tests pin several, or unset this to ask DescribeRegions.
    SPLIT_ROLE_ENABLED_REGIONS: TEST_REGION,
  });
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs `split-role ARGS` and resolves with its exit code and output (never rejects on non-zero exit). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** How a spawned CLI run ended: `code` is 128 + the signal number when a signal killed it. */
export interface SpawnedResult extends CliResult {
  signal: NodeJS.Signals | null;
}

/** A CLI run in progress: the child (to kill) and its eventual result (never rejects). */
export interface SpawnedCli {
  child: ChildProcess;
  result: Promise<SpawnedResult>;
}

/** Starts `split-role ARGS` without waiting, so a test can signal it mid-run. */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv): SpawnedCli {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<SpawnedResult>((resolve) => {
    child.on('error', (error) => resolve({ code: 127, signal: null, stdout, stderr: `${stderr}${String(error)}` }));
    child.on('close', (code, signal) => {
      const signalled = signal ? 128 + (constants.signals[signal] ?? 0) : 0;
      resolve({ code: code ?? signalled, signal, stdout, stderr });
    });
  });
  return { child, result };
}
