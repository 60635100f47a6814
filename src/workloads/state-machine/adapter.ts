/**
 * Step Functions state machines: bound to a role by the machine's roleArn.
 * Apply updates the machine (UpdateStateMachine roleArn). An execution keeps
 * the role it started with to its end, so executions started before the move
 * still use the shared role: verify reports them, and one still running
 * keeps the shared role in use (retire waits, like for any other binding).
 */
import { mapLimit } from '../../core/concurrency.js';
import { markdownCode as code } from '../../core/escape.js';
import { retryWhileSettling } from '../../core/waits.js';
import type { ApplyContext, WorkloadAdapter } from '../adapter.js';
import { driftError, lastSegment, leaveIfMovedElsewhere, namesRole } from '../helpers.js';
import { stepFunctionsPorts, type RunningExecution, type StateMachineRole } from './port.js';
import type { StateMachineMove } from './schema.js';

/** What one region holds: the machines, and their running executions with the role each started with. */
export interface StateMachineInventory {
  machines: StateMachineRole[];
  running: RunningExecution[];
}

/** The Step Functions side of one role. */
export interface StateMachineFound {
  machines: StateMachineRole[];
  /** Executions still running as the role, whichever role their machine has now. */
  running: RunningExecution[];
}

/** An execution's name: the last part of its ARN (arn:…:execution:MACHINE:NAME). */
function executionName(arn: string): string {
  return arn.split(':').pop() ?? arn;
}

/** How many machines' executions are listed at once. */
const LIST_CONCURRENCY = 4;

/** The Step Functions state-machine adapter. */
export const stateMachineAdapter: WorkloadAdapter<StateMachineMove, StateMachineInventory, StateMachineFound, 'states'> = {
  id: 'states',
  kind: 'state-machine',
  unitKey: 'states',
  title: 'Step Functions state machines',

  async discover({ clients }) {
    const sfn = await clients.port(stepFunctionsPorts);
    const machines = await sfn.listStateMachines();
    const running = (await mapLimit(machines, LIST_CONCURRENCY, (m) => sfn.runningExecutions(m.arn))).flat();
    return { machines, running };
  },
  emptyInventory: () => ({ machines: [], running: [] }),
  summarise: (inv) => `${inv.machines.length} state machines (${inv.running.length} executions running)`,

  boundTo: (inv, binding) => ({
    machines: inv.machines.filter((m) => namesRole(m.roleArn, binding)),
    running: inv.running.filter((e) => namesRole(e.roleArn, binding)),
  }),
  describeUsers: (found, role) => [
    ...found.machines.map((m) => `Step Functions state machine ${m.name} starts executions as ${role}`),
    ...found.running.map((e) => `Step Functions execution ${executionName(e.executionArn)} (started ${e.startDate}) still runs as ${role}`),
  ],
  listMovable: (found) => found.machines.map((m) => m.name),
  // Step Functions gives its role sessions no stable name: the AssumeRole events tie them.
  sessionHints: () => [],
  sessionNames: () => [],

  planMoves(found, { role, region }) {
    if (!role) return [];
    return found.machines.map((m) => ({
      kind: 'state-machine' as const,
      service: role.service,
      region,
      stateMachineName: m.name,
      stateMachineArn: m.arn,
      current: { roleArn: m.roleArn },
      target: { roleArn: role.roleArn },
      takesEffect: 'next-run' as const,
    }));
  },
  followUps: () => [],

  invariantProblems(move, { role, shared }) {
    const what = `state machine ${move.stateMachineName}`;
    const problems: string[] = [];
    if (!namesRole(move.current.roleArn, shared)) problems.push(`${what} does not run as the shared role`);
    if (!role || move.target.roleArn !== role.roleArn)
      problems.push(`${what} would move to ${move.target.roleArn}, which is not this plan's role for ${move.service}`);
    return problems;
  },

  stepId: (move) => `repoint-states:${move.stateMachineArn}`,
  repoint(move) {
    return {
      title: `move state machine ${move.stateMachineName} to ${lastSegment(move.target.roleArn)}`,
      async run(ctx) {
        await pointTo(ctx, move, move.target.roleArn, move.current.roleArn);
        return { replaced: move.current.roleArn };
      },
      async undo(ctx) {
        await leaveIfMovedElsewhere(ctx, `state machine ${move.stateMachineName}`, () =>
          pointTo(ctx, move, move.current.roleArn, move.target.roleArn),
        );
      },
    };
  },
  async drift({ clients }, move) {
    const now = await (await clients.port(stepFunctionsPorts)).getStateMachine(move.stateMachineArn);
    if (!now) return [`state machine ${move.stateMachineName} no longer exists`];
    return now.roleArn === move.current.roleArn
      ? []
      : [`state machine ${move.stateMachineName} runs as ${now.roleArn}, plan says ${move.current.roleArn}`];
  },
  async verify({ clients }, move) {
    const sfn = await clients.port(stepFunctionsPorts);
    const now = await sfn.getStateMachine(move.stateMachineArn);
    if (!now) return [`state machine ${move.stateMachineName} no longer exists`];
    if (now.roleArn !== move.target.roleArn) return [`state machine ${move.stateMachineName} runs as ${now.roleArn}`];
    // Executions started before the move keep the old role until they end: say which, so the user can wait or stop them.
    return (await sfn.runningExecutions(move.stateMachineArn))
      .filter((e) => e.roleArn === move.current.roleArn)
      .map(
        (e) =>
          `state machine ${move.stateMachineName}: execution ${executionName(e.executionArn)} started ${e.startDate} still runs as ${lastSegment(move.current.roleArn)} (it keeps that role until it ends)`,
      );
  },

  async showsMoved({ clients }, move) {
    const now = await (await clients.port(stepFunctionsPorts)).getStateMachine(move.stateMachineArn);
    return now?.roleArn === move.target.roleArn ? `state machine ${move.stateMachineName} runs as ${move.target.roleArn}` : undefined;
  },
  withoutMovedBack(_ctx, found, moves) {
    // Pointing a machine back does not change its running executions: they keep using the role either way.
    const arns = new Set(moves.map((m) => m.stateMachineArn));
    return Promise.resolve({ ...found, machines: found.machines.filter((m) => !arns.has(m.arn)) });
  },

  label: (move) => `Step Functions ${move.stateMachineName}`,
  describeMove: (move) => [
    code(move.stateMachineName),
    'Step Functions state machine (from its next execution)',
    code(lastSegment(move.current.roleArn)),
    code(lastSegment(move.target.roleArn)),
  ],
  checklist(move, target) {
    const t = target.role(move.target.roleArn);
    const snippet =
      target.format === 'terraform'
        ? `\`role_arn = ${t ? `aws_iam_role.${t.tf}.arn` : `"${move.target.roleArn}"`}\` on the \`aws_sfn_state_machine\``
        : `\`RoleArn: ${t ? `!GetAtt ${t.cfnRole}.Arn` : move.target.roleArn}\` on the \`AWS::StepFunctions::StateMachine\``;
    return [`- [ ] \`${move.stateMachineName}\`: role → \`${move.target.roleArn}\``, `  - ${snippet}`];
  },
};

/**
 * Step Functions checks it can assume a new role and refuses a just-created
 * one until IAM has propagated it ("Neither the global service principal
 * states.amazonaws.com, nor the regional one is authorized to assume the
 * provided role", AccessDeniedException).
 */
function roleNotYetAssumable(error: unknown): boolean {
  return /not authorized to assume the provided role|is authorized to assume the provided role/i.test((error as Error)?.message ?? '');
}

/** Points the machine at `roleArn`, unless it runs as neither that nor `expectFrom` (drift). */
async function pointTo(ctx: ApplyContext, move: StateMachineMove, roleArn: string, expectFrom: string): Promise<void> {
  const sfn = await ctx.clients.port(stepFunctionsPorts);
  const now = await sfn.getStateMachine(move.stateMachineArn);
  if (!now) throw driftError(`state machine ${move.stateMachineName} no longer exists`);
  if (now.roleArn === roleArn) return;
  if (now.roleArn !== expectFrom) throw driftError(`state machine ${move.stateMachineName} runs as ${now.roleArn}, not ${expectFrom}`);
  await retryWhileSettling(ctx.timings, roleNotYetAssumable, () => sfn.updateRole(move.stateMachineArn, roleArn));
}
