import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { errorIs } from '../../src/core/errors.js';
import { rewritePaths } from '../../src/rewrite/run.js';
import { buildPlan, type PlanDecisions } from '../../src/plan/builder.js';
import { planInvariantProblems } from '../../src/plan/invariants.js';
import { renderPlanMarkdown } from '../../src/plan/markdown.js';
import { sealPlan } from '../../src/plan/plan-file.js';
import { proposeWorkloadRoleName } from '../../src/plan/role-names.js';
import { planBodySchema, type PlanBody, type PlannedRole } from '../../src/plan/schema.js';
import type { ServiceUsage, UsageEvidence } from '../../src/evidence/types.js';
import {
  ACCOUNT,
  analysis,
  context,
  EC2,
  ECS,
  evidence,
  LAMBDA,
  REGION,
  SHARED_ARN,
  sharedRole,
  usage,
  workloads,
} from './fixtures/plan-fixtures.js';

const fn = (name: string) => ({
  functionName: name,
  functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
  version: '$LATEST',
  role: SHARED_ARN,
});
const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/main`;
const td = (family: string) => ({
  arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:1`,
  family,
  revision: 1,
  taskRoleArn: SHARED_ARN,
  usesRoleAs: ['task' as const],
});
const ecsService = (name: string) => ({
  clusterArn: CLUSTER,
  serviceName: name,
  serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/main/${name}`,
  taskDefinition: td(name).arn,
});

/** Evidence where `service` used `total`, of which each workload's sessions made `own[workload]`. */
function perWorkloadEvidence(
  service: string,
  total: ServiceUsage,
  own: Record<string, ServiceUsage>,
  others: Record<string, ServiceUsage> = {},
): UsageEvidence {
  const base = evidence({ [service]: total, ...others });
  return { ...base, byWorkload: new Map([[service, new Map(Object.entries(own))]]) };
}

const byWorkload = (plan: PlanBody, workload: string): PlannedRole => {
  const role = plan.newRoles.find((r) => r.workload === workload);
  if (!role) throw new Error(`no role for ${workload}`);
  return role;
};
const actionsOf = (role: PlannedRole) => role.actions.map((a) => a.action);
const targetOf = (plan: PlanBody, name: string) =>
  plan.workloads.find((w) => ('functionName' in w && w.functionName === name) || ('serviceName' in w && w.serviceName === name))?.target;

describe('plan --per-workload: two Lambda functions', () => {
  const shared = sharedRole({ principals: [EC2, LAMBDA] });
  const facts = () =>
    analysis(
      shared,
      perWorkloadEvidence(
        LAMBDA,
        // kms:Encrypt came from a session no function could be tied to.
        usage({ 'kms:Decrypt': 3, 'ssm:GetParameter': 2, 'kms:Encrypt': 1 }),
        { orders: usage({ 'kms:Decrypt': 2 }), billing: usage({ 'kms:Decrypt': 1, 'ssm:GetParameter': 2 }) },
        { [EC2]: usage({ 'secretsmanager:GetSecretValue': 1 }) },
      ),
      workloads({ lambda: { functions: [fn('orders'), fn('billing')] } }),
    );
  const decide = (unattributed: PlanDecisions['unattributed']): PlanDecisions => ({
    unattributed,
    unobservable: 'drop',
    perWorkload: true,
  });

  it('gives each function a role narrowed by its own calls, and moves it there', () => {
    const plan = buildPlan(facts(), decide('drop'), context());
    expect(plan.newRoles.map((r) => [r.roleName, r.workload]).sort()).toEqual([
      ['app-shared-ec2', undefined],
      ['app-shared-lambda-billing', 'billing'],
      ['app-shared-lambda-orders', 'orders'],
    ]);
    expect(actionsOf(byWorkload(plan, 'orders'))).toEqual(['kms:Decrypt']);
    expect(actionsOf(byWorkload(plan, 'billing'))).toEqual(['kms:Decrypt', 'ssm:GetParameter']);
    expect(JSON.stringify(byWorkload(plan, 'orders').inlinePolicies)).not.toMatch(/ssm:/);
    // Trust for the service only.
    expect(JSON.stringify(byWorkload(plan, 'orders').trustPolicy)).not.toMatch(/ec2/);
    expect(targetOf(plan, 'orders')).toEqual({ roleArn: byWorkload(plan, 'orders').roleArn });
    expect(targetOf(plan, 'billing')).toEqual({ roleArn: byWorkload(plan, 'billing').roleArn });
    // Dropped, and the review says so.
    expect(plan.warnings.join('\n')).toMatch(/kms:Encrypt\) are dropped/);
    // The schema keeps which workload each role is for (a field it dropped would read back undefined).
    expect(planBodySchema.parse(plan).newRoles.map((r) => r.workload)).toEqual(plan.newRoles.map((r) => r.workload));
    expect(planInvariantProblems(sealPlan(plan))).toEqual([]);
    const review = renderPlanMarkdown(sealPlan(plan));
    expect(review).toContain('workload `orders`');
    expect(review).toContain('workload `billing`');
  });

  it('grants what no one function made to every function role under --unattributed grant-all', () => {
    const plan = buildPlan(facts(), decide('grant-all'), context());
    for (const name of ['orders', 'billing']) {
      const encrypt = byWorkload(plan, name).actions.find((a) => a.action === 'kms:Encrypt');
      expect(encrypt?.origin).toBe('unattributed');
    }
    expect(actionsOf(byWorkload(plan, 'orders'))).not.toContain('ssm:GetParameter');
    expect(plan.warnings.join('\n')).toMatch(/granted to every lambda workload role/);
  });

  it('keeps one role per service without the flag (older plans read the same)', () => {
    const plan = buildPlan(facts(), { unattributed: 'drop', unobservable: 'drop' }, context());
    expect(plan.newRoles.map((r) => r.roleName).sort()).toEqual(['app-shared-ec2', 'app-shared-lambda']);
    expect(plan.newRoles.every((r) => r.workload === undefined)).toBe(true);
  });

  it('a plan whose function is pointed at its sibling role breaks an invariant', () => {
    const plan = buildPlan(facts(), decide('drop'), context());
    const orders = plan.workloads.find((w) => 'functionName' in w && w.functionName === 'orders');
    if (!orders || orders.kind !== 'lambda-function') throw new Error('no orders move');
    orders.target = { roleArn: byWorkload(plan, 'billing').roleArn };
    expect(planInvariantProblems(sealPlan(plan)).join('\n')).toMatch(/orders would move to .*app-shared-lambda-billing/);
  });
});

describe('resource policies and per-workload roles', () => {
  const BUCKET = 'arn:aws:s3:::orders-data';
  const withBucket = (u: ServiceUsage): ServiceUsage => ({ ...u, resources: new Set([BUCKET]) });
  const facts = () =>
    analysis(
      sharedRole({ principals: [EC2, LAMBDA] }),
      perWorkloadEvidence(LAMBDA, withBucket(usage({ 'kms:Decrypt': 2 })), {
        orders: withBucket(usage({ 'kms:Decrypt': 1 })),
        billing: usage({ 'kms:Decrypt': 1 }),
      }),
      workloads({ lambda: { functions: [fn('orders'), fn('billing')] } }),
    );
  const usedBucket = (unattributed: PlanDecisions['unattributed']): string[] => {
    let seen: string[] = [];
    buildPlan(
      facts(),
      { unattributed, unobservable: 'drop', perWorkload: true },
      context({
        resourcePolicies: (roles, used) => {
          seen = roles.filter((r) => used.get(r.roleName)?.resources?.has(BUCKET)).map((r) => r.roleName);
          return { mode: 'sweep', policies: [], problems: [] };
        },
      }),
    );
    return seen.sort();
  };

  it("plans each workload role's place in resource policies by its own workload's resources", () => {
    expect(usedBucket('drop')).toEqual(['app-shared-lambda-orders']);
  });
  it("uses the whole service's resources when its untied calls go to every workload role", () => {
    expect(usedBucket('grant-all')).toEqual(['app-shared-lambda-billing', 'app-shared-lambda-orders']);
  });
});

describe('invariants of per-workload roles', () => {
  const shared = sharedRole({ principals: [EC2, LAMBDA] });
  const perWorkload = () =>
    buildPlan(
      analysis(
        shared,
        perWorkloadEvidence(LAMBDA, usage({ 'kms:Decrypt': 2 }), {
          orders: usage({ 'kms:Decrypt': 1 }),
          billing: usage({ 'kms:Decrypt': 1 }),
        }),
        workloads({ lambda: { functions: [fn('orders'), fn('billing')] } }),
      ),
      { unattributed: 'drop', unobservable: 'drop', perWorkload: true },
      context(),
    );

  it('a role for the whole service beside the workload roles is refused', () => {
    const plan = perWorkload();
    const orders = byWorkload(plan, 'orders');
    const { workload: _dropped, ...serviceWide } = orders;
    plan.newRoles.push({ ...serviceWide, roleName: 'app-shared-lambda', roleArn: `arn:aws:iam::${ACCOUNT}:role/app-shared-lambda` });
    expect(planInvariantProblems(sealPlan(plan)).join('\n')).toMatch(
      /app-shared-lambda serves all of lambda beside roles for its workloads/,
    );
  });

  it('two roles for one workload are refused', () => {
    const plan = perWorkload();
    const billing = byWorkload(plan, 'billing');
    billing.workload = 'orders';
    expect(planInvariantProblems(sealPlan(plan)).join('\n')).toMatch(/two new roles serve lambda workload orders/);
  });
});

describe('plan --per-workload: two ECS services', () => {
  const shared = sharedRole({ principals: [ECS, LAMBDA] });
  const facts = () =>
    analysis(
      shared,
      perWorkloadEvidence(ECS, usage({ 'kms:Decrypt': 1, 'secretsmanager:GetSecretValue': 4 }), {
        web: usage({ 'secretsmanager:GetSecretValue': 4 }),
        worker: usage({ 'kms:Decrypt': 1 }),
      }),
      workloads({
        ecs: { taskDefinitions: [td('web'), td('worker')], services: [ecsService('web'), ecsService('worker')] },
      }),
    );

  it('gives each service a role of its own with its own calls', () => {
    const plan = buildPlan(facts(), { unattributed: 'drop', unobservable: 'drop', perWorkload: true }, context());
    const web = byWorkload(plan, 'web');
    const worker = byWorkload(plan, 'worker');
    expect([web.roleName, worker.roleName]).toEqual(['app-shared-ecs-web', 'app-shared-ecs-worker']);
    expect(actionsOf(web)).toEqual(['secretsmanager:GetSecretValue']);
    expect(actionsOf(worker)).toEqual(['kms:Decrypt']);
    expect(targetOf(plan, 'web')).toEqual({ taskRoleArn: web.roleArn });
    expect(targetOf(plan, 'worker')).toEqual({ taskRoleArn: worker.roleArn });
    expect(planInvariantProblems(sealPlan(plan))).toEqual([]);
    // No calls of ECS sessions were left untied: nothing to say about them.
    expect(plan.warnings.join('\n')).not.toMatch(/no one workload/);
  });

  it('one service alone keeps the service role', () => {
    const one = analysis(
      shared,
      perWorkloadEvidence(ECS, usage({ 'kms:Decrypt': 1 }), { web: usage({ 'kms:Decrypt': 1 }) }),
      workloads({ ecs: { taskDefinitions: [td('web')], services: [ecsService('web')] } }),
    );
    const plan = buildPlan(one, { unattributed: 'drop', unobservable: 'drop', perWorkload: true }, context());
    expect(plan.newRoles.map((r) => r.roleName).sort()).toEqual(['app-shared-ecs', 'app-shared-lambda']);
  });
});

describe('EC2 instances each get a role and an instance profile', () => {
  it('one profile per instance role', () => {
    const shared = sharedRole({ principals: [EC2, LAMBDA] });
    const profileArn = `arn:aws:iam::${ACCOUNT}:instance-profile/app-shared`;
    const instance = (id: string) => ({
      instanceId: id,
      associationId: `iip-assoc-${id}`,
      instanceProfileArn: profileArn,
      state: 'associated',
    });
    const facts = analysis(
      shared,
      perWorkloadEvidence(EC2, usage({ 'kms:Decrypt': 2 }), { 'i-0a': usage({ 'kms:Decrypt': 1 }), 'i-0b': usage({ 'kms:Decrypt': 1 }) }),
      workloads({ ec2: { instances: [instance('i-0a'), instance('i-0b')] } }),
    );
    const plan = buildPlan(facts, { unattributed: 'drop', unobservable: 'drop', perWorkload: true }, context());
    const a = byWorkload(plan, 'i-0a');
    const b = byWorkload(plan, 'i-0b');
    expect([a.instanceProfile?.name, b.instanceProfile?.name]).toEqual(['app-shared-ec2-i-0a', 'app-shared-ec2-i-0b']);
    const moves = plan.workloads.filter((w) => w.kind === 'ec2-instance');
    expect(moves.map((m) => (m.kind === 'ec2-instance' ? [m.instanceId, m.target.roleName] : []))).toEqual([
      ['i-0a', a.roleName],
      ['i-0b', b.roleName],
    ]);
    expect(planInvariantProblems(sealPlan(plan))).toEqual([]);
  });
});

describe('proposeWorkloadRoleName', () => {
  it('is <shared>-<service>-<workload> when it fits and is free', () => {
    expect(proposeWorkloadRoleName('team', LAMBDA, 'orders', new Set())).toBe('team-lambda-orders');
  });
  it('cuts and hashes a name over 64 characters, so two long workloads still differ', () => {
    const shared = 'a-very-long-shared-role-name-for-the-team';
    const one = proposeWorkloadRoleName(shared, ECS, 'payments-service-blue-production', new Set());
    const two = proposeWorkloadRoleName(shared, ECS, 'payments-service-green-production', new Set());
    expect(one.length).toBeLessThanOrEqual(64);
    expect(two.length).toBeLessThanOrEqual(64);
    expect(one).not.toBe(two);
    expect(one).toMatch(/^a-very-long-shared-role-name-for-the-team-ecs-.*-[0-9a-f]{8}$/);
  });
  it('a taken name gets a hashed one, compared case-insensitively', () => {
    const name = proposeWorkloadRoleName('team', LAMBDA, 'orders', new Set(['TEAM-lambda-orders']));
    expect(name).toMatch(/^team-lambda-orders-[0-9a-f]{8}$/);
  });
});

describe('rewrite and per-workload plans', () => {
  it('refuses a plan with a role per workload rather than collapsing them onto one', async () => {
    const shared = sharedRole({ principals: [EC2, LAMBDA] });
    const facts = analysis(
      shared,
      perWorkloadEvidence(LAMBDA, usage({ 'kms:Decrypt': 2 }), {
        orders: usage({ 'kms:Decrypt': 1 }),
        billing: usage({ 'kms:Decrypt': 1 }),
      }),
      workloads({ lambda: { functions: [fn('orders'), fn('billing')] } }),
    );
    const plan = sealPlan(buildPlan(facts, { unattributed: 'drop', unobservable: 'drop', perWorkload: true }, context()));
    const error = await rewritePaths(plan, [tmpdir()], 'cutover', true).catch((e: unknown) => e);
    expect(errorIs.RewriteRefused(error)).toBe(true);
    expect((error as Error).message).toMatch(/role per workload/);
  });
});
