/**
 * The API Gateway REST API adapter, in-process on the in-memory fake (whose
 * stages serve snapshots, as REST stages do): discovery of integration and
 * authorizer credentials, one move per API, the repoint that redeploys each
 * stage, resuming an interrupted run, drift (a slot changed or a stage
 * redeployed behind our back) and an undo that restores the API exactly.
 */
import MarkdownIt from 'markdown-it';
import { beforeEach, describe, expect, it } from 'vitest';
import { errorIs, type SplitRoleError } from '../../src/core/errors.js';
import { indexAccount, workloadsForRole } from '../../src/inventory/workloads.js';
import { deploymentMark } from '../../src/workloads/apigateway-rest/api-steps.js';
import { plannedWorkloadSchema, type MoveOf } from '../../src/workloads/moves.js';
import { WORKLOAD_ADAPTERS } from '../../src/workloads/registry.js';
import { fakeApplyContext } from '../support/fake-account/workload-context.js';
import { FakeWorkloads } from '../support/fake-account/workloads.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { ACCOUNT, PLAN_ID, plannedRole, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

const adapter = WORKLOAD_ADAPTERS['apigateway-rest'];
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const NEW_ROLE = roleArn('app-apigateway');
const THEIRS = roleArn('theirs');
const binding = { arn: SHARED_ARN, roleName: SHARED_NAME, instanceProfiles: [] };
const role = plannedRole('apigateway', 'apigateway.amazonaws.com', 'app-apigateway');
const GET = { kind: 'integration' as const, id: 'r1/GET' };
const POST = { kind: 'integration' as const, id: 'r1/POST' };
const AUTH = { kind: 'authorizer' as const, id: 'a1' };

let region: FakeWorkloads;
let gateway: FakeWorkloads['services']['apiGateway'];

beforeEach(() => {
  region = new FakeWorkloads({ region: REGION, account: ACCOUNT });
  gateway = region.services.apiGateway;
  gateway.addApi({
    apiId: 'api1',
    name: 'orders',
    slots: [
      { ...GET, label: 'integration GET /orders', credentials: SHARED_ARN },
      { ...POST, label: 'integration POST /orders', credentials: THEIRS },
      { ...AUTH, label: 'authorizer token-check', credentials: SHARED_ARN },
      { kind: 'integration', id: 'r2/GET', label: 'integration GET /health' },
    ],
    stages: [{ stageName: 'prod' }, { stageName: 'dev' }],
  });
  gateway.addApi({ apiId: 'api2', name: 'other', slots: [{ ...GET, label: 'integration GET /', credentials: THEIRS }], stages: [] });
});

async function planMove(): Promise<MoveOf<'apigateway-rest'>> {
  const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding);
  const moves = adapter.planMoves(found.apigateway, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION });
  expect(moves).toHaveLength(1);
  return moves[0] as MoveOf<'apigateway-rest'>;
}

describe('REST API discovery and planning on the fake', () => {
  it('finds the integration and authorizer on the shared role, and plans one move that redeploys every stage, at once', async () => {
    const move = await planMove();
    expect(move).toEqual({
      kind: 'apigateway-rest',
      service: 'apigateway.amazonaws.com',
      region: REGION,
      apiId: 'api1',
      apiName: 'orders',
      slots: [
        { ...GET, label: 'integration GET /orders' },
        { ...AUTH, label: 'authorizer token-check' },
      ],
      stages: [
        { stageName: 'prod', deploymentId: 'd1' },
        { stageName: 'dev', deploymentId: 'd1' },
      ],
      current: { roleArn: SHARED_ARN },
      target: { roleArn: NEW_ROLE },
      takesEffect: 'at-once',
    });
    expect(plannedWorkloadSchema.parse(move)).toEqual(move);
    expect(adapter.describeMove(move)[1]).toBe(
      'API Gateway REST API (at once: apply redeploys stages `prod`, `dev`, undeployed edits included)',
    );
  });
});

describe('REST API repoint on the fake', () => {
  it('run moves both slots and serves each stage a new deployment; a second run writes nothing; undo restores the API exactly', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    const before = gateway.apiOf('api1');
    expect(await adapter.drift(ctx, move)).toEqual([]);
    await adapter.repoint(move, [move]).run(ctx);
    // The stage serves the new role, not just the API's definition: the redeploy is what makes it live.
    for (const stage of ['prod', 'dev']) {
      expect(gateway.served('api1', stage, GET)).toBe(NEW_ROLE);
      expect(gateway.served('api1', stage, AUTH)).toBe(NEW_ROLE);
      expect(gateway.served('api1', stage, POST)).toBe(THEIRS);
    }
    expect(await adapter.verify(ctx, move)).toEqual([]);
    expect(await adapter.showsMoved(ctx, move)).toBe(`API Gateway REST API orders (api1) calls as ${NEW_ROLE}`);
    const writes = [...gateway.writes];
    expect(writes).toEqual([
      'setCredentials:api1:integration:r1/GET',
      'setCredentials:api1:authorizer:a1',
      'createDeployment:api1',
      'setStageDeployment:api1:prod',
      'setStageDeployment:api1:dev',
    ]);
    await adapter.repoint(move, [move]).run(ctx);
    expect(gateway.writes).toEqual(writes);

    await adapter.repoint(move, [move]).undo(ctx);
    expect(gateway.apiOf('api1')).toEqual(before);
    expect(gateway.served('api1', 'prod', GET)).toBe(SHARED_ARN);
    expect(await adapter.drift(ctx, move)).toEqual([]);
    expect(ctx.io.messages).toEqual([]);
  });

  it("rollback keeps the new role while a slot of a moved API given it since the move names it: undo points back only the plan's slots", async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    gateway.editSlot('api1', POST, NEW_ROLE);
    const onNew = { arn: NEW_ROLE, roleName: 'app-apigateway', instanceProfiles: [] };
    const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), onNew).apigateway;
    const left = await adapter.withoutMovedBack(ctx, found, [move]);
    expect(adapter.describeUsers(left, 'the new role')).toEqual([
      'API Gateway REST API orders (api1) integration POST /orders calls as the new role',
    ]);
  });

  it('a run cut off after its deployment resumes with that deployment instead of making another', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    gateway.faults.failNext('setStageDeployment', new Error('connection reset'));
    await expect(adapter.repoint(move, [move]).run(ctx)).rejects.toThrow('connection reset');
    await adapter.repoint(move, [move]).run(ctx);
    const api = gateway.apiOf('api1');
    const ours = api?.deployments.filter((d) => d.description === deploymentMark(PLAN_ID)) ?? [];
    expect(ours).toHaveLength(1);
    expect(api?.stages.map((s) => s.deploymentId)).toEqual([ours[0]?.id, ours[0]?.id]);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(gateway.apiOf('api1')?.deployments.map((d) => d.id)).toEqual(['d1']);
  });

  it('a slot changed behind our back is drift and stops run before any write', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    gateway.editSlot('api1', AUTH, THEIRS);
    expect(await adapter.drift(ctx, move)).toEqual([
      `API Gateway REST API orders (api1) authorizer token-check calls as ${THEIRS}, plan says ${SHARED_ARN}`,
    ]);
    const error = await adapter
      .repoint(move, [move])
      .run(ctx)
      .catch((e: unknown) => e);
    expect(errorIs.Drift(error)).toBe(true);
    expect(gateway.writes).toEqual([]);
  });

  it('a stage redeployed behind our back is drift; after apply, undo leaves that stage and its slot warnings alone', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    const theirs = gateway.redeployBehindOurBack('api1', 'dev');
    expect(await adapter.drift(ctx, move)).toEqual([
      `API Gateway REST API orders (api1) stage dev serves deployment ${theirs}, plan says d1`,
    ]);
    await expect(adapter.repoint(move, [move]).run(ctx)).rejects.toThrow(/stage dev serves deployment/);
    expect(gateway.writes).toEqual([]);

    // Someone redeploys after the move: undo serves prod its old deployment, leaves dev (and the deployment dev serves) with a warning.
    region = new FakeWorkloads({ region: REGION, account: ACCOUNT });
    gateway = region.services.apiGateway;
    gateway.addApi({
      apiId: 'api1',
      name: 'orders',
      slots: [{ ...GET, label: 'integration GET /orders', credentials: SHARED_ARN }],
      stages: [{ stageName: 'prod' }, { stageName: 'dev' }],
    });
    const fresh = await planMove();
    const ctx2 = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(fresh, [fresh]).run(ctx2);
    const later = gateway.redeployBehindOurBack('api1', 'dev');
    await adapter.repoint(fresh, [fresh]).undo(ctx2);
    const api = gateway.apiOf('api1');
    expect(api?.stages.map((s) => [s.stageName, s.deploymentId])).toEqual([
      ['prod', 'd1'],
      ['dev', later],
    ]);
    expect(api?.slots[0]?.credentials).toBe(SHARED_ARN);
    // This plan's deployment is gone (no stage serves it); theirs stays.
    expect(api?.deployments.map((d) => d.id)).toEqual(['d1', later]);
    expect(ctx2.io.messages.map((m) => m.data?.workload)).toEqual(['API Gateway REST API orders (api1) stage dev']);
  });

  it('verify names a stage still serving the deployment from before the move', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    gateway.faults.failNext('createDeployment', new Error('throttled'));
    await expect(adapter.repoint(move, [move]).run(ctx)).rejects.toThrow('throttled');
    expect(await adapter.verify(ctx, move)).toEqual([
      'API Gateway REST API orders (api1) stage prod still serves deployment d1, made before the move',
      'API Gateway REST API orders (api1) stage dev still serves deployment d1, made before the move',
    ]);
  });

  it('a deleted API is drift; undo leaves it with a warning', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    gateway.deleteApi('api1');
    expect(await adapter.drift(ctx, move)).toEqual(['API Gateway REST API orders (api1) no longer exists']);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(ctx.io.messages.map((m) => m.data?.workload)).toEqual(['API Gateway REST API orders (api1)']);
  });
});

describe("the account's CloudWatch logging role (REST account setting)", () => {
  it('naming the shared role, it is a use of the role and a follow-up, and no move', async () => {
    gateway.setAccountLogRole(SHARED_ARN);
    const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding);
    expect(found.apigateway.accountLogRole).toBe(SHARED_ARN);
    expect(adapter.describeUsers(found.apigateway, 'the shared role')).toContain(
      "the API Gateway account setting cloudwatchRoleArn writes every API's logs as the shared role",
    );
    const targets = { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION };
    expect(adapter.followUps(found.apigateway, targets)).toEqual([
      expect.objectContaining({ kind: 'apigateway-account-log-role', resource: `apigateway-account:${REGION}` }),
    ]);
    expect(adapter.planMoves(found.apigateway, targets).map((m) => m.apiId)).toEqual(['api1']);
    // Undoing the API's move does not touch the setting: it still uses the role.
    const left = await adapter.withoutMovedBack(
      fakeApplyContext(region, PLAN_ID),
      found.apigateway,
      adapter.planMoves(found.apigateway, targets),
    );
    expect(adapter.describeUsers(left, 'it')).toEqual(["the API Gateway account setting cloudwatchRoleArn writes every API's logs as it"]);
  });

  it('naming another role, it is nothing of this role', async () => {
    gateway.setAccountLogRole(THEIRS);
    const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding);
    expect(found.apigateway.accountLogRole).toBeUndefined();
    expect(adapter.followUps(found.apigateway, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION })).toEqual([]);
  });
});

describe('a stage with a canary', () => {
  it('stops the plan, naming the stage and the field', async () => {
    gateway.addCanary('api1', 'prod');
    const error = await planMove().catch((e: unknown) => e);
    expect((error as SplitRoleError).code).toBe('ApiGatewayStageCanary');
    expect((error as Error).message).toBe(
      "API Gateway REST API orders (api1) stage prod has canarySettings: the canary's share of its traffic would stay on a deployment made before the move",
    );
  });

  it('added after the plan, is drift and stops run before any write', async () => {
    const move = await planMove();
    const ctx = fakeApplyContext(region, PLAN_ID);
    gateway.addCanary('api1', 'dev');
    expect(await adapter.drift(ctx, move)).toEqual([
      'API Gateway REST API orders (api1) stage dev has canarySettings, which it had not when planned',
    ]);
    const error = await adapter
      .repoint(move, [move])
      .run(ctx)
      .catch((e: unknown) => e);
    expect((error as SplitRoleError).code).toBe('ApiGatewayStageCanary');
    expect(gateway.writes).toEqual([]);
  });
});

describe("the account's free text in the review and the checklist", () => {
  it('an API or authorizer name carrying Markdown renders as text', async () => {
    const hostile = '[click](https://e.vil) <img src=x onerror=alert(1)> | `x`\n# Approved';
    region = new FakeWorkloads({ region: REGION, account: ACCOUNT });
    gateway = region.services.apiGateway;
    gateway.addApi({
      apiId: 'api9',
      name: hostile,
      slots: [{ ...AUTH, label: `authorizer ${hostile}`, credentials: SHARED_ARN }],
      stages: [{ stageName: 'prod' }],
    });
    const move = await planMove();
    const code = { format: 'terraform' as const, role: () => undefined };
    const markdown = [`| ${adapter.describeMove(move).join(' | ')} |`, ...adapter.checklist(move, code)].join('\n');
    const html = new MarkdownIt({ linkify: true }).render(markdown);
    expect(html).not.toMatch(/<a |<img|<h1/);
    expect(adapter.checklist(move, code)[0]).toContain('[click](https://e.vil)');
  });
});
