/**
 * AWS Batch job definitions: bound to a role by the role fields of their
 * latest ACTIVE revision (the one a job submitted by name runs), and by the
 * rule targets and schedules that submit jobs naming an older revision. A
 * revision cannot change, so apply registers a new one: every field of the
 * latest copied over with the new role, and the rule targets and schedules
 * that name the old revision follow it. A job takes its role when submitted:
 * the move counts from the next job. The old revision stays ACTIVE (a job
 * submitted by its number still runs as the shared role; retire's re-check
 * does not count the revision as a use, only the unused-since-cutover gate
 * sees such a job, once submitted); undo moves the followers back and
 * deregisters the copy, so the old revision is the latest again.
 */
import { markdownCode as code } from '../../core/escape.js';
import type { WorkloadAdapter } from '../adapter.js';
import { lastSegment, leaveIfMovedElsewhere, namesRole, roleMoveProblems } from '../helpers.js';
import { describeFollower, listFollowers, namesRevision, readFollower, type RevisionRef } from './followers.js';
import { batchPorts, type JobDefinitionRead } from './port.js';
import { describeRevision, followerProblems, latestByName, liveState, moveBack, moveForward, notCarried, ref } from './repoint.js';
import { isCopyOf, roleAt, roleFields } from './roles.js';
import type { BatchFollower, BatchJobDefinitionMove } from './schema.js';

/** What one region holds: every ACTIVE revision, and what submits jobs naming a job definition. */
export interface BatchInventory {
  definitions: JobDefinitionRead[];
  followers: BatchFollower[];
}

/** A revision that names the role, and in which of its role fields. */
export type BoundRevision = JobDefinitionRead & { fields: string[] };

/** The Batch side of one role. */
export interface BatchFound {
  /** The latest ACTIVE revision of each job definition, where it names the role. */
  latest: BoundRevision[];
  /** Older ACTIVE revisions that name the role: only a job submitted by their number runs as it. */
  older: BoundRevision[];
  /** Rule targets and schedules naming one of those revisions by number. */
  followers: BatchFollower[];
}

/** The revisions in `found` (latest and older). */
function revisionsOf(found: BatchFound): BoundRevision[] {
  return [...found.latest, ...found.older];
}

/** The AWS Batch job-definition adapter. */
export const batchJobDefinitionAdapter: WorkloadAdapter<BatchJobDefinitionMove, BatchInventory, BatchFound, 'batch'> = {
  id: 'batch',
  kind: 'batch-job-definition',
  // Batch runs a job's container as an ECS task: jobRoleArn and executionRoleArn are assumed by ecs-tasks.amazonaws.com.
  unitKey: 'ecs-tasks',
  title: 'AWS Batch job definitions',
  // Terraform's container_properties is a jsonencode() string: rewrite notes a reference there for a person.
  codeBindings: {
    cloudFormation: [
      { type: 'AWS::Batch::JobDefinition', path: 'ContainerProperties.JobRoleArn' },
      { type: 'AWS::Batch::JobDefinition', path: 'ContainerProperties.ExecutionRoleArn' },
    ],
    terraform: [],
  },

  async discover({ clients }) {
    const definitions = await (await clients.port(batchPorts)).listActive();
    // Only a region with job definitions has rule targets or schedules to follow them.
    const followers = definitions.length > 0 ? await listFollowers(clients) : [];
    return { definitions, followers };
  },
  emptyInventory: () => ({ definitions: [], followers: [] }),
  summarise: (inv) => `${inv.definitions.length} ACTIVE Batch job-definition revisions`,

  boundTo(inv, binding) {
    const latest = latestByName(inv.definitions);
    const named = inv.definitions
      .map((d) => ({
        ...d,
        fields: roleFields(d.definition)
          .filter((f) => namesRole(f.value, binding))
          .map((f) => f.path),
      }))
      .filter((d) => d.fields.length > 0);
    const isLatest = (d: JobDefinitionRead) => latest.get(d.definition.jobDefinitionName)?.definition === d.definition;
    const revisions = named.map((d) => ref(d.definition));
    return {
      latest: named.filter(isLatest),
      older: named.filter((d) => !isLatest(d)),
      followers: inv.followers.filter((f) => revisions.some((r) => namesRevision(f.jobDefinition, r))),
    };
  },
  describeUsers(found, role) {
    const older = found.older.map((d) => ref(d.definition));
    return [
      ...found.latest.map((d) => `${describeRevision(d.definition)} (its latest revision) runs jobs as ${role}`),
      ...found.followers.flatMap((f) => {
        const r = older.find((o) => namesRevision(f.jobDefinition, o));
        return r ? [`${describeFollower(f)} submits Batch jobs with ${r.name}:${r.revision}, which runs as ${role}`] : [];
      }),
    ];
  },
  listMovable: (found) => found.latest.map((d) => d.definition.jobDefinitionName),
  roleUses: (found) => [
    ...new Set(revisionsOf(found).flatMap((d) => d.fields.map((path) => (path.endsWith('executionRoleArn') ? 'execution' : 'task')))),
  ],
  // Batch jobs run as ECS tasks, whose sessions the ECS kind's shape (task ids) ties.
  sessionHints: () => [],
  sessionNames: () => [],

  planMoves(found, { role, shared, region }) {
    if (!role) return [];
    return found.latest.map(({ definition: d, notCarried: fields, fields: paths }) => {
      // A revision apply could not copy whole would only fail later: stop now, naming the field.
      if (fields.length > 0) throw notCarried(describeRevision(d), fields, 'RegisterJobDefinition');
      const current = ref(d);
      return {
        kind: 'batch-job-definition' as const,
        service: role.service,
        region,
        jobDefinitionName: d.jobDefinitionName,
        revisionArn: d.jobDefinitionArn,
        revision: d.revision,
        roleFields: paths,
        followers: found.followers.filter((f) => namesRevision(f.jobDefinition, current)),
        current: { roleArn: shared.arn },
        target: { roleArn: role.roleArn },
        takesEffect: 'next-run' as const,
      };
    });
  },
  followUps(found, { role, staysShared }) {
    if (staysShared) return [];
    return [
      ...found.older.map(({ definition: d }) => ({
        kind: 'batch-old-revision' as const,
        resource: d.jobDefinitionArn,
        message:
          `${describeRevision(d)} is not the latest revision but is still ACTIVE and runs jobs as the shared role (revisions cannot change): ` +
          `deregister it once nothing submits it by number; a rule target or schedule naming it keeps the shared role in use`,
      })),
      // The moved revision too stays ACTIVE: a job submitted by its number still runs as the shared role (only once submitted does the retire gate see it).
      ...(role
        ? found.latest.map(({ definition: d }) => ({
            kind: 'batch-old-revision' as const,
            resource: d.jobDefinitionArn,
            message:
              `${describeRevision(d)} stays ACTIVE after apply registers its copy on the new role: a job submitted by its number ` +
              `still runs as the shared role; deregister it once nothing does (a rollback then registers a copy of it on the shared role)`,
          }))
        : []),
    ];
  },

  invariantProblems(move, { role, shared }) {
    return roleMoveProblems(describeRevision({ jobDefinitionName: move.jobDefinitionName, revision: move.revision }), move, role, {
      usesShared: namesRole(move.current.roleArn, shared),
      verb: 'run jobs',
    });
  },

  stepId: (move) => `repoint-batch:${move.region}:${move.jobDefinitionName}`,
  repoint(move) {
    return {
      title: `move Batch job definition ${move.jobDefinitionName} to ${lastSegment(move.target.roleArn)} (a new revision)`,
      async run(ctx) {
        const registered = await moveForward(ctx, move);
        return { registered, replaced: move.revisionArn };
      },
      async undo(ctx) {
        await leaveIfMovedElsewhere(ctx, `Batch job definition ${move.jobDefinitionName}`, () => moveBack(ctx, move));
      },
    };
  },
  async drift(ctx, move) {
    const { old, latest, problems } = await liveState(ctx, move);
    if (!old || !latest) return problems;
    if (latest.definition.jobDefinitionArn !== move.revisionArn)
      problems.push(`${describeRevision(move)}: its latest ACTIVE revision is ${latest.definition.revision}, plan says ${move.revision}`);
    for (const path of move.roleFields) {
      const now = roleAt(old.definition, path);
      if (now !== move.current.roleArn)
        problems.push(`${describeRevision(move)} has ${path} ${now ?? 'unset'}, plan says ${move.current.roleArn}`);
    }
    if (old.notCarried.length > 0)
      problems.push(
        `${describeRevision(move)} has ${old.notCarried.join(', ')}, which RegisterJobDefinition through this SDK cannot carry over`,
      );
    const followers = await followerProblems(ctx, move, ref(old.definition));
    problems.push(...followers.drift, ...followers.notCarried);
    // One that names the revision since the plan would be left on it, and so on the shared role.
    const planned = new Set(move.followers.map(describeFollower));
    for (const f of await listFollowers(ctx.clients)) {
      if (namesRevision(f.jobDefinition, ref(old.definition)) && !planned.has(describeFollower(f)))
        problems.push(`${describeFollower(f)} submits jobs with ${f.jobDefinition}, which the plan does not move`);
    }
    return problems;
  },
  async verify(ctx, move) {
    const { old, latest, problems } = await liveState(ctx, move);
    if (!old || !latest) return problems;
    if (!isCopyOf(latest.definition, old.definition, move.roleFields, move.target.roleArn))
      return [
        `${describeRevision(move)}: the latest ACTIVE revision ${latest.definition.revision} is not its copy on ${move.target.roleArn}`,
      ];
    for (const f of move.followers) {
      const now = await readFollower(ctx.clients, f);
      if (now && namesRevision(now.jobDefinition, ref(old.definition)))
        problems.push(`${describeFollower(f)} still submits jobs with ${move.jobDefinitionName}:${move.revision}`);
    }
    return problems;
  },

  async showsMoved(ctx, move) {
    const { old, latest } = await liveState(ctx, move);
    return old && latest && isCopyOf(latest.definition, old.definition, move.roleFields, move.target.roleArn)
      ? `${describeRevision(latest.definition)} runs jobs as ${move.target.roleArn}`
      : undefined;
  },
  async withoutMovedBack(ctx, found, moves) {
    // Undo deregisters this plan's copies only while one of them is the latest ACTIVE revision (else it stops on drift):
    // those revisions, and what names them, leave the new role; a revision someone else registered on it keeps it in use.
    const leaving: RevisionRef[] = [];
    for (const move of moves) {
      const { latest, ours } = await liveState(ctx, move);
      if (latest && ours.includes(latest)) leaving.push(...ours.map((d) => ref(d.definition)));
    }
    const gone = new Set(leaving.map((r) => r.arn));
    return {
      latest: found.latest.filter((d) => !gone.has(d.definition.jobDefinitionArn)),
      older: found.older,
      followers: found.followers.filter((f) => !leaving.some((r) => namesRevision(f.jobDefinition, r))),
    };
  },

  label: (move) => `Batch ${move.jobDefinitionName}`,
  describeMove: (move) => [
    code(`${move.jobDefinitionName}:${move.revision}`),
    `AWS Batch job definition (a new revision, from the next job submitted${move.followers.length > 0 ? `; ${move.followers.length} rule target(s)/schedule(s) follow it` : ''})`,
    code(lastSegment(move.current.roleArn)),
    code(lastSegment(move.target.roleArn)),
  ],
  checklist(move, target) {
    const t = target.role(move.target.roleArn);
    // Terraform holds each property block as JSON (camelCase inside jsonencode); CloudFormation spells every segment in PascalCase.
    const lines = move.roleFields.map((path) => {
      const [top = path, ...inner] = path.split('.');
      if (target.format === 'terraform') {
        const value = t ? `aws_iam_role.${t.tf}.arn` : `"${move.target.roleArn}"`;
        return `  - \`${inner.join('.')} = ${value}\` in \`${top.replace(/([A-Z])/g, '_$1').toLowerCase()} = jsonencode({…})\` of the \`aws_batch_job_definition\``;
      }
      const cfnPath = path.replace(/(^|\.)([a-z])/g, (_m, dot: string, c: string) => `${dot}${c.toUpperCase()}`);
      return `  - \`${cfnPath}: ${t ? `!GetAtt ${t.cfnRole}.Arn` : move.target.roleArn}\` on the \`AWS::Batch::JobDefinition\``;
    });
    return [`- [ ] job definition \`${move.jobDefinitionName}\`: role → \`${move.target.roleArn}\``, ...lines];
  },
};
