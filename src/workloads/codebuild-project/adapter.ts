/**
 * CodeBuild projects: bound to a role by their service role. Apply updates
 * the project (UpdateProject serviceRole); a build already running keeps the
 * role it started with, so the move takes effect from the next build.
 */
import { markdownCode as code } from '../../core/escape.js';
import { retryWhileSettling } from '../../core/waits.js';
import type { ApplyContext, WorkloadAdapter } from '../adapter.js';
import { driftError, lastSegment, leaveIfMovedElsewhere, namesRole, roleMoveProblems } from '../helpers.js';
import { codeBuildPorts, type ProjectRole } from './port.js';
import type { CodeBuildMove } from './schema.js';

/** The CodeBuild side of one role. */
export interface CodeBuildFound {
  projects: ProjectRole[];
}

/** The CodeBuild project adapter. */
export const codeBuildProjectAdapter: WorkloadAdapter<CodeBuildMove, ProjectRole[], CodeBuildFound, 'codebuild'> = {
  id: 'codebuild',
  kind: 'codebuild-project',
  unitKey: 'codebuild',
  title: 'CodeBuild projects',
  codeBindings: {
    cloudFormation: [{ type: 'AWS::CodeBuild::Project', path: 'ServiceRole' }],
    terraform: [{ type: 'aws_codebuild_project', path: 'service_role' }],
  },

  discover: async ({ clients }) => (await clients.port(codeBuildPorts)).listProjects(),
  emptyInventory: () => [],
  summarise: (projects) => `${projects.length} CodeBuild projects`,

  boundTo: (projects, binding) => ({ projects: projects.filter((p) => namesRole(p.serviceRole, binding)) }),
  describeUsers: (found, role) => found.projects.map((p) => `CodeBuild project ${p.projectName} builds as ${role}`),
  listMovable: (found) => found.projects.map((p) => p.projectName),
  // CodeBuild names its sessions AWSCodeBuild-<build id>, not after the project: the shape (index.ts) ties them.
  sessionHints: () => [],
  sessionNames: () => [],

  planMoves(found, { role, region }) {
    if (!role) return [];
    return found.projects.map((p) => ({
      kind: 'codebuild-project' as const,
      service: role.service,
      region,
      projectName: p.projectName,
      projectArn: p.projectArn,
      current: { serviceRole: p.serviceRole },
      target: { roleArn: role.roleArn },
      takesEffect: 'next-run' as const,
    }));
  },
  followUps: () => [],

  invariantProblems(move, { role, shared }) {
    return roleMoveProblems(`CodeBuild project ${move.projectName}`, move, role, {
      usesShared: namesRole(move.current.serviceRole, shared),
      verb: 'build',
    });
  },

  stepId: (move) => `repoint-codebuild:${move.region}:${move.projectName}`,
  repoint(move) {
    return {
      title: `move CodeBuild ${move.projectName} to ${lastSegment(move.target.roleArn)}`,
      async run(ctx) {
        await pointTo(ctx, move, move.target.roleArn, move.current.serviceRole);
        return { replaced: move.current.serviceRole };
      },
      async undo(ctx) {
        await leaveIfMovedElsewhere(ctx, `CodeBuild ${move.projectName}`, () =>
          pointTo(ctx, move, move.current.serviceRole, move.target.roleArn),
        );
      },
    };
  },
  async drift({ clients }, move) {
    const now = await (await clients.port(codeBuildPorts)).getProject(move.projectName);
    if (!now) return [`CodeBuild project ${move.projectName} no longer exists`];
    return now.serviceRole === move.current.serviceRole
      ? []
      : [`CodeBuild project ${move.projectName} builds as ${now.serviceRole}, plan says ${move.current.serviceRole}`];
  },
  async verify({ clients }, move) {
    const now = await (await clients.port(codeBuildPorts)).getProject(move.projectName);
    if (!now) return [`CodeBuild project ${move.projectName} no longer exists`];
    return now.serviceRole === move.target.roleArn ? [] : [`CodeBuild project ${move.projectName} builds as ${now.serviceRole}`];
  },

  async showsMoved({ clients }, move) {
    const now = await (await clients.port(codeBuildPorts)).getProject(move.projectName);
    return now?.serviceRole === move.target.roleArn ? `CodeBuild project ${move.projectName} builds as ${move.target.roleArn}` : undefined;
  },
  withoutMovedBack(_ctx, found, moves) {
    const names = new Set(moves.map((m) => m.projectName));
    return Promise.resolve({ projects: found.projects.filter((p) => !names.has(p.projectName)) });
  },

  label: (move) => `CodeBuild ${move.projectName}`,
  describeMove: (move) => [
    code(move.projectName),
    'CodeBuild project (from its next build)',
    code(lastSegment(move.current.serviceRole)),
    code(lastSegment(move.target.roleArn)),
  ],
  checklist(move, target) {
    const t = target.role(move.target.roleArn);
    const snippet =
      target.format === 'terraform'
        ? `\`service_role = ${t ? `aws_iam_role.${t.tf}.arn` : `"${move.target.roleArn}"`}\` on the \`aws_codebuild_project\``
        : `\`ServiceRole: ${t ? `!GetAtt ${t.cfnRole}.Arn` : move.target.roleArn}\` on the \`AWS::CodeBuild::Project\``;
    return [`- [ ] \`${move.projectName}\`: service role → \`${move.target.roleArn}\``, `  - ${snippet}`];
  },
};

/**
 * CodeBuild checks it can assume a new service role and refuses a just-created
 * one until IAM has propagated it: "CodeBuild is not authorized to perform:
 * sts:AssumeRole on <role>" (InvalidInputException).
 */
function roleNotYetAssumable(error: unknown): boolean {
  return /not authorized to perform:? sts:AssumeRole/i.test((error as Error)?.message ?? '');
}

/** Points the project at `roleArn`, unless it builds as neither that nor `expectFrom` (drift). */
async function pointTo(ctx: ApplyContext, move: CodeBuildMove, roleArn: string, expectFrom: string): Promise<void> {
  const codebuild = await ctx.clients.port(codeBuildPorts);
  const now = await codebuild.getProject(move.projectName);
  if (!now) throw driftError(`CodeBuild project ${move.projectName} no longer exists`);
  if (now.serviceRole === roleArn) return;
  if (now.serviceRole !== expectFrom)
    throw driftError(`CodeBuild project ${move.projectName} builds as ${now.serviceRole}, not ${expectFrom}`);
  await retryWhileSettling(ctx.timings, roleNotYetAssumable, () => codebuild.updateServiceRole(move.projectName, roleArn));
}
