/**
 * Lambda functions: bound to a role by their execution role. Apply updates
 * the function's configuration; published versions keep the role they were
 * published with, so they are follow-ups and in-use checks.
 */
import type { FunctionRole } from '../../aws/lambda.js';
import { retryWhileNotYetUsable, waitUntil } from '../../core/waits.js';
import { isResourceNotFound } from '../../core/aws-error-names.js';
import { SplitRoleError } from '../../core/errors.js';
import { LAMBDA_UPDATE_FAILED } from './errors.js';
import { markdownCode as code } from '../../core/escape.js';
import type { ApplyContext, WorkloadAdapter } from '../adapter.js';
import { driftError, lastSegment, leaveIfMovedElsewhere, namesRole, roleMoveProblems } from '../helpers.js';
import type { LambdaMove } from './schema.js';

/** The Lambda side of one role. */
export interface LambdaFound {
  functions: FunctionRole[];
  /** Published versions keep the role they were published with. */
  publishedVersions: FunctionRole[];
}

/** The Lambda function adapter. */
export const lambdaFunctionAdapter: WorkloadAdapter<LambdaMove, FunctionRole[], LambdaFound, 'lambda'> = {
  id: 'lambda',
  kind: 'lambda-function',
  unitKey: 'lambda',
  title: 'Lambda functions',
  codeBindings: {
    cloudFormation: [
      { type: 'AWS::Lambda::Function', path: 'Role' },
      { type: 'AWS::Serverless::Function', path: 'Role' },
    ],
    terraform: [{ type: 'aws_lambda_function', path: 'role' }],
  },

  discover: async ({ clients }) => (await clients.lambda()).listFunctions(),
  emptyInventory: () => [],
  summarise: (functions) => `${functions.length} Lambda functions and versions`,

  boundTo(functions, binding) {
    const mine = functions.filter((fn) => namesRole(fn.role, binding));
    return {
      functions: mine.filter((fn) => fn.version === '$LATEST'),
      publishedVersions: mine.filter((fn) => fn.version !== '$LATEST'),
    };
  },
  describeUsers: (found, role) => [
    ...found.functions.map((f) => `Lambda ${f.functionName} still runs as ${role}`),
    ...found.publishedVersions.map((f) => `Lambda ${f.functionName} version ${f.version} runs as ${role}`),
  ],
  listMovable: (found) => found.functions.map((f) => f.functionName),
  // Lambda names a function's role sessions after the function, whichever version runs.
  sessionHints: (found) => [...found.functions, ...found.publishedVersions].map((f) => f.functionName),

  sessionNames: (move) => [move.functionName],
  sessionWorkloads: (found) => [...found.functions, ...found.publishedVersions].map((f) => [f.functionName, f.functionName] as const),
  workloadName: (move) => move.functionName,

  planMoves(found, { role, region }) {
    if (!role) return [];
    return found.functions.map((fn) => ({
      kind: 'lambda-function' as const,
      service: role.service,
      region,
      functionName: fn.functionName,
      functionArn: fn.functionArn,
      current: { roleArn: fn.role },
      target: { roleArn: role.roleArn },
    }));
  },
  followUps(found, { staysShared }) {
    if (staysShared) return [];
    return found.publishedVersions.map((version) => ({
      kind: 'lambda-published-version' as const,
      resource: version.functionArn,
      message: `published version ${version.version} of ${version.functionName} keeps the shared role (versions are immutable); publish a new version after apply and move aliases to it`,
    }));
  },

  invariantProblems(move, { role, shared }) {
    return roleMoveProblems(`Lambda function ${move.functionName}`, move, role, {
      usesShared: move.current.roleArn === shared.arn,
      verb: 'run',
    });
  },

  stepId: (move) => `repoint-lambda:${move.functionName}`,
  repoint(move) {
    return {
      title: `move Lambda ${move.functionName} to ${lastSegment(move.target.roleArn)}`,
      async run(ctx) {
        await pointTo(ctx, move, move.target.roleArn, move.current.roleArn);
        return { replaced: move.current.roleArn };
      },
      async undo(ctx) {
        await leaveIfMovedElsewhere(ctx, `Lambda ${move.functionName}`, () =>
          pointTo(ctx, move, move.current.roleArn, move.target.roleArn),
        );
      },
    };
  },
  async drift({ clients }, move) {
    try {
      const now = await (await clients.lambda()).getFunctionConfiguration(move.functionName);
      return now.role === move.current.roleArn
        ? []
        : [`Lambda ${move.functionName} runs as ${now.role}, plan says ${move.current.roleArn}`];
    } catch (error) {
      if (isResourceNotFound(error)) return [`Lambda ${move.functionName} no longer exists`];
      throw error;
    }
  },
  async verify({ clients }, move) {
    const now = await (await clients.lambda()).getFunctionConfiguration(move.functionName);
    if (now.role !== move.target.roleArn) return [`Lambda ${move.functionName} runs as ${now.role}`];
    if (now.lastUpdateStatus && now.lastUpdateStatus !== 'Successful')
      return [`Lambda ${move.functionName} update is ${now.lastUpdateStatus}`];
    return [];
  },

  async showsMoved({ clients }, move) {
    // Only a missing function means "not moved": AccessDenied or a throttle says nothing about the role, and the journal cross-check must not read it as an answer.
    const now = await (await clients.lambda()).getFunctionConfiguration(move.functionName).catch((error: unknown) => {
      if (isResourceNotFound(error)) return undefined;
      throw error;
    });
    return now?.role === move.target.roleArn ? `Lambda ${move.functionName} runs as ${move.target.roleArn}` : undefined;
  },
  withoutMovedBack(_ctx, found, moves) {
    const names = new Set(moves.map((m) => m.functionName));
    return Promise.resolve({ ...found, functions: found.functions.filter((f) => !names.has(f.functionName)) });
  },

  label: (move) => `Lambda ${move.functionName}`,
  describeMove: (move) => [
    code(move.functionName),
    'Lambda function',
    code(lastSegment(move.current.roleArn)),
    code(lastSegment(move.target.roleArn)),
  ],
  checklist(move, target) {
    const t = target.role(move.target.roleArn);
    const snippet =
      target.format === 'terraform'
        ? `\`role = ${t ? `aws_iam_role.${t.tf}.arn` : `"${move.target.roleArn}"`}\` on the \`aws_lambda_function\``
        : `\`Role: ${t ? `!GetAtt ${t.cfnRole}.Arn` : move.target.roleArn}\` on the \`AWS::Lambda::Function\``;
    return [`- [ ] \`${move.functionName}\`: role → \`${move.target.roleArn}\``, `  - ${snippet}`];
  },
};

/** Points the function at `roleArn`, unless it runs as neither that nor `expectFrom` (drift). */
async function pointTo(ctx: ApplyContext, move: LambdaMove, roleArn: string, expectFrom: string | undefined): Promise<void> {
  const lambda = await ctx.clients.lambda();
  const state = await lambda.getFunctionConfiguration(move.functionName);
  if (state.role !== roleArn) {
    if (expectFrom && state.role !== expectFrom) throw driftError(`Lambda ${move.functionName} runs as ${state.role}, not ${expectFrom}`);
    await waitForUpdate(ctx, move.functionName);
    await retryWhileNotYetUsable(ctx.timings, () => lambda.updateFunctionRole(move.functionName, roleArn));
  }
  await waitForUpdate(ctx, move.functionName);
}

/** Waits for a function's last update to finish; a failed update is an error. */
async function waitForUpdate(ctx: ApplyContext, functionName: string): Promise<void> {
  const lambda = await ctx.clients.lambda();
  await waitUntil(ctx.timings, `Lambda ${functionName} to finish updating`, async () => {
    const state = await lambda.getFunctionConfiguration(functionName);
    if (state.lastUpdateStatus === 'Failed') {
      throw new SplitRoleError(
        LAMBDA_UPDATE_FAILED,
        `Lambda ${functionName} update failed: ${state.lastUpdateStatusReason ?? 'no reason given'}`,
      );
    }
    return state.lastUpdateStatus === undefined || state.lastUpdateStatus === 'Successful';
  });
}
