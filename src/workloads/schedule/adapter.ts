/**
 * EventBridge Scheduler schedules: bound to a role by the target's RoleArn.
 * UpdateSchedule replaces the whole schedule, so apply reads it with
 * GetSchedule and sends every field back as read, the role changed; a
 * schedule with a field that cannot go back whole stops the move, naming the
 * field. Scheduler assumes the role at each invocation: the move takes effect
 * from the schedule's next run.
 */
import { markdownCode as code } from '../../core/escape.js';
import { SplitRoleError } from '../../core/errors.js';
import { retryWhileSettling } from '../../core/waits.js';
import type { ApplyContext, WorkloadAdapter } from '../adapter.js';
import { driftError, lastSegment, leaveIfMovedElsewhere, namesRole, roleMoveProblems } from '../helpers.js';
import { SCHEDULE_NOT_CARRIED } from './errors.js';
import { READ_ONLY_SCHEDULE_FIELDS, schedulerPorts, type ScheduleDetail, type ScheduleRead, type SchedulerPort } from './port.js';
import type { ScheduleMove } from './schema.js';

/** The Scheduler side of one role. */
export interface ScheduleFound {
  schedules: ScheduleRead[];
}

/** "schedule nightly (group default)". */
function describeSchedule(groupName: string, name: string): string {
  return `schedule ${name} (group ${groupName})`;
}

/** The stop for a schedule UpdateSchedule cannot replace whole. */
function notCarried(what: string, fields: readonly string[]): SplitRoleError {
  return new SplitRoleError(
    SCHEDULE_NOT_CARRIED,
    `${what} has ${fields.join(', ')}, which UpdateSchedule through this split-role's AWS SDK cannot carry over (it replaces the whole schedule)`,
    'move this schedule by hand (UpdateSchedule with every field and the new Target.RoleArn), or use a split-role release with a newer AWS SDK',
  );
}

/** The UpdateSchedule input that replaces `schedule` with itself, its target's role set to `roleArn`. */
export function carryOver(schedule: ScheduleDetail, roleArn: string): Parameters<SchedulerPort['updateSchedule']>[0] {
  const kept = Object.fromEntries(
    Object.entries(schedule).filter(([field, value]) => value != null && !READ_ONLY_SCHEDULE_FIELDS.includes(field)),
  ) as Omit<ScheduleDetail, 'Arn' | 'CreationDate' | 'LastModificationDate'>;
  if (!kept.Target || !kept.ScheduleExpression || !kept.FlexibleTimeWindow) {
    throw new Error(`schedule ${schedule.Name} has no target, expression or time window: GetSchedule answered incompletely`);
  }
  return {
    ...kept,
    ScheduleExpression: kept.ScheduleExpression,
    FlexibleTimeWindow: kept.FlexibleTimeWindow,
    Target: { ...kept.Target, RoleArn: roleArn },
  };
}

/** The Scheduler schedule adapter. */
export const scheduleAdapter: WorkloadAdapter<ScheduleMove, ScheduleRead[], ScheduleFound, 'scheduler'> = {
  id: 'scheduler',
  kind: 'schedule',
  unitKey: 'scheduler',
  title: 'EventBridge Scheduler schedules',
  codeBindings: {
    cloudFormation: [{ type: 'AWS::Scheduler::Schedule', path: 'Target.RoleArn' }],
    terraform: [{ type: 'aws_scheduler_schedule', path: 'target.role_arn' }],
  },

  discover: async ({ clients }) => (await clients.port(schedulerPorts)).listSchedules(),
  emptyInventory: () => [],
  summarise: (schedules) => `${schedules.length} Scheduler schedules`,

  boundTo: (schedules, binding) => ({ schedules: schedules.filter((s) => namesRole(s.schedule.Target?.RoleArn, binding)) }),
  describeUsers: (found, role) =>
    found.schedules.map(
      (s) =>
        `EventBridge Scheduler ${describeSchedule(s.schedule.GroupName, s.schedule.Name)} invokes ${s.schedule.Target?.Arn ?? 'its target'} as ${role}`,
    ),
  listMovable: (found) => found.schedules.map((s) => `${s.schedule.GroupName}/${s.schedule.Name}`),
  // Scheduler gives its role sessions no stable name: the AssumeRole events (invokedBy scheduler.amazonaws.com) tie them.
  sessionHints: () => [],
  sessionNames: () => [],

  planMoves(found, { role, region }) {
    if (!role) return [];
    return found.schedules.map(({ schedule: s, notCarried: fields }) => {
      // A schedule apply could not replace whole would only fail later: stop now, naming the field.
      if (fields.length > 0) throw notCarried(describeSchedule(s.GroupName, s.Name), fields);
      return {
        kind: 'schedule' as const,
        service: role.service,
        region,
        groupName: s.GroupName,
        scheduleName: s.Name,
        scheduleArn: s.Arn ?? '',
        current: { roleArn: s.Target?.RoleArn ?? '' },
        target: { roleArn: role.roleArn },
        takesEffect: 'next-run' as const,
      };
    });
  },
  followUps: () => [],

  invariantProblems(move, { role, shared }) {
    return roleMoveProblems(describeSchedule(move.groupName, move.scheduleName), move, role, {
      usesShared: namesRole(move.current.roleArn, shared),
      verb: 'invoke',
    });
  },

  stepId: (move) => `repoint-scheduler:${move.region}:${move.groupName}:${move.scheduleName}`,
  repoint(move) {
    return {
      title: `move schedule ${move.groupName}/${move.scheduleName} to ${lastSegment(move.target.roleArn)}`,
      async run(ctx) {
        await pointTo(ctx, move, move.target.roleArn, move.current.roleArn);
        return { replaced: move.current.roleArn };
      },
      async undo(ctx) {
        await leaveIfMovedElsewhere(ctx, describeSchedule(move.groupName, move.scheduleName), () =>
          pointTo(ctx, move, move.current.roleArn, move.target.roleArn),
        );
      },
    };
  },
  async drift({ clients }, move) {
    const now = await (await clients.port(schedulerPorts)).getSchedule(move.groupName, move.scheduleName);
    const what = describeSchedule(move.groupName, move.scheduleName);
    if (!now) return [`${what} no longer exists`];
    const problems: string[] = [];
    const role = now.schedule.Target?.RoleArn;
    if (role !== move.current.roleArn) problems.push(`${what} invokes as ${role ?? 'no role'}, plan says ${move.current.roleArn}`);
    if (now.notCarried.length > 0)
      problems.push(`${what} has ${now.notCarried.join(', ')}, which UpdateSchedule through this SDK cannot carry over`);
    return problems;
  },
  async verify({ clients }, move) {
    const now = await (await clients.port(schedulerPorts)).getSchedule(move.groupName, move.scheduleName);
    const what = describeSchedule(move.groupName, move.scheduleName);
    if (!now) return [`${what} no longer exists`];
    const role = now.schedule.Target?.RoleArn;
    return role === move.target.roleArn ? [] : [`${what} invokes as ${role ?? 'no role'}`];
  },

  async showsMoved({ clients }, move) {
    const now = await (await clients.port(schedulerPorts)).getSchedule(move.groupName, move.scheduleName);
    return now?.schedule.Target?.RoleArn === move.target.roleArn
      ? `${describeSchedule(move.groupName, move.scheduleName)} invokes as ${move.target.roleArn}`
      : undefined;
  },
  withoutMovedBack(_ctx, found, moves) {
    const keys = new Set(moves.map((m) => `${m.groupName}\u0000${m.scheduleName}`));
    return Promise.resolve({ schedules: found.schedules.filter((s) => !keys.has(`${s.schedule.GroupName}\u0000${s.schedule.Name}`)) });
  },

  label: (move) => `Scheduler ${move.groupName}/${move.scheduleName}`,
  describeMove: (move) => [
    `${code(move.groupName)}/${code(move.scheduleName)}`,
    'EventBridge Scheduler schedule (from its next run)',
    code(lastSegment(move.current.roleArn)),
    code(lastSegment(move.target.roleArn)),
  ],
  checklist(move, target) {
    const t = target.role(move.target.roleArn);
    const snippet =
      target.format === 'terraform'
        ? `\`role_arn = ${t ? `aws_iam_role.${t.tf}.arn` : `"${move.target.roleArn}"`}\` in the \`target\` block of the \`aws_scheduler_schedule\``
        : `\`RoleArn: ${t ? `!GetAtt ${t.cfnRole}.Arn` : move.target.roleArn}\` in \`Target\` of the \`AWS::Scheduler::Schedule\``;
    return [`- [ ] schedule \`${move.groupName}/${move.scheduleName}\`: role → \`${move.target.roleArn}\``, `  - ${snippet}`];
  },
};

/**
 * Scheduler checks it can assume the target's role and refuses a just-created
 * one until IAM has propagated it ("The execution role you provide must allow
 * AWS EventBridge Scheduler to assume the role.", ValidationException).
 */
function roleNotYetAssumable(error: unknown): boolean {
  return /must allow AWS EventBridge Scheduler to assume the role/i.test((error as Error)?.message ?? '');
}

/** Replaces the schedule with itself on `roleArn`, unless it invokes as neither that nor `expectFrom` (drift). */
async function pointTo(ctx: ApplyContext, move: ScheduleMove, roleArn: string, expectFrom: string): Promise<void> {
  const scheduler = await ctx.clients.port(schedulerPorts);
  const what = describeSchedule(move.groupName, move.scheduleName);
  const now = await scheduler.getSchedule(move.groupName, move.scheduleName);
  if (!now) throw driftError(`${what} no longer exists`);
  const role = now.schedule.Target?.RoleArn;
  if (role === roleArn) return;
  if (role !== expectFrom) throw driftError(`${what} invokes as ${role ?? 'no role'}, not ${expectFrom}`);
  if (now.notCarried.length > 0) throw notCarried(what, now.notCarried);
  const input = carryOver(now.schedule, roleArn);
  await retryWhileSettling(ctx.timings, roleNotYetAssumable, () => scheduler.updateSchedule(input));
}
