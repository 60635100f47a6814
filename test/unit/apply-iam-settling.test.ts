/**
 * IAM's eventual consistency in apply and rollback, in-process on the fake
 * account: DeleteConflict right after detaching, NoSuchEntity right after
 * creating, and a resource policy refusing a brand-new role as a principal
 * are retried within the consistency budget (the fake's: 200 ms); past it,
 * the run stops with AWS's error and a later run resumes.
 */
import { DeleteConflictException, NoSuchEntityException } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { applyPlan, rollbackPlan } from '../../src/apply/run.js';
import { planStatus } from '../../src/apply/status.js';
import { isNotYetUsable, isPrincipalNotYetValid } from '../../src/core/waits.js';
import { searchResourcePolicies } from '../../src/resource-policy/discover.js';
import type { PolicyResource } from '../../src/resource-policy/kinds/types.js';
import { planResourcePolicies } from '../../src/resource-policy/plan-policies.js';
import { FakePolicies, FakeServiceError } from '../support/fake-account/index.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { EC2_ROLE, LAMBDA_ROLE, planned, yes } from './fixtures/in-process.js';
import { ACCOUNT, REGION, SHARED_ARN, SHARED_NAME, sampleBody } from './fixtures/plan-fixtures.js';

const deleteConflict = () =>
  new DeleteConflictException({ message: 'Cannot delete entity, must detach all policies first.', $metadata: { httpStatusCode: 409 } });
const noSuchEntity = () =>
  new NoSuchEntityException({ message: `The role with name ${LAMBDA_ROLE} cannot be found.`, $metadata: { httpStatusCode: 404 } });
const count = (calls: string[], op: string) => calls.filter((c) => c.startsWith(`${op} `)).length;

describe('DeleteConflict right after detaching', () => {
  it('retire retries deleting the shared role until IAM lets it go', async () => {
    const { planPath, account } = await planned();
    account.iam.faults.failNext('deleteRoleCompletely', deleteConflict(), 3);

    expect(await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).toEqual({ outcome: 'completed' });

    expect(account.iam.roleNames()).toEqual([EC2_ROLE, LAMBDA_ROLE]);
    expect(count(account.iam.calls, 'deleteRoleCompletely')).toBe(4);
  });

  it('retire retries deleting the emptied instance profile', async () => {
    const { planPath, account } = await planned();
    account.iam.faults.failNext('deleteEmptyInstanceProfile', deleteConflict(), 2);

    expect(await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).toEqual({ outcome: 'completed' });

    expect(account.iam.profileRoles()).toEqual({ [EC2_ROLE]: [EC2_ROLE] });
  });

  it('gives up when the conflict outlasts the budget; the run stops at the step and a later apply finishes it', async () => {
    const { planPath, account } = await planned();
    // More than the fake's 200 ms budget can use up (each retry waits at least 1 ms, doubling).
    account.iam.faults.failNext('deleteRoleCompletely', deleteConflict(), 1_000);

    await expect(applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).rejects.toThrow(/must detach all policies first/);

    const tries = count(account.iam.calls, 'deleteRoleCompletely');
    expect(tries).toBeGreaterThan(1);
    expect(tries).toBeLessThan(1_000);
    const status = await planStatus(planPath);
    expect(status.steps.filter((s) => s.status === 'failed').map((s) => s.step)).toEqual(['retire:role']);
    expect(account.iam.roleNames()).toContain(SHARED_NAME);

    // IAM caught up: the queued conflicts are used up by a stand-in, then the resumed run finishes.
    while (count(account.iam.calls, 'deleteRoleCompletely') < 1_000) {
      await account.iam.deleteRoleCompletely('no-such-role').catch(() => undefined);
    }
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    expect(account.iam.roleNames()).toEqual([EC2_ROLE, LAMBDA_ROLE]);
  });

  it('rollback retries deleting the roles it created', async () => {
    const { planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    account.iam.faults.failNext('deleteRoleCompletely', deleteConflict(), 2);
    account.iam.faults.failNext('deleteEmptyInstanceProfile', deleteConflict(), 1);

    expect(await rollbackPlan(planPath, account.opener(), yes())).toBe('completed');

    expect(account.iam.roleNames()).toEqual([SHARED_NAME]);
    expect(account.iam.profileRoles()).toEqual({ [SHARED_NAME]: [SHARED_NAME] });
  });
});

describe('an instance profile that still lists the role just removed from it', () => {
  it("retire deletes the shared role's emptied profile once IAM stops listing the role", async () => {
    const { planPath, account } = await planned();
    account.iam.lagRemovals(3);

    expect(await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).toEqual({ outcome: 'completed' });

    expect(account.iam.profileRoles()).toEqual({ [EC2_ROLE]: [EC2_ROLE] });
    expect(count(account.iam.calls, 'deleteEmptyInstanceProfile')).toBe(4);
  });

  it('rollback deletes the profile it created once IAM stops listing the new role', async () => {
    const { planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    account.iam.lagRemovals(2);

    expect(await rollbackPlan(planPath, account.opener(), yes())).toBe('completed');

    expect(account.iam.profileRoles()).toEqual({ [SHARED_NAME]: [SHARED_NAME] });
  });

  it('keeps a profile that still holds a role when the budget is spent', async () => {
    const { planPath, account } = await planned();
    account.iam.lagRemovals(1_000);

    expect(await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).toEqual({ outcome: 'completed' });

    expect(account.iam.profileRoles()).toEqual({ [EC2_ROLE]: [EC2_ROLE], [SHARED_NAME]: [] });
    const tries = count(account.iam.calls, 'deleteEmptyInstanceProfile');
    expect(tries).toBeGreaterThan(1);
    expect(tries).toBeLessThan(1_000);
  });
});

describe('NoSuchEntity right after creating', () => {
  it('apply retries putting the inline policy and attaching to the role it just made', async () => {
    const { planPath, account } = await planned();
    account.iam.faults.failNext('putRolePolicy', noSuchEntity(), 2);
    account.iam.faults.failNext('ensureInstanceProfile', noSuchEntity(), 1);

    expect(await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).toEqual({ outcome: 'completed' });

    expect((await account.iam.roleSnapshot(LAMBDA_ROLE)).inlinePolicies.map((p) => p.name)).toEqual([`${LAMBDA_ROLE}-policy`]);
    expect(account.iam.profileRoles()).toEqual({ [EC2_ROLE]: [EC2_ROLE] });
  });
});

const QUEUE: PolicyResource = {
  kind: 'sqs-queue',
  region: REGION,
  id: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/orders`,
  arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders`,
};
const QUEUE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'send', Effect: 'Allow', Principal: { AWS: SHARED_ARN }, Action: 'sqs:SendMessage', Resource: QUEUE.arn }],
});

describe('a resource policy refusing a brand-new role', () => {
  it('apply writes the policy again once the new roles are valid principals', async () => {
    const seeded = new FakePolicies();
    seeded.seed(QUEUE, QUEUE_POLICY);
    const body = sampleBody();
    const shared = { arn: body.sharedRole.arn, roleId: body.sharedRole.roleId };
    const search = await searchResourcePolicies(seeded, new RecordingIoHost(), { regions: body.regions, role: shared, exact: true });
    const { planPath, account } = await planned(
      { ...body, resourcePolicies: planResourcePolicies(search, 'sweep', shared, body.newRoles, new Map()) },
      {},
      (a) => a.policies.seed(QUEUE, QUEUE_POLICY),
    );
    account.policies.faults.failNext(
      'write',
      new FakeServiceError('InvalidAttributeValue', 'Invalid value for the parameter Policy: Invalid principal in policy'),
      2,
    );

    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');

    expect(account.policies.text(QUEUE)).toContain(`arn:aws:iam::${ACCOUNT}:role/${LAMBDA_ROLE}`);
  });
});

describe('the patterns', () => {
  it.each([
    [
      'InvalidParameterValue',
      'Value (arn:aws:iam::123456789012:instance-profile/app-ec2) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN',
    ],
    ['InvalidParameterValue', 'IAM Instance Profile "arn:aws:iam::123456789012:instance-profile/app-ec2" has no associated IAM Roles'],
  ])('EC2 %s "%s" is a profile still propagating', (name, message) => {
    expect(isNotYetUsable(new FakeServiceError(name, message))).toBe(true);
  });

  it.each([
    ['MalformedPolicy', 'Invalid principal in policy', true],
    ['MalformedPolicyDocumentException', 'Policy contains a statement with one or more invalid principals.', true],
    ['InvalidParameter', 'Invalid parameter: Policy Error: PrincipalNotFound', true],
    ['MalformedPolicy', 'Policy has invalid action', false],
    ['AccessDenied', 'Invalid principal in policy', false],
  ])('%s "%s" is a principal not valid yet: %s', (name, message, expected) => {
    expect(isPrincipalNotYetValid(new FakeServiceError(name, message))).toBe(expected);
  });
});
