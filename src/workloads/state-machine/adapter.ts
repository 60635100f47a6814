/**
 * Step Functions state machines: bound to a role by the machine's roleArn.
 * Apply updates the machine (UpdateStateMachine roleArn). An execution keeps
 * the role it started with to its end, so executions started before the move
 * still use the shared role: verify reports them, and one still running
 * keeps the shared role in use (retire waits, like for any other binding).
 * Published versions keep their role too: aliases routing to one on the
 * shared role move to a version apply publishes (aliases.ts).
 */
import { mapLimit } from '../../core/concurrency.js';
import { markdownCode as code } from '../../core/escape.js';
import { retryWhileSettling } from '../../core/waits.js';
import type { ApplyContext, WorkloadAdapter } from '../adapter.js';
import type { FollowUp } from '../follow-ups.js';
import { driftError, lastSegment, leaveIfMovedElsewhere, namesRole, roleMoveProblems } from '../helpers.js';
import {
  assertSameDefinition,
  publishedVersion,
  readAliases,
  aliasStillShared,
  assertAliasesAsPlanned,
  deletePublished,
  restoreAlias,
  routeAlias,
  routingText,
  sameRouting,
  versionList,
  type FoundAlias,
  type MachineWithAliases,
} from './aliases.js';
import { stepFunctionsPorts, type RunningExecution, type StepFunctionsPort } from './port.js';
import type { MovedAlias, StateMachineMove } from './schema.js';

/** What one region holds: the machines with their aliases, and their running executions with the role each started with. */
export interface StateMachineInventory {
  machines: MachineWithAliases[];
  running: RunningExecution[];
}

/** An alias that routes executions to versions published with the role. */
export interface BoundAlias {
  machine: MachineWithAliases;
  alias: FoundAlias;
  /** The routed versions that run as the role. */
  versions: string[];
}

/** The Step Functions side of one role. */
export interface StateMachineFound {
  /** Machines whose new executions start as the role. */
  machines: MachineWithAliases[];
  /** Aliases sending executions to versions that run as the role, whichever role their machine has now. */
  aliases: BoundAlias[];
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
  codeBindings: {
    cloudFormation: [
      { type: 'AWS::StepFunctions::StateMachine', path: 'RoleArn' },
      { type: 'AWS::Serverless::StateMachine', path: 'Role' },
    ],
    terraform: [{ type: 'aws_sfn_state_machine', path: 'role_arn' }],
  },

  async discover({ clients }) {
    const sfn = await clients.port(stepFunctionsPorts);
    const listed = await sfn.listStateMachines();
    const machines = await mapLimit(listed, LIST_CONCURRENCY, async (m) => ({ ...m, aliases: await readAliases(sfn, m) }));
    const running = (await mapLimit(machines, LIST_CONCURRENCY, (m) => sfn.runningExecutions(m.arn))).flat();
    return { machines, running };
  },
  emptyInventory: () => ({ machines: [], running: [] }),
  summarise: (inv) => `${inv.machines.length} state machines (${inv.running.length} executions running)`,

  boundTo: (inv, binding) => ({
    machines: inv.machines.filter((m) => namesRole(m.roleArn, binding)),
    aliases: inv.machines.flatMap((machine) =>
      machine.aliases.flatMap((alias) => {
        const versions = alias.routing.filter((r) => namesRole(r.roleArn, binding)).map((r) => r.stateMachineVersionArn);
        return versions.length > 0 ? [{ machine, alias, versions }] : [];
      }),
    ),
    running: inv.running.filter((e) => namesRole(e.roleArn, binding)),
  }),
  describeUsers: (found, role) => [
    ...found.machines.map((m) => `Step Functions state machine ${m.name} starts executions as ${role}`),
    ...found.aliases.map(
      (a) => `Step Functions alias ${a.machine.name}:${a.alias.name} routes executions to ${versionList(a.versions)}, which run as ${role}`,
    ),
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
      aliases: movableAliases(found, m.arn).map((a): MovedAlias => ({
        name: a.alias.name,
        aliasArn: a.alias.arn,
        current: a.alias.routing.map((r) => ({ stateMachineVersionArn: r.stateMachineVersionArn, weight: r.weight })),
        sharedVersions: a.versions,
      })),
      takesEffect: 'next-run' as const,
    }));
  },
  followUps(found, { role, staysShared }) {
    if (staysShared) return [];
    const moved = new Set(role ? found.machines.map((m) => m.arn) : []);
    return found.aliases
      .filter((a) => !moved.has(a.machine.arn) || !movable(a))
      .map((a): FollowUp => ({
        kind: 'state-machine-alias',
        resource: a.alias.arn,
        message: moved.has(a.machine.arn)
          ? `alias ${a.alias.name} of ${a.machine.name} routes to ${versionList(a.versions)} on the shared role, whose definition is not the machine's latest: a version apply published would change what the alias runs. Publish a version of that definition with the new role and route the alias to it`
          : `alias ${a.alias.name} of ${a.machine.name} routes to ${versionList(a.versions)} on the shared role, but the machine itself does not run as it: publish a version with the new role and route the alias to it`,
      }));
  },

  invariantProblems(move, { role, shared }) {
    return roleMoveProblems(`state machine ${move.stateMachineName}`, move, role, {
      usesShared: namesRole(move.current.roleArn, shared),
      verb: 'run',
    });
  },

  stepId: (move) => `repoint-states:${move.stateMachineArn}`,
  repoint(move) {
    return {
      title: `move state machine ${move.stateMachineName} to ${lastSegment(move.target.roleArn)}`,
      async run(ctx) {
        const sfn = await ctx.clients.port(stepFunctionsPorts);
        await assertAliasesAsPlanned(sfn, move.aliases);
        const version = await moveMachine(ctx, sfn, move);
        for (const alias of move.aliases) await routeAlias(sfn, alias, version ?? '');
        return { replaced: move.current.roleArn, ...(version ? { version } : {}) };
      },
      async undo(ctx) {
        const sfn = await ctx.clients.port(stepFunctionsPorts);
        // Aliases first: their routing is put back exactly, then the machine's role.
        for (const alias of move.aliases) {
          await leaveIfMovedElsewhere(ctx, `state machine alias ${move.stateMachineName}:${alias.name}`, () =>
            restoreAlias(sfn, alias, move.target.roleArn),
          );
        }
        await leaveIfMovedElsewhere(ctx, `state machine ${move.stateMachineName}`, () =>
          pointTo(ctx, move, move.current.roleArn, move.target.roleArn),
        );
        // The version apply published runs as the new role, which rollback deletes: it goes too, so the machine is as before.
        if (move.aliases.length > 0) await deletePublished(sfn, move);
      },
    };
  },
  async drift({ clients }, move) {
    const sfn = await clients.port(stepFunctionsPorts);
    const now = await sfn.getStateMachine(move.stateMachineArn);
    if (!now) return [`state machine ${move.stateMachineName} no longer exists`];
    const problems =
      now.roleArn === move.current.roleArn
        ? []
        : [`state machine ${move.stateMachineName} runs as ${now.roleArn}, plan says ${move.current.roleArn}`];
    for (const alias of move.aliases) {
      const routing = (await sfn.getAlias(alias.aliasArn))?.routing;
      if (!routing) problems.push(`state machine alias ${move.stateMachineName}:${alias.name} no longer exists`);
      else if (!sameRouting(routing, alias.current))
        problems.push(
          `state machine alias ${move.stateMachineName}:${alias.name} routes ${routingText(routing)}, plan says ${routingText(alias.current)}`,
        );
    }
    return problems;
  },
  async verify({ clients }, move) {
    const sfn = await clients.port(stepFunctionsPorts);
    const now = await sfn.getStateMachine(move.stateMachineArn);
    if (!now) return [`state machine ${move.stateMachineName} no longer exists`];
    if (now.roleArn !== move.target.roleArn) return [`state machine ${move.stateMachineName} runs as ${now.roleArn}`];
    const aliasProblems = (await mapLimit(move.aliases, LIST_CONCURRENCY, (alias) => aliasStillShared(sfn, move, alias))).flat();
    // Executions started before the move keep the old role until they end: say which, so the user can wait or stop them.
    const executions = (await sfn.runningExecutions(move.stateMachineArn))
      .filter((e) => e.roleArn === move.current.roleArn)
      .map(
        (e) =>
          `state machine ${move.stateMachineName}: execution ${executionName(e.executionArn)} started ${e.startDate} still runs as ${lastSegment(move.current.roleArn)} (it keeps that role until it ends)`,
      );
    return [...aliasProblems, ...executions];
  },

  async showsMoved({ clients }, move) {
    const now = await (await clients.port(stepFunctionsPorts)).getStateMachine(move.stateMachineArn);
    return now?.roleArn === move.target.roleArn ? `state machine ${move.stateMachineName} runs as ${move.target.roleArn}` : undefined;
  },
  withoutMovedBack(_ctx, found, moves) {
    // Pointing a machine back does not change its running executions: they keep using the role either way.
    const arns = new Set(moves.map((m) => m.stateMachineArn));
    const moved = new Map(moves.flatMap((m) => m.aliases.map((a) => [a.aliasArn, { alias: a, movedTo: m.target.roleArn }] as const)));
    // Undo restores an alias only when each version it routes to is one it routed to before or one on the new role (restoreAlias).
    const restored = ({ alias }: BoundAlias, m = moved.get(alias.arn)) =>
      m !== undefined &&
      alias.routing.every(
        (r) => r.roleArn === m.movedTo || m.alias.current.some((c) => c.stateMachineVersionArn === r.stateMachineVersionArn),
      );
    return Promise.resolve({
      ...found,
      machines: found.machines.filter((m) => !arns.has(m.arn)),
      aliases: found.aliases.filter((a) => !restored(a)),
    });
  },

  label: (move) => `Step Functions ${move.stateMachineName}`,
  describeMove: (move) => [
    code(move.stateMachineName),
    move.aliases.length > 0
      ? `Step Functions state machine (from its next execution; a new version for ${move.aliases.map((a) => code(a.name)).join(', ')})`
      : 'Step Functions state machine (from its next execution)',
    code(lastSegment(move.current.roleArn)),
    code(lastSegment(move.target.roleArn)),
  ],
  checklist(move, target) {
    const t = target.role(move.target.roleArn);
    const snippet =
      target.format === 'terraform'
        ? `\`role_arn = ${t ? `aws_iam_role.${t.tf}.arn` : `"${move.target.roleArn}"`}\` on the \`aws_sfn_state_machine\``
        : `\`RoleArn: ${t ? `!GetAtt ${t.cfnRole}.Arn` : move.target.roleArn}\` on the \`AWS::StepFunctions::StateMachine\``;
    // An alias apply moved points at a version published with the new role: the code must publish one too, or the next deploy routes back.
    const aliases = move.aliases.map((a) =>
      target.format === 'terraform'
        ? `  - alias ${code(a.name)}: \`publish = true\` on the \`aws_sfn_state_machine\`, and the \`aws_sfn_alias\` routes to its \`state_machine_version_arn\``
        : `  - alias ${code(a.name)}: an \`AWS::StepFunctions::StateMachineVersion\` of the machine, and the \`AWS::StepFunctions::StateMachineAlias\` routes to it`,
    );
    return [`- [ ] \`${move.stateMachineName}\`: role → \`${move.target.roleArn}\``, `  - ${snippet}`, ...aliases];
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

/** Aliases of a moved machine whose shared versions run its latest definition, so a version published now can replace them. */
function movableAliases(found: StateMachineFound, machineArn: string): BoundAlias[] {
  return found.aliases.filter((a) => a.machine.arn === machineArn && movable(a));
}

function movable(a: BoundAlias): boolean {
  return a.alias.routing.every((r) => !a.versions.includes(r.stateMachineVersionArn) || r.sameDefinition);
}

/**
 * Moves the machine to its new role; with aliases to route, publishes that as a
 * version and returns its ARN (or finds the one an interrupted run published).
 */
async function moveMachine(ctx: ApplyContext, sfn: StepFunctionsPort, move: StateMachineMove): Promise<string | undefined> {
  const publish = move.aliases.length > 0;
  const now = await sfn.getStateMachine(move.stateMachineArn);
  if (!now) throw driftError(`state machine ${move.stateMachineName} no longer exists`);
  if (now.roleArn === move.target.roleArn) return publish ? publishedVersion(sfn, now, move.target.roleArn) : undefined;
  if (now.roleArn !== move.current.roleArn)
    throw driftError(`state machine ${move.stateMachineName} runs as ${now.roleArn}, not ${move.current.roleArn}`);
  if (publish) await assertSameDefinition(sfn, now, move.aliases);
  const version = await retryWhileSettling(ctx.timings, roleNotYetAssumable, () =>
    sfn.updateRole(move.stateMachineArn, move.target.roleArn, publish),
  );
  if (publish && !version) throw new Error(`UpdateStateMachine published no version of ${move.stateMachineName}`);
  return version;
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
