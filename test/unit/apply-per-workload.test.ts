/**
 * `plan --per-workload` in-process on one fake account: two Lambda functions
 * and two ECS services share a role; the inventory finds them, attribution
 * ties each session to its workload (function name; a running task's
 * service), the builder gives each workload a role of its own, apply moves
 * each there and retires the shared role, and rollback puts every one back.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPlan, rollbackPlan } from '../../src/apply/run.js';
import { Attributor } from '../../src/evidence/attribution.js';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import { indexAccount, sessionHints, workloadsForRole } from '../../src/inventory/workloads.js';
import { buildPlan } from '../../src/plan/builder.js';
import { sealPlan, writePlan } from '../../src/plan/plan-file.js';
import { FakeAccount } from '../support/fake-account/index.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { yes } from './fixtures/in-process.js';
import {
  ACCOUNT,
  analysis,
  context,
  ECS,
  inRegion,
  LAMBDA,
  REGION,
  SHARED_ARN,
  SHARED_NAME,
  sharedRole,
} from './fixtures/plan-fixtures.js';

const META = { source: 'logs' as const, window: { start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' }, warnings: [] };

/** A session of the shared role opened by `service`, and one call made with it. */
function sessionCalls(service: string, session: string, key: string, source: string, name: string): CloudTrailRecord[] {
  return [
    {
      eventTime: '2026-01-01T10:00:00Z',
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      userIdentity: { type: 'AWSService', invokedBy: service },
      requestParameters: { roleArn: SHARED_ARN, roleSessionName: session },
      responseElements: { credentials: { accessKeyId: key, expiration: '2026-01-01T11:00:00Z' } },
    },
    {
      eventTime: '2026-01-01T10:05:00Z',
      eventSource: source,
      eventName: name,
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${SHARED_NAME}/${session}`,
        accessKeyId: key,
        sessionContext: { sessionIssuer: { type: 'Role', arn: SHARED_ARN, userName: SHARED_NAME } },
      },
    },
  ];
}

async function discoveredAndPlanned() {
  const shared = sharedRole({ principals: [LAMBDA, ECS] });
  const account = new FakeAccount({ account: ACCOUNT, region: REGION });
  account.iam.seedRole(shared);
  const { lambda, ecs } = account.region(REGION).services;
  lambda.addFunction('orders', SHARED_ARN);
  lambda.addFunction('billing', SHARED_ARN);
  const cluster = ecs.addCluster('main');
  const revisions = Object.fromEntries(
    ['web', 'worker'].map((family) => {
      const revision = ecs.addTaskDefinition({
        family,
        taskRoleArn: SHARED_ARN,
        containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
      });
      ecs.addService(cluster, family, revision);
      return [family, revision];
    }),
  );

  const binding = { arn: shared.arn, roleName: shared.roleName, instanceProfiles: shared.instanceProfiles };
  const found = inRegion(workloadsForRole(await indexAccount(account.region(REGION), new RecordingIoHost()), binding));
  const attributor = new Attributor({ arn: SHARED_ARN, name: SHARED_NAME }, [LAMBDA, ECS], sessionHints(found));
  for (const record of [
    ...sessionCalls(LAMBDA, 'orders', 'K1', 'kms.amazonaws.com', 'Decrypt'),
    ...sessionCalls(LAMBDA, 'billing', 'K2', 'ssm.amazonaws.com', 'GetParameter'),
    // The fake names a service's running tasks <service>-<n>.
    ...sessionCalls(ECS, 'web-0', 'K3', 'secretsmanager.amazonaws.com', 'GetSecretValue'),
    ...sessionCalls(ECS, 'worker-0', 'K4', 'kms.amazonaws.com', 'Encrypt'),
  ])
    attributor.add(record);
  const plan = sealPlan(
    buildPlan(
      analysis(shared, attributor.result(META), found),
      { unattributed: 'drop', unobservable: 'drop', perWorkload: true },
      context(),
    ),
  );
  const planPath = join(mkdtempSync(join(tmpdir(), 'apply-per-workload-')), 'plan.json');
  await writePlan(planPath, plan);
  return { plan, planPath, account, cluster, revisions };
}

describe('--per-workload: apply and roll back on one fake account', () => {
  it('moves each function and service to its own role, and rollback puts them back', async () => {
    const { plan, planPath, account, cluster, revisions } = await discoveredAndPlanned();
    const role = (workload: string) => plan.newRoles.find((r) => r.workload === workload);
    expect(plan.newRoles.map((r) => r.roleName).sort()).toEqual([
      'app-shared-ecs-web',
      'app-shared-ecs-worker',
      'app-shared-lambda-billing',
      'app-shared-lambda-orders',
    ]);
    // Each role holds its own workload's calls only.
    expect(role('orders')?.actions.map((a) => a.action)).toEqual(['kms:Decrypt']);
    expect(role('billing')?.actions.map((a) => a.action)).toEqual(['ssm:GetParameter']);
    expect(role('web')?.actions.map((a) => a.action)).toEqual(['secretsmanager:GetSecretValue']);
    expect(role('worker')?.actions.map((a) => a.action)).toEqual(['kms:Encrypt']);

    const { lambda, ecs } = account.region(REGION).services;
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    expect(account.iam.roleNames()).toEqual(plan.newRoles.map((r) => r.roleName).sort());
    expect(lambda.roleOf('orders')).toBe(role('orders')?.roleArn);
    expect(lambda.roleOf('billing')).toBe(role('billing')?.roleArn);
    for (const name of ['web', 'worker']) {
      const running = ecs.serviceTaskDefinition(cluster, name);
      expect(running).not.toBe(revisions[name]);
      expect(ecs.revision(running)?.taskDefinition.taskRoleArn).toBe(role(name)?.roleArn);
    }

    expect(await rollbackPlan(planPath, account.opener(), yes())).toBe('completed');
    expect(account.iam.roleNames()).toEqual([SHARED_NAME]);
    expect(lambda.roleOf('orders')).toBe(SHARED_ARN);
    expect(lambda.roleOf('billing')).toBe(SHARED_ARN);
    for (const name of ['web', 'worker']) expect(ecs.serviceTaskDefinition(cluster, name)).toBe(revisions[name]);
  });
});
