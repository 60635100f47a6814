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

/** What a workload adapter gets from a step's context. */
export function applyContext(ctx: StepContext): ApplyContext {
  return { clients: ctx.session, region: ctx.session.region, io: ctx.io, timings: ctx.timings, planId: ctx.plan.planId };
}

/** One repoint step per workload of the plan. */
export function repointSteps(plan: Plan): Step[] {
  return plan.workloads.map((workload): Step => {
    const adapter = adapterFor(workload);
    const siblings = plan.workloads.filter((other) => other.kind === workload.kind);
    const action = adapter.repoint(workload, siblings);
    return {
      id: adapter.stepId(workload),
      stage: 'repoint',
      title: action.title,
      run: (ctx) => action.run(applyContext(ctx)),
      undo: (ctx) => action.undo(applyContext(ctx)),
    };
  });
}
