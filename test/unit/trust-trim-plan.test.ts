/**
 * Trust trimming, plan side (issue 23 item 4): the ECS service-role search,
 * the scope discovery gives, and the builder proposing "remove from trust"
 * for an unused ecs.amazonaws.com, and never for a used one.
 */
import { describe, expect, it } from 'vitest';
import { servicesWithServiceRole } from '../../src/inventory/ecs-service-roles.js';
import { trimScope } from '../../src/inventory/trim-scope.js';
import { buildPlan } from '../../src/plan/builder.js';
import { planInvariantProblems } from '../../src/plan/invariants.js';
import { sealPlan } from '../../src/plan/plan-file.js';
import { requiredDecisions } from '../../src/plan/split-analysis.js';
import { FakeWorkloads } from '../support/fake-account/index.js';
import {
  ACCOUNT,
  analysis,
  context,
  DROP_ALL,
  EC2,
  evidence,
  inRegion,
  LAMBDA,
  REGION,
  SHARED_ARN,
  SHARED_NAME,
  sharedRole,
  usage,
  workloads,
} from './fixtures/plan-fixtures.js';

const ECS = 'ecs.amazonaws.com';
const FN = {
  functionName: 'orders-fn',
  functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders-fn`,
  version: '$LATEST',
  role: SHARED_ARN,
};
const PROFILE = { name: SHARED_NAME, arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${SHARED_NAME}` };
const INSTANCE = { associationId: 'iip-assoc-1', instanceId: 'i-0abc', instanceProfileArn: PROFILE.arn, state: 'associated' };

describe('servicesWithServiceRole', () => {
  it('finds the ECS services whose service role (CreateService role) is the shared role, in every cluster', async () => {
    const region = new FakeWorkloads({ region: REGION });
    const { ecs } = region.services;
    const td = ecs.addTaskDefinition({ family: 'web', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }] });
    const lb = ecs.addService(ecs.addCluster('main'), 'classic-lb', td, 1, SHARED_ARN);
    ecs.addService(ecs.addCluster('other'), 'awsvpc', td, 1);
    ecs.addService('other', 'another-role', td, 1, `arn:aws:iam::${ACCOUNT}:role/else`);
    expect(await servicesWithServiceRole(ecs, SHARED_ARN)).toEqual([lb]);
  });
});

describe('trimScope', () => {
  it('covers every workload kind, and ecs only once its service-role search ran', () => {
    const none = trimScope(inRegion(workloads()));
    expect([...none.covered]).toEqual(expect.arrayContaining(['ec2', 'lambda', 'ecs-tasks']));
    expect(none.covered.has('ecs')).toBe(false);
    expect(trimScope(inRegion(workloads()), []).covered.has('ecs')).toBe(true);
    expect(trimScope(inRegion(workloads()), ['arn:aws:ecs:x']).inUse.has('ecs')).toBe(true);
    expect([...trimScope(inRegion(workloads({ lambda: { functions: [FN] } }))).inUse]).toEqual(['lambda']);
  });
});

describe('buildPlan proposes "remove from trust"', () => {
  const shared = sharedRole({ principals: [EC2, LAMBDA, ECS] });
  const found = workloads({ lambda: { functions: [FN] }, ec2: { instanceProfiles: [PROFILE], instances: [INSTANCE] } });
  const seen = (scope?: ReturnType<typeof trimScope>, ecsUse = usage()) => ({
    ...analysis(
      shared,
      evidence({ [EC2]: usage({ 'ssm:GetParameter': 3 }), [LAMBDA]: usage({ 'secretsmanager:GetSecretValue': 5 }), [ECS]: ecsUse }),
      found,
    ),
    ...(scope ? { trimScope: scope } : {}),
  });

  it('for an ecs.amazonaws.com with no service in any region and no events: no new role, a sound trim step', () => {
    const body = buildPlan(seen(trimScope(inRegion(found), [])), DROP_ALL, context());
    expect(body.newRoles.map((r) => r.service).sort()).toEqual([EC2, LAMBDA]);
    expect(body.trustTrim?.principals).toEqual([ECS]);
    expect(body.trustTrim?.evidence).toMatchObject({ regions: [REGION], events: 0, sessions: 0 });
    expect(body.trustTrim?.before).toEqual(shared.trustPolicy);
    expect(JSON.stringify(body.trustTrim?.after)).not.toContain(ECS);
    expect(body.retireSharedRole).toBe(true);
    expect(planInvariantProblems(sealPlan(body))).toEqual([]);
  });

  it('never for an ecs.amazonaws.com with a service using the role, or with any activity, or unsearched', () => {
    const withService = buildPlan(seen(trimScope(inRegion(found), ['arn:aws:ecs:svc'])), DROP_ALL, context());
    expect(withService.trustTrim).toBeUndefined();
    expect(withService.newRoles.map((r) => r.service)).toContain(ECS);
    const active = buildPlan(seen(trimScope(inRegion(found), []), usage({}, { events: 1, sessions: 1 })), DROP_ALL, context());
    expect(active.trustTrim).toBeUndefined();
    const unsearched = buildPlan(seen(trimScope(inRegion(found))), DROP_ALL, context());
    expect(unsearched.trustTrim).toBeUndefined();
    expect(buildPlan(seen(), DROP_ALL, context()).trustTrim).toBeUndefined();
  });

  it('asks no --without-evidence decision for a unit it trims, and still asks it when nothing is trimmed', () => {
    expect(requiredDecisions(seen(trimScope(inRegion(found), []))).noEvidence).toBe(false);
    expect(requiredDecisions(seen(trimScope(inRegion(found)))).noEvidence).toBe(true);
  });
});
