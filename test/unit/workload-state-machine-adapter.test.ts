/**
 * The Step Functions state-machine adapter, in-process on the in-memory fake:
 * discovery, repoint / undo / drift / verify, and the executions that keep the
 * shared role after the move (verify reports them; one still running keeps
 * the role in use, so retire's re-check and rollback's guard see it).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { errorIs } from '../../src/core/errors.js';
import { describeUsers, indexAccount, workloadsForRole } from '../../src/inventory/workloads.js';
import { plannedWorkloadSchema, type MoveOf } from '../../src/workloads/moves.js';
import { WORKLOAD_ADAPTERS } from '../../src/workloads/registry.js';
import { fakeApplyContext } from '../support/fake-account/workload-context.js';
import { FakeWorkloads } from '../support/fake-account/workloads.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { ACCOUNT, PLAN_ID, plannedRole, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

const adapter = WORKLOAD_ADAPTERS['state-machine'];
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const NEW_ROLE = roleArn('app-states');
const binding = { arn: SHARED_ARN, roleName: SHARED_NAME, instanceProfiles: [] };
const role = plannedRole('states', 'states.amazonaws.com', 'app-states');

let region: FakeWorkloads;
let roles: Set<string>;
let machine: string;

beforeEach(() => {
  roles = new Set([SHARED_ARN, NEW_ROLE, roleArn('theirs')]);
  region = new FakeWorkloads({ region: REGION, account: ACCOUNT, knowsRole: (arn) => roles.has(arn) });
  machine = region.services.stepFunctions.addStateMachine('orders-flow', SHARED_ARN);
});

async function found() {
  return workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding);
}

async function planMove(): Promise<MoveOf<'state-machine'>> {
  const [move] = adapter.planMoves((await found()).states, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION });
  return move as MoveOf<'state-machine'>;
}

describe('Step Functions discovery and planning on the fake', () => {
  it('finds machines on the shared role and plans a move that takes effect from the next execution', async () => {
    region.services.stepFunctions.addStateMachine('other-flow', roleArn('theirs'));
    const move = await planMove();
    expect(move).toMatchObject({
      kind: 'state-machine',
      stateMachineName: 'orders-flow',
      target: { roleArn: NEW_ROLE },
      takesEffect: 'next-run',
    });
    expect(plannedWorkloadSchema.parse(move)).toEqual(move);
    expect(adapter.describeMove(move)[1]).toBe('Step Functions state machine (from its next execution)');
    expect((await found()).states.machines.map((m) => m.name)).toEqual(['orders-flow']);
  });
});

describe('Step Functions repoint on the fake', () => {
  it('run moves the machine; a second run changes nothing; undo points it back', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    expect(await adapter.repoint(move, [move]).run(ctx)).toEqual({ replaced: SHARED_ARN });
    expect(region.services.stepFunctions.roleOf(machine)).toBe(NEW_ROLE);
    expect(await adapter.verify(ctx, move)).toEqual([]);
    expect(await adapter.showsMoved(ctx, move)).toBe(`state machine orders-flow runs as ${NEW_ROLE}`);
    await adapter.repoint(move, [move]).run(ctx);
    expect(region.services.stepFunctions.writes).toEqual(['updateRole:orders-flow']);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(region.services.stepFunctions.roleOf(machine)).toBe(SHARED_ARN);
    expect(await adapter.drift(ctx, move)).toEqual([]);
  });

  it('retries while Step Functions cannot yet assume the new role', async () => {
    let asks = 0;
    region = new FakeWorkloads({ region: REGION, account: ACCOUNT, knowsRole: (arn) => arn !== NEW_ROLE || ++asks > 1 });
    machine = region.services.stepFunctions.addStateMachine('orders-flow', SHARED_ARN);
    const move = await planMove();
    await adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID));
    expect(region.services.stepFunctions.roleOf(machine)).toBe(NEW_ROLE);
    expect(asks).toBe(2);
  });

  it('drift names a changed role and a deleted machine; run refuses the changed one', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    await region.services.stepFunctions.updateRole(machine, roleArn('theirs'));
    expect(await adapter.drift(ctx, move)).toEqual([`state machine orders-flow runs as ${roleArn('theirs')}, plan says ${SHARED_ARN}`]);
    expect(
      errorIs.Drift(
        await adapter
          .repoint(move, [move])
          .run(ctx)
          .catch((e: unknown) => e),
      ),
    ).toBe(true);
    region.services.stepFunctions.deleteStateMachine(machine);
    expect(await adapter.drift(ctx, move)).toEqual(['state machine orders-flow no longer exists']);
    // Undo of a deleted machine leaves it, with a warning.
    await adapter.repoint(move, [move]).undo(ctx);
    expect(ctx.io.messages.map((m) => m.data?.workload)).toEqual(['state machine orders-flow']);
  });
});

describe('executions started before the move keep the shared role', () => {
  it('verify reports each one still running, and is clean once it has ended', async () => {
    const move = await planMove();
    const before = region.services.stepFunctions.startExecution(machine, 'nightly-1', '2026-12-01T01:00:00.000Z');
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    // Started after the move: runs as the new role, nothing to report.
    region.services.stepFunctions.startExecution(machine, 'nightly-2');
    expect(await adapter.verify(ctx, move)).toEqual([
      `state machine orders-flow: execution nightly-1 started 2026-12-01T01:00:00.000Z still runs as ${SHARED_NAME} (it keeps that role until it ends)`,
    ]);
    region.services.stepFunctions.finish(before);
    expect(await adapter.verify(ctx, move)).toEqual([]);
  });

  it('one still running keeps the shared role in use after the move (retire waits); ended, nothing is left', async () => {
    const move = await planMove();
    const before = region.services.stepFunctions.startExecution(machine, 'nightly-1', '2026-12-01T01:00:00.000Z');
    await adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID));
    expect(describeUsers(await found())).toEqual([
      'Step Functions execution nightly-1 (started 2026-12-01T01:00:00.000Z) still runs as the shared role',
    ]);
    // Rollback's view: pointing the machine back does not end the execution either.
    const left = await adapter.withoutMovedBack(fakeApplyContext(region, PLAN_ID), (await found()).states, [move]);
    expect(left.running.map((e) => e.executionArn)).toEqual([before]);
    region.services.stepFunctions.finish(before);
    expect(describeUsers(await found())).toEqual([]);
  });
});
