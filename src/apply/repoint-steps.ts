/**
 * Stage 2: move each workload to its new role. A workload already on its
 * target counts as done; one on neither its recorded binding nor its target
 * has drifted and stops the run. How each kind moves is its adapter's.
 */
import type { Plan, PlannedWorkload } from '../plan/schema.js';
import type { ApplyContext } from '../workloads/adapter.js';
import { adapterFor } from '../workloads/registry.js';
import type { Step, StepContext } from './step.js';

/** The step id that moves a workload. */
export function repointStepId(workload: PlannedWorkload): string {
  return adapterFor(workload).stepId(workload);
}

/** What a workload adapter gets from a step's context: the plan account's clients in the workload's region. */
export async function applyContext(ctx: StepContext, workload: Pick<PlannedWorkload, 'region'>): Promise<ApplyContext> {
  const clients = (await ctx.account.workloads(workload.region)).workloadPorts();
  return { clients, region: workload.region, io: ctx.io, timings: ctx.timings, planId: ctx.plan.planId };
}

/** One repoint step per workload of the plan. */
export function repointSteps(plan: Plan): Step[] {
  return plan.workloads.map((workload): Step => {
    const adapter = adapterFor(workload);
    const siblings = plan.workloads.filter((other) => other.kind === workload.kind && other.region === workload.region);
    const action = adapter.repoint(workload, siblings);
    return {
      id: adapter.stepId(workload),
      stage: 'repoint',
      title: action.title,
      // When the move finished on AWS's clock (the Date of its last answer): the cutover the gates and verify measure from.
      run: async (ctx) => {
        const data = await action.run(await applyContext(ctx, workload));
        const awsAt = ctx.account.clock?.aws();
        return awsAt ? { ...data, awsAt: awsAt.toISOString() } : data;
      },
      undo: async (ctx) => action.undo(await applyContext(ctx, workload)),
    };
  });
}
