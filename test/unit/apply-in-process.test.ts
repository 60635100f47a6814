/**
 * apply, rollback and status run in-process on the in-memory FakeAccount:
 * the real steps, journal, lock, gates and task list, with no AWS and no
 * spawned CLI. Moto stays the judge of wire shapes (test/integration).
 */
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyPlan, rollbackPlan } from '../../src/apply/run.js';
import { journalPathFor } from '../../src/apply/journal.js';
import { planStatus } from '../../src/apply/status.js';
import { verifyCutover } from '../../src/cutover/verify.js';
import { FakeAccount, FakeServiceError } from '../support/fake-account/index.js';
import { EC2_PROFILE, EC2_ROLE, LAMBDA_ROLE, LAMBDA_ROLE_ARN, planned, SHARED_PROFILE, workloadRoles, yes } from './fixtures/in-process.js';
import { KEY, KEY_POLICY, plannedWithKey } from './fixtures/key-policy-plan.js';
import { ACCOUNT, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';
import type { PolicyResource } from '../../src/resource-policy/kinds/types.js';

describe('apply in-process on the fake account', () => {
  it('creates the new roles, moves the workloads and retires the shared role; status says so', async () => {
    const { planPath, account } = await planned();
    const io = yes();
    expect(await applyPlan(planPath, account.opener(), io, { soakMs: 0 })).toEqual({ outcome: 'completed' });
    expect(account.iam.roleNames()).toEqual([EC2_ROLE, LAMBDA_ROLE]);
    expect(account.iam.profileRoles()).toEqual({ [EC2_ROLE]: [EC2_ROLE] });
    expect((await account.iam.roleSnapshot(LAMBDA_ROLE)).inlinePolicies.map((p) => p.name)).toEqual([`${LAMBDA_ROLE}-policy`]);
    expect(workloadRoles(account)).toEqual({ instance: EC2_PROFILE, fn: LAMBDA_ROLE_ARN });
    // The confirmation was asked once, and answered by --yes.
    expect(io.requests.map((r) => r.code)).toEqual(['SR_APPLY_Q4002']);

    const status = await planStatus(planPath);
    expect(status.lastRun?.outcome).toBe('completed');
    expect(status.steps.filter((s) => s.status !== 'done')).toEqual([]);
    expect(status.steps.map((s) => s.stage)).toContain('retire');
    expect(status.cutoverAt).toBeDefined();
    // A second run finds nothing to do and calls nothing that changes IAM.
    const writes = account.iam.calls.length;
    expect(await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).toEqual({ outcome: 'nothing-to-do' });
    expect(account.iam.calls.slice(writes).filter((c) => /^(create|put|delete|attach|detach|ensure|remove)/.test(c))).toEqual([]);
  });

  it('rollback after a kept shared role restores the account exactly', async () => {
    const { plan, planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    expect(account.iam.roleNames()).toEqual([SHARED_NAME, EC2_ROLE, LAMBDA_ROLE]);

    expect(await rollbackPlan(planPath, account.opener(), yes())).toBe('completed');
    expect(account.iam.roleNames()).toEqual([SHARED_NAME]);
    expect(account.iam.profileRoles()).toEqual({ [SHARED_NAME]: [SHARED_NAME] });
    expect(await account.iam.roleSnapshot(SHARED_NAME)).toEqual(plan.sharedRole);
    expect(workloadRoles(account)).toEqual({ instance: SHARED_PROFILE, fn: SHARED_ARN });
    const status = await planStatus(planPath);
    expect(status.lastRun).toMatchObject({ command: 'rollback', outcome: 'completed' });
    expect(status.steps.filter((s) => s.status !== 'undone' && s.status !== 'pending')).toEqual([]);
  });

  it('rollback after retirement recreates the shared role from the snapshot, with a new unique id, and says so', async () => {
    const { plan, planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    const io = yes();
    expect(await rollbackPlan(planPath, account.opener(), io)).toBe('completed');
    const restored = await account.iam.roleSnapshot(SHARED_NAME);
    expect(restored.roleId).not.toBe(plan.sharedRole.roleId);
    const withoutIds = (s: typeof restored) => ({ ...s, roleId: '', instanceProfiles: s.instanceProfiles.map((p) => ({ ...p, id: '' })) });
    expect(withoutIds(restored)).toEqual(withoutIds(plan.sharedRole));
    expect(account.iam.roleNames()).toEqual([SHARED_NAME]);
    expect(workloadRoles(account)).toEqual({ instance: SHARED_PROFILE, fn: SHARED_ARN });
    expect(io.messages.filter((m) => m.code === 'SR_APPLY_W4005').map((m) => m.data?.role)).toEqual([SHARED_NAME]);
  });

  it('a failure mid-repoint stops the run; the next apply resumes where it stopped', async () => {
    const { planPath, account } = await planned();
    const lambda = account.region(REGION).services.lambda;
    lambda.faults.failNext(
      'updateFunctionRole',
      new FakeServiceError('ServiceException', 'Lambda was unable to update the function', { fault: 'server' }),
    );
    await expect(applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).rejects.toThrow(/unable to update the function/);
    // Created, one workload moved, the other still on the shared role; nothing retired.
    expect(account.iam.roleNames()).toEqual([SHARED_NAME, EC2_ROLE, LAMBDA_ROLE]);
    expect(workloadRoles(account)).toEqual({ instance: EC2_PROFILE, fn: SHARED_ARN });
    const stopped = await planStatus(planPath);
    expect(stopped.lastRun?.outcome).toBe('failed');
    expect(stopped.steps.filter((s) => s.status === 'failed').map((s) => s.error)).toEqual([expect.stringMatching(/unable to update/)]);
    expect(stopped.steps.filter((s) => s.stage === 'create').every((s) => s.status === 'done')).toBe(true);

    const creates = account.iam.calls.filter((c) => c.startsWith('createRole')).length;
    expect(await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).toEqual({ outcome: 'completed' });
    // The create stage was not run again.
    expect(account.iam.calls.filter((c) => c.startsWith('createRole')).length).toBe(creates);
    expect(workloadRoles(account)).toEqual({ instance: EC2_PROFILE, fn: LAMBDA_ROLE_ARN });
    expect(account.iam.roleNames()).toEqual([EC2_ROLE, LAMBDA_ROLE]);
  });

  it('the retire gate waits while RoleLastUsed shows the shared role used after cutover', async () => {
    const { planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    const cutover = new Date((await planStatus(planPath)).cutoverAt ?? '');
    const used = new Date(cutover.getTime() + 60_000);
    account.iam.useRole(SHARED_NAME, used, REGION);

    const result = await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, now: () => new Date(cutover.getTime() + 120_000) });
    expect(result.outcome).toBe('retire-pending');
    expect(result.pending).toBe(
      `retire pending: ${SHARED_NAME} was last used at ${used.toISOString()} in ${REGION}, after cutover at ${cutover.toISOString()}`,
    );
    expect(account.iam.roleNames()).toContain(SHARED_NAME);
    expect((await planStatus(planPath)).retireGate).toBe(result.pending);

    // A use before cutover does not hold retirement back.
    account.iam.useRole(SHARED_NAME, new Date(cutover.getTime() - 60_000), REGION);
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    expect(account.iam.roleNames()).toEqual([EC2_ROLE, LAMBDA_ROLE]);
  });

  it('a retire stopped before its first destructive step checks both gates again on the next run', async () => {
    const { planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    const cutover = new Date((await planStatus(planPath)).cutoverAt ?? '');
    // The gates pass, then retire's live re-check finds a function put on the shared role after cutover.
    const lambda = account.region(REGION).services.lambda;
    lambda.addFunction('late', SHARED_ARN);
    await expect(applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).rejects.toThrow(/SharedRoleInUse|still in use/);
    const stopped = await planStatus(planPath);
    expect(stopped.steps.filter((s) => s.stage === 'retire' && s.status !== 'pending').map((s) => [s.step, s.status])).toEqual([
      ['retire:snapshot', 'done'],
      ['retire:recheck', 'failed'],
    ]);
    lambda.deleteFunction('late');

    // A plain apply with the default soak waits again, as before any retire step ran.
    const soaking = await applyPlan(planPath, account.opener(), yes(), {
      soakMs: 6 * 3_600_000,
      now: () => new Date(cutover.getTime() + 60_000),
    });
    expect(soaking).toEqual({
      outcome: 'retire-pending',
      pending: `retire pending until ${new Date(cutover.getTime() + 6 * 3_600_000).toISOString()}`,
    });
    // And a use of the shared role since cutover holds it back, soak or not.
    account.iam.useRole(SHARED_NAME, new Date(cutover.getTime() + 90_000), REGION);
    expect(
      (await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, now: () => new Date(cutover.getTime() + 120_000) })).outcome,
    ).toBe('retire-pending');
    expect(account.iam.roleNames()).toContain(SHARED_NAME);
  });

  it('a retire stopped at its policy re-check, after the policies lost the shared role, checks both gates again', async () => {
    const { planPath, account } = await plannedWithKey();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    const cutover = new Date((await planStatus(planPath)).cutoverAt ?? '');
    // The gates pass; retire takes the shared role out of the key policy, then its re-check finds a key someone gave it since.
    const LATE: PolicyResource = { ...KEY, id: 'key-late', arn: KEY.arn.replace('key-1', 'key-late') };
    account.policies.seed(LATE, KEY_POLICY);
    await expect(applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).rejects.toMatchObject({ code: 'SharedRoleInPolicies' });
    const stopped = await planStatus(planPath);
    expect(stopped.steps.filter((s) => s.stage === 'retire' && s.status !== 'pending').map((s) => [s.step, s.status])).toEqual([
      ['retire:snapshot', 'done'],
      ['retire:recheck', 'done'],
      [`policy-remove:kms-key:${REGION}:${KEY.id}`, 'done'],
      ['retire:policy-recheck', 'failed'],
    ]);
    account.policies.seed(LATE, JSON.stringify({ Version: '2012-10-17', Statement: [] }));

    // A use of the shared role since cutover holds retirement back, as before any retire step ran.
    account.iam.useRole(SHARED_NAME, new Date(cutover.getTime() + 90_000), REGION);
    const resumed = await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, now: () => new Date(cutover.getTime() + 120_000) });
    expect(resumed.outcome).toBe('retire-pending');
    expect(account.iam.roleNames()).toContain(SHARED_NAME);
  });

  it('refuses a plan for another account before taking the lock or changing anything', async () => {
    const { planPath } = await planned();
    const other = new FakeAccount({ account: '210987654321', region: REGION });
    await expect(applyPlan(planPath, other.opener(), yes(), { soakMs: 0 })).rejects.toMatchObject({ code: 'WrongTarget' });
    expect(other.iam.calls).toEqual([]);
  });
  it('refuses drift of the shared role or of a workload before changing anything', async () => {
    const { planPath, account } = await planned();
    await account.iam.putRolePolicy(SHARED_NAME, 'added-later', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
    });
    account.region(REGION).services.lambda.setRoleBehindTheBack('orders-fn', `arn:aws:iam::${ACCOUNT}:role/someone-else`);
    const refused = await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 }).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 'Drift',
      message: expect.stringMatching(/inline policies changed.*orders-fn|orders-fn.*inline policies changed/),
    });
    expect(account.iam.calls.filter((c) => c.startsWith('createRole'))).toEqual([]);
    expect(account.iam.roleNames()).toEqual([SHARED_NAME]);
  });

  it('refuses to act on a journal that lost what the account shows, for apply and for rollback', async () => {
    const { planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    rmSync(journalPathFor(planPath));
    await expect(applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).rejects.toMatchObject({
      code: 'JournalIncomplete',
      message: expect.stringContaining(`role ${EC2_ROLE} exists`),
    });
    await expect(rollbackPlan(planPath, account.opener(), yes())).rejects.toMatchObject({ code: 'JournalIncomplete' });
    // Nothing was undone or deleted on the strength of the short journal.
    expect(account.iam.roleNames()).toEqual([SHARED_NAME, EC2_ROLE, LAMBDA_ROLE]);
    expect(workloadRoles(account)).toEqual({ instance: EC2_PROFILE, fn: LAMBDA_ROLE_ARN });
  });
  it('rollback keeps a new role something else now runs as, and undoes the rest', async () => {
    const { planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    // Since apply, someone bound another function to the new Lambda role.
    account.region(REGION).services.lambda.addFunction('report-fn', LAMBDA_ROLE_ARN);
    const io = yes();
    expect(await rollbackPlan(planPath, account.opener(), io)).toBe('kept-in-use');
    expect(account.iam.roleNames()).toEqual([SHARED_NAME, LAMBDA_ROLE]);
    expect(workloadRoles(account)).toEqual({ instance: SHARED_PROFILE, fn: SHARED_ARN });
    expect(io.messages.filter((m) => m.code === 'SR_APPLY_W4007').map((m) => m.message)).toEqual([
      expect.stringMatching(new RegExp(`keep ${LAMBDA_ROLE}, still in use: .*report-fn`)),
    ]);
  });
  it('verify reports the workloads after cutover; without a trail it says calls are not visible', async () => {
    const { planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    const healthy = await verifyCutover(planPath, account.opener(), yes(), {});
    expect(healthy).toMatchObject({ callsVisible: false, workloadProblems: [], problems: 0, denied: [], sharedCalls: [] });
    account.region(REGION).services.lambda.setRoleBehindTheBack('orders-fn', SHARED_ARN);
    const moved = await verifyCutover(planPath, account.opener(), yes(), {});
    expect(moved.workloadProblems).toEqual([expect.stringContaining('orders-fn')]);
    expect(moved.problems).toBe(1);
  });
});
