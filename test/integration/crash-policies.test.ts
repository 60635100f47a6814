/**
 * The crash matrix for resource-policy steps: the CLI is SIGKILLed right after
 * moto answered a policy write (the fault proxy holds the answer until the
 * process is dead, so the write happened and the journal never heard of it),
 * once in the add step and once in the retire removal; then apply resumes
 * (every policy ends naming the new roles and not the shared role) or
 * rollback runs (every policy is back to its original document).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlan } from '../../src/plan/plan-file.js';
import { findRoleStatements } from '../../src/resource-policy/statements.js';
import { TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { applyKilledAt } from '../support/policy-crash.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { resetMoto } from '../support/moto-server.js';
import { seedResourcePolicies } from '../support/resource-policies.js';
import { planScenario, seedOrdersScenario } from '../support/scenario.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { applyThroughRetire } from '../support/retire.js';

const endpoint = workerMotoEndpoint();

const FULL = process.env.SPLIT_ROLE_FULL_CRASH_MATRIX === '1';
/** `npm test` follows each kill one way on (rollback, resume); the full matrix (`npm run test:slow`, CI) both ways. */
const CASES = [
  { label: 'the first PutKeyPolicy (adding the new roles)', op: 'PutKeyPolicy', occurrence: 1, then: 'rollback' },
  { label: 'the second SetQueueAttributes (removing the shared role)', op: 'SetQueueAttributes', occurrence: 2, then: 'resume' },
] as const;

describe.skipIf(!endpoint)('crash matrix for resource-policy writes', () => {
  const motoEndpoint = endpoint as string;
  let proxy: FaultProxy;
  let workdir: string;
  const env = () => isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: proxy.endpoint, SPLIT_ROLE_FAST_WAITS: '1' });

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'split-role-crash-policies-'));
    proxy = await startFaultProxy(motoEndpoint);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  for (const { label, op, occurrence, then: firstWay } of CASES) {
    for (const then of FULL ? (['resume', 'rollback'] as const) : [firstWay]) {
      it(`killed after ${label}, then ${then}`, async () => {
        await resetMoto(motoEndpoint);
        const scenario = await seedOrdersScenario(motoEndpoint, { instances: 0, functions: 1, services: 0 });
        const seeded = await seedResourcePolicies(motoEndpoint, TEST_REGION, scenario.account, scenario.roleArn);
        const planPath = await planScenario(motoEndpoint, scenario, workdir, ['--without-evidence', 'empty']);
        const plan = await readPlan(planPath);
        expect(await applyKilledAt(proxy, env(), planPath, op, occurrence)).toBe('killed');

        const finish =
          then === 'resume'
            ? await applyThroughRetire((args) => runCli(args, env()), planPath)
            : await runCli(['rollback', planPath, '--yes'], env());
        expect(finish.code, finish.stderr).toBe(0);
        const now = await seeded.read();
        if (then === 'rollback') {
          expect(JSON.parse(now.key)).toEqual(JSON.parse(seeded.original.key));
          expect(JSON.parse(now.bucket)).toEqual(JSON.parse(seeded.original.bucket));
          expect(JSON.parse(now.queue)).toEqual(JSON.parse(seeded.original.queue));
          return;
        }
        for (const text of Object.values(now)) {
          expect(findRoleStatements(text, { arn: scenario.roleArn, roleId: plan.sharedRole.roleId }, { exact: true })).toEqual([]);
          for (const role of plan.newRoles) expect(text).toContain(role.roleArn);
        }
      }, 300_000);
    }
  }
});
