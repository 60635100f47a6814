/**
 * The whole loop in-process on one fake account: the inventory discovers an
 * EC2 instance, a Lambda function and an ECS service on the shared role, the
 * real builder plans them, apply moves all three and retires the role, and
 * rollback puts every one back.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPlan, rollbackPlan } from '../../src/apply/run.js';
import { indexAccount, workloadsForRole } from '../../src/inventory/workloads.js';
import { buildPlan } from '../../src/plan/builder.js';
import { sealPlan, writePlan } from '../../src/plan/plan-file.js';
import { FakeAccount } from '../support/fake-account/index.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { yes } from './fixtures/in-process.js';
import {
  ACCOUNT,
  analysis,
  context,
  DROP_ALL,
  EC2,
  ECS,
  evidence,
  LAMBDA,
  REGION,
  SHARED_ARN,
  SHARED_NAME,
  sharedRole,
  usage,
} from './fixtures/plan-fixtures.js';

const SHARED_PROFILE = `arn:aws:iam::${ACCOUNT}:instance-profile/${SHARED_NAME}`;

/** An account with one workload of each kind on the shared role, and the plan the builder makes from what the inventory finds there. */
async function discoveredAndPlanned() {
  const shared = sharedRole({ principals: [EC2, LAMBDA, ECS] });
  const account = new FakeAccount({ account: ACCOUNT, region: REGION });
  account.iam.seedRole(shared);
  const { ec2, lambda, ecs } = account.region(REGION).services;
  ec2.addInstance(SHARED_PROFILE, 'i-0abc');
  lambda.addFunction('orders-fn', SHARED_ARN);
  const cluster = ecs.addCluster('main');
  const revision = ecs.addTaskDefinition({
    family: 'web',
    taskRoleArn: SHARED_ARN,
    containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
  });
  ecs.addService(cluster, 'web', revision);

  const binding = { arn: shared.arn, roleName: shared.roleName, instanceProfiles: shared.instanceProfiles };
  const found = workloadsForRole(await indexAccount(account.region(REGION), new RecordingIoHost()), binding);
  const used = evidence({
    [EC2]: usage({ 'ssm:GetParameter': 1 }),
    [LAMBDA]: usage({ 'kms:Decrypt': 1 }),
    [ECS]: usage({ 'secretsmanager:GetSecretValue': 1 }),
  });
  const plan = sealPlan(buildPlan(analysis(shared, used, found), DROP_ALL, context()));
  const planPath = join(mkdtempSync(join(tmpdir(), 'apply-discovered-')), 'plan.json');
  await writePlan(planPath, plan);
  return { plan, planPath, account, cluster, revision };
}

describe('discover, plan, apply and roll back on one fake account', () => {
  it('moves an instance, a function and a service, retires the shared role, and rollback restores all three', async () => {
    const { plan, planPath, account, cluster, revision } = await discoveredAndPlanned();
    expect(plan.workloads.map((w) => w.kind).sort()).toEqual(['ec2-instance', 'ecs-service', 'lambda-function']);
    const roleArn = (service: string) => plan.newRoles.find((r) => r.service === service)?.roleArn;
    const { ec2, lambda, ecs } = account.region(REGION).services;

    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    expect(account.iam.roleNames()).toEqual(plan.newRoles.map((r) => r.roleName).sort());
    expect(ec2.profileOf('i-0abc')).toBe(plan.newRoles.find((r) => r.service === EC2)?.instanceProfile?.arn);
    expect(lambda.roleOf('orders-fn')).toBe(roleArn(LAMBDA));
    const running = ecs.serviceTaskDefinition(cluster, 'web');
    expect(running).not.toBe(revision);
    expect(ecs.revision(running)?.taskDefinition.taskRoleArn).toBe(roleArn(ECS));

    expect(await rollbackPlan(planPath, account.opener(), yes())).toBe('completed');
    expect(account.iam.roleNames()).toEqual([SHARED_NAME]);
    expect(ec2.profileOf('i-0abc')).toBe(SHARED_PROFILE);
    expect(lambda.roleOf('orders-fn')).toBe(SHARED_ARN);
    expect(ecs.serviceTaskDefinition(cluster, 'web')).toBe(revision);
  });
});
