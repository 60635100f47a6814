/**
 * Apply and IaC-owned resources, in-process on the fake account: a plan that
 * would change a resource a stack or a state owns is refused before any
 * change (exit 2, the owner and the rewrite command named); --allow-iac-drift
 * goes ahead and is journaled and shown by status; --adopt-roles uses the
 * roles the code created, after checking them, and moves only the unmanaged workloads.
 */
import { describe, expect, it } from 'vitest';
import { applyPlan, rollbackPlan } from '../../src/apply/run.js';
import { planStatus } from '../../src/apply/status.js';
import { SplitRoleError } from '../../src/core/errors.js';
import { PLAN_TAG } from '../../src/core/tags.js';
import type { OwnedResource, Ownership } from '../../src/iac/ownership-schema.js';
import type { PlanBody } from '../../src/plan/schema.js';
import type { FakeAccount } from '../support/fake-account/index.js';
import { EC2_PROFILE, EC2_ROLE, LAMBDA_ROLE, LAMBDA_ROLE_ARN, planned, SHARED_PROFILE, workloadRoles, yes } from './fixtures/in-process.js';
import { ACCOUNT, REGION, SHARED_ARN, SHARED_NAME, sampleBody } from './fixtures/plan-fixtures.js';

const STACK = {
  stackName: 'orders',
  stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/orders/1`,
  resourceType: 'AWS::IAM::Role',
  region: REGION,
};
const MUTATING = /^(create|put|delete|attach|detach|ensure|remove|add|update|tag)/i;

/** The sample plan with owners: the shared role and profile in a stack, the function in Terraform, the instance unmanaged. */
function ownedBody(options: { lambda?: 'terraform' | 'cloudformation' | 'unmanaged' } = {}): PlanBody {
  const body = sampleBody();
  const lambdaOwner: OwnedResource['owner'] =
    options.lambda === 'unmanaged'
      ? { tool: 'unmanaged' }
      : options.lambda === 'cloudformation'
        ? { tool: 'cloudformation', ...STACK, logicalId: 'OrdersFn', resourceType: 'AWS::Lambda::Function' }
        : {
            tool: 'terraform',
            address: 'module.api.aws_lambda_function.this["orders"]',
            resourceType: 'aws_lambda_function',
            state: 'prod.tfstate',
          };
  const ownership: Ownership = {
    cloudFormationRegions: [REGION],
    terraformStates: [{ source: 'prod.tfstate', serial: 3 }],
    resources: [
      { kind: 'shared-role', ref: SHARED_ARN, name: SHARED_NAME, owner: { tool: 'cloudformation', ...STACK, logicalId: 'SharedRole' } },
      {
        kind: 'instance-profile',
        ref: SHARED_PROFILE,
        name: SHARED_NAME,
        owner: { tool: 'cloudformation', ...STACK, logicalId: 'SharedProfile', resourceType: 'AWS::IAM::InstanceProfile' },
      },
      { kind: 'workload', ref: 'repoint-ec2:i-0abc', name: 'EC2 i-0abc', region: REGION, owner: { tool: 'unmanaged' } },
      { kind: 'workload', ref: 'repoint-lambda:orders-fn', name: 'Lambda orders-fn', region: REGION, owner: lambdaOwner },
    ],
  };
  return { ...body, ownership };
}

/** Every mutating call the fake account saw. */
function mutations(account: FakeAccount): string[] {
  const services = account.region(REGION).services;
  return [...account.iam.calls.filter((c) => MUTATING.test(c)), ...services.ec2.writes, ...services.lambda.writes];
}

/** What the code's cutover deploy made: the plan's roles (no plan tag), their policies and profile, and the owned function moved. */
async function deployCutover(
  account: FakeAccount,
  body: PlanBody,
  options: { moveLambda?: boolean; keepPlanTag?: boolean } = {},
): Promise<void> {
  for (const role of body.newRoles) {
    await account.iam.createRole({ ...role, tags: options.keepPlanTag ? role.tags : role.tags.filter((t) => t.Key !== PLAN_TAG) });
    for (const p of role.inlinePolicies) await account.iam.putRolePolicy(role.roleName, `code-${p.name}`, p.document);
    for (const p of role.managedPolicies) await account.iam.putRolePolicy(role.roleName, `code-${p.name}`, p.document);
    if (role.instanceProfile)
      await account.iam.ensureInstanceProfile({
        name: role.instanceProfile.name,
        path: role.instanceProfile.path,
        roleName: role.roleName,
        tags: [],
      });
  }
  // The stack's update moved the function it owns (a change made outside split-role).
  if (options.moveLambda !== false) account.region(REGION).services.lambda.setRoleBehindTheBack('orders-fn', LAMBDA_ROLE_ARN);
  account.iam.calls.length = 0;
}

describe('apply refuses IaC-owned resources', () => {
  it('exits 2 before its first change, naming each owner and the rewrite command; nothing is called that changes anything', async () => {
    const { planPath, account } = await planned(ownedBody());
    const error = await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SplitRoleError);
    const refusal = error as SplitRoleError;
    expect(refusal.code).toBe('IacOwned');
    expect(refusal.exitCode).toBe(2);
    expect(refusal.message).toContain(`shared-role ${SHARED_NAME}: CloudFormation stack orders (SharedRole)`);
    expect(refusal.message).toContain('workload Lambda orders-fn: Terraform module.api.aws_lambda_function.this["orders"] (prod.tfstate)');
    expect(refusal.message).toContain(`instance-profile ${SHARED_NAME}`);
    expect(refusal.message).not.toContain('i-0abc');
    expect(refusal.hint).toContain(`split-role rewrite ${planPath} --stage cutover PATH`);
    expect(mutations(account)).toEqual([]);
    expect(workloadRoles(account)).toEqual({ instance: SHARED_PROFILE, fn: SHARED_ARN });
    // The refusal changed nothing in the journal either: status shows every step pending.
    const status = await planStatus(planPath);
    expect(status.steps.every((s) => s.status === 'pending')).toBe(true);
    expect(status.iacDriftAllowed).toEqual([]);
  });

  it('a plan whose resources are all unmanaged applies as before', async () => {
    const body = ownedBody({ lambda: 'unmanaged' });
    const { planPath, account } = await planned({
      ...body,
      ownership: { ...body.ownership!, resources: body.ownership!.resources.map((r) => ({ ...r, owner: { tool: 'unmanaged' as const } })) },
    });
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
  });

  it('--allow-iac-drift changes them live, journals the override and status shows it', async () => {
    const { planPath, account } = await planned(ownedBody());
    const io = yes();
    expect((await applyPlan(planPath, account.opener(), io, { soakMs: 0, keepSharedRole: true, allowIacDrift: true })).outcome).toBe(
      'verified',
    );
    expect(workloadRoles(account)).toEqual({ instance: EC2_PROFILE, fn: LAMBDA_ROLE_ARN });
    expect(io.messages.filter((m) => m.code === 'SR_APPLY_W4202')).toHaveLength(1);
    const status = await planStatus(planPath);
    expect(status.iacDriftAllowed).toHaveLength(1);
    expect(status.iacDriftAllowed[0]?.owned).toEqual([
      `${SHARED_NAME}: CloudFormation stack orders (SharedRole)`,
      'Lambda orders-fn: Terraform module.api.aws_lambda_function.this["orders"] (prod.tfstate)',
    ]);
  });
});

describe('apply --adopt-roles', () => {
  it('checks the roles the code created against the plan, then moves only the unmanaged instance; nothing is created', async () => {
    const body = ownedBody({ lambda: 'cloudformation' });
    const { planPath, account } = await planned(body);
    await deployCutover(account, body);
    const io = yes();
    expect((await applyPlan(planPath, account.opener(), io, { soakMs: 0, adoptRoles: true })).outcome).toBe('verified');
    expect(workloadRoles(account)).toEqual({ instance: EC2_PROFILE, fn: LAMBDA_ROLE_ARN });
    // The one change: the instance's profile. No role, policy or profile was created, and the shared role stays (retired in code).
    expect(mutations(account)).toEqual(['replaceProfileAssociation']);
    expect(account.iam.roleNames()).toEqual([SHARED_NAME, EC2_ROLE, LAMBDA_ROLE]);
    const status = await planStatus(planPath);
    expect(status.adoptedRoles).toBe(true);
    expect(status.steps.map((s) => s.step)).toEqual(['adopt:check-roles', 'repoint-ec2:i-0abc', 'verify']);
    // Resumed without the flag, the journal keeps the mode: nothing left to do.
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('nothing-to-do');
  });

  it('rollback undoes only what the adopting apply did, even when the code tagged its roles with the plan id', async () => {
    const body = ownedBody({ lambda: 'cloudformation' });
    const { planPath, account } = await planned(body);
    await deployCutover(account, body, { keepPlanTag: true });
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, adoptRoles: true })).outcome).toBe('verified');
    expect(await rollbackPlan(planPath, account.opener(), yes())).toBe('completed');
    // The instance is back on the shared profile; the code's roles and the function it moved stay as the code made them.
    expect(workloadRoles(account)).toEqual({ instance: SHARED_PROFILE, fn: LAMBDA_ROLE_ARN });
    expect(account.iam.roleNames()).toEqual([SHARED_NAME, EC2_ROLE, LAMBDA_ROLE]);
  });

  it('refuses, before any change, a role whose policies grant more than the plan says', async () => {
    const body = ownedBody({ lambda: 'cloudformation' });
    const { planPath, account } = await planned(body);
    await deployCutover(account, body);
    await account.iam.putRolePolicy(EC2_ROLE, 'extra', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
    });
    account.iam.calls.length = 0;
    await expect(applyPlan(planPath, account.opener(), yes(), { soakMs: 0, adoptRoles: true })).rejects.toMatchObject({
      code: 'AdoptMismatch',
      message: expect.stringContaining(`${EC2_ROLE}'s policies grant other statements than the plan's`),
    });
    expect(mutations(account)).toEqual([]);
    expect(workloadRoles(account).instance).toBe(SHARED_PROFILE);
  });

  it('refuses when the code has not created the roles yet', async () => {
    const body = ownedBody({ lambda: 'cloudformation' });
    const { planPath, account } = await planned(body);
    await expect(applyPlan(planPath, account.opener(), yes(), { soakMs: 0, adoptRoles: true })).rejects.toMatchObject({
      code: 'AdoptMismatch',
      message: expect.stringContaining(`${EC2_ROLE} does not exist`),
    });
    expect(mutations(account)).toEqual([]);
  });
});
