/**
 * Apply (and rollback) through a hostile network: the fault proxy answers a
 * deterministic share of the calls with the service's own throttling error,
 * a 500/503, or a dropped connection — before moto sees the call, or after
 * moto applied it (the client then retries a change that already happened,
 * which only idempotent steps survive). The run must still end in exactly
 * the state an undisturbed run reaches.
 *
 * `npm test` runs the two cases marked `everyRun`: every fault kind mixed on
 * every 5th call (apply and rollback), and throttling that outlasts three
 * attempts (issue 22). `npm run test:slow` (SPLIT_ROLE_FULL_CRASH_MATRIX=1,
 * which CI also runs) runs every case, one fault kind at a time.
 */
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlan } from '../../src/plan/plan-file.js';
import {
  captureAccountState,
  fullySplitProblems,
  normalizeState,
  orphanProblems,
  planResources,
  type AccountState,
} from '../support/account-state.js';
import { TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import {
  faultEvery,
  faultOf,
  startFaultProxy,
  throttlingFor,
  type FaultKind,
  type FaultProxy,
  type FaultRule,
} from '../support/fault-proxy.js';
import { resetMoto } from '../support/moto-server.js';
import { ORDERS_APPLY_MUTATIONS, type OrdersScenario, planScenario, seedOrdersScenario } from '../support/scenario.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { applyThroughRetire } from '../support/retire.js';

const endpoint = workerMotoEndpoint();
const RANDOM_SEED = 777;

interface FaultCase {
  name: string;
  rule: () => FaultRule;
  /** Fault labels (as the proxy logs them) that must have been injected. */
  expectFaults: string[];
  /** Services (signing names) whose calls must have been faulted at least once. */
  expectServices?: string[];
  /** Also roll back under the same faults. */
  rollback?: boolean;
  /** Every kind of mutating operation of the apply must have been faulted. */
  expectMutations?: boolean;
  /** Extra environment; undefined unsets a variable. */
  env?: Record<string, string | undefined>;
  /** Run by `npm test` too; the others only in the full matrix (`npm run test:slow`). */
  everyRun?: boolean;
}

/**
 * Every `every`-th call of each service is throttled, and so are its next
 * `streak - 1` re-sends (the same operation and body): a throttle that
 * outlasts the SDK's default three attempts, which only the retry budget survives.
 */
function throttledPastThreeAttempts(every: number, streak = 4): FaultRule {
  const calls = new Map<string, number>();
  const left = new Map<string, number>();
  return (req) => {
    const id = `${req.service} ${req.method} ${req.path} ${req.operation} ${req.body}`;
    const remaining = left.get(id);
    if (remaining !== undefined) {
      if (remaining <= 1) left.delete(id);
      else left.set(id, remaining - 1);
      return { ...throttlingFor(req), label: `throttle×${streak}` };
    }
    const count = (calls.get(req.service) ?? 0) + 1;
    calls.set(req.service, count);
    if (count % every !== 0) return undefined;
    left.set(id, streak - 1);
    return { ...throttlingFor(req), label: `throttle×${streak}` };
  };
}

/** After moto applied it, fails the first call of every kind of mutating operation (so each kind is retried once). */
function lostAnswerOnceForEachMutation(kind: '500-after' | 'drop-after'): FaultRule {
  const seen = new Set<string>();
  return (req) => {
    if (!req.mutating || seen.has(req.operation)) return undefined;
    seen.add(req.operation);
    return faultOf(kind, req);
  };
}

const CASES: FaultCase[] = [
  {
    // The 10th call of each service, then every 30th: each service answers in its own protocol
    // (IAM query XML, EC2 XML, ECS JSON 1.1, Lambda REST-JSON 429).
    name: 'throttling on the 10th and every 30th call of each service (each in its own protocol)',
    rule: () => faultEvery(30, ['throttle'], { perService: true, offset: 20 }),
    expectFaults: ['throttle'],
    expectServices: ['iam', 'ec2', 'lambda', 'ecs'],
  },
  {
    name: '500 and 503 on every 3rd call of each service',
    rule: () => faultEvery(3, ['500', '503'], { perService: true }),
    expectFaults: ['500', '503'],
    expectServices: ['iam', 'ec2', 'lambda', 'ecs'],
  },
  {
    name: 'a dropped connection on every 4th call of each service',
    rule: () => faultEvery(4, ['drop'], { perService: true }),
    expectFaults: ['drop'],
    expectServices: ['iam', 'ec2', 'lambda', 'ecs'],
  },
  {
    name: 'a 500 after moto applied the first call of each kind of mutating operation',
    rule: () => lostAnswerOnceForEachMutation('500-after'),
    expectFaults: ['500-after'],
    expectMutations: true,
    // The retry of an applied AddRoleToInstanceProfile gets LimitExceeded, which the SDK treats as
    // throttling and backs off on up to the last attempt: more attempts only add backoff time.
    env: { AWS_MAX_ATTEMPTS: '3' },
  },
  {
    name: 'a dropped connection after moto applied the first call of each kind of mutating operation',
    rule: () => lostAnswerOnceForEachMutation('drop-after'),
    expectFaults: ['drop-after'],
    expectMutations: true,
    env: { AWS_MAX_ATTEMPTS: '3' },
  },
  {
    // No AWS_MAX_ATTEMPTS: the retry budget (2 min per call) re-sends; the SDK alone would give up after three attempts.
    name: 'every 10th call throttled four times in a row, past three attempts, for apply and then rollback',
    everyRun: true,
    rule: () => throttledPastThreeAttempts(10),
    expectFaults: ['throttle×4'],
    expectServices: ['iam', 'ec2', 'lambda', 'ecs'],
    rollback: true,
    env: { AWS_MAX_ATTEMPTS: undefined },
  },
  {
    name: 'all of them mixed on every 5th call, for apply and then rollback',
    everyRun: true,
    rule: () => faultEvery(5, ['500', 'drop', 'throttle', '503', '500-after', 'drop-after'] satisfies FaultKind[]),
    expectFaults: ['500', 'drop', 'throttle', '503', '500-after', 'drop-after'],
    rollback: true,
  },
];

describe.skipIf(!endpoint)('apply and rollback through throttling, 5xx and dropped connections', () => {
  const motoEndpoint = endpoint as string;
  let proxy: FaultProxy;
  let workdir: string;
  let scenario: OrdersScenario;
  let planTemplate: string;
  let planId: string;
  let pristine: AccountState;
  let splitReference: AccountState;

  const env = (extra: Record<string, string | undefined> = {}) =>
    isolatedAwsEnv({
      AWS_REGION: TEST_REGION,
      AWS_ENDPOINT_URL: proxy.endpoint,
      SPLIT_ROLE_FAST_WAITS: '1',
      AWS_MAX_ATTEMPTS: '8',
      ...extra,
    });
  /**
   * Comparable across seeds and runs: instance ids and plan id as placeholders, and the revision
   * number of the copy apply registers as "<copy>" (a retried registration may take the next
   * number); a second ACTIVE copy would still show as a second entry.
   */
  const normalized = (state: AccountState): AccountState =>
    JSON.parse(
      JSON.stringify(normalizeState(state, { instanceIds: scenario.instanceIds, planId })).replace(
        /(task-definition\/[\w-]+):(?:[2-9]|\d{2,})(?=")/g,
        '$1:<copy>',
      ),
    ) as AccountState;

  async function reseed(): Promise<void> {
    await resetMoto(motoEndpoint);
    scenario = await seedOrdersScenario(motoEndpoint, { randomSeed: RANDOM_SEED });
  }

  async function freshPlan(): Promise<string> {
    const path = join(await mkdtemp(join(workdir, 'run-')), 'orders.plan.json');
    await copyFile(planTemplate, path);
    return path;
  }

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'split-role-faults-'));
    proxy = await startFaultProxy(motoEndpoint);
    // The reference: the same account, planned once and applied with no faults.
    await reseed();
    pristine = await captureAccountState(motoEndpoint);
    planTemplate = await planScenario(motoEndpoint, scenario, workdir);
    planId = (await readPlan(planTemplate)).planId;
    const clean = await applyThroughRetire((args) => runCli(args, env()), await freshPlan());
    if (clean.code !== 0) throw new Error(`the undisturbed apply failed: ${clean.stderr}`);
    splitReference = normalized(await captureAccountState(motoEndpoint));
  });
  afterAll(async () => {
    await proxy?.close();
  });

  // A retried applied AddRoleToInstanceProfile backs off like a throttle: runs take longer. (Under
  // SPLIT_ROLE_FAST_WAITS the clients use standard retries: adaptive pacing, down to 0.5 call/s after
  // a throttle, is for real AWS.)
  it.each(process.env.SPLIT_ROLE_FULL_CRASH_MATRIX === '1' ? CASES : CASES.filter((c) => c.everyRun))(
    '$name',
    { timeout: 120_000 },
    async ({ rule, expectFaults, expectServices, expectMutations, rollback, env: extraEnv }) => {
      await reseed();
      expect(await captureAccountState(motoEndpoint)).toEqual(pristine);
      const planPath = await freshPlan();
      proxy.clear();
      proxy.setRule(rule());
      try {
        const applied = await applyThroughRetire((args) => runCli(args, env(extraEnv)), planPath);
        expect(applied.code, applied.stderr).toBe(0);
        expect(applied.stderr).toMatch(/Done\./);
        const faults = new Set(proxy.injected.map((f) => f.fault));
        for (const fault of expectFaults) expect(faults, `${fault} was injected`).toContain(fault);
        if (expectServices) {
          const faultedServices = new Set(proxy.injected.map((f) => f.service));
          for (const service of expectServices) expect(faultedServices, `a ${service} call was faulted`).toContain(service);
        }
        if (expectMutations)
          expect([...new Set(proxy.injected.map((f) => f.operation))]).toEqual(expect.arrayContaining([...ORDERS_APPLY_MUTATIONS]));

        const final = await captureAccountState(motoEndpoint);
        expect(fullySplitProblems(final, 'orders')).toEqual([]);
        expect(orphanProblems(final)).toEqual([]);
        expect(normalized(final)).toEqual(splitReference);

        if (rollback) {
          const rolledBack = await runCli(['rollback', planPath, '--yes'], env(extraEnv));
          expect(rolledBack.code, rolledBack.stderr).toBe(0);
          const restored = await captureAccountState(motoEndpoint);
          expect(restored).toEqual(pristine);
          expect(planResources(restored)).toEqual([]);
        }
      } finally {
        proxy.setRule(undefined);
      }
    },
  );
});
