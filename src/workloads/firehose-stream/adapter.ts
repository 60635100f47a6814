/**
 * Kinesis Data Firehose delivery streams: bound to a role by their
 * destinations' RoleARN (and the RoleARN of a destination's intermediate or
 * backup S3 configuration), or by their source's role. Apply sends
 * UpdateDestination with the role fields alone, at the version it has just
 * read: Firehose merges an update into a destination of the same type, and
 * each update changes the version, so every write re-reads it. A role field
 * UpdateDestination cannot change (a Kinesis or MSK source's, a VPC
 * delivery's, a Glue schema's, a Lambda processor's) is a follow-up naming
 * the field. Firehose uses the destination's role for its next delivery:
 * the move takes effect at once.
 */
import { markdownCode as code } from '../../core/escape.js';
import { SplitRoleError } from '../../core/errors.js';
import { retryWhileSettling } from '../../core/waits.js';
import type { ApplyContext, WorkloadAdapter } from '../adapter.js';
import { driftError, lastSegment, leaveIfMovedElsewhere, namesRole, roleMoveProblems } from '../helpers.js';
import { FIREHOSE_NOT_ACTIVE } from './errors.js';
import { firehosePorts, type StreamDescription } from './port.js';
import { destinationOf, fieldValue, roleFields, roleUpdate, type RoleField } from './roles.js';
import { codeBlocks } from './code-blocks.js';
import type { FirehoseStreamMove } from './schema.js';

/** A delivery stream as the index keeps it: every role field it has. */
export interface StreamRoles {
  streamName: string;
  streamArn: string;
  status: string;
  versionId: string;
  fields: RoleField[];
}

/** The Firehose side of one role: each stream with the role fields naming it. */
export interface FirehoseFound {
  streams: StreamRoles[];
}

/** The follow-up for a role field UpdateDestination cannot change. */
const FIXED_ROLE = 'firehose-fixed-role';

/** A field's path from the stream ("Destinations[d-1].ExtendedS3DestinationDescription.RoleARN"). */
function fullPath(field: { path: string; movable: boolean; destinationId?: string; destinationType?: string }): string {
  return field.movable
    ? `Destinations[${field.destinationId ?? ''}].${field.destinationType ?? ''}DestinationDescription.${field.path}`
    : field.path;
}

/** What the owner can do about a role field apply cannot change. */
function fixedHint(field: RoleField): string {
  const path = field.path;
  if (field.destinationId !== undefined && field.destinationType === undefined)
    return 'its destination is of a type this split-role does not know: change the role there yourself';
  if (path.startsWith('Source.'))
    return 'a source’s role cannot be updated: recreate the stream with the new role as its source role, or keep the shared role for it';
  if (path.includes('VpcConfigurationDescription')) return 'a VPC delivery’s role cannot be updated: recreate the stream with the new role';
  return 'set it to the new role in the stream’s configuration (UpdateDestination with that whole configuration)';
}

function streamOf(move: FirehoseStreamMove): string {
  return `Firehose delivery stream ${move.streamName}`;
}

function movesOf(stream: StreamRoles): Map<string, RoleField[]> {
  const byDestination = new Map<string, RoleField[]>();
  for (const f of stream.fields.filter((f) => f.movable)) {
    const key = f.destinationId ?? '';
    byDestination.set(key, [...(byDestination.get(key) ?? []), f]);
  }
  return byDestination;
}

/** The Firehose delivery stream adapter. */
export const firehoseStreamAdapter: WorkloadAdapter<FirehoseStreamMove, StreamRoles[], FirehoseFound, 'firehose'> = {
  id: 'firehose',
  kind: 'firehose-stream',
  unitKey: 'firehose',
  title: 'Firehose delivery streams',
  // A destination's role, and those of its S3 (intermediate or backup) and Secrets Manager settings: the fields this
  // kind moves. A Kinesis or MSK source's role is not one of them.
  codeBindings: {
    cloudFormation: [
      {
        type: 'AWS::KinesisFirehose::DeliveryStream',
        path: /^[A-Za-z0-9]+DestinationConfiguration(\.(S3Configuration|S3BackupConfiguration|SecretsManagerConfiguration))?\.RoleARN$/,
      },
    ],
    terraform: [
      {
        type: 'aws_kinesis_firehose_delivery_stream',
        path: /^(?!kinesis_source_|msk_source_)[a-z0-9_]+_configuration(\.(s3_configuration|s3_backup_configuration|secrets_manager_configuration))?\.role_arn$/,
      },
    ],
  },

  async discover({ clients }) {
    const streams = await (await clients.port(firehosePorts)).listStreams();
    return streams.map((s) => ({
      streamName: s.DeliveryStreamName,
      streamArn: s.DeliveryStreamARN ?? '',
      status: s.DeliveryStreamStatus ?? '',
      versionId: s.VersionId ?? '',
      fields: roleFields(s),
    }));
  },
  emptyInventory: () => [],
  summarise: (streams) => `${streams.length} Firehose delivery streams`,

  boundTo: (streams, binding) => ({
    streams: streams
      .map((s) => ({ ...s, fields: s.fields.filter((f) => namesRole(f.roleArn, binding)) }))
      .filter((s) => s.fields.length > 0),
  }),
  describeUsers: (found, role) =>
    found.streams.map((s) => `Firehose delivery stream ${s.streamName} uses ${role} (${s.fields.map(fullPath).join(', ')})`),
  listMovable: (found) => found.streams.filter((s) => s.fields.some((f) => f.movable)).map((s) => s.streamName),
  // Firehose gives its role sessions no stable name: the AssumeRole events (invokedBy firehose.amazonaws.com) tie them.
  sessionHints: () => [],
  sessionNames: () => [],

  planMoves(found, { role, region }) {
    if (!role) return [];
    return found.streams.flatMap((s) =>
      [...movesOf(s)].map(([destinationId, fields]) => ({
        kind: 'firehose-stream' as const,
        service: role.service,
        region,
        streamName: s.streamName,
        streamArn: s.streamArn,
        destinationId,
        destinationType: fields[0]?.destinationType ?? '',
        fields: fields.map((f) => f.path),
        versionId: s.versionId,
        current: { roleArn: fields[0]?.roleArn ?? '' },
        target: { roleArn: role.roleArn },
        takesEffect: 'at-once' as const,
      })),
    );
  },
  followUps(found, { staysShared }) {
    if (staysShared) return [];
    return found.streams.flatMap((s) =>
      s.fields
        .filter((f) => !f.movable)
        .map((f) => ({
          kind: FIXED_ROLE,
          resource: s.streamArn,
          message:
            `Firehose delivery stream ${s.streamName} names the shared role in ${f.path}, which UpdateDestination cannot change: ` +
            `${fixedHint(f)}; until then it keeps the shared role in use`,
        })),
    );
  },

  invariantProblems(move, { role, shared }) {
    return roleMoveProblems(`${streamOf(move)} destination ${move.destinationId}`, move, role, {
      usesShared: namesRole(move.current.roleArn, shared),
      verb: 'deliver',
    });
  },

  stepId: (move) => `repoint-firehose:${move.region}:${move.streamName}:${move.destinationId}`,
  repoint(move) {
    return {
      title: `move Firehose ${move.streamName} to ${lastSegment(move.target.roleArn)}`,
      async run(ctx) {
        await pointTo(ctx, move, move.target.roleArn, move.current.roleArn);
        return { replaced: move.current.roleArn };
      },
      async undo(ctx) {
        await leaveIfMovedElsewhere(ctx, streamOf(move), () => pointTo(ctx, move, move.current.roleArn, move.target.roleArn));
      },
    };
  },
  async drift({ clients }, move) {
    const live = liveDestination(await (await clients.port(firehosePorts)).getStream(move.streamName), move);
    if (typeof live === 'string') return [live];
    const problems = move.fields
      .map((f) => [f, fieldValue(live.description, f)] as const)
      .filter(([, value]) => value !== move.current.roleArn)
      .map(
        ([f, value]) =>
          `${streamOf(move)} has ${f} ${value ?? 'unset'} in its ${move.destinationType} destination, plan says ${move.current.roleArn}`,
      );
    // A role field set to the shared role after the plan would keep it in use after apply: the plan must see it.
    const added = roleFields(live.stream).filter(
      (f) => f.movable && f.destinationId === move.destinationId && f.roleArn === move.current.roleArn && !move.fields.includes(f.path),
    );
    for (const f of added)
      problems.push(`${streamOf(move)} now also names ${move.current.roleArn} in ${f.path}, which the plan does not move`);
    return problems;
  },
  async verify({ clients }, move) {
    const live = liveDestination(await (await clients.port(firehosePorts)).getStream(move.streamName), move);
    if (typeof live === 'string') return [live];
    const problems = move.fields
      .filter((f) => fieldValue(live.description, f) !== move.target.roleArn)
      .map((f) => `${streamOf(move)} has ${f} ${fieldValue(live.description, f) ?? 'unset'} in its ${move.destinationType} destination`);
    const status = live.stream.DeliveryStreamStatus;
    if (status !== 'ACTIVE') problems.push(`${streamOf(move)} is ${status ?? 'in no status'}, not ACTIVE`);
    return problems;
  },

  async showsMoved({ clients }, move) {
    const live = liveDestination(await (await clients.port(firehosePorts)).getStream(move.streamName), move);
    if (typeof live === 'string') return undefined;
    return move.fields.every((f) => fieldValue(live.description, f) === move.target.roleArn)
      ? `${streamOf(move)} delivers as ${move.target.roleArn}`
      : undefined;
  },
  async withoutMovedBack({ clients }, found, moves) {
    // A stream is left when a role field of it is not one the moves point back; undo (pointTo) points back
    // none of a destination one of whose moved fields names neither role now (drift).
    const firehose = await clients.port(firehosePorts);
    const back = new Set<string>();
    for (const m of moves) {
      const live = liveDestination(await firehose.getStream(m.streamName), m);
      const roles = [m.current.roleArn, m.target.roleArn];
      if (typeof live === 'string' || m.fields.some((f) => !roles.includes(fieldValue(live.description, f) ?? ''))) continue;
      for (const f of m.fields) back.add(`${m.streamName}\u0000${m.destinationId}\u0000${f}`);
    }
    return {
      streams: found.streams.filter((s) =>
        s.fields.some((f) => !f.movable || !back.has(`${s.streamName}\u0000${f.destinationId ?? ''}\u0000${f.path}`)),
      ),
    };
  },

  label: (move) => `Firehose ${move.streamName}`,
  describeMove: (move) => [
    code(move.streamName),
    `Firehose delivery stream, ${move.destinationType} destination (at once: its next delivery)`,
    code(lastSegment(move.current.roleArn)),
    code(lastSegment(move.target.roleArn)),
  ],
  checklist(move, target) {
    const t = target.role(move.target.roleArn);
    const where = codeBlocks(move);
    const snippet =
      target.format === 'terraform'
        ? `\`role_arn = ${t ? `aws_iam_role.${t.tf}.arn` : `"${move.target.roleArn}"`}\` in ${where.tf} of the \`aws_kinesis_firehose_delivery_stream\``
        : `\`RoleARN: ${t ? `!GetAtt ${t.cfnRole}.Arn` : move.target.roleArn}\` in ${where.cfn} of the \`AWS::KinesisFirehose::DeliveryStream\``;
    return [`- [ ] delivery stream \`${move.streamName}\`: role → \`${move.target.roleArn}\``, `  - ${snippet}`];
  },
};

/** The move's destination in `stream`, or why there is none to compare. */
function liveDestination(
  stream: StreamDescription | undefined,
  move: FirehoseStreamMove,
): { stream: StreamDescription; description: Record<string, unknown> } | string {
  if (!stream) return `${streamOf(move)} no longer exists`;
  const destination = stream.Destinations?.find((d) => d.DestinationId === move.destinationId);
  const found = destination && destinationOf(destination);
  if (!found) return `${streamOf(move)} has no destination ${move.destinationId}`;
  if (found.type !== move.destinationType)
    return `${streamOf(move)} destination ${move.destinationId} is now ${found.type}, plan says ${move.destinationType}`;
  return { stream, description: found.description };
}

/**
 * Firehose checks a new role and refuses a just-created one until IAM has
 * propagated it: "Firehose is unable to assume role …. Please check the role
 * provided." or "… Verify that the IAM role has access …" (InvalidArgumentException;
 * the Terraform AWS provider retries on the same two).
 */
function roleNotYetAssumable(error: unknown): boolean {
  return /unable to assume role|verify that the IAM role has access/i.test((error as Error)?.message ?? '');
}

/** Another update landed between our read and our write: read the new version and try again. */
function versionMoved(error: unknown): boolean {
  return (error as Error)?.name === 'ConcurrentModificationException';
}

/** Sets the move's role fields to `roleArn` where they name `expectFrom`; a field naming neither is drift. */
async function pointTo(ctx: ApplyContext, move: FirehoseStreamMove, roleArn: string, expectFrom: string): Promise<void> {
  const firehose = await ctx.clients.port(firehosePorts);
  await retryWhileSettling(
    ctx.timings,
    (error) => roleNotYetAssumable(error) || versionMoved(error),
    async () => {
      // Read each time: every UpdateDestination needs the version it was read at, and each update changes it.
      const live = liveDestination(await firehose.getStream(move.streamName), move);
      if (typeof live === 'string') throw driftError(live);
      const values = move.fields.map((f) => [f, fieldValue(live.description, f)] as const);
      const wrong = values.filter(([, v]) => v !== roleArn && v !== expectFrom);
      if (wrong.length > 0)
        throw driftError(`${streamOf(move)} has ${wrong.map(([f, v]) => `${f} ${v ?? 'unset'}`).join(', ')}, not ${expectFrom}`);
      const pending = values.filter(([, v]) => v === expectFrom).map(([f]) => f);
      if (pending.length === 0) return;
      const status = live.stream.DeliveryStreamStatus;
      if (status !== 'ACTIVE')
        throw new SplitRoleError(
          FIREHOSE_NOT_ACTIVE,
          `${streamOf(move)} is ${status ?? 'in no status'}: UpdateDestination needs it ACTIVE`,
          'wait until the stream is ACTIVE, then run the same command again (it resumes)',
        );
      const destination = { id: move.destinationId, type: move.destinationType, description: live.description };
      await firehose.updateDestination(roleUpdate(live.stream, destination, pending, roleArn));
    },
  );
}
