import { describe, expect, it } from 'vitest';
import { planSteps } from '../../src/apply/operation.js';
import { STAGES } from '../../src/apply/step.js';
import { retryWhileNotYetUsable, timingsFromEnv, waitUntil, type Timings } from '../../src/core/waits.js';
import { errorIs } from '../../src/core/errors.js';
import { samplePlan } from './fixtures/plan-fixtures.js';

describe('planSteps', () => {
  it('orders steps by stage (create, repoint, verify, retire), each id once', () => {
    const steps = planSteps({ ...samplePlan(), retireSharedRole: true });
    const stageIndex = steps.map((s) => STAGES.indexOf(s.stage));
    expect(stageIndex).toEqual([...stageIndex].sort((a, b) => a - b));
    expect(new Set(steps.map((s) => s.stage))).toEqual(new Set(STAGES));
    expect(new Set(steps.map((s) => s.id)).size).toBe(steps.length);
    // Verify sits between the moves and the retirement: nothing is deleted before the split is verified.
    expect(steps.filter((s) => s.stage === 'verify')).toHaveLength(1);
  });

  it('creates every new role before any workload moves to it', () => {
    const plan = samplePlan();
    const steps = planSteps(plan);
    const lastCreate = steps.map((s) => s.stage).lastIndexOf('create');
    const firstRepoint = steps.findIndex((s) => s.stage === 'repoint');
    expect(lastCreate).toBeLessThan(firstRepoint);
    expect(steps.filter((s) => s.stage === 'repoint')).toHaveLength(plan.workloads.length);
  });

  it('has no retire stage when the plan keeps the shared role', () => {
    expect(planSteps({ ...samplePlan(), retireSharedRole: false }).some((s) => s.stage === 'retire')).toBe(false);
  });

  it('gives every changing step an undo, so rollback can walk it back', () => {
    for (const step of planSteps({ ...samplePlan(), retireSharedRole: true })) {
      if (step.stage === 'create' || step.stage === 'repoint') expect(typeof step.undo, step.id).toBe('function');
    }
  });
});

describe('wait budgets', () => {
  /** Budgets of 60 ms: for the cases that must run out. */
  const timings: Timings = { iamSettleMs: 0, pollIntervalMs: 5, workloadTimeoutMs: 60, consistencyBudgetMs: 60 };
  /** Budgets no loaded machine can spend: for the cases that must not run out. */
  const ample: Timings = { ...timings, workloadTimeoutMs: 600_000, consistencyBudgetMs: 600_000 };
  const notYetUsable = () => new Error('Value (x) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name');

  it('retries IAM propagation errors until the action succeeds', async () => {
    let calls = 0;
    const result = await retryWhileNotYetUsable(ample, async () => {
      calls += 1;
      if (calls < 3) throw notYetUsable();
      return 'moved';
    });
    expect(result).toBe('moved');
    expect(calls).toBe(3);
  });

  it('gives up with the last propagation error once the consistency budget is spent', async () => {
    let calls = 0;
    const outcome = retryWhileNotYetUsable(timings, async () => {
      calls += 1;
      throw notYetUsable();
    });
    await expect(outcome).rejects.toThrow(/Invalid IAM Instance Profile/);
    // Back-off doubles from 5 ms: after waits of 5 + 10 + 20 ms, 40 more would pass the 60 ms budget,
    // however fast or slow the machine, so there are never more than 4 tries.
    expect(calls).toBeLessThanOrEqual(4);
  });

  it('never retries any other error', async () => {
    let calls = 0;
    await expect(
      retryWhileNotYetUsable(ample, async () => {
        calls += 1;
        throw new Error('AccessDenied');
      }),
    ).rejects.toThrow('AccessDenied');
    expect(calls).toBe(1);
  });

  it('polls a workload until healthy', async () => {
    let checks = 0;
    await waitUntil(ample, 'the Lambda update', async () => ++checks >= 3);
    expect(checks).toBe(3);
  });

  it('stops polling at the workload deadline with WaitTimeout naming what it waited for', async () => {
    let checks = 0;
    const error = await waitUntil(timings, 'ECS service orders', async () => {
      checks += 1;
      return false;
    }).catch((e: unknown) => e);
    expect(errorIs.WaitTimeout(error), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/gave up waiting for ECS service orders/);
    // Each further check starts at least 5 ms later and none starts past 60 ms: at most 12.
    expect(checks).toBeLessThanOrEqual(12);
  });

  it('uses the emulator timings only when SPLIT_ROLE_FAST_WAITS=1', () => {
    expect(timingsFromEnv({ SPLIT_ROLE_FAST_WAITS: '1' }).iamSettleMs).toBe(0);
    expect(timingsFromEnv({}).iamSettleMs).toBeGreaterThan(0);
    expect(timingsFromEnv({}).consistencyBudgetMs).toBeGreaterThan(timingsFromEnv({ SPLIT_ROLE_FAST_WAITS: '1' }).consistencyBudgetMs);
  });
});
