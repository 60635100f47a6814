/**
 * The API Gateway HTTP API adapter, in-process on the in-memory fake: a stage
 * with autoDeploy takes the changed integration by itself, a stage without it
 * is redeployed by apply; undo restores both, and the plan records only the
 * stages apply redeploys.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { indexAccount, workloadsForRole } from '../../src/inventory/workloads.js';
import { plannedWorkloadSchema, type MoveOf } from '../../src/workloads/moves.js';
import { WORKLOAD_ADAPTERS } from '../../src/workloads/registry.js';
import { fakeApplyContext } from '../support/fake-account/workload-context.js';
import { FakeWorkloads } from '../support/fake-account/workloads.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { ACCOUNT, PLAN_ID, plannedRole, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

const adapter = WORKLOAD_ADAPTERS['apigateway-http'];
const NEW_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-apigateway`;
const binding = { arn: SHARED_ARN, roleName: SHARED_NAME, instanceProfiles: [] };
const role = plannedRole('apigateway', 'apigateway.amazonaws.com', 'app-apigateway');
const SQS = { kind: 'integration' as const, id: 'i1' };

let region: FakeWorkloads;
let gateway: FakeWorkloads['services']['apiGatewayV2'];

beforeEach(() => {
  region = new FakeWorkloads({ region: REGION, account: ACCOUNT });
  gateway = region.services.apiGatewayV2;
  gateway.addApi({
    apiId: 'h1',
    name: 'events',
    slots: [
      { ...SQS, label: 'integration i1', credentials: SHARED_ARN },
      { kind: 'integration', id: 'i2', label: 'integration i2' },
    ],
    stages: [{ stageName: '$default', autoDeploy: true }, { stageName: 'pinned' }],
  });
});

async function planMove(): Promise<MoveOf<'apigateway-http'>> {
  const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding);
  expect(found.apigateway.apis).toEqual([]);
  const [move] = adapter.planMoves(found.apigatewayv2, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION });
  return move as MoveOf<'apigateway-http'>;
}

describe('HTTP API repoint on the fake', () => {
  it('plans only the stage without autoDeploy for a redeploy, at once', async () => {
    const move = await planMove();
    expect(move).toMatchObject({
      kind: 'apigateway-http',
      apiId: 'h1',
      slots: [{ ...SQS, label: 'integration i1' }],
      stages: [{ stageName: 'pinned', deploymentId: 'd1' }],
      takesEffect: 'at-once',
    });
    expect(plannedWorkloadSchema.parse(move)).toEqual(move);
    expect(adapter.describeMove(move)[1]).toBe('API Gateway HTTP API (at once: apply redeploys stage `pinned`, undeployed edits included)');
  });

  it('run: the auto-deploying stage takes it by itself, the other is redeployed; undo restores both', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    expect(gateway.served('h1', '$default', SQS)).toBe(NEW_ROLE);
    expect(gateway.served('h1', 'pinned', SQS)).toBe(NEW_ROLE);
    expect(gateway.writes).toEqual(['setCredentials:h1:integration:i1', 'createDeployment:h1', 'setStageDeployment:h1:pinned']);
    expect(await adapter.verify(ctx, move)).toEqual([]);

    await adapter.repoint(move, [move]).undo(ctx);
    expect(gateway.served('h1', '$default', SQS)).toBe(SHARED_ARN);
    expect(gateway.served('h1', 'pinned', SQS)).toBe(SHARED_ARN);
    expect(gateway.apiOf('h1')?.stages.find((s) => s.stageName === 'pinned')?.deploymentId).toBe('d1');
    expect(await adapter.drift(ctx, move)).toEqual([]);
    expect(ctx.io.messages).toEqual([]);
  });

  it('an integration moved to another role behind our back is drift, and undo leaves it with a warning', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    const elsewhere = `arn:aws:iam::${ACCOUNT}:role/theirs`;
    gateway.editSlot('h1', SQS, elsewhere);
    expect(await adapter.verify(ctx, move)).toEqual([`API Gateway HTTP API events (h1) integration i1 calls as ${elsewhere}`]);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(gateway.apiOf('h1')?.slots[0]?.credentials).toBe(elsewhere);
    expect(ctx.io.messages.map((m) => m.data?.workload)).toEqual(['API Gateway HTTP API events (h1) integration i1']);
  });
});
