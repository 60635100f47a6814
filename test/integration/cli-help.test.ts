/** `--help` and `--version` are complete and agree with each command's page in docs/commands/. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isolatedAwsEnv, runCli } from '../support/cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Options the option table of a command's page documents (rows starting with `--flag`). */
function documentedOptions(command: string): string[] {
  const page = readFileSync(new URL(`../../docs/commands/${command.split(' ')[0] ?? command}.md`, import.meta.url), 'utf8');
  const global = new Set(['--profile', '--region', '--endpoint-url', '--debug', '--output', '--events', '--help']);
  const rows = page.split('\n').filter((line) => line.startsWith('| `--'));
  expect(rows.length).toBeGreaterThan(2);
  return [...new Set(rows.flatMap((row) => row.split('|')[1]?.match(/--[a-z][a-z-]+/g) ?? []))].filter((o) => !global.has(o));
}

describe('split-role --help', () => {
  it('prints the version from package.json', async () => {
    const run = await runCli(['--version'], isolatedAwsEnv());
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });

  it('lists every command, and each command documents the options its docs page names', async () => {
    const root = await runCli(['--help'], isolatedAwsEnv());
    expect(root.code).toBe(0);
    for (const command of ['scan', 'plan', 'show', 'apply', 'verify', 'rollback', 'status', 'check', 'export', 'report']) {
      expect(root.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
      const help = await runCli([command, '--help'], isolatedAwsEnv());
      expect(help.code).toBe(0);
      const documented = ['scan', 'plan', 'apply', 'verify', 'check', 'export'].includes(command) ? documentedOptions(command) : [];
      for (const option of documented) expect(help.stdout, `${command} --help lacks ${option}`).toContain(option);
    }
    for (const flag of ['--profile', '--region', '--endpoint-url', '--debug', '--output']) expect(root.stdout).toContain(flag);
    // A command group: its subcommand's options are those of its page.
    expect(root.stdout).toMatch(/^ {2}guardrail\b/m);
    const guardrail = await runCli(['guardrail', 'export', '--help'], isolatedAwsEnv());
    expect(guardrail.code).toBe(0);
    for (const option of documentedOptions('guardrail export'))
      expect(guardrail.stdout, `guardrail export --help lacks ${option}`).toContain(option);
  });
});
