/**
 * How apply moves a Batch job definition and back: the reads both need (the
 * moved revision by ARN, the name's latest ACTIVE revision, the copies made),
 * the checks done before any write, and the writes themselves.
 */
import { SplitRoleError } from '../../core/errors.js';
import type { ApplyContext, WorkloadContext } from '../adapter.js';
import { driftError } from '../helpers.js';
import { BATCH_NOT_CARRIED } from './errors.js';
import { describeFollower, namesRevision, readFollower, repointFollower, type RevisionRef } from './followers.js';
import { batchPorts, type JobDefinitionDetail, type JobDefinitionRead } from './port.js';
import { carryOver, isCopyOf, roleAt } from './roles.js';
import type { BatchJobDefinitionMove } from './schema.js';

/** "job definition nightly:3". */
export function describeRevision(d: { jobDefinitionName: string; revision: number }): string {
  return `AWS Batch job definition ${d.jobDefinitionName}:${d.revision}`;
}

/** A revision as followers name it. */
export function ref(d: JobDefinitionDetail): RevisionRef {
  return { name: d.jobDefinitionName, revision: d.revision, arn: d.jobDefinitionArn };
}

/** The stop for a revision or follower that cannot be copied whole. */
export function notCarried(what: string, fields: readonly string[], api: string): SplitRoleError {
  return new SplitRoleError(
    BATCH_NOT_CARRIED,
    `${what} has ${fields.join(', ')}, which ${api} through this split-role's AWS SDK cannot carry over`,
    'move this job definition by hand (a new revision with every field and the new role, then what names the old revision), or use a split-role release with a newer AWS SDK',
  );
}

/** The latest ACTIVE revision of each name. */
export function latestByName(definitions: readonly JobDefinitionRead[]): Map<string, JobDefinitionRead> {
  const latest = new Map<string, JobDefinitionRead>();
  for (const d of definitions) {
    const known = latest.get(d.definition.jobDefinitionName);
    if (!known || d.definition.revision > known.definition.revision) latest.set(d.definition.jobDefinitionName, d);
  }
  return latest;
}

/** The moved revision as it is now (by ARN, whatever its status) and the name's latest ACTIVE revision; problems when either is gone. */
export async function liveState(
  ctx: WorkloadContext,
  move: BatchJobDefinitionMove,
): Promise<{ old?: JobDefinitionRead; latest?: JobDefinitionRead; ours: JobDefinitionRead[]; problems: string[] }> {
  const batch = await ctx.clients.port(batchPorts);
  const old = await batch.getRevision(move.revisionArn);
  if (!old) return { ours: [], problems: [`${describeRevision(move)} no longer exists`] };
  const active = await batch.activeRevisions(move.jobDefinitionName);
  const latest = latestByName(active).get(move.jobDefinitionName);
  if (!latest) return { old, ours: [], problems: [`${move.jobDefinitionName} has no ACTIVE revision`] };
  const ours = active.filter(
    (d) => d.definition.revision > move.revision && isCopyOf(d.definition, old.definition, move.roleFields, move.target.roleArn),
  );
  return { old, latest, ours, problems: [] };
}

/** The followers of the plan that are gone or name another revision (drift), and those that could not be written back whole. */
export async function followerProblems(
  ctx: WorkloadContext,
  move: BatchJobDefinitionMove,
  old: RevisionRef,
  also?: RevisionRef,
): Promise<{ drift: string[]; notCarried: string[] }> {
  const drift: string[] = [];
  const fields: string[] = [];
  for (const f of move.followers) {
    const now = await readFollower(ctx.clients, f);
    if (!now) drift.push(`${describeFollower(f)} no longer exists`);
    else if (!namesRevision(now.jobDefinition, old) && !(also && namesRevision(now.jobDefinition, also)))
      drift.push(`${describeFollower(f)} submits jobs with ${now.jobDefinition ?? 'no job definition'}, plan says ${f.jobDefinition}`);
    else if (now.notCarried.length > 0)
      fields.push(
        `${describeFollower(f)} has ${now.notCarried.join(', ')}, which its whole-replace write through this SDK cannot carry over`,
      );
  }
  return { drift, notCarried: fields };
}

/** Registers the copy on the new role (unless a run already did) and points the followers at it; returns its ARN. */
export async function moveForward(ctx: ApplyContext, move: BatchJobDefinitionMove): Promise<string> {
  const batch = await ctx.clients.port(batchPorts);
  const { old, latest, ours, problems } = await liveState(ctx, move);
  if (!old || !latest) throw driftError(problems.join('; '));
  let copy = ours.find((d) => d === latest)?.definition;
  if (!copy) {
    if (latest.definition.jobDefinitionArn !== move.revisionArn)
      throw driftError(`${describeRevision(move)}: its latest ACTIVE revision is ${latest.definition.revision}, not ${move.revision}`);
    for (const path of move.roleFields) {
      const now = roleAt(old.definition, path);
      if (now !== move.current.roleArn)
        throw driftError(`${describeRevision(move)} has ${path} ${now ?? 'unset'}, not ${move.current.roleArn}`);
    }
    if (old.notCarried.length > 0) throw notCarried(describeRevision(move), old.notCarried, 'RegisterJobDefinition');
  }
  // Every follower is checked before anything is written: bad input leaves nothing half done.
  const blocked = await followerProblems(ctx, move, ref(old.definition), copy && ref(copy));
  if (blocked.drift.length > 0) throw driftError(blocked.drift.join('; '));
  if (blocked.notCarried.length > 0)
    throw new SplitRoleError(BATCH_NOT_CARRIED, blocked.notCarried.join('; '), 'move this job definition and what names it by hand');
  if (!copy) {
    const made = await batch.register(carryOver(old.definition, move.roleFields, move.target.roleArn));
    copy = { ...old.definition, jobDefinitionArn: made.arn, revision: made.revision };
  }
  for (const f of move.followers) await repointFollower(ctx.clients, f, ref(old.definition), ref(copy));
  return copy.jobDefinitionArn;
}

/**
 * Points the followers back and deregisters the copies, so the moved revision
 * is the latest ACTIVE one again. When it was deregistered since (by someone,
 * or by an earlier rollback's crash), a copy of it on the old role takes its place.
 */
export async function moveBack(ctx: ApplyContext, move: BatchJobDefinitionMove): Promise<void> {
  const batch = await ctx.clients.port(batchPorts);
  const { old, latest, ours, problems } = await liveState(ctx, move);
  if (!old) throw driftError(problems.join('; '));
  const active = latest ? await batch.activeRevisions(move.jobDefinitionName) : [];
  let back: JobDefinitionDetail | undefined = old.definition.status === 'ACTIVE' ? old.definition : undefined;
  if (!back) {
    back = active.find(
      (d) => d.definition.revision > move.revision && isCopyOf(d.definition, old.definition, move.roleFields, move.current.roleArn),
    )?.definition;
  }
  if (latest && !ours.includes(latest) && latest.definition.jobDefinitionArn !== back?.jobDefinitionArn)
    throw driftError(
      `${describeRevision(move)}: its latest ACTIVE revision ${latest.definition.revision} is neither the plan's nor its copy`,
    );
  if (ours.length === 0) return;
  if (!back) {
    const made = await batch.register(carryOver(old.definition, move.roleFields, move.current.roleArn));
    back = { ...old.definition, jobDefinitionArn: made.arn, revision: made.revision, status: 'ACTIVE' };
  }
  for (const copy of ours) {
    for (const f of move.followers) await repointFollower(ctx.clients, f, ref(copy.definition), ref(back));
  }
  for (const copy of ours) await batch.deregister(copy.definition.jobDefinitionArn);
}
