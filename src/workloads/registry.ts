/**
 * The one list of workload kinds. Everything that handles workloads (the
 * inventory, planning, apply's repoint / drift / verify / retire checks, the
 * Markdown review, the export checklist, the prompts) iterates this list or
 * dispatches on a move's kind through it, and the layers below get each
 * kind's data from here (session shapes, baselines, follow-up kinds, error
 * codes, IAM actions). Adding a kind: its folder, and one line in KINDS.
 */
import type { Baseline } from '../policy/baselines.js';
import type { SessionShape } from '../evidence/types.js';
import type { WorkloadAdapter } from './adapter.js';
import { apiGatewayHttp } from './apigateway-http/index.js';
import { apiGatewayRest } from './apigateway-rest/index.js';
import { batchJobDefinition } from './batch-job-definition/index.js';
import { codeBuildProject } from './codebuild-project/index.js';
import { ec2Instance } from './ec2-instance/index.js';
import { ecsService } from './ecs-service/index.js';
import { eventTarget } from './event-target/index.js';
import { firehoseStream } from './firehose-stream/index.js';
import { lambdaFunction } from './lambda-function/index.js';
import { pipeline } from './pipeline/index.js';
import { schedule } from './schedule/index.js';
import { stateMachine } from './state-machine/index.js';
import type { KindIamActions } from './kind.js';

/** Every kind, in the order plans list workloads and follow-ups. */
export const KINDS = [
  ec2Instance,
  lambdaFunction,
  ecsService,
  codeBuildProject,
  stateMachine,
  pipeline,
  eventTarget,
  schedule,
  apiGatewayRest,
  apiGatewayHttp,
  batchJobDefinition,
  firehoseStream,
] as const;

type Kind = (typeof KINDS)[number];
type Registered = Kind['adapter'];

/** The move variants' zod schemas, in registry order (the plan schema's workload union). */
export const MOVE_SCHEMAS = KINDS.map((k) => k.schema) as [Kind['schema'], ...Array<Kind['schema']>];

/** Every adapter, keyed by the kind of move it owns. */
export const WORKLOAD_ADAPTERS = Object.fromEntries(KINDS.map((k) => [k.adapter.kind, k.adapter])) as {
  [A in Registered as A['kind']]: A;
};

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
export type AnyWorkloadAdapter = WorkloadAdapter<import('./moves.js').PlannedWorkload, unknown, unknown>;

/** The adapters, in registry order. */
export function workloadAdapters(): readonly AnyWorkloadAdapter[] {
  return KINDS.map((k) => k.adapter as AnyWorkloadAdapter);
}

/** The adapter that owns a move. */
export function adapterFor(move: { kind: string }): AnyWorkloadAdapter {
  const adapter = (WORKLOAD_ADAPTERS as Record<string, AnyWorkloadAdapter | undefined>)[move.kind];
  if (!adapter) throw new Error(`no workload adapter for kind ${move.kind}`);
  return adapter;
}

/** The shapes every kind's service gives role session names (attribution's guesses). */
export const SESSION_SHAPES: readonly SessionShape[] = KINDS.flatMap((k): readonly SessionShape[] => k.sessionShapes);

/** Every kind's baselines, in registry order. */
export const KIND_BASELINES: readonly Baseline[] = KINDS.flatMap((k): readonly Baseline[] => k.baselines);

/** The follow-up kinds the workload kinds report. */
export const KIND_FOLLOW_UPS: readonly string[] = KINDS.flatMap((k): readonly string[] => k.followUpKinds);

/** Every kind's error codes with what each means. */
export const KIND_ERROR_CODES: Readonly<Record<string, string>> = Object.fromEntries(KINDS.flatMap((k) => Object.entries(k.errorCodes)));

/** The IAM actions of every kind, keyed by plan-file kind. */
export const KIND_IAM_ACTIONS: Readonly<Record<string, KindIamActions>> = Object.fromEntries(
  KINDS.map((k) => [k.adapter.kind, k.iamActions]),
);
