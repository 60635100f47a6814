/**
 * Crash matrix: the built CLI is SIGKILLed right after moto answered its Nth
 * mutating call (the fault proxy holds that answer until the process is
 * dead, so the account has the change and the CLI never heard of it), then
 * the account is checked at the kill point, and the run is resumed:
 *   A. apply again → the full split, equal to an uninterrupted apply's result;
 *   B. (on a fresh copy of the same account) rollback → exactly the state
 *      before apply.
 * Rollback itself is killed mid-way and run again, too.
 *
 * The account is reseeded with moto's RNG seeded, so every reseed reproduces
 * the same ids and one plan (made once, by the CLI, in the dry run) fits them
 * all; the dry run checks that reproduction is exact.
 *
 * `npm test` kills apply at one point (the first UpdateFunctionConfiguration,
 * mid-repoint) and rollback at one (its second call, after an apply killed
 * mid-repoint); `npm run test:slow`
 * (SPLIT_ROLE_FULL_CRASH_MATRIX=1, which CI also runs) kills apply after
 * every N from 1 to M (M = 19 for the orders plan) and rollback at all five
 * points (about 8 minutes on a 2-core machine):
 *   SPLIT_ROLE_FULL_CRASH_MATRIX=1 npx vitest run --project integration test/integration/crash-matrix.test.ts
 *
 * The full matrix also kills apply inside retire's resource-policy write,
 * resumes it, and rolls back (issue 21 item 7: the resume journaled the
 * already-stripped policy as the text to restore, and rollback stopped with
 * ResourcePolicyChanged while the workloads had lost their KMS access).
 * test/integration/crash-policies.test.ts kills the policy writes in every
 * run, and test/unit/rollback-restore.test.ts runs this case in-process.
 *
 * The full matrix also runs a Lambda + Step Functions plan whose state machine
 * has an alias on a published version (issue 23: the crash matrix covers one
 * of the new kinds): apply is killed after each Step Functions call of its
 * repoint (UpdateStateMachine publishing, UpdateStateMachineAlias) and resumed
 * or rolled back, and rollback is killed after each of its undo
 * (UpdateStateMachineAlias, UpdateStateMachine, DeleteStateMachineVersion)
 * and run again; the account, the machine, its alias and its versions must
 * end exactly as an uninterrupted run leaves them.
 */
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { readPlan } from '../../src/plan/plan-file.js';
import {
  bindingProblems,
  captureAccountState,
  fullySplitProblems,
  normalizeState,
  orphanProblems,
  planResources,
  sharedRoleProblems,
  type AccountState,
} from '../support/account-state.js';
import { TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli, spawnCli, type SpawnedResult } from '../support/cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { resetMoto } from '../support/moto-server.js';
import { applyKilledAt } from '../support/policy-crash.js';
import { applyThroughRetire, spawnApplyThroughRetire } from '../support/retire.js';
import { seedResourcePolicies } from '../support/resource-policies.js';
import { ORDERS_APPLY_MUTATIONS, type OrdersScenario, planScenario, seedOrdersScenario } from '../support/scenario.js';
import { captureStateMachine, seedStateMachine, type StateMachineState } from '../support/state-machine-crash.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';

const endpoint = workerMotoEndpoint();
const FULL = process.env.SPLIT_ROLE_FULL_CRASH_MATRIX === '1';
/** Full mode enumerates N = 1..FULL_MAX_N and skips N > M; the dry run fails if M outgrows it. */
const FULL_MAX_N = 25;
const RANDOM_SEED = 20_240_611;

interface CrashPoint {
  label: string;
  /** N from the dry run's mutating operations (in order); undefined: not applicable (skipped). */
  n: (ops: readonly string[]) => number | undefined;
}

/**
 * `npm test`'s one kill point: mid-repoint, where the account holds new roles and some workloads moved (the
 * create and retire points, and every other N, run in the full matrix, which CI also runs).
 */
const STAGE_POINTS: ReadonlyArray<{ stage: string; op: string }> = [{ stage: 'repoint', op: 'UpdateFunctionConfiguration' }];

const CRASH_POINTS: CrashPoint[] = FULL
  ? Array.from({ length: FULL_MAX_N }, (_, i) => ({
      label: `N=${i + 1}`,
      n: (ops: readonly string[]) => (i < ops.length ? i + 1 : undefined),
    }))
  : STAGE_POINTS.map(({ stage, op }) => ({ label: `the first ${op} (${stage})`, n: (ops: readonly string[]) => ops.indexOf(op) + 1 }));

describe.skipIf(!endpoint)('crash matrix: SIGKILL after the Nth mutating call, then resume or roll back', () => {
  const motoEndpoint = endpoint as string;
  let proxy: FaultProxy;
  let workdir: string;
  let scenario: OrdersScenario;
  let planTemplate: string;
  let planId: string;
  let pristine: AccountState;
  /** A clean apply's end state, normalised (instance ids, plan id). */
  let splitReference: AccountState;
  /** The mutating operations of a full apply, in the order moto answered them (M = length). */
  let applyOps: string[] = [];
  /** The mutating operations of a full rollback of a complete apply. */
  let rollbackOps: string[] = [];

  const env = () => isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: proxy.endpoint, SPLIT_ROLE_FAST_WAITS: '1' });
  const cli = (args: string[]) => runCli(args, env());
  const normalized = (state: AccountState) => normalizeState(state, { instanceIds: scenario.instanceIds, planId });

  async function reseed(): Promise<void> {
    await resetMoto(motoEndpoint);
    scenario = await seedOrdersScenario(motoEndpoint, { randomSeed: RANDOM_SEED });
  }

  /** A copy of the plan in its own folder: its own journal and lock. */
  async function freshPlan(): Promise<string> {
    const dir = await mkdtemp(join(workdir, 'run-'));
    const path = join(dir, 'orders.plan.json');
    await copyFile(planTemplate, path);
    return path;
  }

  /** Mutating operations moto answered (faulted and dropped requests never reached it). */
  const answeredMutations = () => proxy.forwarded.filter((f) => f.mutating).map((f) => f.operation);

  /**
   * Runs `split-role COMMAND PLAN --yes` and SIGKILLs it as soon as moto has
   * answered its `n`th mutating call, before the answer is relayed; anything
   * the dying process still sends is dropped, so moto sees exactly n mutations.
   */
  async function runKilledAfter(
    command: 'apply' | 'rollback',
    planPath: string,
    n: number,
  ): Promise<{ result: SpawnedResult; killedAfter?: string }> {
    proxy.clear();
    let count = 0;
    // An apply is cutover, then (once a trail file past cutover is delivered) retirement: n counts across both runs.
    if (command === 'apply') return spawnApplyThroughRetire(proxy, env(), planPath, (_operation, mutating) => mutating && ++count === n);
    let killedAfter: string | undefined;
    const run = spawnCli([command, planPath, '--yes'], env());
    proxy.setRule(() => (killedAfter ? { drop: true } : undefined));
    proxy.onForwarded(async (operation, _status, req) => {
      if (!req.mutating || killedAfter) return;
      count += 1;
      if (count !== n) return;
      killedAfter = operation;
      run.child.kill('SIGKILL');
      await run.result;
    });
    try {
      const result = await run.result;
      return { result, ...(killedAfter ? { killedAfter } : {}) };
    } finally {
      proxy.onForwarded(undefined);
      proxy.setRule(undefined);
    }
  }

  /** The invariants that must hold at any instant, crash or not. */
  function expectSafe(state: AccountState, where: string): void {
    expect(bindingProblems(state), `${where}: every workload bound to exactly one existing role`).toEqual([]);
    expect(sharedRoleProblems(state, scenario.roleArn), `${where}: shared role never deleted while bound`).toEqual([]);
  }

  /**
   * The dry run every case needs (M, the plan, the reference states). It runs in beforeAll so that
   * any one case, run alone or in any order, has what it needs; a failure here fails every case.
   */
  async function dryRun(): Promise<void> {
    await reseed();
    pristine = await captureAccountState(motoEndpoint);
    planTemplate = await planScenario(motoEndpoint, scenario, workdir);
    planId = (await readPlan(planTemplate)).planId;

    const planPath = await freshPlan();
    proxy.clear();
    const applied = await applyThroughRetire(cli, planPath);
    expect(applied.code, applied.stderr).toBe(0);
    applyOps = answeredMutations();
    const split = await captureAccountState(motoEndpoint);
    expect(fullySplitProblems(split, 'orders')).toEqual([]);
    expect(orphanProblems(split)).toEqual([]);
    splitReference = normalized(split);
    // As a set: the concurrent repoints may start in either order.
    expect(new Set(applyOps)).toEqual(new Set(ORDERS_APPLY_MUTATIONS));
    if (FULL) expect(applyOps.length).toBeLessThanOrEqual(FULL_MAX_N);

    proxy.clear();
    const rolledBack = await cli(['rollback', planPath, '--yes']);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    rollbackOps = answeredMutations();
    expect(await captureAccountState(motoEndpoint)).toEqual(pristine);

    await reseed();
    expect(await captureAccountState(motoEndpoint)).toEqual(pristine);
    process.stderr.write(
      `crash matrix: M = ${applyOps.length} mutating calls per apply (${applyOps.join(' ')}); rollback makes ${rollbackOps.length}\n`,
    );
  }

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'split-role-crash-'));
    proxy = await startFaultProxy(motoEndpoint);
    await dryRun();
  }, 600_000);
  afterAll(async () => {
    await proxy?.close();
  });

  it('dry run: an uninterrupted apply makes M mutating calls; rollback restores; reseeding reproduces the account', () => {
    // Made in beforeAll; restated here so the report shows the dry run as a case of its own.
    expect(new Set(applyOps)).toEqual(new Set(ORDERS_APPLY_MUTATIONS));
    expect(rollbackOps.length).toBeGreaterThan(0);
    expect(pristine).toBeDefined();
    expect(splitReference).toBeDefined();
  });

  /** Skips a case that does not apply to this M, saying so on stderr and in the report, never silently. */
  function skipLoudly(ctx: TestContext, label: string, why: string): never {
    const reason = `crash matrix: "${label}" skipped: ${why} (M = ${applyOps.length})`;
    process.stderr.write(`${reason}\n`);
    return ctx.skip(reason);
  }

  describe.each(CRASH_POINTS)('killed after $label', ({ label, n: nOf }) => {
    it('A: apply again completes the split, with nothing duplicated', async (ctx) => {
      expect(applyOps.length, 'the dry run must pass first').toBeGreaterThan(0);
      const n = nOf(applyOps);
      if (n === undefined)
        return skipLoudly(
          ctx,
          label,
          FULL ? 'N is past the last mutating call' : "the last call is already some operation's first, which ran above",
        );
      await reseed();
      const planPath = await freshPlan();
      const { result, killedAfter } = await runKilledAfter('apply', planPath, n);
      // Repoints run concurrently, so which call is #n may differ from the dry run; that it was killed there may not.
      expect(killedAfter, `apply ended (${result.code}) before its mutating call #${n}: ${result.stderr}`).toBeDefined();
      expect(result.signal).toBe('SIGKILL');
      expectSafe(await captureAccountState(motoEndpoint), `apply killed after #${n} ${killedAfter}`);

      const resumed = await applyThroughRetire(cli, planPath);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/Done\./);
      const final = await captureAccountState(motoEndpoint);
      expect(fullySplitProblems(final, 'orders')).toEqual([]);
      expect(orphanProblems(final)).toEqual([]);
      // Same roles, policies, profiles, bindings and task-definition revisions as an uninterrupted apply: nothing made twice.
      expect(normalized(final)).toEqual(splitReference);
    });

    it('B: rollback restores the account exactly', async (ctx) => {
      expect(applyOps.length, 'the dry run must pass first').toBeGreaterThan(0);
      const n = nOf(applyOps);
      if (n === undefined)
        return skipLoudly(
          ctx,
          label,
          FULL ? 'N is past the last mutating call' : "the last call is already some operation's first, which ran above",
        );
      await reseed();
      const planPath = await freshPlan();
      const { result, killedAfter } = await runKilledAfter('apply', planPath, n);
      // Repoints run concurrently, so which call is #n may differ from the dry run; that it was killed there may not.
      expect(killedAfter, `apply ended (${result.code}) before its mutating call #${n}: ${result.stderr}`).toBeDefined();
      expectSafe(await captureAccountState(motoEndpoint), `apply killed after #${n} ${killedAfter}`);

      const rolledBack = await cli(['rollback', planPath, '--yes']);
      expect(rolledBack.code, rolledBack.stderr).toBe(0);
      const restored = await captureAccountState(motoEndpoint);
      expect(restored).toEqual(pristine);
      expect(planResources(restored)).toEqual([]);
    });
  });

  type RollbackKill = {
    label: string;
    applyKilledAt?: (ops: readonly string[]) => number;
    k: (ops: readonly string[]) => number;
    slow?: true;
  };
  const everyRollbackKill: RollbackKill[] = [
    { label: 'its first call (the shared role recreated, nothing else)', k: () => 1, slow: true },
    {
      label: 'its first ReplaceIamInstanceProfileAssociation (workloads half moved back)',
      k: (ops) => ops.indexOf('ReplaceIamInstanceProfileAssociation') + 1,
      slow: true,
    },
    { label: 'its first DeleteRole (new roles half deleted)', k: (ops) => ops.indexOf('DeleteRole') + 1, slow: true },
    { label: 'its second-to-last call', k: (ops) => ops.length - 1, slow: true },
    {
      label: 'its second call, after an apply killed in the middle of moving the workloads',
      applyKilledAt: (ops) => ops.indexOf('UpdateFunctionConfiguration') + 1,
      k: () => 2,
    },
  ];
  const rollbackKills = FULL ? everyRollbackKill : everyRollbackKill.filter((kill) => !kill.slow);
  it.each(rollbackKills)('rollback killed after $label, then run again, restores the account', async ({ applyKilledAt, k }) => {
    expect(rollbackOps.length, 'the dry run must pass first').toBeGreaterThan(0);
    await reseed();
    const planPath = await freshPlan();
    if (applyKilledAt) {
      const n = applyKilledAt(applyOps);
      expect((await runKilledAfter('apply', planPath, n)).killedAfter).toBeDefined();
    } else {
      expect((await applyThroughRetire(cli, planPath)).code).toBe(0);
    }
    const kill = k(rollbackOps);
    const { result, killedAfter } = await runKilledAfter('rollback', planPath, kill);
    expect(killedAfter, `rollback ended (${result.code}) before its mutating call #${kill}: ${result.stderr}`).toBeDefined();
    expectSafe(await captureAccountState(motoEndpoint), `rollback killed after #${kill} ${killedAfter}`);

    const again = await cli(['rollback', planPath, '--yes']);
    expect(again.code, again.stderr).toBe(0);
    const restored = await captureAccountState(motoEndpoint);
    expect(restored).toEqual(pristine);
    expect(planResources(restored)).toEqual([]);
  });
});

describe.skipIf(!endpoint || !FULL)("crash matrix: SIGKILL inside retire's resource-policy write, resume, then roll back", () => {
  const motoEndpoint = endpoint as string;
  let proxy: FaultProxy;
  let workdir: string;
  const env = () => isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: proxy.endpoint, SPLIT_ROLE_FAST_WAITS: '1' });

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'split-role-crash-retire-policy-'));
    proxy = await startFaultProxy(motoEndpoint);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('killed after the queue policy lost the shared role; apply resumes and retires; rollback restores every policy', async () => {
    await resetMoto(motoEndpoint);
    const scenario = await seedOrdersScenario(motoEndpoint, { instances: 0, functions: 1, services: 0 });
    const seeded = await seedResourcePolicies(motoEndpoint, TEST_REGION, scenario.account, scenario.roleArn);
    const planPath = await planScenario(motoEndpoint, scenario, workdir, ['--without-evidence', 'empty']);
    // The second SetQueueAttributes is retire's removal (the first added the new roles).
    expect(await applyKilledAt(proxy, env(), planPath, 'SetQueueAttributes', 2)).toBe('killed');
    const resumed = await applyThroughRetire((args) => runCli(args, env()), planPath);
    expect(resumed.code, resumed.stderr).toBe(0);
    const rolledBack = await runCli(['rollback', planPath, '--yes'], env());
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    const now = await seeded.read();
    expect(JSON.parse(now.key)).toEqual(JSON.parse(seeded.original.key));
    expect(JSON.parse(now.bucket)).toEqual(JSON.parse(seeded.original.bucket));
    expect(JSON.parse(now.queue)).toEqual(JSON.parse(seeded.original.queue));
  }, 300_000);
});

describe.skipIf(!endpoint || !FULL)('crash matrix over a Lambda + Step Functions plan: SIGKILL after each Step Functions call', () => {
  const motoEndpoint = endpoint as string;
  /** The Step Functions calls of the kind's repoint (apply) and undo (rollback). */
  const SFN_CALLS = /^(UpdateStateMachine|UpdateStateMachineAlias|DeleteStateMachineVersion)$/;
  let proxy: FaultProxy;
  let workdir: string;
  let scenario: OrdersScenario;
  let planTemplate: string;
  let pristine: { account: AccountState; states: StateMachineState };
  let splitReference: { account: AccountState; states: StateMachineState };
  let applyOps: string[] = [];
  let rollbackOps: string[] = [];
  const env = () => isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: proxy.endpoint, SPLIT_ROLE_FAST_WAITS: '1' });
  const cli = (args: string[]) => runCli(args, env());
  const answeredMutations = () => proxy.forwarded.filter((f) => f.mutating).map((f) => f.operation);
  /** The Step Functions calls among `ops` (each happens once per run), where the matrix kills. */
  const sfnCalls = (ops: readonly string[]) => ops.filter((op) => SFN_CALLS.test(op));

  async function reseed(): Promise<void> {
    await resetMoto(motoEndpoint);
    scenario = await seedOrdersScenario(motoEndpoint, { instances: 0, functions: 1, services: 0, randomSeed: RANDOM_SEED });
    await seedStateMachine(motoEndpoint, scenario);
  }
  async function capture(): Promise<{ account: AccountState; states: StateMachineState }> {
    return { account: await captureAccountState(motoEndpoint), states: await captureStateMachine(motoEndpoint, scenario.account) };
  }
  async function freshPlan(): Promise<string> {
    const path = join(await mkdtemp(join(workdir, 'run-')), 'orders.plan.json');
    await copyFile(planTemplate, path);
    return path;
  }
  /** Runs `rollback PLAN --yes`, SIGKILLed once moto has answered its `op` call. */
  async function rollbackKilledAfter(planPath: string, op: string): Promise<string | undefined> {
    proxy.clear();
    let killedAfter: string | undefined;
    const run = spawnCli(['rollback', planPath, '--yes'], env());
    proxy.setRule(() => (killedAfter ? { drop: true } : undefined));
    proxy.onForwarded(async (operation, _status, req) => {
      if (!req.mutating || killedAfter || operation !== op) return;
      killedAfter = operation;
      run.child.kill('SIGKILL');
      await run.result;
    });
    try {
      await run.result;
      return killedAfter;
    } finally {
      proxy.onForwarded(undefined);
      proxy.setRule(undefined);
    }
  }
  /** Runs apply (through retire), SIGKILLed once moto has answered its `op` call. */
  async function applyKilledAfter(planPath: string, op: string): Promise<string | undefined> {
    proxy.clear();
    return (await spawnApplyThroughRetire(proxy, env(), planPath, (operation, mutating) => mutating && operation === op)).killedAfter;
  }

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'split-role-crash-sfn-'));
    proxy = await startFaultProxy(motoEndpoint);
    await reseed();
    pristine = await capture();
    // The scenario's trail has an ECS task session (this role trusts no ECS principal) and nothing of Step Functions.
    planTemplate = await planScenario(motoEndpoint, scenario, workdir, ['--unattributed', 'drop', '--without-evidence', 'empty']);
    const plan = await readPlan(planTemplate);
    expect(plan.workloads.map((w) => w.kind).sort()).toEqual(['lambda-function', 'state-machine']);
    const planPath = await freshPlan();
    proxy.clear();
    const applied = await applyThroughRetire(cli, planPath);
    expect(applied.code, applied.stderr).toBe(0);
    applyOps = answeredMutations();
    splitReference = await capture();
    expect(splitReference.states.routing).toEqual([`${Object.keys(splitReference.states.versions)[0]}=100`]);
    proxy.clear();
    const rolledBack = await cli(['rollback', planPath, '--yes']);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    rollbackOps = answeredMutations();
    expect(await capture()).toEqual(pristine);
    process.stderr.write(`crash matrix (Step Functions): apply ${applyOps.join(' ')}; rollback ${rollbackOps.join(' ')}\n`);
  }, 600_000);
  afterAll(async () => {
    await proxy?.close();
  });

  it('dry run: apply publishes a version and routes the alias to it; rollback restores the machine, alias and versions', () => {
    expect(sfnCalls(applyOps)).toEqual(['UpdateStateMachine', 'UpdateStateMachineAlias']);
    expect(sfnCalls(rollbackOps)).toEqual(['UpdateStateMachineAlias', 'UpdateStateMachine', 'DeleteStateMachineVersion']);
  });

  it('apply killed after each Step Functions call: resumed, it ends as an uninterrupted apply; rolled back, as before', async () => {
    for (const op of sfnCalls(applyOps)) {
      await reseed();
      let planPath = await freshPlan();
      expect(await applyKilledAfter(planPath, op)).toBe(op);
      const resumed = await applyThroughRetire(cli, planPath);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(await capture(), `resumed after ${op}`).toEqual(splitReference);

      await reseed();
      planPath = await freshPlan();
      expect(await applyKilledAfter(planPath, op)).toBe(op);
      const rolledBack = await cli(['rollback', planPath, '--yes']);
      expect(rolledBack.code, rolledBack.stderr).toBe(0);
      expect(await capture(), `rolled back after ${op}`).toEqual(pristine);
    }
  }, 600_000);

  it('rollback killed after each Step Functions call of the undo, then run again, restores the account exactly', async () => {
    for (const op of sfnCalls(rollbackOps)) {
      await reseed();
      const planPath = await freshPlan();
      expect((await applyThroughRetire(cli, planPath)).code).toBe(0);
      expect(await rollbackKilledAfter(planPath, op)).toBe(op);
      const again = await cli(['rollback', planPath, '--yes']);
      expect(again.code, again.stderr).toBe(0);
      expect(await capture(), `rolled back again after ${op}`).toEqual(pristine);
    }
  }, 600_000);
});
