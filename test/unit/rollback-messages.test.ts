/**
 * Rollback says what it does in its own words, and keeps saying what it
 * left behind: undo lines read as undo, the recreated role's warning is
 * repeated by a resumed rollback and by every later status, and an undo's
 * timeout resumes with rollback. In-process on the fake account.
 */
import { describe, expect, it } from 'vitest';
import { planSteps } from '../../src/apply/operation.js';
import { applyPlan, rollbackPlan } from '../../src/apply/run.js';
import { planStatus } from '../../src/apply/status.js';
import { asRollbackError, undoTitle } from '../../src/apply/undo-text.js';
import { SplitRoleError } from '../../src/core/errors.js';
import { FakeServiceError } from '../support/fake-account/index.js';
import { planned, yes } from './fixtures/in-process.js';
import { REGION, SHARED_NAME } from './fixtures/plan-fixtures.js';

const completedTasks = (io: ReturnType<typeof yes>) =>
  io.messages.filter((m) => m.code === 'SR_APPLY_I4102').map((m) => String(m.data?.task));

describe('rollback messages', () => {
  it('every undo line of a full rollback reads as undo, workloads moving back to the shared role', async () => {
    const { plan, planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    const io = yes();
    expect(await rollbackPlan(planPath, account.opener(), io)).toBe('completed');
    const lines = completedTasks(io);
    expect(lines).toContain(`move EC2 instance i-0abc back to ${SHARED_NAME}`);
    expect(lines).toContain(`recreate ${SHARED_NAME} from the journal's snapshot`);
    expect(
      lines.filter((l) => l.startsWith('undo: ')),
      'a step rollback has no words for',
    ).toEqual([]);
    // Every step with an undo has words of its own, so a new step title without them fails here.
    for (const step of planSteps(plan).filter((s) => s.undo !== undefined))
      expect(undoTitle(step, SHARED_NAME), step.title).not.toMatch(/^undo: /);
  });

  it('a resumed rollback and every later status repeat that the shared role came back with a new unique id', async () => {
    const { planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    // Rollback recreates the role (retire undone first), then stops on the Lambda's move back.
    account
      .region(REGION)
      .services.lambda.faults.failNext(
        'updateFunctionRole',
        new FakeServiceError('ServiceException', 'Lambda was unable to update the function', { fault: 'server' }),
      );
    const first = yes();
    await expect(rollbackPlan(planPath, account.opener(), first)).rejects.toThrow(/unable to update the function/);
    expect(first.messages.filter((m) => m.code === 'SR_APPLY_W4005')).toHaveLength(1);
    expect((await planStatus(planPath)).recreated).toMatch(new RegExp(`^${SHARED_NAME} was recreated with a new unique id`));

    const resumed = yes();
    expect(await rollbackPlan(planPath, account.opener(), resumed)).toBe('completed');
    expect(resumed.messages.filter((m) => m.code === 'SR_APPLY_W4005').map((m) => m.data?.role)).toEqual([SHARED_NAME]);
    expect((await planStatus(planPath)).recreated).toContain('new unique id');
  });

  it('a rollback that never deleted the shared role says nothing of a new id', async () => {
    const { planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    const io = yes();
    expect(await rollbackPlan(planPath, account.opener(), io)).toBe('completed');
    expect(io.messages.filter((m) => m.code === 'SR_APPLY_W4005')).toEqual([]);
    expect((await planStatus(planPath)).recreated).toBeUndefined();
  });

  it('each kind of workload moves back in words of its own', () => {
    expect(undoTitle({ title: 'move ECS service web to a revision with the new role' }, 'orders')).toBe(
      'move ECS service web back to its revision with orders',
    );
    expect(undoTitle({ title: 'move Lambda orders-api to orders-lambda' }, 'orders')).toBe('move Lambda orders-api back to orders');
    expect(undoTitle({ title: 'remove orders from s3 arn:aws:s3:::data in us-east-1' }, 'orders')).toBe(
      'put orders back into s3 arn:aws:s3:::data in us-east-1',
    );
  });

  it('a wait that timed out during rollback says to run rollback again', () => {
    const timeout = new SplitRoleError(
      'WaitTimeout',
      'gave up waiting for ECS service web to become stable after 900 s',
      'check it in the console; running apply again resumes',
    );
    const told = asRollbackError(timeout) as SplitRoleError;
    expect(told.oneLine()).toBe(
      'WaitTimeout: gave up waiting for ECS service web to become stable after 900 s — check it in the console; run `split-role rollback PLAN` again to resume',
    );
    expect(told.cause).toBe(timeout);
    const other = new SplitRoleError('Drift', 'x', 'run apply again');
    expect(asRollbackError(other)).toBe(other);
  });
});
