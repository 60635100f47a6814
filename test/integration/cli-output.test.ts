/**
 * Output like the AWS CLI's: `--output json|text` picks the result on stdout
 * for every command (a command's `--json` is the same), `--events json-lines`
 * the messages on stderr; a parse error is JSON when JSON was asked for;
 * every command's help lists the global options and ends with its exit codes.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { retireUntil } from '../../src/cli/commands/apply.js';
import { TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { resetMoto } from '../support/moto-server.js';
import { scenarioRecords, seedOrdersScenario } from '../support/scenario.js';
import { writeTrailFiles } from '../support/trail-files.js';

const endpoint = workerMotoEndpoint();
const COMMANDS = [
  'scan',
  'plan',
  'show',
  'apply',
  'verify',
  'rollback',
  'status',
  'check',
  'report',
  'export',
  'guardrail',
  'guardrail export',
];

describe('help and parse errors', () => {
  it('every command lists the global options and ends with its exit codes', async () => {
    for (const command of COMMANDS) {
      const help = await runCli([...command.split(' '), '--help'], isolatedAwsEnv());
      expect(help.code).toBe(0);
      for (const flag of ['--profile', '--region', '--endpoint-url', '--debug', '--output', '--events'])
        expect(help.stdout, `${command} --help lacks ${flag}`).toContain(flag);
      const text = help.stdout.trimEnd();
      // The last paragraph ends with the exit codes (a line before them may say how to resume).
      expect(text.slice(text.lastIndexOf('\n\n') + 2), command).toMatch(/(^|\n)Exit codes: [^\n]+(\n\d[^\n]+)?$/);
    }
  });

  it('a parse error is one JSON event on stderr when JSON is asked for, and text otherwise', async () => {
    for (const args of [
      ['scan', '--output', 'json', '--nope'],
      ['plan', '--json', '--role', 'orders', '--unobservable', 'maybe'],
      ['--events', 'json-lines', 'apply'],
    ]) {
      const run = await runCli(args, isolatedAwsEnv());
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trim().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'error', code: 'SR_CLI_E9001', data: { error: 'UsageError' } });
    }
    const text = await runCli(['scan', '--nope'], isolatedAwsEnv());
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/^error: unknown option '--nope'/);
  });

  it('refuses a region AWS does not have before any call', async () => {
    // Nothing listens on port 9: a call would fail with a network error, not this usage line.
    const env = isolatedAwsEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    for (const args of [
      ['scan', '--region', 'us-east-7'],
      ['plan', '--role', 'orders', '--yes', '--region', 'us-east-7'],
    ]) {
      const run = await runCli(args, env);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain("--region 'us-east-7' is not a region AWS has — did you mean us-east-1?");
    }
  });
});

describe.skipIf(!endpoint)('--output json against moto', () => {
  it('scan, plan and apply print one JSON document; retire pending carries its time in the result and the event', async () => {
    await resetMoto(endpoint as string);
    const scenario = await seedOrdersScenario(endpoint as string);
    const env = isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: endpoint as string, SPLIT_ROLE_FAST_WAITS: '1' });
    const scan = await runCli(['scan', '--output', 'json'], env);
    expect(scan.code, scan.stderr).toBe(1);
    expect((JSON.parse(scan.stdout) as { findings: Array<{ roleName: string }> }).findings.map((f) => f.roleName)).toContain('orders');

    const dir = await mkdtemp(join(tmpdir(), 'split-role-output-'));
    await writeTrailFiles(join(dir, 'trail'), scenarioRecords(scenario), scenario);
    const out = join(dir, 'orders.plan.json');
    const plan = await runCli(
      [
        ...['plan', '--role', `arn:aws:iam::${scenario.account}:role/orders`, '--yes', '--out', out, '--output', 'json'],
        ...['--evidence', 'logs', '--cloudtrail-logs', join(dir, 'trail'), '--unobservable', 'keep', '--regions', TEST_REGION],
      ],
      env,
    );
    expect(plan.code, plan.stderr).toBe(0);
    const plans = (JSON.parse(plan.stdout) as { plans: Array<{ path: string; role: string; digest: string; newRoles: string[] }> }).plans;
    expect(plans).toEqual([
      expect.objectContaining({ path: out, role: 'orders', newRoles: ['orders-ec2', 'orders-ecs', 'orders-lambda'] }),
    ]);
    expect(plans[0]?.digest).toMatch(/^sha256:/);

    const apply = await runCli(['apply', out, '--yes', '--json', '--events', 'json-lines'], env);
    expect(apply.code, apply.stderr).toBe(0);
    const result = JSON.parse(apply.stdout) as { outcome: string; retireAfter: string | null; pending: string };
    expect(result).toMatchObject({ command: 'apply', outcome: 'retire-pending', pending: expect.stringMatching(/^retire pending/) });
    // The soak's end when that is what retirement waits for (retireUntil's unit test covers the parsing).
    expect(result.retireAfter).toBe(retireUntil(result.pending) ?? null);
    const ended = apply.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { code: string; data: Record<string, unknown> })
      .find((e) => e.code === 'SR_APPLY_I4003');
    expect(ended?.data).toMatchObject({ outcome: 'retire-pending', pending: result.pending });
    expect(ended?.data.retireAfter).toBe(result.retireAfter ?? undefined);
  }, 120_000);
});
