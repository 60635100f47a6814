/**
 * The EventBridge rule-target adapter, in-process on the in-memory fake:
 * discovery on default and custom buses, the read-modify-write of the whole
 * target (every field carried over), a field the SDK does not know stopping
 * plan, drift and repoint, and undo.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { errorIs, SplitRoleError } from '../../src/core/errors.js';
import { indexAccount, workloadsForRole } from '../../src/inventory/workloads.js';
import { plannedWorkloadSchema, type MoveOf } from '../../src/workloads/moves.js';
import { WORKLOAD_ADAPTERS } from '../../src/workloads/registry.js';
import type { EventTarget } from '../../src/workloads/event-target/port.js';
import { fakeApplyContext } from '../support/fake-account/workload-context.js';
import { FakeWorkloads } from '../support/fake-account/workloads.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { ACCOUNT, PLAN_ID, plannedRole, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

const adapter = WORKLOAD_ADAPTERS['event-target'];
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const NEW_ROLE = roleArn('app-events');
const binding = { arn: SHARED_ARN, roleName: SHARED_NAME, instanceProfiles: [] };
const role = plannedRole('events', 'events.amazonaws.com', 'app-events');

/** A target with many fields besides its role: all must survive the move. */
const FULL: EventTarget = {
  Id: 'run-task',
  Arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/app`,
  RoleArn: SHARED_ARN,
  Input: '{"a":1}',
  EcsParameters: { TaskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/job:3`, TaskCount: 2, LaunchType: 'FARGATE' },
  RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 600 },
  DeadLetterConfig: { Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:dlq` },
};

let region: FakeWorkloads;
let events: FakeWorkloads['services']['eventBridge'];

beforeEach(() => {
  region = new FakeWorkloads({ region: REGION, account: ACCOUNT });
  events = region.services.eventBridge;
  events.addRule('nightly');
  events.putTargetAs('default', 'nightly', FULL);
  // No role: a Lambda target (resource policy), not a binding.
  events.putTargetAs('default', 'nightly', { Id: 'fn', Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:f` });
  events.addRule('orders', 'app-bus');
  events.putTargetAs('app-bus', 'orders', { Id: 'stream', Arn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/s`, RoleArn: SHARED_ARN });
  events.addRule('other', 'app-bus');
  events.putTargetAs('app-bus', 'other', { Id: 'q', Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:q`, RoleArn: roleArn('theirs') });
});

async function found() {
  return workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding);
}

async function planMoves(): Promise<Array<MoveOf<'event-target'>>> {
  return adapter.planMoves((await found()).events, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION });
}

describe('EventBridge discovery and planning on the fake', () => {
  it('finds role targets on the default and custom buses and plans moves that take effect at once', async () => {
    const moves = await planMoves();
    expect(moves.map((m) => [m.eventBusName, m.ruleName, m.targetId])).toEqual([
      ['default', 'nightly', 'run-task'],
      ['app-bus', 'orders', 'stream'],
    ]);
    expect(moves[0]).toMatchObject({ kind: 'event-target', target: { roleArn: NEW_ROLE }, takesEffect: 'at-once' });
    expect(plannedWorkloadSchema.parse(moves[0])).toEqual(moves[0]);
    expect(adapter.describeMove(moves[0] as MoveOf<'event-target'>)[1]).toBe('EventBridge rule target (at once: its next event)');
  });

  it('a target with a field the SDK does not know stops the plan, naming the field', async () => {
    events.putTargetAs('app-bus', 'orders', { Id: 'stream', Arn: 'arn:aws:kinesis:x', RoleArn: SHARED_ARN }, ['Target.FutureParameters']);
    const error = await planMoves().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SplitRoleError);
    expect((error as SplitRoleError).code).toBe('EventTargetNotCarried');
    expect((error as Error).message).toContain('target stream has Target.FutureParameters');
  });
});

describe('EventBridge repoint on the fake', () => {
  it('run writes the whole target back with the new role; a second run changes nothing; undo restores it exactly', async () => {
    const [move] = (await planMoves()) as [MoveOf<'event-target'>];
    const ctx = fakeApplyContext(region, PLAN_ID);
    expect(await adapter.repoint(move, [move]).run(ctx)).toEqual({ replaced: SHARED_ARN });
    expect(events.targetOf('default', 'nightly', 'run-task')).toEqual({ ...FULL, RoleArn: NEW_ROLE });
    expect(await adapter.verify(ctx, move)).toEqual([]);
    await adapter.repoint(move, [move]).run(ctx);
    expect(events.writes).toEqual(['putTarget:default/nightly/run-task']);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(events.targetOf('default', 'nightly', 'run-task')).toEqual(FULL);
    expect(await adapter.drift(ctx, move)).toEqual([]);
  });

  it('a field the SDK does not know, appearing after the plan, is drift and stops run before any write', async () => {
    const [move] = (await planMoves()) as [MoveOf<'event-target'>];
    const ctx = fakeApplyContext(region, PLAN_ID);
    events.putTargetAs('default', 'nightly', FULL, ['Target.EcsParameters.FutureField']);
    expect(await adapter.drift(ctx, move)).toEqual([
      'EventBridge rule nightly (bus default) target run-task has Target.EcsParameters.FutureField, which PutTargets through this SDK would drop',
    ]);
    const error = await adapter
      .repoint(move, [move])
      .run(ctx)
      .catch((e: unknown) => e);
    expect((error as SplitRoleError).code).toBe('EventTargetNotCarried');
    expect(events.writes).toEqual([]);
  });

  it('drift names a changed role and a deleted rule; run refuses the changed one; undo leaves a deleted one', async () => {
    const [, move] = (await planMoves()) as [MoveOf<'event-target'>, MoveOf<'event-target'>];
    const ctx = fakeApplyContext(region, PLAN_ID);
    events.putTargetAs('app-bus', 'orders', { Id: 'stream', Arn: 'arn:aws:kinesis:x', RoleArn: roleArn('theirs') });
    expect(await adapter.drift(ctx, move)).toEqual([
      `EventBridge rule orders (bus app-bus) target stream invokes as ${roleArn('theirs')}, plan says ${SHARED_ARN}`,
    ]);
    expect(
      errorIs.Drift(
        await adapter
          .repoint(move, [move])
          .run(ctx)
          .catch((e: unknown) => e),
      ),
    ).toBe(true);
    events.deleteRule('app-bus', 'orders');
    expect(await adapter.drift(ctx, move)).toEqual(['EventBridge rule orders (bus app-bus) target stream no longer exists']);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(ctx.io.messages.map((m) => m.data?.workload)).toEqual(['EventBridge orders/stream']);
  });
});

describe('rules another AWS service manages', () => {
  it('are not moved: a follow-up names the service, and the target still counts as a use of the shared role', async () => {
    events.addRule('guardduty-rule', 'default', 'guardduty.amazonaws.com');
    events.putTargetAs('default', 'guardduty-rule', { Id: 'g', Arn: 'arn:aws:sqs:x', RoleArn: SHARED_ARN });
    const targets = { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION };
    const moves = adapter.planMoves((await found()).events, targets);
    expect(moves.map((m) => m.ruleName)).toEqual(['nightly', 'orders']);
    const [followUp] = adapter.followUps((await found()).events, targets);
    expect(followUp).toMatchObject({ kind: 'managed-event-rule', resource: expect.stringContaining('rule/guardduty-rule') as string });
    expect(followUp?.message).toContain('is managed by guardduty.amazonaws.com');
    expect(adapter.describeUsers((await found()).events, 'the shared role')).toContain(
      'EventBridge rule guardduty-rule (bus default) target g invokes arn:aws:sqs:x as the shared role',
    );
  });
});
