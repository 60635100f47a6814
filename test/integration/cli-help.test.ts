/** `--help` and `--version` are complete and agree with the README. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isolatedAwsEnv, runCli } from '../support/cli.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Options the README's option table documents for a command (rows starting with `--flag`). */
function readmeOptions(command: string): string[] {
  const start = readme.search(new RegExp(`^## \`split-role ${command}\``, 'm'));
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = readme.slice(start + 1);
  const section = rest.slice(0, rest.search(/^## /m) === -1 ? undefined : rest.search(/^## /m));
  const global = new Set(['--profile', '--region', '--endpoint-url', '--debug', '--output', '--help']);
  const rows = section.split('\n').filter((line) => line.startsWith('| `--'));
  expect(rows.length).toBeGreaterThan(2);
  return [...new Set(rows.flatMap((row) => row.split('|')[1]?.match(/--[a-z][a-z-]+/g) ?? []))].filter((o) => !global.has(o));
}

describe('split-role --help', () => {
  it('prints the version from package.json', async () => {
    const run = await runCli(['--version'], isolatedAwsEnv());
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });

  it('lists every command, and each command documents the options the README names', async () => {
    const root = await runCli(['--help'], isolatedAwsEnv());
    expect(root.code).toBe(0);
    for (const command of ['scan', 'plan', 'show', 'apply', 'rollback', 'status', 'check', 'export', 'report']) {
      expect(root.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
      const help = await runCli([command, '--help'], isolatedAwsEnv());
      expect(help.code).toBe(0);
      const documented = ['scan', 'plan', 'check', 'export'].includes(command) ? readmeOptions(command) : [];
      for (const option of documented) expect(help.stdout, `${command} --help lacks ${option}`).toContain(option);
    }
    for (const flag of ['--profile', '--region', '--endpoint-url', '--debug', '--output']) expect(root.stdout).toContain(flag);
    // A command group: its subcommand's options are the README's.
    expect(root.stdout).toMatch(/^ {2}guardrail\b/m);
    const guardrail = await runCli(['guardrail', 'export', '--help'], isolatedAwsEnv());
    expect(guardrail.code).toBe(0);
    for (const option of readmeOptions('guardrail export'))
      expect(guardrail.stdout, `guardrail export --help lacks ${option}`).toContain(option);
  });
});
