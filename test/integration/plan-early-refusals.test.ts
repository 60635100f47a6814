/**
 * A run without prompts (--yes) is refused for a decision it lacks before
 * any evidence is read. The trail folder is empty: had the evidence been read
 * first, each run would end in "no trail files found" instead.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { resetMoto } from '../support/moto-server.js';
import { seedOrdersScenario } from '../support/scenario.js';

const endpoint = workerMotoEndpoint();

describe.skipIf(!endpoint)('plan --yes refuses a missing or bad decision before reading evidence', () => {
  it('--unobservable, --name and required tags are checked first; with all of them the evidence is reached', async () => {
    await resetMoto(endpoint as string);
    await seedOrdersScenario(endpoint as string);
    const empty = await mkdtemp(join(tmpdir(), 'split-role-early-'));
    const env = isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: endpoint as string });
    const plan = (...args: string[]) =>
      runCli(
        ['plan', '--role', 'orders', '--yes', '--evidence', 'logs', '--cloudtrail-logs', empty, '--out', join(empty, 'p.json'), ...args],
        env,
      );

    const cases: Array<[string[], RegExp]> = [
      [[], /UsageError: \d+ granted action\(s\) cannot be seen by logs evidence \(.*logs:PutLogEvents.*\), checked before reading it/],
      [
        ['--unobservable', 'keep', '--name', 'sqs=orders-queue'],
        /UsageError: --name sqs=orders-queue does not name a service of this role/,
      ],
      [['--unobservable', 'keep', '--require-tags', 'costcenter'], /UsageError: orders lacks the required tag costcenter/],
    ];
    for (const [args, refusal] of cases) {
      const run = await plan(...args);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(refusal);
      expect(run.stderr).not.toMatch(/no trail files found/);
    }
    const reached = await plan('--unobservable', 'keep');
    expect(reached.code).toBe(2);
    expect(reached.stderr).toMatch(/NoEvidence: no trail files found under /);
  }, 60_000);
});
