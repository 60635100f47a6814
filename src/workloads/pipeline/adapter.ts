/**
 * CodePipeline pipelines: bound to a role by the pipeline's roleArn and by
 * any action's roleArn. Apply rewrites the fields that name the shared role
 * (UpdatePipeline: a read-modify-write of the whole declaration); an
 * execution in progress finishes as it started, so the move counts from the
 * next execution.
 */
import { markdownCode as code } from '../../core/escape.js';
import { retryWhileSettling } from '../../core/waits.js';
import type { ApplyContext, WorkloadAdapter } from '../adapter.js';
import { driftError, lastSegment, leaveIfMovedElsewhere, namesRole, roleMoveProblems } from '../helpers.js';
import { codePipelinePorts, type PipelineRoles } from './port.js';
import type { PipelineMove } from './schema.js';

/** The CodePipeline side of one role: pipelines with the role or an action on it. */
export interface PipelineFound {
  pipelines: PipelineRoles[];
}

/** The role fields a move changes, as [what, live value]; the pipeline's own only when it named the shared role. */
function movedFields(move: PipelineMove, shared: string, live: PipelineRoles): Array<[string, string | undefined]> {
  const fields: Array<[string, string | undefined]> = [];
  if (move.current.roleArn === shared) fields.push([`pipeline ${move.pipelineName}`, live.roleArn]);
  for (const a of move.current.actionRoles) {
    const now = live.actionRoles.find((r) => r.stage === a.stage && r.action === a.action);
    fields.push([`pipeline ${move.pipelineName} action ${a.stage}/${a.action}`, now?.roleArn]);
  }
  return fields;
}

/** The role the move takes the pipeline from: the shared role, as recorded in the plan. */
function sharedOf(move: PipelineMove): string {
  return move.current.actionRoles[0]?.roleArn ?? move.current.roleArn;
}

/** The CodePipeline pipeline adapter. */
export const pipelineAdapter: WorkloadAdapter<PipelineMove, PipelineRoles[], PipelineFound, 'codepipeline'> = {
  id: 'codepipeline',
  kind: 'pipeline',
  unitKey: 'codepipeline',
  title: 'CodePipeline pipelines',
  // An action's role moves with the pipeline's: both go to the CodePipeline role.
  codeBindings: {
    cloudFormation: [
      { type: 'AWS::CodePipeline::Pipeline', path: 'RoleArn' },
      { type: 'AWS::CodePipeline::Pipeline', path: /^Stages\.\d+\.Actions\.\d+\.RoleArn$/ },
    ],
    terraform: [
      { type: 'aws_codepipeline', path: 'role_arn' },
      { type: 'aws_codepipeline', path: 'stage.action.role_arn' },
    ],
  },

  discover: async ({ clients }) => (await clients.port(codePipelinePorts)).listPipelines(),
  emptyInventory: () => [],
  summarise: (pipelines) => `${pipelines.length} pipelines`,

  boundTo: (pipelines, binding) => ({
    pipelines: pipelines.filter((p) => namesRole(p.roleArn, binding) || p.actionRoles.some((a) => namesRole(a.roleArn, binding))),
  }),
  describeUsers: (found, role) => found.pipelines.map((p) => `CodePipeline pipeline ${p.name} (or one of its actions) runs as ${role}`),
  listMovable: (found) => found.pipelines.map((p) => p.name),
  sessionHints: () => [],
  sessionNames: () => [],

  planMoves(found, { role, region, shared }) {
    if (!role) return [];
    return found.pipelines.map((p) => ({
      kind: 'pipeline' as const,
      service: role.service,
      region,
      pipelineName: p.name,
      current: { roleArn: p.roleArn, actionRoles: p.actionRoles.filter((a) => a.roleArn === shared.arn) },
      target: { roleArn: role.roleArn },
      takesEffect: 'next-run' as const,
    }));
  },
  followUps: () => [],

  invariantProblems(move, { role, shared }) {
    const named = move.current.roleArn === shared.arn || move.current.actionRoles.length > 0;
    const usesShared = named && move.current.actionRoles.every((a) => a.roleArn === shared.arn);
    return roleMoveProblems(`pipeline ${move.pipelineName}`, move, role, { usesShared, verb: 'run' });
  },

  stepId: (move) => `repoint-codepipeline:${move.region}:${move.pipelineName}`,
  repoint(move) {
    return {
      title: `move pipeline ${move.pipelineName} to ${lastSegment(move.target.roleArn)}`,
      async run(ctx) {
        await pointTo(ctx, move, sharedOf(move), move.target.roleArn);
        return { replaced: sharedOf(move) };
      },
      async undo(ctx) {
        await leaveIfMovedElsewhere(ctx, `pipeline ${move.pipelineName}`, () => pointTo(ctx, move, move.target.roleArn, sharedOf(move)));
      },
    };
  },
  async drift({ clients }, move) {
    const live = await (await clients.port(codePipelinePorts)).getPipeline(move.pipelineName);
    if (!live) return [`pipeline ${move.pipelineName} no longer exists`];
    const shared = sharedOf(move);
    return movedFields(move, shared, live)
      .filter(([, now]) => now !== shared)
      .map(([what, now]) => `${what} runs as ${now ?? 'no role'}, plan says ${shared}`);
  },
  async verify({ clients }, move) {
    const live = await (await clients.port(codePipelinePorts)).getPipeline(move.pipelineName);
    if (!live) return [`pipeline ${move.pipelineName} no longer exists`];
    return movedFields(move, sharedOf(move), live)
      .filter(([, now]) => now !== move.target.roleArn)
      .map(([what, now]) => `${what} runs as ${now ?? 'no role'}`);
  },

  async showsMoved({ clients }, move) {
    const live = await (await clients.port(codePipelinePorts)).getPipeline(move.pipelineName);
    if (!live) return undefined;
    const moved = movedFields(move, sharedOf(move), live).every(([, now]) => now === move.target.roleArn);
    return moved ? `pipeline ${move.pipelineName} runs as ${move.target.roleArn}` : undefined;
  },
  withoutMovedBack(_ctx, found, moves) {
    const names = new Set(moves.map((m) => m.pipelineName));
    return Promise.resolve({ pipelines: found.pipelines.filter((p) => !names.has(p.name)) });
  },

  label: (move) => `CodePipeline ${move.pipelineName}`,
  describeMove: (move) => [
    code(move.pipelineName),
    move.current.actionRoles.length > 0
      ? `CodePipeline pipeline, ${move.current.actionRoles.length} action role(s) too (from its next execution)`
      : 'CodePipeline pipeline (from its next execution)',
    code(lastSegment(sharedOf(move))),
    code(lastSegment(move.target.roleArn)),
  ],
  checklist(move, target) {
    const t = target.role(move.target.roleArn);
    const snippet =
      target.format === 'terraform'
        ? `\`role_arn = ${t ? `aws_iam_role.${t.tf}.arn` : `"${move.target.roleArn}"`}\` on the \`aws_codepipeline\` (and each action's \`role_arn\` that named the shared role)`
        : `\`RoleArn: ${t ? `!GetAtt ${t.cfnRole}.Arn` : move.target.roleArn}\` on the \`AWS::CodePipeline::Pipeline\` (and each action's \`RoleArn\` that named the shared role)`;
    return [`- [ ] \`${move.pipelineName}\`: role → \`${move.target.roleArn}\``, `  - ${snippet}`];
  },
};

/**
 * CodePipeline checks it can assume a new role and refuses a just-created one
 * until IAM has propagated it ("CodePipeline is not authorized to perform
 * AssumeRole on role …", InvalidStructureException).
 */
function roleNotYetAssumable(error: unknown): boolean {
  return /not authorized to perform AssumeRole on role/i.test((error as Error)?.message ?? '');
}

/** Moves every recorded role field from `from` to `to`, unless one names neither (drift). */
async function pointTo(ctx: ApplyContext, move: PipelineMove, from: string, to: string): Promise<void> {
  const codepipeline = await ctx.clients.port(codePipelinePorts);
  const live = await codepipeline.getPipeline(move.pipelineName);
  if (!live) throw driftError(`pipeline ${move.pipelineName} no longer exists`);
  const fields = movedFields(move, sharedOf(move), live);
  const other = fields.find(([, now]) => now !== from && now !== to);
  if (other) throw driftError(`${other[0]} runs as ${other[1] ?? 'no role'}, not ${from}`);
  if (fields.every(([, now]) => now === to)) return;
  await retryWhileSettling(ctx.timings, roleNotYetAssumable, () => codepipeline.replaceRole(move.pipelineName, from, to));
}
