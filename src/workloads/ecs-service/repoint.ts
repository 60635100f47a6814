/**
 * How apply moves an ECS service: it registers a copy of the service's
 * revision with the new role(s), tagged with the plan and the source
 * revision so a resumed run finds its own copy, deploys it and waits until
 * the service is stable; undo deploys the source again and deregisters
 * every copy the plan made.
 */
import type { EcsPort } from '../../aws/ecs.js';
import { errorIs, SplitRoleError } from '../../core/errors.js';
import { visibleControls } from '../../core/escape.js';
import { ECS_DEPLOYMENT_FAILED } from './errors.js';
import { PLAN_TAG } from '../../core/tags.js';
import { waitUntil } from '../../core/waits.js';
import type { ApplyContext, RepointAction } from '../adapter.js';
import { activeRevisions, getServiceState, registerWithRoles, taskDefinitionTags } from './reads.js';
import { driftError } from '../helpers.js';
import type { EcsMove } from './schema.js';

/** The repoint of one ECS service move; `siblings` are the plan's ECS moves in its region. */
export function ecsRepoint(w: EcsMove, siblings: readonly EcsMove[]): RepointAction {
  const cluster = w.clusterArn;
  const service = w.serviceName;
  const source = w.current.taskDefinitionArn;
  return {
    title: `move ECS service ${service} to a revision with the new role`,
    async run(ctx) {
      const planId = ctx.planId;
      const ecs = await ctx.clients.ecs();
      const state = await getServiceState(ecs, cluster, service);
      if (!state) throw driftError(`ECS service ${service} no longer exists`);
      let revision = state.taskDefinition;
      if (revision === source) {
        // Services that run the same revision take turns, so they share one copy of it.
        revision = await oneAtATime(source, async () => {
          // A run killed between RegisterTaskDefinition and UpdateService left our copy registered but
          // unused: reuse it, or every resume would register (and leave ACTIVE) one more revision.
          const copies = await registeredCopies(ecs, source, planId);
          const copy =
            copies[0] ??
            (await registerWithRoles(ecs, source, w.target, [
              { key: PLAN_TAG, value: planId },
              { key: SOURCE_TAG, value: source },
            ]));
          await ecs.updateService(cluster, service, copy);
          // RegisterTaskDefinition has no idempotency token: when its answer is lost (5xx, dropped
          // connection) after ECS registered the copy, the SDK's retry registers a second one.
          // Deregister our copies of this revision that no service of the plan runs.
          const running = new Set([copy]);
          for (const other of siblings) {
            if (other.current.taskDefinitionArn !== source) continue;
            const now = await getServiceState(ecs, other.clusterArn, other.serviceName);
            if (now) running.add(now.taskDefinition);
          }
          for (const extra of await registeredCopies(ecs, source, planId)) {
            if (!running.has(extra)) await ecs.deregisterTaskDefinition(extra);
          }
          return copy;
        });
      } else if (!(await isOurs(ecs, revision, planId))) {
        throw driftError(`ECS service ${service} runs ${revision}, not ${w.current.taskDefinitionArn}`);
      }
      await waitForStable(ctx, cluster, service);
      return { taskDefinitionArn: revision, replaced: w.current.taskDefinitionArn };
    },
    async undo(ctx) {
      const planId = ctx.planId;
      const ecs = await ctx.clients.ecs();
      const state = await getServiceState(ecs, cluster, service);
      if (!state) ctx.io.warn('SR_APPLY_W4004', `ECS service ${service} no longer exists; nothing to point back`, { service });
      else if (state.taskDefinition !== w.current.taskDefinitionArn) {
        if (await isOurs(ecs, state.taskDefinition, planId)) {
          await ecs.updateService(cluster, service, w.current.taskDefinitionArn);
          await waitForStable(ctx, cluster, service);
        } else {
          ctx.io.warn(
            'SR_APPLY_W4004',
            `ECS service ${service} now runs ${state.taskDefinition}, which this plan did not make; left as it is`,
            {
              service,
              taskDefinition: state.taskDefinition,
            },
          );
        }
      }
      // Every revision this plan registered, including one a crash left unrecorded.
      const family = w.current.taskDefinitionArn.split('/').pop()?.replace(/:\d+$/, '') ?? '';
      for (const arn of await activeRevisions(ecs, family)) {
        if (arn !== w.current.taskDefinitionArn && (await isOurs(ecs, arn, planId))) await ecs.deregisterTaskDefinition(arn);
      }
    },
  };
}

/** Tags the copies apply registers with the revision they copy, so a resumed run can find its own copy. */
const SOURCE_TAG = 'split-role:source-task-definition';

/** This plan's copies of `sourceArn` that are ACTIVE, newest first (an earlier, interrupted run may have left one). */
async function registeredCopies(ecs: EcsPort, sourceArn: string, planId: string): Promise<string[]> {
  const [family, sourceRevision] = familyAndRevision(sourceArn);
  // Copies are registered after their source, so only later revisions of the family need a look.
  const later = (await activeRevisions(ecs, family)).filter((arn) => familyAndRevision(arn)[1] > sourceRevision);
  const copies: string[] = [];
  for (const arn of later.sort((a, b) => familyAndRevision(b)[1] - familyAndRevision(a)[1])) {
    const tags = await taskDefinitionTags(ecs, arn);
    if (tags.some((t) => t.key === PLAN_TAG && t.value === planId) && tags.some((t) => t.key === SOURCE_TAG && t.value === sourceArn))
      copies.push(arn);
  }
  return copies;
}

const turns = new Map<string, Promise<unknown>>();

/** Runs `task` after every earlier task with the same key has settled (within this process). */
function oneAtATime<T>(key: string, task: () => Promise<T>): Promise<T> {
  const next = (turns.get(key) ?? Promise.resolve()).catch(() => undefined).then(task);
  turns.set(key, next);
  return next;
}

function familyAndRevision(arn: string): [string, number] {
  const last = arn.split('/').pop() ?? '';
  const match = /^(.*):(\d+)$/.exec(last);
  return match ? [match[1] as string, Number(match[2])] : [last, 0];
}

/** True when the revision carries this plan's tag: apply registered it. */
export async function isOurs(ecs: EcsPort, arn: string, planId: string): Promise<boolean> {
  return (await taskDefinitionTags(ecs, arn)).some((t) => t.key === PLAN_TAG && t.value === planId);
}

/**
 * Waits until the service has one deployment with every desired task running,
 * or its deployment fails. Tasks that cannot assume a brand-new role ("ECS was
 * unable to assume the role …") are ECS retrying while IAM catches up, so the
 * wait goes on; if it ends in a failed deployment or at the deadline, the
 * service's latest such event says why.
 */
async function waitForStable(ctx: ApplyContext, cluster: string, service: string): Promise<void> {
  const ecs = await ctx.clients.ecs();
  let problem: string | undefined;
  const why = () => (problem ? `; its latest event: ${visibleControls(problem)}` : '');
  try {
    await waitUntil(ctx.timings, `ECS service ${service} to become stable`, async () => {
      const state = await getServiceState(ecs, cluster, service);
      if (!state) throw driftError(`ECS service ${service} disappeared`);
      problem = state.launchProblem ?? problem;
      if (state.rolloutFailed)
        throw new SplitRoleError(ECS_DEPLOYMENT_FAILED, `ECS service ${service}: the deployment failed (circuit breaker)${why()}`);
      return state.deployments === 1 && state.runningCount === state.desiredCount;
    });
  } catch (error) {
    if (problem && errorIs.WaitTimeout(error)) throw new SplitRoleError('WaitTimeout', `${error.message}${why()}`, error.hint);
    throw error;
  }
}
