/**
 * Trust trimming (issue 23 item 4): the pure trim, the rule for who may be
 * trimmed, the plan invariant, and plan → apply → rollback on the fake account
 * with an unused ecs.amazonaws.com.
 */
import { describe, expect, it } from 'vitest';
import { Journal, journalPathFor } from '../../src/apply/journal.js';
import { ownedChanges } from '../../src/apply/iac-guard.js';
import { applyPlan, rollbackPlan } from '../../src/apply/run.js';
import { trimSteps } from '../../src/apply/trim-steps.js';
import { planInvariantProblems } from '../../src/plan/invariants.js';
import { renderPlanMarkdown } from '../../src/plan/markdown.js';
import { sealPlan } from '../../src/plan/plan-file.js';
import type { PlanBody } from '../../src/plan/schema.js';
import { planTrustTrim, trimmableUnits, trimTrustPolicy } from '../../src/plan/trust-trim.js';
import { planned, yes } from './fixtures/in-process.js';
import { ACCOUNT, REGION, SHARED_ARN, SHARED_NAME, sampleBody } from './fixtures/plan-fixtures.js';

const ECS = 'ecs.amazonaws.com';
const EC2 = 'ec2.amazonaws.com';
const ASSUME = 'sts:AssumeRole';
const WINDOW = { start: '2026-09-01T00:00:00Z', end: '2026-12-01T00:00:00Z' };

describe('trimTrustPolicy', () => {
  it('removes only the named service principals and keeps everything else as written', () => {
    const before = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Both',
          Effect: 'Allow',
          Principal: { Service: [EC2, ECS] },
          Action: ASSUME,
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        },
        { Sid: 'EcsOnly', Effect: 'Allow', Principal: { Service: ECS }, Action: ASSUME },
        {
          Sid: 'EcsAndHuman',
          Effect: 'Allow',
          Principal: { Service: 'ECS.amazonaws.com', AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: ASSUME,
        },
        {
          Sid: 'Guard',
          Effect: 'Deny',
          Principal: { Service: ECS },
          Action: ASSUME,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    };
    expect(trimTrustPolicy(before, [ECS])).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Both',
          Effect: 'Allow',
          Principal: { Service: [EC2] },
          Action: ASSUME,
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        },
        { Sid: 'EcsAndHuman', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ASSUME },
        before.Statement[3],
      ],
    });
    // The input is not touched: it is the plan's "before".
    expect(before.Statement).toHaveLength(4);
  });
});

describe('trimmableUnits', () => {
  const unit = (key: string, events = 0, sessions = 0) => ({ key, principals: [`${key}.amazonaws.com`], events, sessions });
  const covered = new Set(['ecs', 'ec2', 'lambda']);

  it('takes a unit with no workload in any region and no activity', () => {
    expect(trimmableUnits([unit('ecs')], covered, new Set()).map((u) => u.key)).toEqual(['ecs']);
  });

  it('never takes a unit with a workload, any event or session, or one discovery did not look for', () => {
    expect(trimmableUnits([unit('ecs')], covered, new Set(['ecs']))).toEqual([]);
    expect(trimmableUnits([unit('ecs', 1)], covered, new Set())).toEqual([]);
    expect(trimmableUnits([unit('ecs', 0, 1)], covered, new Set())).toEqual([]);
    expect(trimmableUnits([unit('glue')], covered, new Set())).toEqual([]);
  });
});

/** The sample plan (EC2 + Lambda) on a shared role that also trusts an unused ecs.amazonaws.com. */
function bodyWithUnusedEcs(): PlanBody {
  const body = sampleBody();
  const trust = body.sharedRole.trustPolicy as { Version: string; Statement: unknown[] };
  const before = {
    ...trust,
    Statement: [...trust.Statement, { Sid: 'EcsLoadBalancer', Effect: 'Allow', Principal: { Service: ECS }, Action: ASSUME }],
  };
  body.sharedRole = { ...body.sharedRole, trustPolicy: before };
  const { trim } = planTrustTrim({
    trustPolicy: before,
    units: [{ key: 'ecs', principals: [ECS], events: 0, sessions: 0 }],
    covered: new Set(['ecs']),
    inUse: new Set(),
    regions: [REGION, 'us-west-2'],
    evidence: { source: 'lookup-events', window: WINDOW },
  });
  return { ...body, trustTrim: trim };
}

describe('the plan proposes, apply journals, rollback restores', () => {
  it('the plan is sound, and the review explains the step in one line', () => {
    const plan = sealPlan(bodyWithUnusedEcs());
    expect(planInvariantProblems(plan)).toEqual([]);
    const lines = renderPlanMarkdown(plan)
      .split('\n')
      .filter((l) => l.startsWith('Remove '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Remove `ecs.amazonaws.com` from');
    expect(lines[0]).toContain('2 region(s)');
    expect(lines[0]).toContain('0 events');
  });

  it('refuses a trim that would take out a principal a new role serves, or one the evidence saw', () => {
    const body = bodyWithUnusedEcs();
    const trim = body.trustTrim;
    if (!trim) throw new Error('no trim planned');
    const lambda = 'lambda.amazonaws.com';
    const widened = { ...trim, principals: [ECS, lambda], after: trimTrustPolicy(trim.before, [ECS, lambda]) };
    expect(planInvariantProblems(sealPlan({ ...body, trustTrim: widened })).join('\n')).toContain(`removes ${lambda}`);
    const seen = { ...body, evidence: { ...body.evidence, services: { ...body.evidence.services, [ECS]: { events: 2, sessions: 1 } } } };
    expect(planInvariantProblems(sealPlan(seen)).join('\n')).toContain('the evidence saw in use');
    const forged = { ...trim, after: trim.before };
    expect(planInvariantProblems(sealPlan({ ...body, trustTrim: forged })).join('\n')).toContain('after policy');
  });

  it('apply (kept shared role) removes ecs from the trust policy and journals the exact before; rollback restores it', async () => {
    const { plan, planPath, account } = await planned(bodyWithUnusedEcs());
    const trim = plan.trustTrim;
    if (!trim) throw new Error('no trim planned');
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    expect((await account.iam.roleSnapshot(SHARED_NAME)).trustPolicy).toEqual(trim.after);
    expect(account.iam.calls.filter((c) => c.startsWith('updateAssumeRolePolicy'))).toHaveLength(1);
    const journal = Journal.open(journalPathFor(planPath), plan.planId);
    expect(journal.dataOf('trim-trust')).toMatchObject({ before: plan.sharedRole.trustPolicy, after: trim.after });

    // A resumed apply sees the trimmed trust as expected, not as drift, and writes nothing.
    const calls = account.iam.calls.length;
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('nothing-to-do');
    expect(account.iam.calls.slice(calls).filter((c) => c.startsWith('updateAssumeRolePolicy'))).toEqual([]);

    expect(await rollbackPlan(planPath, account.opener(), yes())).toBe('completed');
    expect(await account.iam.roleSnapshot(SHARED_NAME)).toEqual(plan.sharedRole);
  });

  it('rollback after retirement recreates the shared role and puts ecs back: the exact trust policy', async () => {
    const { plan, planPath, account } = await planned(bodyWithUnusedEcs());
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    expect(account.iam.roleNames()).not.toContain(SHARED_NAME);
    expect(await rollbackPlan(planPath, account.opener(), yes())).toBe('completed');
    expect((await account.iam.roleSnapshot(SHARED_NAME)).trustPolicy).toEqual(plan.sharedRole.trustPolicy);
  });

  it('a later apply (retire after a soak) counts the trimmed trust policy as expected, not as drift', async () => {
    const { planPath, account } = await planned(bodyWithUnusedEcs());
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    expect(account.iam.roleNames()).not.toContain(SHARED_NAME);
  });

  it('apply refuses, changing nothing, when the trust policy changed since the plan', async () => {
    const { planPath, account } = await planned(bodyWithUnusedEcs());
    await account.iam.updateAssumeRolePolicy(SHARED_NAME, { Version: '2012-10-17', Statement: [] });
    account.iam.calls.length = 0;
    await expect(applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).rejects.toThrow(/trust policy changed/);
    expect(account.iam.calls.filter((c) => /^(create|put|update|attach)/.test(c))).toEqual([]);
  });

  it('counts as a change to an IaC-owned shared role: apply refuses it live (its code would put the principal back)', () => {
    const stack = {
      stackName: 'orders',
      stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/orders/1`,
      resourceType: 'AWS::IAM::Role',
      region: REGION,
    };
    const plan = sealPlan({
      ...bodyWithUnusedEcs(),
      ownership: {
        cloudFormationRegions: [REGION],
        terraformStates: [],
        resources: [
          { kind: 'shared-role', ref: SHARED_ARN, name: SHARED_NAME, owner: { tool: 'cloudformation', ...stack, logicalId: 'SharedRole' } },
        ],
      },
    });
    expect(ownedChanges(plan, trimSteps(plan)).map((r) => r.kind)).toEqual(['shared-role']);
  });
});
