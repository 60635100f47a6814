/**
 * The adapter both API Gateway kinds are made of. An API is bound to a role
 * by the slots that name it (integration credentials, authorizer
 * credentials); one move per API points every such slot at the new role,
 * then makes each stage that does not deploy by itself serve a new
 * deployment (a stage serves a snapshot: without one the change never goes
 * live). The deployment carries the plan id in its description, so a resumed
 * apply reuses it and undo knows which deployments are its own: undo serves
 * each stage the deployment it served before, points the slots back and
 * deletes its deployments.
 */
import { markdownCode as code } from '../../core/escape.js';
import type { PortFactory } from '../../aws/workload-ports.js';
import type { ApplyContext, CodeTarget, WorkloadAdapter } from '../adapter.js';
import { driftError, lastSegment, leaveIfMovedElsewhere, namesRole, optional } from '../helpers.js';
import type { ApiRead, ApiStage, CredentialedApiPort, CredentialSlot } from './api-model.js';
import type { ApiMove } from './api-move.js';

/** A move of the kind K. */
export type ApiMoveOf<K extends string> = Omit<ApiMove, 'kind'> & { kind: K };

/** What discovery reads in a region: every API, and (REST) the account's CloudWatch logging role. */
export interface ApiInventory {
  apis: ApiRead[];
  accountLogRole?: string;
}

/** The APIs bound to one role, each with only the slots that name it; accountLogRole when the account setting names it. */
export interface ApiFound {
  apis: ApiRead[];
  accountLogRole?: string;
}

/** What makes one API Gateway kind. */
export interface ApiKindSpec<K extends string, Id extends string> {
  id: Id;
  kind: K;
  /** "API Gateway REST API". */
  noun: string;
  ports: PortFactory<CredentialedApiPort>;
  /** True when apply must redeploy this stage for a change to go live. */
  redeploys(stage: ApiStage): boolean;
  /** The follow-up kind for an account setting that names the shared role (REST: its CloudWatch logging role). */
  accountFollowUp?: string;
  /** The checklist's snippet for one slot of the user's own code. */
  snippet(slot: Pick<CredentialSlot, 'kind'>, role: string, format: CodeTarget['format']): string;
}

/** The description that marks a deployment as this plan's. */
export function deploymentMark(planId: string): string {
  return `split-role ${planId}: role repoint`;
}

/** An API Gateway adapter for the kind `spec` describes. */
export function apiAdapter<K extends string, Id extends string>(
  spec: ApiKindSpec<K, Id>,
): WorkloadAdapter<ApiMoveOf<K>, ApiInventory, ApiFound, Id> {
  const what = (move: { apiName: string; apiId: string }) => `${spec.noun} ${move.apiName} (${move.apiId})`;
  const port = (ctx: { clients: ApplyContext['clients'] }) => ctx.clients.port(spec.ports);

  return {
    id: spec.id,
    kind: spec.kind,
    unitKey: 'apigateway',
    title: `${spec.noun}s`,

    async discover(ctx) {
      const apis = await port(ctx);
      const accountLogRole = await apis.accountLogRole?.();
      return { apis: await apis.listApis(), ...optional('accountLogRole', accountLogRole) };
    },
    emptyInventory: () => ({ apis: [] }),
    summarise: ({ apis }) => `${apis.length} ${spec.noun}s`,

    boundTo({ apis, accountLogRole }, binding) {
      const bound = apis.map((api) => ({ ...api, slots: api.slots.filter((s) => namesRole(s.credentials, binding)) }));
      return {
        apis: bound.filter((api) => api.slots.length > 0),
        ...(namesRole(accountLogRole, binding) ? { accountLogRole } : {}),
      };
    },
    describeUsers: (found, role) => [
      ...found.apis.flatMap((api) => api.slots.map((s) => `${what({ apiName: api.name, apiId: api.apiId })} ${s.label} calls as ${role}`)),
      // Nothing moves it, so a rollback or retire check must keep seeing it as a use of the role.
      ...(found.accountLogRole ? [`the API Gateway account setting cloudwatchRoleArn writes every API's logs as ${role}`] : []),
    ],
    listMovable: (found) => found.apis.map((api) => `${api.name} (${api.apiId})`),
    // API Gateway gives its role sessions no stable name: the AssumeRole events (invokedBy apigateway.amazonaws.com) tie them.
    sessionHints: () => [],
    sessionNames: () => [],

    planMoves(found, { role, region }) {
      if (!role) return [];
      return found.apis.map((api) => ({
        kind: spec.kind,
        service: role.service,
        region,
        apiId: api.apiId,
        apiName: api.name,
        slots: api.slots.map(({ kind, id, label }) => ({ kind, id, label })),
        stages: api.stages
          .filter((s) => s.deploymentId !== undefined && spec.redeploys(s))
          .map((s) => ({ stageName: s.stageName, deploymentId: s.deploymentId ?? '' })),
        current: { roleArn: api.slots[0]?.credentials ?? '' },
        target: { roleArn: role.roleArn },
        takesEffect: 'at-once' as const,
      }));
    },
    followUps(found, { staysShared, region }) {
      if (!found.accountLogRole || !spec.accountFollowUp || staysShared) return [];
      return [
        {
          kind: spec.accountFollowUp,
          resource: `apigateway-account:${region}`,
          message:
            `the API Gateway account setting of ${region} (cloudwatchRoleArn, the role every API there logs to CloudWatch with) names the shared role; ` +
            'point it at a role of its own that grants CloudWatch Logs (AmazonAPIGatewayPushToCloudWatchLogs): ' +
            'aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=ROLE_ARN; retire waits while it names the shared role',
        },
      ];
    },

    invariantProblems(move, { role, shared }) {
      const problems: string[] = [];
      if (!namesRole(move.current.roleArn, shared)) problems.push(`${what(move)} does not call as the shared role`);
      if (!role || move.target.roleArn !== role.roleArn)
        problems.push(`${what(move)} would move to ${move.target.roleArn}, which is not this plan's role for ${move.service}`);
      return problems;
    },

    stepId: (move) => `repoint-${spec.id}:${move.region}:${move.apiId}`,
    repoint(move) {
      return {
        title: `move ${spec.noun} ${move.apiName} to ${lastSegment(move.target.roleArn)}`,
        async run(ctx) {
          await moveForward(ctx, await port(ctx), move, what(move));
          return { replaced: move.current.roleArn, deployments: Object.fromEntries(move.stages.map((s) => [s.stageName, s.deploymentId])) };
        },
        async undo(ctx) {
          await moveBack(ctx, await port(ctx), move, what(move));
        },
      };
    },

    async drift(ctx, move) {
      const api = await (await port(ctx)).getApi(move.apiId);
      if (!api) return [`${what(move)} no longer exists`];
      const problems = move.slots.flatMap((slot) => {
        const live = api.slots.find((s) => s.kind === slot.kind && s.id === slot.id);
        if (!live) return [`${what(move)} ${slot.label} no longer exists`];
        return live.credentials === move.current.roleArn
          ? []
          : [`${what(move)} ${slot.label} calls as ${live.credentials ?? 'no role'}, plan says ${move.current.roleArn}`];
      });
      for (const stage of move.stages) {
        const live = api.stages.find((s) => s.stageName === stage.stageName);
        if (!live) problems.push(`${what(move)} stage ${stage.stageName} no longer exists`);
        else if (live.deploymentId !== stage.deploymentId)
          problems.push(
            `${what(move)} stage ${stage.stageName} serves deployment ${live.deploymentId ?? 'none'}, plan says ${stage.deploymentId}`,
          );
      }
      return problems;
    },
    async verify(ctx, move) {
      const api = await (await port(ctx)).getApi(move.apiId);
      if (!api) return [`${what(move)} no longer exists`];
      const problems = move.slots.flatMap((slot) => {
        const live = api.slots.find((s) => s.kind === slot.kind && s.id === slot.id);
        return live?.credentials === move.target.roleArn ? [] : [`${what(move)} ${slot.label} calls as ${live?.credentials ?? 'no role'}`];
      });
      for (const stage of move.stages) {
        const live = api.stages.find((s) => s.stageName === stage.stageName);
        if (live?.deploymentId === stage.deploymentId)
          problems.push(`${what(move)} stage ${stage.stageName} still serves deployment ${stage.deploymentId}, made before the move`);
      }
      return problems;
    },

    async showsMoved(ctx, move) {
      const api = await (await port(ctx)).getApi(move.apiId);
      const moved = move.slots.every((slot) =>
        api?.slots.some((s) => s.kind === slot.kind && s.id === slot.id && s.credentials === move.target.roleArn),
      );
      return api && moved ? `${what(move)} calls as ${move.target.roleArn}` : undefined;
    },
    withoutMovedBack(_ctx, found, moves) {
      const ids = new Set(moves.map((m) => m.apiId));
      return Promise.resolve({ ...found, apis: found.apis.filter((api) => !ids.has(api.apiId)) });
    },

    label: (move) => `${spec.noun} ${move.apiName}`,
    describeMove(move) {
      const stages = move.stages.map((s) => s.stageName);
      const effect =
        stages.length > 0 ? `at once: apply redeploys ${stages.length > 1 ? 'stages' : 'stage'} ${stages.join(', ')}` : 'at once';
      return [
        `${code(move.apiName)} (${code(move.apiId)})`,
        `${spec.noun} (${effect})`,
        code(lastSegment(move.current.roleArn)),
        code(lastSegment(move.target.roleArn)),
      ];
    },
    checklist(move, target) {
      const t = target.role(move.target.roleArn);
      const ref = (cfn: boolean) => (t ? (cfn ? `!GetAtt ${t.cfnRole}.Arn` : `aws_iam_role.${t.tf}.arn`) : `"${move.target.roleArn}"`);
      const kinds = [...new Set(move.slots.map((s) => s.kind))];
      return [
        `- [ ] ${spec.noun} \`${move.apiName}\` (${move.slots.map((s) => s.label).join(', ')}): role → \`${move.target.roleArn}\``,
        ...kinds.map((kind) => `  - ${spec.snippet({ kind }, ref(target.format === 'cloudformation'), target.format)}`),
        ...(move.stages.length > 0 ? [`  - then a new deployment of stage ${move.stages.map((s) => s.stageName).join(', ')}`] : []),
      ];
    },
  };
}

/** The slots of `move` as live in `api`, each refused unless on `from` or already on `to` (drift), before anything is written. */
function liveSlots(api: ApiRead, move: ApiMove, what: string, from: string, to: string): CredentialSlot[] {
  return move.slots.map((slot) => {
    const live = api.slots.find((s) => s.kind === slot.kind && s.id === slot.id);
    if (!live) throw driftError(`${what} ${slot.label} no longer exists`);
    if (live.credentials !== from && live.credentials !== to)
      throw driftError(`${what} ${slot.label} calls as ${live.credentials ?? 'no role'}, not ${from}`);
    return live;
  });
}

/** The ids of this plan's deployments of the API; none are looked up when the move redeploys no stage. */
async function ownDeployments(ctx: ApplyContext, apis: CredentialedApiPort, move: ApiMove): Promise<Set<string>> {
  if (move.stages.length === 0) return new Set();
  const mark = deploymentMark(ctx.planId);
  return new Set((await apis.listDeployments(move.apiId)).filter((d) => d.description === mark).map((d) => d.id));
}

/** Points every slot at the target, then serves each recorded stage a deployment made after (reusing this plan's). */
async function moveForward(ctx: ApplyContext, apis: CredentialedApiPort, move: ApiMove, what: string): Promise<void> {
  const api = await apis.getApi(move.apiId);
  if (!api) throw driftError(`${what} no longer exists`);
  const slots = liveSlots(api, move, what, move.current.roleArn, move.target.roleArn);
  const ours = await ownDeployments(ctx, apis, move);
  const stale: string[] = [];
  for (const stage of move.stages) {
    const live = api.stages.find((s) => s.stageName === stage.stageName);
    if (!live) throw driftError(`${what} stage ${stage.stageName} no longer exists`);
    if (live.deploymentId === stage.deploymentId) stale.push(stage.stageName);
    else if (!live.deploymentId || !ours.has(live.deploymentId))
      throw driftError(`${what} stage ${stage.stageName} serves deployment ${live.deploymentId ?? 'none'}, not ${stage.deploymentId}`);
  }
  for (const slot of slots) if (slot.credentials !== move.target.roleArn) await apis.setCredentials(move.apiId, slot, move.target.roleArn);
  if (stale.length === 0) return;
  // One snapshot for every stage, made after the last slot moved; an interrupted run's own deployment is reused.
  const deployment = [...ours][0] ?? (await apis.createDeployment(move.apiId, deploymentMark(ctx.planId)));
  for (const stageName of stale) await apis.setStageDeployment(move.apiId, stageName, deployment);
}

/** Serves each stage its recorded deployment again (where this plan's is served), points the slots back, deletes this plan's deployments. */
async function moveBack(ctx: ApplyContext, apis: CredentialedApiPort, move: ApiMove, what: string): Promise<void> {
  const api = await apis.getApi(move.apiId);
  if (!api) return leaveIfMovedElsewhere(ctx, what, () => Promise.reject(driftError(`${what} no longer exists`)));
  const ours = await ownDeployments(ctx, apis, move);
  const serving = new Map(api.stages.map((s) => [s.stageName, s.deploymentId]));
  for (const stage of move.stages) {
    const live = serving.get(stage.stageName);
    if (live === stage.deploymentId) continue;
    await leaveIfMovedElsewhere(ctx, `${what} stage ${stage.stageName}`, async () => {
      if (!live || !ours.has(live)) throw driftError(`it serves deployment ${live ?? 'none'}, which this plan did not make`);
      await apis.setStageDeployment(move.apiId, stage.stageName, stage.deploymentId);
      serving.set(stage.stageName, stage.deploymentId);
    });
  }
  for (const slot of move.slots) {
    await leaveIfMovedElsewhere(ctx, `${what} ${slot.label}`, async () => {
      const live = api.slots.find((s) => s.kind === slot.kind && s.id === slot.id);
      if (!live) throw driftError('it no longer exists');
      if (live.credentials === move.current.roleArn) return;
      if (live.credentials !== move.target.roleArn)
        throw driftError(`it calls as ${live.credentials ?? 'no role'}, not ${move.target.roleArn}`);
      await apis.setCredentials(move.apiId, live, move.current.roleArn);
    });
  }
  const served = new Set(serving.values());
  for (const id of ours) if (!served.has(id)) await apis.deleteDeployment(move.apiId, id);
}
