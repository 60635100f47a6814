/**
 * The one list of workload kinds. Everything that handles workloads (the
 * inventory, planning, apply's repoint / drift / verify / retire checks, the
 * Markdown review, the export checklist, the prompts) iterates this list or
 * dispatches on a move's kind through it. Adding a kind: its variant in
 * moves.ts, its adapter file, and one line here.
 */
import type { WorkloadAdapter } from './adapter.js';
import { ec2InstanceAdapter } from './ec2-instance.js';
import { ecsServiceAdapter } from './ecs-service.js';
import { lambdaFunctionAdapter } from './lambda-function.js';
import type { MoveOf, PlannedWorkload, WorkloadKind } from './moves.js';

/**
 * Every adapter, keyed by the kind of move it owns, in the order plans list
 * workloads and follow-ups. The type makes a variant without an adapter, or
 * an adapter for a variant that does not exist, a compile error.
 */
export const WORKLOAD_ADAPTERS = {
  'ec2-instance': ec2InstanceAdapter,
  'lambda-function': lambdaFunctionAdapter,
  'ecs-service': ecsServiceAdapter,
} satisfies { [K in WorkloadKind]: WorkloadAdapter<MoveOf<K>, unknown, unknown> & { kind: K } };

type Registered = (typeof WORKLOAD_ADAPTERS)[WorkloadKind];

/** Every region's index: each adapter's inventory under its id. */
export type AccountIndex = { [A in Registered as A['id']]: ReturnType<A['emptyInventory']> };
/** What is bound to one role: each adapter's findings under its id. */
export type RoleWorkloads = { [A in Registered as A['id']]: ReturnType<A['boundTo']> };
/** Which adapters to read, by id; an adapter left out is not called. */
export type IndexScope = { [A in Registered as A['id']]: boolean };

/**
 * An adapter with its types erased, for code that loops over all of them.
 * Each adapter only ever receives the index part, findings and moves it made,
 * which the registry's keys guarantee.
 */
export type AnyWorkloadAdapter = WorkloadAdapter<PlannedWorkload, unknown, unknown>;

/** The adapters, in registry order. */
export function workloadAdapters(): readonly AnyWorkloadAdapter[] {
  return Object.values(WORKLOAD_ADAPTERS);
}

/** The adapter that owns a move. */
export function adapterFor(move: Pick<PlannedWorkload, 'kind'>): AnyWorkloadAdapter {
  return WORKLOAD_ADAPTERS[move.kind];
}
