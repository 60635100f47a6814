/**
 * EventBridge rule targets: bound to a role by the target's RoleArn (the role
 * EventBridge invokes a Kinesis stream, a state machine, an ECS task… with).
 * Apply writes the whole target back with PutTargets, RoleArn changed: every
 * other field is carried over as read, and a target with a field this SDK
 * does not know stops the move, naming the field. EventBridge reads the role
 * on each delivery, so the move takes effect at once.
 */
import { markdownCode as code } from '../../core/escape.js';
import { SplitRoleError } from '../../core/errors.js';
import type { ApplyContext, WorkloadAdapter } from '../adapter.js';
import { driftError, lastSegment, leaveIfMovedElsewhere, namesRole, roleMoveProblems } from '../helpers.js';
import { EVENT_TARGET_NOT_CARRIED } from './errors.js';
import { eventsPorts, type RuleTarget } from './port.js';
import type { EventTargetMove } from './schema.js';

/** The EventBridge side of one role. */
export interface EventTargetFound {
  targets: RuleTarget[];
}

/** "rule orders-nightly (bus default) target sqs-1". */
function describeTarget(t: { eventBusName: string; ruleName: string; targetId: string }): string {
  return `EventBridge rule ${t.ruleName} (bus ${t.eventBusName}) target ${t.targetId}`;
}

/** The stop for a target PutTargets cannot write back whole. */
function notCarried(what: string, fields: readonly string[]): SplitRoleError {
  return new SplitRoleError(
    EVENT_TARGET_NOT_CARRIED,
    `${what} has ${fields.join(', ')}, which this split-role's AWS SDK does not know: PutTargets would drop ${fields.length > 1 ? 'them' : 'it'}`,
    'move this target by hand (PutTargets with the whole target and the new RoleArn), or use a split-role release with a newer AWS SDK',
  );
}

/** The EventBridge rule-target adapter. */
export const eventTargetAdapter: WorkloadAdapter<EventTargetMove, RuleTarget[], EventTargetFound, 'events'> = {
  id: 'events',
  kind: 'event-target',
  unitKey: 'events',
  title: 'EventBridge rule targets',
  codeBindings: {
    cloudFormation: [{ type: 'AWS::Events::Rule', path: /^Targets\.\d+\.RoleArn$/ }],
    terraform: [{ type: 'aws_cloudwatch_event_target', path: 'role_arn' }],
  },

  discover: async ({ clients }) => (await clients.port(eventsPorts)).listRoleTargets(),
  emptyInventory: () => [],
  summarise: (targets) => `${targets.length} EventBridge rule targets with a role`,

  boundTo: (targets, binding) => ({ targets: targets.filter((t) => namesRole(t.target.RoleArn, binding)) }),
  describeUsers: (found, role) =>
    found.targets.map((t) => `${describeTarget({ ...t, targetId: t.target.Id })} invokes ${t.target.Arn} as ${role}`),
  listMovable: (found) => found.targets.map((t) => `${t.ruleName}/${t.target.Id}`),
  // EventBridge gives its role sessions no stable name: the AssumeRole events (invokedBy events.amazonaws.com) tie them.
  sessionHints: () => [],
  sessionNames: () => [],

  planMoves(found, { role, region }) {
    if (!role) return [];
    // A rule another AWS service manages is that service's to change: a follow-up, not a move.
    return found.targets
      .filter((t) => !t.managedBy)
      .map((t) => {
        // Planning a move apply could not carry out whole would only fail later: stop now, naming the field.
        if (t.notCarried.length > 0) throw notCarried(describeTarget({ ...t, targetId: t.target.Id }), t.notCarried);
        return {
          kind: 'event-target' as const,
          service: role.service,
          region,
          eventBusName: t.eventBusName,
          ruleName: t.ruleName,
          ruleArn: t.ruleArn,
          targetId: t.target.Id,
          targetArn: t.target.Arn,
          current: { roleArn: t.target.RoleArn ?? '' },
          target: { roleArn: role.roleArn },
          takesEffect: 'at-once' as const,
        };
      });
  },
  followUps(found, { staysShared }) {
    if (staysShared) return [];
    return found.targets
      .filter((t) => t.managedBy)
      .map((t) => ({
        kind: 'managed-event-rule' as const,
        resource: t.ruleArn,
        message:
          `${describeTarget({ ...t, targetId: t.target.Id })} is managed by ${t.managedBy ?? ''}, which alone may change it (PutTargets answers ManagedRuleException): ` +
          `change the role in that service's own configuration; until then it keeps the shared role in use`,
      }));
  },

  invariantProblems(move, { role, shared }) {
    return roleMoveProblems(describeTarget(move), move, role, { usesShared: namesRole(move.current.roleArn, shared), verb: 'invoke' });
  },

  stepId: (move) => `repoint-events:${move.region}:${move.eventBusName}:${move.ruleName}:${move.targetId}`,
  repoint(move) {
    return {
      title: `move EventBridge ${move.ruleName}/${move.targetId} to ${lastSegment(move.target.roleArn)}`,
      async run(ctx) {
        await pointTo(ctx, move, move.target.roleArn, move.current.roleArn);
        return { replaced: move.current.roleArn };
      },
      async undo(ctx) {
        await leaveIfMovedElsewhere(ctx, `EventBridge ${move.ruleName}/${move.targetId}`, () =>
          pointTo(ctx, move, move.current.roleArn, move.target.roleArn),
        );
      },
    };
  },
  async drift({ clients }, move) {
    const now = await (await clients.port(eventsPorts)).getTarget(move.eventBusName, move.ruleName, move.targetId);
    const what = describeTarget(move);
    if (!now) return [`${what} no longer exists`];
    const problems: string[] = [];
    if (now.target.RoleArn !== move.current.roleArn)
      problems.push(`${what} invokes as ${now.target.RoleArn ?? 'no role'}, plan says ${move.current.roleArn}`);
    if (now.notCarried.length > 0) problems.push(`${what} has ${now.notCarried.join(', ')}, which PutTargets through this SDK would drop`);
    return problems;
  },
  async verify({ clients }, move) {
    const now = await (await clients.port(eventsPorts)).getTarget(move.eventBusName, move.ruleName, move.targetId);
    if (!now) return [`${describeTarget(move)} no longer exists`];
    return now.target.RoleArn === move.target.roleArn ? [] : [`${describeTarget(move)} invokes as ${now.target.RoleArn ?? 'no role'}`];
  },

  async showsMoved({ clients }, move) {
    const now = await (await clients.port(eventsPorts)).getTarget(move.eventBusName, move.ruleName, move.targetId);
    return now?.target.RoleArn === move.target.roleArn ? `${describeTarget(move)} invokes as ${move.target.roleArn}` : undefined;
  },
  withoutMovedBack(_ctx, found, moves) {
    const keys = new Set(moves.map((m) => `${m.eventBusName}\u0000${m.ruleName}\u0000${m.targetId}`));
    return Promise.resolve({ targets: found.targets.filter((t) => !keys.has(`${t.eventBusName}\u0000${t.ruleName}\u0000${t.target.Id}`)) });
  },

  label: (move) => `EventBridge ${move.ruleName}/${move.targetId}`,
  describeMove: (move) => [
    `${code(move.ruleName)} → ${code(move.targetId)}`,
    'EventBridge rule target (at once: its next event)',
    code(lastSegment(move.current.roleArn)),
    code(lastSegment(move.target.roleArn)),
  ],
  checklist(move, target) {
    const t = target.role(move.target.roleArn);
    const snippet =
      target.format === 'terraform'
        ? `\`role_arn = ${t ? `aws_iam_role.${t.tf}.arn` : `"${move.target.roleArn}"`}\` on the \`aws_cloudwatch_event_target\``
        : `\`RoleArn: ${t ? `!GetAtt ${t.cfnRole}.Arn` : move.target.roleArn}\` on the target in \`Targets\` of the \`AWS::Events::Rule\``;
    return [`- [ ] \`${move.ruleName}\` target \`${move.targetId}\`: role → \`${move.target.roleArn}\``, `  - ${snippet}`];
  },
};

/** Writes the target back whole with `roleArn`, unless it invokes as neither that nor `expectFrom` (drift). */
async function pointTo(ctx: ApplyContext, move: EventTargetMove, roleArn: string, expectFrom: string): Promise<void> {
  const events = await ctx.clients.port(eventsPorts);
  const now = await events.getTarget(move.eventBusName, move.ruleName, move.targetId);
  const what = describeTarget(move);
  if (!now) throw driftError(`${what} no longer exists`);
  if (now.target.RoleArn === roleArn) return;
  if (now.target.RoleArn !== expectFrom) throw driftError(`${what} invokes as ${now.target.RoleArn ?? 'no role'}, not ${expectFrom}`);
  if (now.notCarried.length > 0) throw notCarried(what, now.notCarried);
  // Read-modify-write of the whole target: PutTargets replaces the target, so every field goes back as read.
  await events.putTarget(move.eventBusName, move.ruleName, { ...now.target, RoleArn: roleArn });
}
