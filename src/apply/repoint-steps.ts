/**
 * Stage 2: move each workload to its new role. A workload already on its
 * target counts as done; one on neither its recorded binding nor its target
 * has drifted and stops the run.
 */
import { instanceAssociation, replaceInstanceProfile } from '../aws/ec2.js';
import { activeRevisions, deregisterTaskDefinition, getServiceState, registerWithRoles, setServiceTaskDefinition, taskDefinitionTags } from '../aws/ecs.js';
import { getFunctionState, setFunctionRole } from '../aws/lambda.js';
import { SplitRoleError } from '../core/errors.js';
import type { Plan, PlannedWorkload } from '../plan/schema.js';
import { PLAN_TAG, type Step, type StepContext } from './step.js';
import { retryWhileNotYetUsable, waitUntil } from './waits.js';

type Ec2Move = Extract<PlannedWorkload, { kind: 'ec2-instance' }>;
type LambdaMove = Extract<PlannedWorkload, { kind: 'lambda-function' }>;
type EcsMove = Extract<PlannedWorkload, { kind: 'ecs-service' }>;

/** The step id that moves a workload. */
export function repointStepId(workload: PlannedWorkload): string {
  switch (workload.kind) {
    case 'ec2-instance':
      return `repoint-ec2:${workload.instanceId}`;
    case 'lambda-function':
      return `repoint-lambda:${workload.functionName}`;
    case 'ecs-service':
      return `repoint-ecs:${workload.serviceArn}`;
  }
}

/** One repoint step per workload of the plan. */
export function repointSteps(plan: Plan): Step[] {
  return plan.workloads.map((workload): Step => {
    const id = repointStepId(workload);
    switch (workload.kind) {
      case 'ec2-instance':
        return { id, stage: 'repoint', title: `move EC2 instance ${workload.instanceId} to ${workload.target.instanceProfileName}`, ...ec2Move(workload) };
      case 'lambda-function':
        return { id, stage: 'repoint', title: `move Lambda ${workload.functionName} to ${roleName(workload.target.roleArn)}`, ...lambdaMove(workload) };
      case 'ecs-service':
        return { id, stage: 'repoint', title: `move ECS service ${workload.serviceName} to a revision with the new role`, ...ecsMove(workload, plan) };
    }
  });
}

function ec2Move(w: Ec2Move): Pick<Step, 'run' | 'undo'> {
  const pointTo = async (ctx: StepContext, profileArn: string, expectFrom: string | undefined) => {
    const ec2 = await ctx.ec2();
    const current = await instanceAssociation(ec2, w.instanceId);
    if (!current) throw drift(`EC2 instance ${w.instanceId} has no instance profile`);
    if (current.instanceProfileArn === profileArn) return current.associationId;
    if (expectFrom && current.instanceProfileArn !== expectFrom) {
      throw drift(`EC2 instance ${w.instanceId} uses ${current.instanceProfileArn}, not ${expectFrom}`);
    }
    let associationId: string;
    try {
      associationId = await retryWhileNotYetUsable(ctx.timings, () => replaceInstanceProfile(ec2, current.associationId, profileArn));
    } catch (error) {
      // A replace EC2 applied but whose answer was lost: the SDK's retry names the old association,
      // which no longer exists. If the instance is on the target profile, the step is done.
      const now = await instanceAssociation(ec2, w.instanceId);
      if (now?.instanceProfileArn !== profileArn) throw error;
      associationId = now.associationId;
    }
    await waitUntil(ctx.timings, `instance ${w.instanceId} to be associated with ${profileArn}`, async () => {
      const now = await instanceAssociation(ec2, w.instanceId);
      return now?.instanceProfileArn === profileArn && now.state === 'associated';
    });
    return associationId;
  };
  return {
    async run(ctx) {
      return { associationId: await pointTo(ctx, w.target.instanceProfileArn, w.current.instanceProfileArn), replaced: w.current.instanceProfileArn };
    },
    async undo(ctx) {
      await leaveIfMovedElsewhere(ctx, `EC2 instance ${w.instanceId}`, () => pointTo(ctx, w.current.instanceProfileArn, w.target.instanceProfileArn));
    },
  };
}

function lambdaMove(w: LambdaMove): Pick<Step, 'run' | 'undo'> {
  const pointTo = async (ctx: StepContext, roleArn: string, expectFrom: string | undefined) => {
    const lambda = await ctx.lambda();
    const state = await getFunctionState(lambda, w.functionName);
    if (state.role !== roleArn) {
      if (expectFrom && state.role !== expectFrom) throw drift(`Lambda ${w.functionName} runs as ${state.role}, not ${expectFrom}`);
      await waitForUpdate(ctx, w.functionName);
      await retryWhileNotYetUsable(ctx.timings, () => setFunctionRole(lambda, w.functionName, roleArn));
    }
    await waitForUpdate(ctx, w.functionName);
  };
  return {
    async run(ctx) {
      await pointTo(ctx, w.target.roleArn, w.current.roleArn);
      return { replaced: w.current.roleArn };
    },
    async undo(ctx) {
      await leaveIfMovedElsewhere(ctx, `Lambda ${w.functionName}`, () => pointTo(ctx, w.current.roleArn, w.target.roleArn));
    },
  };
}

/** Waits for a function's last update to finish; a failed update is an error. */
async function waitForUpdate(ctx: StepContext, functionName: string): Promise<void> {
  const lambda = await ctx.lambda();
  await waitUntil(ctx.timings, `Lambda ${functionName} to finish updating`, async () => {
    const state = await getFunctionState(lambda, functionName);
    if (state.lastUpdateStatus === 'Failed') {
      throw new SplitRoleError('LambdaUpdateFailed', `Lambda ${functionName} update failed: ${state.lastUpdateStatusReason ?? 'no reason given'}`);
    }
    return state.lastUpdateStatus === undefined || state.lastUpdateStatus === 'Successful';
  });
}

function ecsMove(w: EcsMove, plan: Plan): Pick<Step, 'run' | 'undo'> {
  const cluster = w.clusterArn;
  const service = w.serviceName;
  const planId = plan.planId;
  const source = w.current.taskDefinitionArn;
  return {
    async run(ctx) {
      const ecs = await ctx.ecs();
      const state = await getServiceState(ecs, cluster, service);
      if (!state) throw drift(`ECS service ${service} no longer exists`);
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
          await setServiceTaskDefinition(ecs, cluster, service, copy);
          // RegisterTaskDefinition has no idempotency token: when its answer is lost (5xx, dropped
          // connection) after ECS registered the copy, the SDK's retry registers a second one.
          // Deregister our copies of this revision that no service of the plan runs.
          const running = new Set([copy]);
          for (const other of plan.workloads) {
            if (other.kind !== 'ecs-service' || other.current.taskDefinitionArn !== source) continue;
            const now = await getServiceState(ecs, other.clusterArn, other.serviceName);
            if (now) running.add(now.taskDefinition);
          }
          for (const extra of await registeredCopies(ecs, source, planId)) {
            if (!running.has(extra)) await deregisterTaskDefinition(ecs, extra);
          }
          return copy;
        });
      } else if (!(await isOurs(ecs, revision, planId))) {
        throw drift(`ECS service ${service} runs ${revision}, not ${w.current.taskDefinitionArn}`);
      }
      await waitForStable(ctx, cluster, service);
      return { taskDefinitionArn: revision, replaced: w.current.taskDefinitionArn };
    },
    async undo(ctx) {
      const ecs = await ctx.ecs();
      const state = await getServiceState(ecs, cluster, service);
      if (!state) ctx.io.notify('warn', `ECS service ${service} no longer exists; nothing to point back`);
      else if (state.taskDefinition !== w.current.taskDefinitionArn) {
        if (await isOurs(ecs, state.taskDefinition, planId)) {
          await setServiceTaskDefinition(ecs, cluster, service, w.current.taskDefinitionArn);
          await waitForStable(ctx, cluster, service);
        } else {
          ctx.io.notify('warn', `ECS service ${service} now runs ${state.taskDefinition}, which this plan did not make; left as it is`);
        }
      }
      // Every revision this plan registered, including one a crash left unrecorded.
      const family = w.current.taskDefinitionArn.split('/').pop()?.replace(/:\d+$/, '') ?? '';
      for (const arn of await activeRevisions(ecs, family)) {
        if (arn !== w.current.taskDefinitionArn && (await isOurs(ecs, arn, planId))) await deregisterTaskDefinition(ecs, arn);
      }
    },
  };
}

/** Tags the copies apply registers with the revision they copy, so a resumed run can find its own copy. */
const SOURCE_TAG = 'split-role:source-task-definition';

/** This plan's copies of `sourceArn` that are ACTIVE, newest first (an earlier, interrupted run may have left one). */
async function registeredCopies(ecs: Parameters<typeof taskDefinitionTags>[0], sourceArn: string, planId: string): Promise<string[]> {
  const [family, sourceRevision] = familyAndRevision(sourceArn);
  // Copies are registered after their source, so only later revisions of the family need a look.
  const later = (await activeRevisions(ecs, family)).filter((arn) => familyAndRevision(arn)[1] > sourceRevision);
  const copies: string[] = [];
  for (const arn of later.sort((a, b) => familyAndRevision(b)[1] - familyAndRevision(a)[1])) {
    const tags = await taskDefinitionTags(ecs, arn);
    if (tags.some((t) => t.key === PLAN_TAG && t.value === planId) && tags.some((t) => t.key === SOURCE_TAG && t.value === sourceArn)) copies.push(arn);
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

async function isOurs(ecs: Parameters<typeof taskDefinitionTags>[0], arn: string, planId: string): Promise<boolean> {
  return (await taskDefinitionTags(ecs, arn)).some((t) => t.key === PLAN_TAG && t.value === planId);
}

/** Waits until the service has one deployment with every desired task running. */
export async function waitForStable(ctx: StepContext, cluster: string, service: string): Promise<void> {
  const ecs = await ctx.ecs();
  await waitUntil(ctx.timings, `ECS service ${service} to become stable`, async () => {
    const state = await getServiceState(ecs, cluster, service);
    if (!state) throw drift(`ECS service ${service} disappeared`);
    if (state.rolloutFailed) throw new SplitRoleError('EcsDeploymentFailed', `ECS service ${service}: the deployment failed (circuit breaker)`);
    return state.deployments === 1 && state.runningCount === state.desiredCount;
  });
}

/**
 * Rollback points a workload back only from where apply put it: one that was
 * moved elsewhere since, or deleted, is someone else's change and is left alone.
 */
async function leaveIfMovedElsewhere(ctx: StepContext, what: string, revert: () => Promise<unknown>): Promise<void> {
  try {
    await revert();
  } catch (error) {
    const code = (error as SplitRoleError).code;
    if (code !== 'Drift' && code !== 'ResourceNotFoundException' && code !== 'InvalidInstanceID.NotFound') throw error;
    ctx.io.notify('warn', `${what} was not pointed back: ${(error as Error).message}`);
  }
}

function drift(message: string): SplitRoleError {
  return new SplitRoleError('Drift', message, 'the account changed since the plan was made: re-plan');
}

function roleName(arn: string): string {
  return arn.split('/').pop() ?? arn;
}
