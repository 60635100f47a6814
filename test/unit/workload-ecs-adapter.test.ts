/**
 * The ECS service adapter, in-process on the in-memory ECS fake: discovery,
 * then repoint (a tagged copy of the revision with the new role, deployed
 * until stable) / undo / drift / verify against the account's end state,
 * including resumes after a crash and a lost RegisterTaskDefinition answer.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { PLAN_TAG } from '../../src/core/tags.js';
import { errorIs, SplitRoleError } from '../../src/core/errors.js';
import { indexAccount, workloadsForRole } from '../../src/inventory/workloads.js';
import type { MoveOf } from '../../src/workloads/moves.js';
import { WORKLOAD_ADAPTERS } from '../../src/workloads/registry.js';
import { fakeApplyContext } from '../support/fake-account/workload-context.js';
import { FakeWorkloads } from '../support/fake-account/workloads.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { ACCOUNT, ECS, PLAN_ID, plannedRole, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

type EcsMove = MoveOf<'ecs-service'>;
const adapter = WORKLOAD_ADAPTERS['ecs-service'];
const NEW_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-ecs`;
const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecs-execution`;
const SOURCE_TAG = 'split-role:source-task-definition';
const binding = { arn: SHARED_ARN, roleName: SHARED_NAME, instanceProfiles: [] };
const role = plannedRole('ecs-tasks', ECS, 'app-ecs');
const container = { name: 'app', image: 'nginx', memory: 128 };

let region: FakeWorkloads;
let cluster: string;
let source: string;

beforeEach(() => {
  region = new FakeWorkloads({ region: REGION });
  const { ecs } = region.services;
  cluster = ecs.addCluster('main');
  source = ecs.addTaskDefinition({
    family: 'web',
    taskRoleArn: SHARED_ARN,
    executionRoleArn: EXECUTION_ROLE,
    containerDefinitions: [container],
    cpu: '256',
    tags: [{ key: 'team', value: 'payments' }],
  });
});

async function planMoves(): Promise<EcsMove[]> {
  const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding).ecs;
  return adapter.planMoves(found, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION });
}

/** Copies this plan registered: ACTIVE revisions of the family tagged with the plan id. */
async function copies(): Promise<string[]> {
  const { ecs } = region.services;
  return (await ecs.listTaskDefinitions('web')).filter((arn) =>
    ecs.revision(arn)?.tags.some((t) => t.key === PLAN_TAG && t.value === PLAN_ID),
  );
}

describe('ECS discovery on the fake', () => {
  it('finds services and standalone tasks on the shared role, also on a deregistered revision they still run', async () => {
    const { ecs } = region.services;
    ecs.addService(cluster, 'web', source);
    const old = ecs.addTaskDefinition({ family: 'batch', executionRoleArn: SHARED_NAME, containerDefinitions: [container] });
    ecs.addTask(cluster, old, 'events-rule/nightly');
    await ecs.deregisterTaskDefinition(old);
    ecs.addTaskDefinition({ family: 'other', taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/other`, containerDefinitions: [container] });

    const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding).ecs;

    expect(found.services.map((s) => s.serviceName)).toEqual(['web']);
    // The service's own tasks are not standalone; the rule's task is, on its INACTIVE revision.
    expect(found.standaloneTasks.map((t) => [t.taskDefinitionArn, t.startedBy])).toEqual([[old, 'events-rule/nightly']]);
    expect(found.taskDefinitions.map((td) => [td.family, td.usesRoleAs])).toEqual([
      ['web', ['task']],
      ['batch', ['execution']],
    ]);
  });
});

describe('ECS repoint on the fake', () => {
  let move: EcsMove;
  beforeEach(async () => {
    region.services.ecs.addService(cluster, 'web', source, 2);
    [move] = (await planMoves()) as [EcsMove];
  });

  it('run deploys a tagged copy with the new task role, keeping the rest of the revision; a second run changes nothing', async () => {
    const { ecs } = region.services;
    const ctx = fakeApplyContext(region, PLAN_ID);
    const result = await adapter.repoint(move, [move]).run(ctx);
    const copy = ecs.serviceTaskDefinition(cluster, 'web');
    expect(result).toEqual({ taskDefinitionArn: copy, replaced: source });
    const { taskDefinition, tags } = ecs.revision(copy) ?? { taskDefinition: {}, tags: [] };
    expect(taskDefinition).toMatchObject({
      family: 'web',
      revision: 2,
      taskRoleArn: NEW_ROLE,
      executionRoleArn: EXECUTION_ROLE,
      cpu: '256',
      containerDefinitions: [container],
    });
    expect(tags).toEqual([
      { key: 'team', value: 'payments' },
      { key: PLAN_TAG, value: PLAN_ID },
      { key: SOURCE_TAG, value: source },
    ]);
    expect(await adapter.verify(ctx, move)).toEqual([]);
    expect(await adapter.showsMoved(ctx, move)).toBe(`ECS service web runs ${copy}, which this plan registered`);

    await adapter.repoint(move, [move]).run(ctx);
    expect(ecs.writes).toEqual(['registerTaskDefinition:web', 'updateService:web']);
  });

  it('services running the same revision share one copy', async () => {
    region.services.ecs.addService(cluster, 'worker', source);
    const moves = await planMoves();
    const ctx = fakeApplyContext(region, PLAN_ID);
    await Promise.all(moves.map((m) => adapter.repoint(m, moves).run(ctx)));
    expect(await copies()).toHaveLength(1);
    expect(region.services.ecs.serviceTaskDefinition(cluster, 'worker')).toBe(region.services.ecs.serviceTaskDefinition(cluster, 'web'));
  });

  it('a resume after a crash between register and update reuses the copy it left', async () => {
    const { ecs } = region.services;
    const left = ecs.addTaskDefinition({
      family: 'web',
      taskRoleArn: NEW_ROLE,
      containerDefinitions: [container],
      tags: [
        { key: PLAN_TAG, value: PLAN_ID },
        { key: SOURCE_TAG, value: source },
      ],
    });
    await adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID));
    expect(ecs.serviceTaskDefinition(cluster, 'web')).toBe(left);
    expect(ecs.writes).toEqual(['updateService:web']);
  });

  it('a second copy from a retried register is deregistered', async () => {
    const { ecs } = region.services;
    // A retry after a lost answer: ECS registered the copy twice.
    const copy = (n: number) =>
      ecs.addTaskDefinition({
        family: 'web',
        containerDefinitions: [container],
        tags: [
          { key: PLAN_TAG, value: PLAN_ID },
          { key: SOURCE_TAG, value: source },
          { key: 'n', value: String(n) },
        ],
      });
    copy(1);
    const newest = copy(2);
    await adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID));
    expect(await copies()).toEqual([newest]);
    expect(ecs.serviceTaskDefinition(cluster, 'web')).toBe(newest);
  });

  it('a failed deployment (circuit breaker) stops the run', async () => {
    region.services.ecs.failNextRollout(cluster, 'web');
    const error = await adapter
      .repoint(move, [move])
      .run(fakeApplyContext(region, PLAN_ID))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SplitRoleError);
    expect((error as SplitRoleError).code).toBe('EcsDeploymentFailed');
    expect(await adapter.verify(fakeApplyContext(region, PLAN_ID), move)).toEqual(['ECS service web is not stable']);
  });

  it('undo points the service back and deregisters every copy this plan made', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(region.services.ecs.serviceTaskDefinition(cluster, 'web')).toBe(source);
    expect(await copies()).toEqual([]);
    expect(region.services.ecs.revision(source)?.taskDefinition.status).toBe('ACTIVE');
    expect(await adapter.drift(ctx, move)).toEqual([]);
  });

  it("undo leaves a service someone deployed since, with a warning, and still removes the plan's copies", async () => {
    const { ecs } = region.services;
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    const theirs = ecs.addTaskDefinition({ family: 'web', taskRoleArn: SHARED_ARN, containerDefinitions: [container] });
    ecs.deployBehindTheBack(cluster, 'web', theirs);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(ecs.serviceTaskDefinition(cluster, 'web')).toBe(theirs);
    expect(ctx.io.messages.map((m) => m.code)).toEqual(['SR_APPLY_W4004']);
    expect(await copies()).toEqual([]);
  });

  it('drift, and a run, refuse a service on a revision this plan did not make', async () => {
    const { ecs } = region.services;
    const ctx = fakeApplyContext(region, PLAN_ID);
    const theirs = ecs.addTaskDefinition({ family: 'web', taskRoleArn: SHARED_ARN, containerDefinitions: [container] });
    ecs.deployBehindTheBack(cluster, 'web', theirs);
    expect(await adapter.drift(ctx, move)).toEqual([`ECS service web runs ${theirs}, plan says ${source}`]);
    const error = await adapter
      .repoint(move, [move])
      .run(ctx)
      .catch((e: unknown) => e);
    expect(errorIs.Drift(error)).toBe(true);
    ecs.deleteService(cluster, 'web');
    expect(await adapter.drift(ctx, move)).toEqual(['ECS service web no longer exists']);
  });

  it('withoutMovedBack keeps a service on a revision the plan did not make: it still uses the role after rollback', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    region.services.ecs.addService(cluster, 'api', source);
    const moves = await planMoves();
    const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding).ecs;
    const web = moves.filter((m) => m.serviceName === 'web');
    for (const m of web) await adapter.repoint(m, moves).run(ctx);
    const onCopy = workloadsForRole(await indexAccount(region, new RecordingIoHost()), {
      ...binding,
      arn: NEW_ROLE,
      roleName: 'app-ecs',
    }).ecs;
    expect((await adapter.withoutMovedBack(ctx, onCopy, web)).services).toEqual([]);
    // 'api' was never moved: it keeps the shared role whatever rollback does.
    expect((await adapter.withoutMovedBack(ctx, found, web)).services.map((s) => s.serviceName)).toEqual(['web', 'api']);
  });
});
