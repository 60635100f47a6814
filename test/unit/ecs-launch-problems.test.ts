/**
 * ECS tasks that cannot assume a brand-new role: ECS reports "unable to
 * assume the role" as a service event and keeps trying while IAM catches up.
 * Apply's repoint waits for the deployment to settle or fail, and when it
 * fails (or the wait runs out) the error carries that event's text.
 * In-process on the ECS fake.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { errorIs, SplitRoleError } from '../../src/core/errors.js';
import { indexAccount, workloadsForRole } from '../../src/inventory/workloads.js';
import type { MoveOf } from '../../src/workloads/moves.js';
import { WORKLOAD_ADAPTERS } from '../../src/workloads/registry.js';
import { FAKE_TIMINGS, fakeApplyContext } from '../support/fake-account/workload-context.js';
import { FakeWorkloads } from '../support/fake-account/workloads.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { ACCOUNT, ECS, PLAN_ID, plannedRole, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

type EcsMove = MoveOf<'ecs-service'>;
const adapter = WORKLOAD_ADAPTERS['ecs-service'];
const role = plannedRole('ecs-tasks', ECS, 'app-ecs');
// ECS's own wording; the bell character stands for anything odd an event may carry.
const UNABLE =
  `(service web) failed to launch a task with (error ECS was unable to assume the role 'arn:aws:iam::${ACCOUNT}:role/app-ecs' ` +
  'that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions.)\u0007';

let region: FakeWorkloads;
let cluster: string;
let move: EcsMove;

beforeEach(async () => {
  region = new FakeWorkloads({ region: REGION });
  const { ecs } = region.services;
  cluster = ecs.addCluster('main');
  const source = ecs.addTaskDefinition({
    family: 'web',
    taskRoleArn: SHARED_ARN,
    containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
  });
  ecs.addService(cluster, 'web', source, 2);
  const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), {
    arn: SHARED_ARN,
    roleName: SHARED_NAME,
    instanceProfiles: [],
  }).ecs;
  [move] = adapter.planMoves(found, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION }) as [EcsMove];
});

describe('new ECS tasks that cannot assume the new role yet', () => {
  it('are waited out: the deployment settles once IAM has caught up', async () => {
    region.services.ecs.failLaunches(cluster, 'web', UNABLE, 3);

    await adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID));

    expect(await adapter.verify(fakeApplyContext(region, PLAN_ID), move)).toEqual([]);
  });

  it("a deployment that fails names the service event's text", async () => {
    region.services.ecs.failLaunches(cluster, 'web', UNABLE, 2);
    region.services.ecs.failNextRollout(cluster, 'web');

    const error = await adapter
      .repoint(move, [move])
      .run(fakeApplyContext(region, PLAN_ID))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SplitRoleError);
    expect((error as SplitRoleError).code).toBe('EcsDeploymentFailed');
    expect((error as Error).message).toContain('ECS was unable to assume the role');
    expect((error as Error).message).toContain('\\u0007');
    expect((error as Error).message).not.toContain('\u0007');
  });

  it("a wait that runs out names the service event's text", async () => {
    region.services.ecs.failLaunches(cluster, 'web', UNABLE, 1_000_000);
    const ctx = { ...fakeApplyContext(region, PLAN_ID), timings: { ...FAKE_TIMINGS, pollIntervalMs: 1, workloadTimeoutMs: 30 } };

    const error = await adapter
      .repoint(move, [move])
      .run(ctx)
      .catch((e: unknown) => e);

    expect(errorIs.WaitTimeout(error)).toBe(true);
    expect((error as Error).message).toMatch(/ECS service web to become stable.*its latest event: \(service web\) failed to launch a task/);
  });
});
