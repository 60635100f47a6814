/**
 * What submits jobs with one revision: EventBridge rule targets (a job queue
 * target's BatchParameters.JobDefinition) and EventBridge Scheduler schedules
 * (the universal target batch:submitJob, whose Input names the JobDefinition).
 * One that names a revision (by ARN or name:revision) must follow the move to
 * the new revision; one that names the job definition alone already takes
 * its latest ACTIVE revision. Job queues name no job definition
 * (https://docs.aws.amazon.com/batch/latest/APIReference/API_CreateJobQueue.html):
 * a job picks its revision when submitted.
 *
 * Each follower is read and written through the event-target and schedule
 * kinds' own ports, whole (PutTargets and UpdateSchedule replace it): a field
 * that cannot be carried over stops the move, as those kinds do.
 */
import { canonicalJson } from '../../core/canonical-json.js';
import type { WorkloadClients } from '../adapter.js';
import { eventsPorts } from '../event-target/port.js';
import { carryOver as scheduleCarryOver } from '../schedule/adapter.js';
import { schedulerPorts } from '../schedule/port.js';
import type { BatchFollower } from './schema.js';

/** The Scheduler universal target that submits a Batch job (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html). */
export const SCHEDULER_SUBMIT_JOB = 'arn:aws:scheduler:::aws-sdk:batch:submitJob';

/** A revision as a follower can name it. */
export interface RevisionRef {
  name: string;
  revision: number;
  arn: string;
}

/** True when `ref` names this very revision (its ARN, or name:revision); a bare name follows the latest by itself. */
export function namesRevision(ref: string | undefined, revision: RevisionRef): boolean {
  return ref === revision.arn || ref === `${revision.name}:${revision.revision}`;
}

/** `ref` (which names `from`) rewritten to name `to`, in the same form. */
export function renamed(ref: string, from: RevisionRef, to: RevisionRef): string {
  return ref === from.arn ? to.arn : `${to.name}:${to.revision}`;
}

/** The JobDefinition a schedule's universal-target Input names, or undefined. */
function scheduleJobDefinition(input: string | undefined): string | undefined {
  if (!input) return undefined;
  try {
    const parsed = JSON.parse(input) as { JobDefinition?: unknown };
    return typeof parsed?.JobDefinition === 'string' ? parsed.JobDefinition : undefined;
  } catch {
    return undefined;
  }
}

/** "EventBridge rule nightly (bus default) target batch" / "Scheduler schedule nightly (group default)". */
export function describeFollower(f: BatchFollower): string {
  return f.via === 'event-target'
    ? `EventBridge rule ${f.ruleName} (bus ${f.eventBusName}) target ${f.targetId}`
    : `Scheduler schedule ${f.scheduleName} (group ${f.groupName})`;
}

/** Every rule target and schedule in the region that submits Batch jobs naming a job definition, with what it names. */
export async function listFollowers(clients: WorkloadClients): Promise<BatchFollower[]> {
  const events = await clients.port(eventsPorts);
  const scheduler = await clients.port(schedulerPorts);
  const targets = (await events.listRoleTargets()).flatMap((t): BatchFollower[] => {
    const ref = t.target.BatchParameters?.JobDefinition;
    return ref
      ? [{ via: 'event-target', eventBusName: t.eventBusName, ruleName: t.ruleName, targetId: t.target.Id, jobDefinition: ref }]
      : [];
  });
  const schedules = (await scheduler.listSchedules()).flatMap(({ schedule: s }): BatchFollower[] => {
    const ref = s.Target?.Arn === SCHEDULER_SUBMIT_JOB ? scheduleJobDefinition(s.Target.Input) : undefined;
    return ref ? [{ via: 'schedule', groupName: s.GroupName, scheduleName: s.Name, jobDefinition: ref }] : [];
  });
  return [...targets, ...schedules];
}

/** A follower as it is now: what it names, and the fields its whole-replace write could not carry (undefined when it is gone). */
export async function readFollower(
  clients: WorkloadClients,
  f: BatchFollower,
): Promise<{ jobDefinition: string | undefined; notCarried: string[] } | undefined> {
  if (f.via === 'event-target') {
    const now = await (await clients.port(eventsPorts)).getTarget(f.eventBusName, f.ruleName, f.targetId);
    return now ? { jobDefinition: now.target.BatchParameters?.JobDefinition, notCarried: now.notCarried } : undefined;
  }
  const now = await (await clients.port(schedulerPorts)).getSchedule(f.groupName, f.scheduleName);
  if (!now) return undefined;
  const target = now.schedule.Target;
  return {
    jobDefinition: target?.Arn === SCHEDULER_SUBMIT_JOB ? scheduleJobDefinition(target.Input) : undefined,
    notCarried: now.notCarried,
  };
}

/**
 * Points a follower that names `from` at `to`, writing it back whole. The
 * schedule's Input keeps its exact text but for the one JSON string changed.
 */
export async function repointFollower(clients: WorkloadClients, f: BatchFollower, from: RevisionRef, to: RevisionRef): Promise<void> {
  if (f.via === 'event-target') {
    const events = await clients.port(eventsPorts);
    const now = await events.getTarget(f.eventBusName, f.ruleName, f.targetId);
    const ref = now?.target.BatchParameters?.JobDefinition;
    if (!now?.target.BatchParameters || !namesRevision(ref, from)) return;
    await events.putTarget(f.eventBusName, f.ruleName, {
      ...now.target,
      BatchParameters: { ...now.target.BatchParameters, JobDefinition: renamed(ref as string, from, to) },
    });
    return;
  }
  const scheduler = await clients.port(schedulerPorts);
  const now = await scheduler.getSchedule(f.groupName, f.scheduleName);
  const input = now?.schedule.Target?.Input;
  const ref = scheduleJobDefinition(input);
  if (!now?.schedule.Target || !input || !ref || !namesRevision(ref, from)) return;
  const to_ = renamed(ref, from, to);
  let next = input.split(JSON.stringify(ref)).join(JSON.stringify(to_));
  // The Input's own text is kept, but for that one string; should it occur elsewhere too, only JobDefinition changes.
  const expected = { ...(JSON.parse(input) as object), JobDefinition: to_ };
  if (canonicalJson(JSON.parse(next)) !== canonicalJson(expected)) next = JSON.stringify(expected);
  const roleArn = now.schedule.Target.RoleArn ?? '';
  const update = scheduleCarryOver({ ...now.schedule, Target: { ...now.schedule.Target, Input: next } }, roleArn);
  await scheduler.updateSchedule(update);
}
