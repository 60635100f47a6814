/**
 * The Lambda function adapter, in-process on the in-memory Lambda fake:
 * discovery, then repoint / undo / drift / verify against the account's end
 * state, with Lambda's asynchronous updates and its conflict and
 * not-yet-assumable errors.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { errorIs, SplitRoleError } from '../../src/core/errors.js';
import { indexAccount, workloadsForRole } from '../../src/inventory/workloads.js';
import type { MoveOf } from '../../src/workloads/moves.js';
import { WORKLOAD_ADAPTERS } from '../../src/workloads/registry.js';
import { FakeServiceError } from '../support/fake-account/aws-error.js';
import { fakeApplyContext } from '../support/fake-account/workload-context.js';
import { FakeWorkloads } from '../support/fake-account/workloads.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { ACCOUNT, LAMBDA, PLAN_ID, plannedRole, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

const adapter = WORKLOAD_ADAPTERS['lambda-function'];
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const NEW_ROLE = roleArn('app-lambda');
const binding = { arn: SHARED_ARN, roleName: SHARED_NAME, instanceProfiles: [] };
const role = plannedRole('lambda', LAMBDA, 'app-lambda');

let region: FakeWorkloads;
let roles: Set<string>;

function newRegion(settleReads = 1): FakeWorkloads {
  return new FakeWorkloads({ region: REGION, settleReads, knowsRole: (arn) => roles.has(arn) });
}

beforeEach(() => {
  roles = new Set([SHARED_ARN, NEW_ROLE, roleArn('theirs')]);
  region = newRegion();
});

async function planMoves(): Promise<Array<MoveOf<'lambda-function'>>> {
  const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding).lambda;
  return adapter.planMoves(found, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION });
}

describe('Lambda discovery on the fake', () => {
  it('finds live functions on the shared role, and published versions apart', async () => {
    const { lambda } = region.services;
    lambda.addFunction('orders', SHARED_ARN, [SHARED_ARN, roleArn('older')]);
    lambda.addFunction('billing', roleArn('other'), [SHARED_ARN]);
    const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding).lambda;
    expect(found.functions.map((f) => f.functionName)).toEqual(['orders']);
    expect(found.publishedVersions.map((f) => `${f.functionName}:${f.version}`)).toEqual(['orders:1', 'billing:1']);
    expect(
      adapter.followUps(found, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION }).map((f) => f.resource),
    ).toEqual([`arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders:1`, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:billing:1`]);
  });
});

describe('Lambda repoint on the fake', () => {
  let move: MoveOf<'lambda-function'>;
  beforeEach(async () => {
    region.services.lambda.addFunction('orders', SHARED_ARN);
    [move] = (await planMoves()) as [MoveOf<'lambda-function'>];
  });

  it('run moves the function and waits for the update; a second run changes nothing', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    expect(await adapter.repoint(move, [move]).run(ctx)).toEqual({ replaced: SHARED_ARN });
    expect(region.services.lambda.roleOf('orders')).toBe(NEW_ROLE);
    // The run returned after the update settled: the next read shows it done.
    expect(await region.services.lambda.getFunctionConfiguration('orders')).toMatchObject({ lastUpdateStatus: 'Successful' });
    expect(await adapter.verify(ctx, move)).toEqual([]);
    expect(await adapter.showsMoved(ctx, move)).toBe(`Lambda orders runs as ${NEW_ROLE}`);
    await adapter.repoint(move, [move]).run(ctx);
    expect(region.services.lambda.writes).toEqual(['updateFunctionRole:orders']);
  });

  it('waits for an update already in progress instead of colliding with it', async () => {
    region = newRegion(3);
    region.services.lambda.addFunction('orders', SHARED_ARN);
    // Someone else's configuration update is still running when apply gets there.
    await region.services.lambda.updateFunctionRole('orders', SHARED_ARN);
    await adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID));
    expect(region.services.lambda.roleOf('orders')).toBe(NEW_ROLE);
  });

  it('retries while Lambda cannot yet assume the new role', async () => {
    roles.delete(NEW_ROLE);
    let asks = 0;
    region = new FakeWorkloads({ region: REGION, knowsRole: (arn) => arn !== NEW_ROLE || ++asks > 1 });
    region.services.lambda.addFunction('orders', SHARED_ARN);
    await adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID));
    expect(region.services.lambda.writes).toEqual(['updateFunctionRole:orders', 'updateFunctionRole:orders']);
    expect(region.services.lambda.roleOf('orders')).toBe(NEW_ROLE);
  });

  it("a failed update stops the run with Lambda's reason", async () => {
    region.services.lambda.failNextUpdate('orders', 'EniLimitExceeded');
    const error = await adapter
      .repoint(move, [move])
      .run(fakeApplyContext(region, PLAN_ID))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SplitRoleError);
    expect((error as SplitRoleError).code).toBe('LambdaUpdateFailed');
    expect((error as Error).message).toContain('EniLimitExceeded');
    expect(await adapter.verify(fakeApplyContext(region, PLAN_ID), move)).toEqual(['Lambda orders update is Failed']);
  });

  it('undo points the function back to the shared role', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(region.services.lambda.roleOf('orders')).toBe(SHARED_ARN);
    expect(await adapter.drift(ctx, move)).toEqual([]);
  });

  it('undo leaves a function moved elsewhere, or deleted, with a warning each', async () => {
    region.services.lambda.addFunction('billing', SHARED_ARN);
    const moves = await planMoves();
    const ctx = fakeApplyContext(region, PLAN_ID);
    for (const m of moves) await adapter.repoint(m, moves).run(ctx);
    region.services.lambda.setRoleBehindTheBack('orders', roleArn('theirs'));
    region.services.lambda.deleteFunction('billing');
    for (const m of moves) await adapter.repoint(m, moves).undo(ctx);
    expect(region.services.lambda.roleOf('orders')).toBe(roleArn('theirs'));
    expect(ctx.io.messages.map((m) => m.data?.workload)).toEqual(['Lambda orders', 'Lambda billing']);
  });

  it('drift names a changed role and a deleted function; run refuses the changed one', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    region.services.lambda.setRoleBehindTheBack('orders', roleArn('theirs'));
    expect(await adapter.drift(ctx, move)).toEqual([`Lambda orders runs as ${roleArn('theirs')}, plan says ${SHARED_ARN}`]);
    const error = await adapter
      .repoint(move, [move])
      .run(ctx)
      .catch((e: unknown) => e);
    expect(errorIs.Drift(error)).toBe(true);
    region.services.lambda.deleteFunction('orders');
    expect(await adapter.drift(ctx, move)).toEqual(['Lambda orders no longer exists']);
    expect(await adapter.showsMoved(ctx, move)).toBeUndefined();
  });

  it('showsMoved lets AccessDenied and throttling through: only a missing function reads as not moved', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    const { lambda } = region.services;
    lambda.faults.failNext(
      'getFunctionConfiguration',
      new FakeServiceError('AccessDeniedException', 'not authorized to perform: lambda:GetFunctionConfiguration', { status: 403 }),
    );
    await expect(adapter.showsMoved(ctx, move)).rejects.toThrow(/not authorized/);
    lambda.faults.failNext('getFunctionConfiguration', new FakeServiceError('TooManyRequestsException', 'Rate exceeded', { status: 429 }));
    await expect(adapter.showsMoved(ctx, move)).rejects.toThrow(/Rate exceeded/);
    expect(await adapter.showsMoved(ctx, move)).toBe(`Lambda orders runs as ${NEW_ROLE}`);
  });
});
