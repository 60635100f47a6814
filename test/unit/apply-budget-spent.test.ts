/**
 * A retry budget spent in the middle of apply or rollback: the run stops with
 * AWS's throttling error and the hint to run it again (or give calls longer),
 * the journal says exactly which step stopped and which are done (and the
 * account agrees), and running the same command again finishes the job.
 * In-process on the fake account: the error is the one the session's error
 * translation makes of a throttled call whose budget ran out.
 */
import { TooManyRequestsException } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { applyPlan, rollbackPlan } from '../../src/apply/run.js';
import { planStatus, type PlanStatus } from '../../src/apply/status.js';
import { RAISE_RETRY_BUDGET_HINT, translateAwsError } from '../../src/aws/errors.js';
import { SplitRoleError } from '../../src/core/errors.js';
import { EC2_PROFILE, EC2_ROLE, LAMBDA_ROLE, LAMBDA_ROLE_ARN, planned, SHARED_PROFILE, workloadRoles, yes } from './fixtures/in-process.js';
import { REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

/** What a Lambda call throttled for the whole two-minute budget turns into. */
function budgetSpent(): SplitRoleError {
  const sdk = new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429, attempts: 14 } });
  return translateAwsError(
    Object.assign(sdk, { $retryBudget: { budgetMs: 120_000, elapsedMs: 121_300 } }),
    'lambda:UpdateFunctionConfiguration',
  );
}

const byStatus = (status: PlanStatus, wanted: string) => status.steps.filter((s) => s.status === wanted).map((s) => s.step);

describe('a retry budget spent mid-run', () => {
  it('apply stops with the hint, the journal and the account agree, and apply again completes', async () => {
    const { planPath, account } = await planned();
    account.region(REGION).services.lambda.faults.failNext('updateFunctionRole', budgetSpent(), 1);

    const error = await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SplitRoleError);
    expect(error).toMatchObject({ code: 'Throttled', hint: RAISE_RETRY_BUDGET_HINT });
    expect((error as Error).message).toBe(
      'AWS kept throttling (lambda:UpdateFunctionConfiguration) after 14 attempts over 121 s: Rate exceeded',
    );
    const status = await planStatus(planPath);
    const failed = byStatus(status, 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/orders-fn/);
    // Everything before the failed step is done, nothing after it has begun.
    const order = status.steps.map((s) => s.step);
    expect(byStatus(status, 'done')).toEqual(order.slice(0, order.indexOf(failed[0]!)));
    expect(status.steps.slice(order.indexOf(failed[0]!) + 1).every((s) => s.status === 'pending')).toBe(true);
    expect(workloadRoles(account)).toEqual({ instance: EC2_PROFILE, fn: SHARED_ARN });
    expect(account.iam.roleNames()).toEqual([SHARED_NAME, EC2_ROLE, LAMBDA_ROLE].sort());

    expect(await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).toEqual({ outcome: 'completed' });
    expect(workloadRoles(account)).toEqual({ instance: EC2_PROFILE, fn: LAMBDA_ROLE_ARN });
    expect(account.iam.roleNames()).toEqual([EC2_ROLE, LAMBDA_ROLE]);
  });

  it('rollback stops with the hint, the journal and the account agree, and rollback again restores the account', async () => {
    const { planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    account.region(REGION).services.lambda.faults.failNext('updateFunctionRole', budgetSpent(), 1);

    const error = await rollbackPlan(planPath, account.opener(), yes()).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'Throttled', hint: RAISE_RETRY_BUDGET_HINT });
    const status = await planStatus(planPath);
    // The function's undo stopped; the role it would run as again is not touched, and nothing it needs was deleted.
    expect(status.steps.filter((s) => /orders-fn/.test(s.step)).map((s) => s.status)).toEqual(['undo-failed']);
    expect(workloadRoles(account).fn).toBe(LAMBDA_ROLE_ARN);
    expect(account.iam.roleNames()).toContain(LAMBDA_ROLE);

    expect(await rollbackPlan(planPath, account.opener(), yes())).toBe('completed');
    expect(workloadRoles(account)).toEqual({ instance: SHARED_PROFILE, fn: SHARED_ARN });
    expect(account.iam.roleNames()).toEqual([SHARED_NAME]);
    expect(account.iam.profileRoles()).toEqual({ [SHARED_NAME]: [SHARED_NAME] });
  });
});
