/**
 * The plan schema's workload union: each registered kind's plan-file variant
 * (src/workloads/<kind>/schema.ts), in registry order. Reading a plan loads
 * the adapters' modules but no AWS SDK (ports load theirs on first use).
 */
import { z } from 'zod';
import { MOVE_SCHEMAS } from './registry.js';

/** The plan schema's workload union: one variant per registered kind. */
export const plannedWorkloadSchema = z.discriminatedUnion('kind', MOVE_SCHEMAS);

/** One workload move of a plan. */
export type PlannedWorkload = z.infer<typeof plannedWorkloadSchema>;
/** The kinds of workload a plan can move. */
export type WorkloadKind = PlannedWorkload['kind'];
/** The move of one kind. */
export type MoveOf<K extends WorkloadKind> = Extract<PlannedWorkload, { kind: K }>;
