/**
 * The orders scenario planned, applied and rolled back through the fault
 * proxy with all five of real AWS's behaviours at once (aws-behaviours.ts):
 * new roles Lambda cannot assume for 15 s, instance profiles EC2 does not
 * know for 12 s, Lambda updates in progress for 6 s (a second update gets
 * 409), throttling past the SDK's three attempts on every 10th call of each
 * service, and DeleteConflict right after detaching. The CLI runs with AWS's
 * real waits and retry budget, on a test clock it shares with the proxy
 * (SPLIT_ROLE_TEST_CLOCK), so those seconds pass without the suite sleeping.
 * Nothing is done by hand; rollback restores the account exactly.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureAccountState, fullySplitProblems, orphanProblems, planResources } from '../support/account-state.js';
import { TEST_REGION } from '../support/aws-clients.js';
import { realAwsBehaviours, testClock } from '../support/aws-behaviours.js';
import { isolatedAwsEnv, runCli, type CliResult } from '../support/cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { resetMoto } from '../support/moto-server.js';
import { planScenario, seedOrdersScenario, type OrdersScenario } from '../support/scenario.js';
import { writeTrailFiles } from '../support/trail-files.js';

const endpoint = workerMotoEndpoint();

/**
 * `apply --soak 0`; when the retire gate waits for CloudTrail to deliver past
 * cutover, a trail file with someone else's call from now is delivered into
 * the plan's trail folder and apply runs again with `--delivery-lag 0`, as an
 * operator's later run would.
 */
async function applyAndRetire(env: NodeJS.ProcessEnv, planPath: string, scenario: OrdersScenario): Promise<CliResult> {
  const args = ['apply', planPath, '--yes', '--soak', '0'];
  const first = await runCli(args, env);
  if (first.code !== 0 || !/^retire pending/m.test(first.stdout)) return first;
  const record = {
    eventTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetCallerIdentity',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${scenario.account}:user/ops` },
  };
  await writeTrailFiles(join(dirname(planPath), 'delivered'), [record], scenario);
  return runCli([...args, '--delivery-lag', '0'], env);
}

describe.skipIf(!endpoint)('the orders scenario under real AWS behaviours, all at once', () => {
  const motoEndpoint = endpoint as string;
  let proxy: FaultProxy;
  let workdir: string;
  let clockFile: string;
  const savedClock = process.env.SPLIT_ROLE_TEST_CLOCK;

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'split-role-real-aws-'));
    clockFile = join(workdir, 'clock');
    proxy = await startFaultProxy(motoEndpoint);
  });
  afterAll(async () => {
    if (savedClock === undefined) delete process.env.SPLIT_ROLE_TEST_CLOCK;
    else process.env.SPLIT_ROLE_TEST_CLOCK = savedClock;
    await proxy?.close();
  });

  it('plans, applies and rolls back with no manual step, and the account is as it was', { timeout: 240_000 }, async () => {
    await resetMoto(motoEndpoint);
    const scenario = await seedOrdersScenario(motoEndpoint);
    const pristine = await captureAccountState(motoEndpoint);
    const { rule, log } = realAwsBehaviours(testClock(clockFile));
    proxy.setRule(rule);
    // No SPLIT_ROLE_FAST_WAITS: AWS's own waits and budgets, on the shared test clock.
    const env = isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: proxy.endpoint, SPLIT_ROLE_TEST_CLOCK: clockFile });

    // planScenario's CLI inherits this process's variables (not AWS_*): the plan's reads share the clock too.
    process.env.SPLIT_ROLE_TEST_CLOCK = clockFile;
    const planPath = await planScenario(proxy.endpoint, scenario, workdir);

    // Apply, then (once a trail file past cutover is delivered) apply again to retire, as an operator does later.
    const applied = await applyAndRetire(env, planPath, scenario);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/Done\./);
    const split = await captureAccountState(motoEndpoint);
    expect(fullySplitProblems(split, scenario.roleName)).toEqual([]);
    expect(orphanProblems(split)).toEqual([]);

    const rolledBack = await runCli(['rollback', planPath, '--yes'], env);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    const restored = await captureAccountState(motoEndpoint);
    expect(restored).toEqual(pristine);
    expect(planResources(restored)).toEqual([]);

    // Every behaviour answered at least once. (A second Lambda update while one is in progress gets 409, but
    // split-role waits for an update to finish before it starts the next, so that one may never be needed.)
    for (const behaviour of ['throttle', 'lambda-role', 'ec2-profile', 'lambda-in-progress', 'delete-conflict'])
      expect(log.counts.get(behaviour) ?? 0, behaviour).toBeGreaterThan(0);
  });
});
