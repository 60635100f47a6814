/**
 * Verify, the retire gate and status after the split was deployed as code,
 * in-process on the fake account: cutover is the owning stack's
 * UPDATE_COMPLETE after the plan (DescribeStackEvents), or --cutover-at for
 * Terraform; status reads the code's stage from IAM.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeRetireGate, planCodeStatus } from '../../src/apply/code-retire-gate.js';
import { parseCutoverAt } from '../../src/apply/code-cutover.js';
import { runRewrite } from '../../src/cli/commands/rewrite.js';
import { verifyCutover } from '../../src/cutover/verify.js';
import type { Ownership } from '../../src/iac/ownership-schema.js';
import type { PlanBody } from '../../src/plan/schema.js';
import type { FakeAccount } from '../support/fake-account/index.js';
import { EC2_PROFILE, LAMBDA_ROLE_ARN, planned, yes } from './fixtures/in-process.js';
import { ACCOUNT, CREATED_AT, REGION, SHARED_ARN, SHARED_NAME, sampleBody } from './fixtures/plan-fixtures.js';

const DEPLOYED = new Date('2026-01-05T10:00:00.000Z');
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/orders/1`;

/** The sample plan with every resource in the stack `orders`, or the function in Terraform. */
function codeBody(lambda: 'cloudformation' | 'terraform' = 'cloudformation'): PlanBody {
  const stack = { tool: 'cloudformation' as const, stackName: 'orders', stackId: STACK_ID, region: REGION };
  const ownership: Ownership = {
    cloudFormationRegions: [REGION],
    terraformStates: [],
    resources: [
      { kind: 'shared-role', ref: SHARED_ARN, name: SHARED_NAME, owner: { ...stack, logicalId: 'Shared', resourceType: 'AWS::IAM::Role' } },
      {
        kind: 'workload',
        ref: 'repoint-ec2:i-0abc',
        name: 'EC2 i-0abc',
        region: REGION,
        owner: { ...stack, logicalId: 'Web', resourceType: 'AWS::EC2::Instance' },
      },
      {
        kind: 'workload',
        ref: 'repoint-lambda:orders-fn',
        name: 'Lambda orders-fn',
        region: REGION,
        owner:
          lambda === 'terraform'
            ? { tool: 'terraform', address: 'aws_lambda_function.orders', resourceType: 'aws_lambda_function', state: 'prod.tfstate' }
            : { ...stack, logicalId: 'Fn', resourceType: 'AWS::Lambda::Function' },
      },
    ],
  };
  return { ...sampleBody(), ownership };
}

/** The stack as created before the plan; `deploy` updates it (the cutover rewrite) at DEPLOYED. */
function seedStack(account: FakeAccount, deploy: boolean): void {
  const cfn = account.stacksIn(REGION);
  const resources = [
    { logicalId: 'Shared', physicalId: SHARED_NAME, type: 'AWS::IAM::Role' },
    { logicalId: 'Fn', physicalId: 'orders-fn', type: 'AWS::Lambda::Function' },
  ];
  cfn.putStack({ name: 'orders', template: '{}', resources, at: new Date('2025-12-01T00:00:00Z') });
  if (deploy) cfn.updateStack('orders', { template: '{}', resources, at: DEPLOYED });
}

/** What the cutover deploy leaves in the account: the new roles (the plan's), and the workloads on them. */
async function deployed(account: FakeAccount, body: PlanBody): Promise<void> {
  for (const role of body.newRoles) {
    await account.iam.createRole({ ...role, tags: [] });
    if (role.instanceProfile)
      await account.iam.ensureInstanceProfile({ name: role.instanceProfile.name, path: '/', roleName: role.roleName, tags: [] });
  }
  account.region(REGION).services.lambda.setRoleBehindTheBack('orders-fn', LAMBDA_ROLE_ARN);
  account.region(REGION).services.ec2.moveBehindTheBack('i-0abc', EC2_PROFILE);
}

describe('cutover of a split deployed as code', () => {
  it('verify reads from the stack’s UPDATE_COMPLETE after the plan, not from a journal', async () => {
    const body = codeBody();
    const { planPath, account } = await planned(body, {}, (a) => seedStack(a, true));
    await deployed(account, body);
    const report = await verifyCutover(planPath, account.opener(), yes(), { now: new Date('2026-01-06T00:00:00Z') });
    expect(report.window.start).toBe(DEPLOYED.toISOString());
    expect(account.stacksIn(REGION).calls).toContain('stackEvents orders');
  });

  it('refuses (NoCodeCutover) while the stack has not been deployed since the plan was made', async () => {
    const { planPath, account } = await planned(codeBody(), {}, (a) => seedStack(a, false));
    await expect(verifyCutover(planPath, account.opener(), yes(), {})).rejects.toMatchObject({
      code: 'NoCodeCutover',
      message: expect.stringContaining(`stack orders (${REGION}) has not been updated since the plan was made (${CREATED_AT})`),
    });
  });

  it('Terraform leaves no deploy time: refused without --cutover-at, counted from it with', async () => {
    const { planPath, account } = await planned(codeBody('terraform'), {}, (a) => seedStack(a, true));
    await expect(verifyCutover(planPath, account.opener(), yes(), {})).rejects.toMatchObject({
      code: 'NoCodeCutover',
      hint: expect.stringContaining('--cutover-at'),
    });
    const at = parseCutoverAt('2026-01-07T08:30:00Z')!;
    const report = await verifyCutover(planPath, account.opener(), yes(), { cutoverAt: at, now: new Date('2026-01-08T00:00:00Z') });
    expect(report.window.start).toBe(at.toISOString());
    expect(() => parseCutoverAt('yesterday')).toThrow(/--cutover-at yesterday is not a time/);
    expect(() => parseCutoverAt('2026-01-07T08:30:00')).toThrow(/not a time/);
  });

  it('the retire gate for the code’s retire counts the soak from the deploy', async () => {
    const body = codeBody();
    const { planPath, account } = await planned(body, {}, (a) => seedStack(a, true));
    await deployed(account, body);
    const hour = 3_600_000;
    const early = await codeRetireGate(planPath, account.opener(), yes(), {
      soakMs: 6 * hour,
      now: () => new Date(DEPLOYED.getTime() + hour),
    });
    expect(early).toEqual({ cutover: DEPLOYED, pending: `retire pending until ${new Date(DEPLOYED.getTime() + 6 * hour).toISOString()}` });
    const later = await codeRetireGate(planPath, account.opener(), yes(), {
      soakMs: 6 * hour,
      now: () => new Date(DEPLOYED.getTime() + 7 * hour),
    });
    expect(later.pending).toBeUndefined();
    // The shared role used after the deploy holds it back, whatever the soak.
    account.iam.useRole(SHARED_NAME, new Date(DEPLOYED.getTime() + 2 * hour), REGION);
    const used = await codeRetireGate(planPath, account.opener(), yes(), { soakMs: 0, now: () => new Date(DEPLOYED.getTime() + 7 * hour) });
    expect(used.pending).toMatch(/was last used at .* after cutover/);
  });
});

describe('status: the code stage', () => {
  it('not rewritten, then cutover deployed (with the deploy time), then retired; nothing for a plan without IaC owners', async () => {
    const body = codeBody();
    const { planPath, account } = await planned(body, {}, (a) => seedStack(a, false));
    expect(await planCodeStatus(planPath, account.opener(), yes())).toEqual({ stage: 'not rewritten' });
    account.stacksIn(REGION).updateStack('orders', { template: '{}', resources: [], at: DEPLOYED });
    await deployed(account, body);
    expect(await planCodeStatus(planPath, account.opener(), yes())).toEqual({
      stage: 'cutover deployed',
      cutoverAt: DEPLOYED.toISOString(),
    });
    await account.iam.deleteRoleCompletely(SHARED_NAME);
    expect((await planCodeStatus(planPath, account.opener(), yes()))?.stage).toBe('retired');

    const plain = await planned(sampleBody());
    expect(await planCodeStatus(plain.planPath, plain.account.opener(), yes())).toBeUndefined();
    expect(plain.account.stacksIn(REGION).calls).toEqual([]);
  });
});

describe('rewrite --stage retire waits for the same gate', () => {
  it('refuses before the cutover is deployed, and while the shared role was used after it; writes nothing', async () => {
    const code = await mkdtemp(join(tmpdir(), 'split-role-rewrite-gate-'));
    const template = 'Resources:\n  Shared:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: app-shared\n';
    await writeFile(join(code, 'stack.yaml'), template);
    const body = codeBody();
    const early = await planned(body, {}, (a) => seedStack(a, false));
    await expect(runRewrite(early.planPath, [code], { stage: 'retire' }, yes(), early.account.opener())).rejects.toMatchObject({
      code: 'NoCodeCutover',
    });
    const used = await planned(body, {}, (a) => seedStack(a, true));
    await deployed(used.account, body);
    used.account.iam.useRole(SHARED_NAME, new Date(), REGION);
    await expect(runRewrite(used.planPath, [code], { stage: 'retire', soak: '0s' }, yes(), used.account.opener())).rejects.toMatchObject({
      code: 'RewriteRefused',
      message: expect.stringMatching(/the retire gate does not hold yet \(cutover deployed 2026-01-05T10:00:00.000Z\): .*was last used at/),
    });
    expect(await readFile(join(code, 'stack.yaml'), 'utf8')).toBe(template);
  });
});
