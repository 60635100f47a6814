/**
 * The AWS Batch job-definition adapter, in-process on the in-memory fake:
 * discovery of the latest ACTIVE revision and the older ones, a new revision
 * carrying every field over (container, ECS task and multi-node roles), the
 * rule targets and schedules that name the old revision following it, a
 * field that cannot be carried stopping plan and run before any write,
 * drift, and undo making the old revision the latest again.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { SplitRoleError } from '../../src/core/errors.js';
import { indexAccount, workloadsForRole } from '../../src/inventory/workloads.js';
import { SCHEDULER_SUBMIT_JOB } from '../../src/workloads/batch-job-definition/followers.js';
import { plannedWorkloadSchema, type MoveOf } from '../../src/workloads/moves.js';
import { WORKLOAD_ADAPTERS } from '../../src/workloads/registry.js';
import { FakeServiceError } from '../support/fake-account/aws-error.js';
import type { FakeJobDefinitionSeed } from '../support/fake-account/batch.js';
import { fakeApplyContext } from '../support/fake-account/workload-context.js';
import { FakeWorkloads } from '../support/fake-account/workloads.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { ACCOUNT, ECS, PLAN_ID, plannedRole, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

const adapter = WORKLOAD_ADAPTERS['batch-job-definition'];
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const NEW_ROLE = roleArn('app-ecs-tasks');
const THEIRS = roleArn('theirs');
const binding = { arn: SHARED_ARN, roleName: SHARED_NAME, instanceProfiles: [] };
const role = plannedRole('ecs-tasks', ECS, 'app-ecs-tasks');
const defArn = (name: string, revision: number) => `arn:aws:batch:${REGION}:${ACCOUNT}:job-definition/${name}:${revision}`;
const QUEUE = `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/reports`;

/** A job definition with every optional field set: a new revision that left one out would lose it. */
const FULL = {
  jobDefinitionName: 'nightly',
  type: 'container',
  parameters: { day: 'today' },
  schedulingPriority: 5,
  retryStrategy: { attempts: 3, evaluateOnExit: [{ onExitCode: '137', action: 'RETRY' }] },
  timeout: { attemptDurationSeconds: 600 },
  propagateTags: true,
  platformCapabilities: ['FARGATE'],
  tags: { team: 'reports' },
  containerProperties: {
    image: 'reports:1',
    command: ['run', 'Ref::day'],
    jobRoleArn: SHARED_ARN,
    executionRoleArn: THEIRS,
    resourceRequirements: [
      { type: 'VCPU', value: '1' },
      { type: 'MEMORY', value: '2048' },
    ],
    environment: [{ name: 'MODE', value: 'full' }],
    logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/batch/reports' } },
    networkConfiguration: { assignPublicIp: 'DISABLED' },
    fargatePlatformConfiguration: { platformVersion: 'LATEST' },
  },
} satisfies FakeJobDefinitionSeed;

let region: FakeWorkloads;
let batch: FakeWorkloads['services']['batch'];

beforeEach(() => {
  region = new FakeWorkloads({ region: REGION, account: ACCOUNT });
  batch = region.services.batch;
  batch.addRevision({ ...FULL, containerProperties: { ...FULL.containerProperties, image: 'reports:0' } });
  batch.addRevision(FULL);
  batch.addRevision({ jobDefinitionName: 'other', type: 'container', containerProperties: { image: 'x', jobRoleArn: THEIRS } });
  const events = region.services.eventBridge;
  events.addRule('nightly-batch');
  // One target names the revision by ARN, one by name:revision, one by name alone (it follows the latest by itself).
  for (const [Id, JobDefinition] of [
    ['by-arn', defArn('nightly', 2)],
    ['by-number', 'nightly:2'],
    ['by-name', 'nightly'],
  ] as const) {
    events.putTargetAs('default', 'nightly-batch', {
      Id,
      Arn: QUEUE,
      RoleArn: THEIRS,
      BatchParameters: { JobDefinition, JobName: `job-${Id}`, RetryStrategy: { Attempts: 2 } },
      Input: '{"day":"today"}',
    });
  }
  region.services.scheduler.addSchedule({
    Name: 'hourly',
    ScheduleExpression: 'rate(1 hour)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: {
      Arn: SCHEDULER_SUBMIT_JOB,
      RoleArn: THEIRS,
      Input: `{ "JobName": "hourly", "JobQueue": "reports", "JobDefinition": "${defArn('nightly', 2)}" }`,
    },
  });
});

async function found() {
  return workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding);
}

async function planMove(): Promise<MoveOf<'batch-job-definition'>> {
  const [move] = adapter.planMoves((await found()).batch, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION });
  return move as MoveOf<'batch-job-definition'>;
}

describe('Batch discovery and planning on the fake', () => {
  it('finds the latest revision on the shared role, its older one, and what names the latest by number', async () => {
    const move = await planMove();
    expect(move).toMatchObject({
      kind: 'batch-job-definition',
      jobDefinitionName: 'nightly',
      revision: 2,
      revisionArn: defArn('nightly', 2),
      roleFields: ['containerProperties.jobRoleArn'],
      target: { roleArn: NEW_ROLE },
      takesEffect: 'next-run',
    });
    expect(move.followers.map((f) => (f.via === 'event-target' ? f.targetId : f.scheduleName))).toEqual(['by-arn', 'by-number', 'hourly']);
    expect(plannedWorkloadSchema.parse(move)).toEqual(move);
    const mine = (await found()).batch;
    expect(mine.older.map((d) => d.definition.revision)).toEqual([1]);
    expect(adapter.roleUses?.(mine)).toEqual(['task']);
    expect(adapter.followUps(mine, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION })).toEqual([
      expect.objectContaining({ kind: 'batch-old-revision', resource: defArn('nightly', 1) }),
      expect.objectContaining({ kind: 'batch-old-revision', resource: defArn('nightly', 2) }),
    ]);
    const code = (format: 'terraform' | 'cloudformation') => ({
      format,
      role: () => ({ tf: 'jobs', cfnRole: 'JobsRole', cfnProfile: '' }),
    });
    expect(adapter.checklist(move, code('terraform'))).toEqual([
      `- [ ] job definition \`nightly\`: role → \`${NEW_ROLE}\``,
      '  - `jobRoleArn = aws_iam_role.jobs.arn` in `container_properties = jsonencode({…})` of the `aws_batch_job_definition`',
    ]);
    expect(adapter.checklist(move, code('cloudformation'))[1]).toBe(
      '  - `ContainerProperties.JobRoleArn: !GetAtt JobsRole.Arn` on the `AWS::Batch::JobDefinition`',
    );
    expect(adapter.describeUsers(mine, 'the shared role')).toEqual([
      'AWS Batch job definition nightly:2 (its latest revision) runs jobs as the shared role',
    ]);
  });

  it('a revision with a field that cannot be carried over stops the plan, naming the field', async () => {
    batch.addRevision(FULL, ['containerProperties.futureSetting']);
    const error = await planMove().catch((e: unknown) => e);
    expect((error as SplitRoleError).code).toBe('BatchNotCarried');
    expect((error as Error).message).toContain('AWS Batch job definition nightly:3 has containerProperties.futureSetting');
  });

  it('a rule target naming an older revision on the shared role keeps the role in use', async () => {
    region.services.eventBridge.putTargetAs('default', 'nightly-batch', {
      Id: 'pinned',
      Arn: QUEUE,
      RoleArn: THEIRS,
      BatchParameters: { JobDefinition: 'nightly:1', JobName: 'pinned' },
    });
    expect(adapter.describeUsers((await found()).batch, 'R')).toContain(
      'EventBridge rule nightly-batch (bus default) target pinned submits Batch jobs with nightly:1, which runs as R',
    );
  });
});

describe('Batch repoint on the fake', () => {
  it('run registers a whole copy on the new role and moves what named the old revision; a second run changes nothing; undo restores', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    const events = region.services.eventBridge;
    const before = {
      targets: ['by-arn', 'by-number', 'by-name'].map((id) => events.targetOf('default', 'nightly-batch', id)),
      schedule: region.services.scheduler.scheduleOf('default', 'hourly'),
    };
    expect(await adapter.repoint(move, [move]).run(ctx)).toEqual({ registered: defArn('nightly', 3), replaced: defArn('nightly', 2) });
    const [, old, copy] = batch.revisionsOf('nightly');
    if (!copy) throw new Error('no new revision');
    const { jobDefinitionArn: _a, revision: _r, ...copied } = copy;
    expect(copied).toEqual({ ...FULL, status: 'ACTIVE', containerProperties: { ...FULL.containerProperties, jobRoleArn: NEW_ROLE } });
    expect(old?.status).toBe('ACTIVE');
    expect(events.targetOf('default', 'nightly-batch', 'by-arn')?.BatchParameters?.JobDefinition).toBe(defArn('nightly', 3));
    expect(events.targetOf('default', 'nightly-batch', 'by-number')).toEqual({
      ...before.targets[1],
      BatchParameters: { ...before.targets[1]?.BatchParameters, JobDefinition: 'nightly:3' },
    });
    expect(events.targetOf('default', 'nightly-batch', 'by-name')).toEqual(before.targets[2]);
    expect(region.services.scheduler.scheduleOf('default', 'hourly')?.Target?.Input).toBe(
      `{ "JobName": "hourly", "JobQueue": "reports", "JobDefinition": "${defArn('nightly', 3)}" }`,
    );
    expect(await adapter.verify(ctx, move)).toEqual([]);
    expect(await adapter.showsMoved(ctx, move)).toContain('nightly:3');

    await adapter.repoint(move, [move]).run(ctx);
    expect(batch.writes).toEqual(['register:nightly:3']);

    await adapter.repoint(move, [move]).undo(ctx);
    expect(batch.writes).toEqual(['register:nightly:3', 'deregister:nightly:3']);
    expect(['by-arn', 'by-number', 'by-name'].map((id) => events.targetOf('default', 'nightly-batch', id))).toEqual(before.targets);
    const { LastModificationDate: _l1, ...scheduleNow } = region.services.scheduler.scheduleOf('default', 'hourly') ?? {};
    const { LastModificationDate: _l2, ...scheduleBefore } = before.schedule ?? {};
    expect(scheduleNow).toEqual(scheduleBefore);
    expect(await adapter.drift(ctx, move)).toEqual([]);
  });

  it('a run cut short after registering resumes on its own copy: no second revision, the followers still move', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    region.services.eventBridge.faults.failNext('putTarget', new FakeServiceError('InternalException', 'boom', { fault: 'server' }));
    await expect(adapter.repoint(move, [move]).run(ctx)).rejects.toThrow('boom');
    expect(await adapter.showsMoved(ctx, move)).toContain('nightly:3');
    expect(await adapter.verify(ctx, move)).toContain(
      'EventBridge rule nightly-batch (bus default) target by-arn still submits jobs with nightly:2',
    );
    expect(await adapter.repoint(move, [move]).run(ctx)).toEqual({ registered: defArn('nightly', 3), replaced: defArn('nightly', 2) });
    expect(batch.writes).toEqual(['register:nightly:3']);
    expect(await adapter.verify(ctx, move)).toEqual([]);
  });

  it('moves ECS task and multi-node role fields, each that named the shared role', async () => {
    const multi = {
      jobDefinitionName: 'mpi',
      type: 'multinode',
      nodeProperties: {
        numNodes: 2,
        mainNode: 0,
        nodeRangeProperties: [
          { targetNodes: '0:', container: { image: 'mpi', jobRoleArn: SHARED_ARN, executionRoleArn: SHARED_ARN } },
          { targetNodes: '1:', ecsProperties: { taskProperties: [{ containers: [{ image: 'side' }], taskRoleArn: SHARED_ARN }] } },
        ],
      },
    } satisfies FakeJobDefinitionSeed;
    batch.addRevision(multi);
    const move = (await found()).batch.latest.find((d) => d.definition.jobDefinitionName === 'mpi');
    const [planned] = adapter
      .planMoves(
        { latest: move ? [move] : [], older: [], followers: [] },
        { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION },
      )
      .map((m) => m);
    expect(planned?.roleFields).toEqual([
      'nodeProperties.nodeRangeProperties[0].container.jobRoleArn',
      'nodeProperties.nodeRangeProperties[0].container.executionRoleArn',
      'nodeProperties.nodeRangeProperties[1].ecsProperties.taskProperties[0].taskRoleArn',
    ]);
    await adapter.repoint(planned as MoveOf<'batch-job-definition'>, []).run(fakeApplyContext(region, PLAN_ID));
    const copy = batch.revisionsOf('mpi')[1];
    expect(copy?.nodeProperties).toEqual({
      ...multi.nodeProperties,
      nodeRangeProperties: [
        { targetNodes: '0:', container: { image: 'mpi', jobRoleArn: NEW_ROLE, executionRoleArn: NEW_ROLE } },
        { targetNodes: '1:', ecsProperties: { taskProperties: [{ containers: [{ image: 'side' }], taskRoleArn: NEW_ROLE }] } },
      ],
    });
  });

  it('a field that cannot be carried, appearing after the plan, is drift and stops run before any write', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    region.services.scheduler.addSchedule(
      {
        Name: 'hourly',
        ScheduleExpression: 'rate(1 hour)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: SCHEDULER_SUBMIT_JOB, RoleArn: THEIRS, Input: `{"JobDefinition":"${defArn('nightly', 2)}"}` },
      },
      ['Target.FutureParameters'],
    );
    expect(await adapter.drift(ctx, move)).toEqual([
      'Scheduler schedule hourly (group default) has Target.FutureParameters, which its whole-replace write through this SDK cannot carry over',
    ]);
    const error = await adapter
      .repoint(move, [move])
      .run(ctx)
      .catch((e: unknown) => e);
    expect((error as SplitRoleError).code).toBe('BatchNotCarried');
    expect(batch.writes).toEqual([]);
    expect(region.services.eventBridge.writes).toEqual([]);
  });

  it('a rule target naming the revision since the plan is drift: the move would leave it on the shared role', async () => {
    const move = await planMove();
    region.services.eventBridge.putTargetAs('default', 'nightly-batch', {
      Id: 'late',
      Arn: QUEUE,
      RoleArn: THEIRS,
      BatchParameters: { JobDefinition: 'nightly:2', JobName: 'late' },
    });
    expect(await adapter.drift(fakeApplyContext(region, PLAN_ID), move)).toEqual([
      'EventBridge rule nightly-batch (bus default) target late submits jobs with nightly:2, which the plan does not move',
    ]);
  });

  it('drift names a newer revision and a changed role; run refuses it; undo leaves a copy someone superseded, with a warning', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    batch.addRevision({ ...FULL, containerProperties: { ...FULL.containerProperties, jobRoleArn: THEIRS } });
    expect(await adapter.drift(ctx, move)).toEqual(['AWS Batch job definition nightly:2: its latest ACTIVE revision is 3, plan says 2']);
    const error = await adapter
      .repoint(move, [move])
      .run(ctx)
      .catch((e: unknown) => e);
    expect((error as SplitRoleError).code).toBe('Drift');
    expect(batch.writes).toEqual([]);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(ctx.io.messages.map((m) => m.data?.workload)).toEqual(['Batch job definition nightly']);
    expect(batch.writes).toEqual([]);
  });

  it('undo after the old revision was deregistered registers a copy of it on the old role and points the followers there', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    batch.deactivate(defArn('nightly', 2));
    await adapter.repoint(move, [move]).undo(ctx);
    expect(batch.writes).toEqual(['register:nightly:3', 'register:nightly:4', 'deregister:nightly:3']);
    const restored = batch.revisionsOf('nightly')[3];
    expect(restored?.containerProperties?.jobRoleArn).toBe(SHARED_ARN);
    expect(region.services.eventBridge.targetOf('default', 'nightly-batch', 'by-number')?.BatchParameters?.JobDefinition).toBe('nightly:4');
  });

  it('rollback keeps the new role while a revision someone registered on it since is the latest: undo does not deregister that', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    const onNew = { arn: NEW_ROLE, roleName: 'app-ecs-tasks', instanceProfiles: [] };
    const usersAfterUndo = async () => {
      const left = await adapter.withoutMovedBack(ctx, workloadsForRole(await indexAccount(region, new RecordingIoHost()), onNew).batch, [
        move,
      ]);
      return adapter.describeUsers(left, 'the new role');
    };
    // Only the plan's own copy names the new role: undo deregisters it, nothing is left.
    expect(await usersAfterUndo()).toEqual([]);
    batch.addRevision({ ...FULL, containerProperties: { ...FULL.containerProperties, image: 'reports:2', jobRoleArn: NEW_ROLE } });
    // Undo now stops on drift (the latest revision is not the plan's copy): the copy, and what submits it, stay on the new role too.
    expect(await usersAfterUndo()).toEqual([
      'AWS Batch job definition nightly:4 (its latest revision) runs jobs as the new role',
      'EventBridge rule nightly-batch (bus default) target by-arn submits Batch jobs with nightly:3, which runs as the new role',
      'EventBridge rule nightly-batch (bus default) target by-number submits Batch jobs with nightly:3, which runs as the new role',
      'Scheduler schedule hourly (group default) submits Batch jobs with nightly:3, which runs as the new role',
    ]);
  });
});
