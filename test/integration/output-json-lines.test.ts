/**
 * `--output json-lines`: every message on stderr is one JSON object with a
 * registered code, while results stay on stdout. Run for real against moto.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { MESSAGE_CODES } from '../../src/core/message-codes.js';
import { TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { resetMoto } from '../support/moto-server.js';
import { scenarioRecords, seedOrdersScenario } from '../support/scenario.js';
import { writeTrailFiles } from '../support/trail-files.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { applyThroughRetire } from '../support/retire.js';

const endpoint = workerMotoEndpoint();

interface Event {
  time: string;
  level: string;
  code: keyof typeof MESSAGE_CODES;
  message: string;
  data: Record<string, unknown>;
}

/** Parses stderr: every line must be a JSON event with a registered code of the registered level. */
function events(stderr: string): Event[] {
  const lines = stderr.split('\n').filter((line) => line.length > 0);
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((line) => {
    const event = JSON.parse(line) as Event;
    expect(Object.keys(event).sort()).toEqual(['code', 'data', 'level', 'message', 'time']);
    expect(MESSAGE_CODES[event.code], line).toBeDefined();
    expect(event.level).toBe(MESSAGE_CODES[event.code].level);
    expect(Number.isNaN(Date.parse(event.time))).toBe(false);
    return event;
  });
}

describe.skipIf(!endpoint)('--output json-lines against moto', () => {
  const env = () => isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: endpoint as string, SPLIT_ROLE_FAST_WAITS: '1' });

  beforeEach(async () => {
    await resetMoto(endpoint as string);
  });

  it('plan and apply emit coded events on stderr and keep the result on stdout', async () => {
    const scenario = await seedOrdersScenario(endpoint as string);
    const dir = await mkdtemp(join(tmpdir(), 'split-role-json-lines-'));
    await writeTrailFiles(join(dir, 'trail'), scenarioRecords(scenario), scenario);
    const out = join(dir, 'orders.plan.json');
    const plan = await runCli(
      [
        '--output',
        'json-lines',
        'plan',
        '--role',
        'orders',
        '--yes',
        '--out',
        out,
        '--evidence',
        'logs',
        '--cloudtrail-logs',
        join(dir, 'trail'),
        '--unobservable',
        'drop',
      ],
      env(),
    );
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout.trim()).toBe(out);
    const wrote = events(plan.stderr).find((e) => e.code === 'SR_PLAN_I2007');
    expect(wrote?.data).toMatchObject({ path: out, newRoles: ['orders-ec2', 'orders-ecs', 'orders-lambda'] });

    const apply = await applyThroughRetire((args) => runCli(args, env()), out, ['--output', 'json-lines']);
    expect(apply.code, apply.stderr).toBe(0);
    // The first run cuts over; its gate says what it read, and retirement waits for CloudTrail to deliver past cutover.
    const applied = events(apply.first.stderr);
    expect(applied[0]?.code).toBe('SR_APPLY_I4001');
    expect(applied.filter((e) => e.code === 'SR_APPLY_I4102').map((e) => e.data.task)).toContain('Create the new roles');
    expect(applied.find((e) => e.code === 'SR_APPLY_I4011')?.data).toMatchObject({ records: expect.any(Number) });
    expect(applied.at(-1)).toMatchObject({ code: 'SR_APPLY_I4003', data: { outcome: 'retire-pending' } });
    const retired = events(apply.stderr);
    expect(retired.find((e) => e.code === 'SR_APPLY_I4011')?.data).toMatchObject({ latest: expect.any(String) });
    expect(retired.at(-1)).toMatchObject({ code: 'SR_APPLY_I4003', message: 'Done.', data: { outcome: 'completed' } });
  });

  it('reports a failure as one error event naming the error code', async () => {
    const run = await runCli(['scan', '--role', 'no-such-role', '--output', 'json-lines'], env());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const [error, ...rest] = events(run.stderr);
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ level: 'error', code: 'SR_CLI_E9001', data: { error: expect.any(String) } });
    expect(error?.message).toContain('no-such-role');
  });
});
