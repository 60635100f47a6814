/**
 * The EventBridge Scheduler schedule adapter, in-process on the in-memory
 * fake (whose UpdateSchedule is a full replace, as Scheduler's): discovery
 * across groups, every field carried over, a field that cannot be carried
 * stopping plan, drift and repoint, the wait for a new role, and undo.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SplitRoleError } from '../../src/core/errors.js';
import { indexAccount, workloadsForRole } from '../../src/inventory/workloads.js';
import { plannedWorkloadSchema, type MoveOf } from '../../src/workloads/moves.js';
import { WORKLOAD_ADAPTERS } from '../../src/workloads/registry.js';
import type { FakeScheduleSeed } from '../support/fake-account/scheduler.js';
import { fakeApplyContext } from '../support/fake-account/workload-context.js';
import { FakeWorkloads } from '../support/fake-account/workloads.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { ACCOUNT, PLAN_ID, plannedRole, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

const adapter = WORKLOAD_ADAPTERS.schedule;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const NEW_ROLE = roleArn('app-scheduler');
const binding = { arn: SHARED_ARN, roleName: SHARED_NAME, instanceProfiles: [] };
const role = plannedRole('scheduler', 'scheduler.amazonaws.com', 'app-scheduler');

/** A schedule with every optional field set: UpdateSchedule would reset any it is not sent. */
const FULL = {
  Name: 'nightly',
  GroupName: 'reports',
  ScheduleExpression: 'cron(0 3 * * ? *)',
  ScheduleExpressionTimezone: 'Europe/Berlin',
  Description: 'nightly report',
  State: 'ENABLED',
  StartDate: new Date('2027-01-01T00:00:00.000Z'),
  EndDate: new Date('2028-01-01T00:00:00.000Z'),
  KmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/k`,
  ActionAfterCompletion: 'NONE',
  FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
  Target: {
    Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:reports`,
    RoleArn: SHARED_ARN,
    Input: '{"report":"daily"}',
    RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 },
    DeadLetterConfig: { Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:dlq` },
    SqsParameters: { MessageGroupId: 'g' },
  },
} satisfies FakeScheduleSeed;

let region: FakeWorkloads;
let scheduler: FakeWorkloads['services']['scheduler'];
let roles: Set<string>;

beforeEach(() => {
  roles = new Set([SHARED_ARN, NEW_ROLE, roleArn('theirs')]);
  region = new FakeWorkloads({ region: REGION, account: ACCOUNT, knowsRole: (arn) => roles.has(arn) });
  scheduler = region.services.scheduler;
  scheduler.addSchedule(FULL);
  scheduler.addSchedule({
    Name: 'other',
    ScheduleExpression: 'rate(1 hour)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: 'arn:aws:sqs:x', RoleArn: roleArn('theirs') },
  });
});

async function found() {
  return workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding);
}

async function planMove(): Promise<MoveOf<'schedule'>> {
  const [move] = adapter.planMoves((await found()).scheduler, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION });
  return move as MoveOf<'schedule'>;
}

describe('Scheduler discovery and planning on the fake', () => {
  it('finds schedules of every group on the shared role and plans a move from the next run', async () => {
    const move = await planMove();
    expect(move).toMatchObject({
      kind: 'schedule',
      groupName: 'reports',
      scheduleName: 'nightly',
      target: { roleArn: NEW_ROLE },
      takesEffect: 'next-run',
    });
    expect(plannedWorkloadSchema.parse(move)).toEqual(move);
    expect((await found()).scheduler.schedules.map((s) => s.schedule.Name)).toEqual(['nightly']);
    expect(adapter.describeMove(move)[1]).toBe('EventBridge Scheduler schedule (from its next run)');
  });

  it('a schedule with a field that cannot be carried over stops the plan, naming the field', async () => {
    scheduler.addSchedule(FULL, ['Target.FutureParameters']);
    const error = await planMove().catch((e: unknown) => e);
    expect((error as SplitRoleError).code).toBe('ScheduleNotCarried');
    expect((error as Error).message).toContain('schedule nightly (group reports) has Target.FutureParameters');
  });
});

describe('Scheduler repoint on the fake', () => {
  it('run replaces the schedule with every field carried over; a second run changes nothing; undo restores it', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    const before = scheduler.scheduleOf('reports', 'nightly');
    expect(await adapter.repoint(move, [move]).run(ctx)).toEqual({ replaced: SHARED_ARN });
    const { LastModificationDate: _a, ...after } = scheduler.scheduleOf('reports', 'nightly') ?? {};
    const { LastModificationDate: _b, ...expected } = before ?? {};
    expect(after).toEqual({ ...expected, Target: { ...FULL.Target, RoleArn: NEW_ROLE } });
    expect(await adapter.verify(ctx, move)).toEqual([]);
    await adapter.repoint(move, [move]).run(ctx);
    expect(scheduler.writes).toEqual(['updateSchedule:reports/nightly']);
    await adapter.repoint(move, [move]).undo(ctx);
    const { LastModificationDate: _c, ...restored } = scheduler.scheduleOf('reports', 'nightly') ?? {};
    expect(restored).toEqual(expected);
    expect(await adapter.drift(ctx, move)).toEqual([]);
  });

  it('retries while Scheduler cannot yet assume the new role', async () => {
    let asks = 0;
    region = new FakeWorkloads({ region: REGION, account: ACCOUNT, knowsRole: (arn) => arn !== NEW_ROLE || ++asks > 1 });
    region.services.scheduler.addSchedule(FULL);
    const move = await planMove();
    await adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID));
    expect(region.services.scheduler.scheduleOf('reports', 'nightly')?.Target?.RoleArn).toBe(NEW_ROLE);
    expect(asks).toBe(2);
  });

  it('a field that cannot be carried, appearing after the plan, is drift and stops run before any write', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    scheduler.addSchedule(FULL, ['Target.FutureParameters']);
    expect(await adapter.drift(ctx, move)).toEqual([
      'schedule nightly (group reports) has Target.FutureParameters, which UpdateSchedule through this SDK cannot carry over',
    ]);
    const error = await adapter
      .repoint(move, [move])
      .run(ctx)
      .catch((e: unknown) => e);
    expect((error as SplitRoleError).code).toBe('ScheduleNotCarried');
    expect(scheduler.writes).toEqual([]);
  });

  it('drift names a changed role and a deleted schedule; undo leaves a deleted one with a warning', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    scheduler.addSchedule({ ...FULL, Target: { ...FULL.Target, RoleArn: roleArn('theirs') } });
    expect(await adapter.drift(ctx, move)).toEqual([
      `schedule nightly (group reports) invokes as ${roleArn('theirs')}, plan says ${SHARED_ARN}`,
    ]);
    scheduler.deleteSchedule('reports', 'nightly');
    expect(await adapter.drift(ctx, move)).toEqual(['schedule nightly (group reports) no longer exists']);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(ctx.io.messages.map((m) => m.data?.workload)).toEqual(['schedule nightly (group reports)']);
  });
});
