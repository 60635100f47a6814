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
import type { ApplyContext, CodeBinding, CodeBindings, CodeTarget, WorkloadAdapter } from '../adapter.js';
import { lastSegment, namesRole, optional, roleMoveProblems } from '../helpers.js';
import type { ApiRead, ApiStage, CredentialedApiPort, CredentialSlot } from './api-model.js';
import type { ApiMove } from './api-move.js';
import { canaryStop, moveBack, moveForward } from './api-steps.js';

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

/**
 * Why rewrite leaves API Gateway's credentials to a person: a stage serves a deployment's snapshot, so a new role in
 * code takes effect only with a new deployment of each stage, and retiring the shared role before that breaks the API.
 */
export const API_GATEWAY_SNAPSHOT =
  "an API Gateway stage serves a deployment's snapshot, so point it at the new role together with a new deployment of each stage (or move the API live with `split-role apply`); review it";

/** API Gateway credentials in code, each left to a person. */
export function manualBindings(bindings: ReadonlyArray<{ type: string; path: string }>): CodeBinding[] {
  return bindings.map((b) => ({ ...b, manual: API_GATEWAY_SNAPSHOT }));
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
  /** Where its credentials live in code; rewrite leaves them to a person (API_GATEWAY_SNAPSHOT). */
  codeBindings: CodeBindings;
  /** The checklist's snippet for one slot of the user's own code. */
  snippet(slot: Pick<CredentialSlot, 'kind'>, role: string, format: CodeTarget['format']): string;
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
    codeBindings: spec.codeBindings,

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
      for (const api of found.apis) {
        const canary = api.stages.find((s) => s.canary && spec.redeploys(s));
        if (canary) throw canaryStop(what({ apiName: api.name, apiId: api.apiId }), canary.stageName);
      }
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
      return roleMoveProblems(what(move), move, role, { usesShared: namesRole(move.current.roleArn, shared), verb: 'call' });
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
        else if (live.canary) problems.push(`${what(move)} stage ${stage.stageName} has canarySettings, which it had not when planned`);
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
      // Undo points back only the slots each move recorded: a slot given the role since keeps it in use.
      const slotKey = (apiId: string, slot: Pick<CredentialSlot, 'kind' | 'id'>) => `${apiId}\u0000${slot.kind}\u0000${slot.id}`;
      const back = new Set(moves.flatMap((m) => m.slots.map((slot) => slotKey(m.apiId, slot))));
      const apis = found.apis.map((api) => ({ ...api, slots: api.slots.filter((slot) => !back.has(slotKey(api.apiId, slot))) }));
      return Promise.resolve({ ...found, apis: apis.filter((api) => api.slots.length > 0) });
    },

    label: (move) => `${spec.noun} ${move.apiName}`,
    describeMove(move) {
      const stages = move.stages.map((s) => s.stageName);
      const effect =
        stages.length > 0
          ? // A deployment snapshots the API as it is: edits not yet deployed to these stages go live with the move.
            `at once: apply redeploys ${stages.length > 1 ? 'stages' : 'stage'} ${stages.map((s) => code(s)).join(', ')}, undeployed edits included`
          : 'at once';
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
        // API, authorizer and stage names are the account's free text: code spans keep them from being Markdown.
        `- [ ] ${spec.noun} ${code(move.apiName)} (${move.slots.map((s) => code(s.label)).join(', ')}): role → ${code(move.target.roleArn)}`,
        ...kinds.map((kind) => `  - ${spec.snippet({ kind }, ref(target.format === 'cloudformation'), target.format)}`),
        ...(move.stages.length > 0 ? [`  - then a new deployment of stage ${move.stages.map((s) => code(s.stageName)).join(', ')}`] : []),
      ];
    },
  };
}
