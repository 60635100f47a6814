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

describe('published versions and aliases', () => {
  const sfn = () => region.services.stepFunctions;
  let v1: string;
  let live: string;

  beforeEach(() => {
    v1 = sfn().publishVersion(machine);
    live = sfn().addAlias(machine, 'live', [{ stateMachineVersionArn: v1, weight: 100 }]);
  });

  it('publishes a version with the new role, routes the alias to it, and undo restores the routing and the role', async () => {
    const move = await planMove();
    expect(move.aliases).toEqual([
      { name: 'live', aliasArn: live, current: [{ stateMachineVersionArn: v1, weight: 100 }], sharedVersions: [v1] },
    ]);
    expect(plannedWorkloadSchema.parse(move)).toEqual(move);
    expect(adapter.describeMove(move)[1]).toBe('Step Functions state machine (from its next execution; a new version for `live`)');
    expect(adapter.checklist(move, { format: 'terraform', role: () => undefined })).toContain(
      '  - alias `live`: `publish = true` on the `aws_sfn_state_machine`, and the `aws_sfn_alias` routes to its `state_machine_version_arn`',
    );
    expect(describeUsers(await found())).toContain(
      'Step Functions alias orders-flow:live routes executions to version 1, which run as the shared role',
    );
    const ctx = fakeApplyContext(region, PLAN_ID);
    expect(await adapter.repoint(move, [move]).run(ctx)).toEqual({ replaced: SHARED_ARN, version: `${machine}:2` });
    expect(sfn().routingOf(live)).toEqual([{ stateMachineVersionArn: `${machine}:2`, weight: 100 }]);
    expect(sfn().roleOf(`${machine}:2`)).toBe(NEW_ROLE);
    expect(sfn().roleOf(v1)).toBe(SHARED_ARN);
    expect(await adapter.verify(ctx, move)).toEqual([]);
    // Nothing of the machine is left on the shared role: retire can go ahead.
    expect(describeUsers(await found())).toEqual([]);
    await adapter.repoint(move, [move]).run(ctx);
    expect(sfn().writes).toEqual(['updateRole:orders-flow', 'publish:orders-flow:2', 'updateAlias:orders-flow:live']);

    await adapter.repoint(move, [move]).undo(ctx);
    expect(sfn().routingOf(live)).toEqual([{ stateMachineVersionArn: v1, weight: 100 }]);
    expect(sfn().roleOf(machine)).toBe(SHARED_ARN);
    // The version apply published goes with the new role: the machine has the versions it had.
    expect(sfn().versionArns(machine)).toEqual([v1]);
    expect(sfn().writes.at(-1)).toBe('deleteVersion:orders-flow:2');
    expect(await adapter.drift(ctx, move)).toEqual([]);
  });

  it('a weighted alias: the shared versions’ shares go to the new version, a third role’s version keeps its share; undo restores both', async () => {
    const v2 = sfn().publishVersion(machine);
    await sfn().updateRole(machine, roleArn('theirs'));
    const theirs = sfn().publishVersion(machine);
    await sfn().updateRole(machine, SHARED_ARN);
    const canary = sfn().addAlias(machine, 'canary', [
      { stateMachineVersionArn: v2, weight: 80 },
      { stateMachineVersionArn: theirs, weight: 20 },
    ]);
    const both = sfn().addAlias(machine, 'both', [
      { stateMachineVersionArn: v1, weight: 90 },
      { stateMachineVersionArn: v2, weight: 10 },
    ]);
    sfn().writes.length = 0;
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    const { version } = await adapter.repoint(move, [move]).run(ctx);
    expect(sfn().routingOf(canary)).toEqual([
      { stateMachineVersionArn: version, weight: 80 },
      { stateMachineVersionArn: theirs, weight: 20 },
    ]);
    expect(sfn().routingOf(both)).toEqual([{ stateMachineVersionArn: version, weight: 100 }]);
    expect(await adapter.verify(ctx, move)).toEqual([]);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(sfn().routingOf(canary)).toEqual([
      { stateMachineVersionArn: v2, weight: 80 },
      { stateMachineVersionArn: theirs, weight: 20 },
    ]);
    expect(sfn().routingOf(both)).toEqual([
      { stateMachineVersionArn: v1, weight: 90 },
      { stateMachineVersionArn: v2, weight: 10 },
    ]);
  });

  it('resumed after the version was published but before the alias moved, it routes to that version without publishing again', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    sfn().faults.failNext('updateAlias', new Error('killed'));
    await expect(adapter.repoint(move, [move]).run(ctx)).rejects.toThrow('killed');
    expect(await adapter.repoint(move, [move]).run(ctx)).toEqual({ replaced: SHARED_ARN, version: `${machine}:2` });
    expect(sfn().writes).toEqual(['updateRole:orders-flow', 'publish:orders-flow:2', 'updateAlias:orders-flow:live']);
    expect(sfn().routingOf(live)).toEqual([{ stateMachineVersionArn: `${machine}:2`, weight: 100 }]);
  });

  it('rolled back after the version was published but before the alias moved, the machine is as before', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    sfn().faults.failNext('updateAlias', new Error('killed'));
    await expect(adapter.repoint(move, [move]).run(ctx)).rejects.toThrow('killed');
    await adapter.repoint(move, [move]).undo(ctx);
    expect(sfn().roleOf(machine)).toBe(SHARED_ARN);
    expect(sfn().routingOf(live)).toEqual([{ stateMachineVersionArn: v1, weight: 100 }]);
    expect(sfn().versionArns(machine)).toEqual([v1]);
  });

  it('an alias on a version of another definition is a follow-up, not moved, and keeps the shared role in use', async () => {
    sfn().setDefinition(machine, '{"StartAt":"New","States":{"New":{"Type":"Succeed"}}}');
    const move = await planMove();
    expect(move.aliases).toEqual([]);
    const followUps = adapter.followUps((await found()).states, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION });
    expect(followUps).toEqual([expect.objectContaining({ kind: 'state-machine-alias', resource: live })]);
    expect(followUps[0]?.message).toMatch(/definition is not the machine's latest/);
    await adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID));
    expect(sfn().routingOf(live)).toEqual([{ stateMachineVersionArn: v1, weight: 100 }]);
    expect(describeUsers(await found())).toEqual([
      'Step Functions alias orders-flow:live routes executions to version 1, which run as the shared role',
    ]);
  });

  it('refuses before changing anything when the alias was rerouted, or the definition changed, since the plan', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    const v2 = sfn().publishVersion(machine);
    await sfn().updateAlias(live, [
      { stateMachineVersionArn: v1, weight: 50 },
      { stateMachineVersionArn: v2, weight: 50 },
    ]);
    expect(await adapter.drift(ctx, move)).toEqual(['state machine alias orders-flow:live routes 50% to 1, 50% to 2, plan says 100% to 1']);
    const rerouted = await adapter
      .repoint(move, [move])
      .run(ctx)
      .catch((e: unknown) => e);
    expect(errorIs.Drift(rerouted)).toBe(true);
    await sfn().updateAlias(live, [{ stateMachineVersionArn: v1, weight: 100 }]);
    sfn().setDefinition(machine, '{"StartAt":"New","States":{"New":{"Type":"Succeed"}}}');
    const redefined = await adapter
      .repoint(move, [move])
      .run(ctx)
      .catch((e: unknown) => e);
    expect(errorIs.Drift(redefined)).toBe(true);
    expect(sfn().roleOf(machine)).toBe(SHARED_ARN);
    expect(sfn().writes.filter((w) => !w.startsWith('updateAlias'))).toEqual([]);
  });

  it('verify names an alias routed back to the shared version after the move; undo leaves an alias someone else rerouted', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    await sfn().updateAlias(live, [{ stateMachineVersionArn: v1, weight: 100 }]);
    expect(await adapter.verify(ctx, move)).toEqual([
      `state machine alias orders-flow:live routes 100% to version 1, which runs as ${SHARED_ARN}`,
    ]);
    await sfn().updateRole(machine, roleArn('theirs'));
    const elsewhere = sfn().publishVersion(machine);
    await sfn().updateRole(machine, NEW_ROLE);
    await sfn().updateAlias(live, [{ stateMachineVersionArn: elsewhere, weight: 100 }]);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(sfn().routingOf(live)).toEqual([{ stateMachineVersionArn: elsewhere, weight: 100 }]);
    expect(ctx.io.messages.map((m) => m.data?.workload)).toEqual(['state machine alias orders-flow:live']);
    expect(sfn().roleOf(machine)).toBe(SHARED_ARN);
    // Apply's version (2) goes; the one the alias uses now, and the shared one, stay.
    expect(sfn().versionArns(machine)).toEqual([v1, elsewhere]);
  });

  it("rollback keeps the new role while an alias someone rerouted since still sends a share to apply's version: undo leaves that alias", async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    const onNew = { arn: NEW_ROLE, roleName: 'app-states', instanceProfiles: [] };
    const usersAfterUndo = async () => {
      const left = await adapter.withoutMovedBack(ctx, workloadsForRole(await indexAccount(region, new RecordingIoHost()), onNew).states, [
        move,
      ]);
      return adapter.describeUsers(left, 'the new role');
    };
    // As apply left it, undo restores the alias and points the machine back: nothing is left on the new role.
    expect(await usersAfterUndo()).toEqual([]);
    await sfn().updateRole(machine, roleArn('theirs'));
    const theirs = sfn().publishVersion(machine);
    await sfn().updateRole(machine, NEW_ROLE);
    await sfn().updateAlias(live, [
      { stateMachineVersionArn: `${machine}:2`, weight: 50 },
      { stateMachineVersionArn: theirs, weight: 50 },
    ]);
    expect(await usersAfterUndo()).toEqual([
      'Step Functions alias orders-flow:live routes executions to version 2, which run as the new role',
    ]);
  });
});
