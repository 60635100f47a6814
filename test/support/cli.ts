/** Runs the built CLI as a user would: a child process with a clean AWS environment. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI's entry script. */
export const CLI = fileURLToPath(new URL('../../bin/split-role.js', import.meta.url));

/** What a CLI run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * An environment with fake credentials and no host AWS config, so a
 * developer's own profile can never leak into a test.
 */
export function isolatedAwsEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && key !== 'CI') env[key] = value;
  }
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_CONFIG_FILE: '/nonexistent/split-role-test-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/split-role-test-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
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
