/**
 * What one workload kind contributes, as one value its folder exports
 * (src/workloads/<kind>/index.ts) and the registry lists. Lower layers never
 * import a kind: the registry hands them this data (session shapes to
 * attribution, baselines to narrowing, follow-up kinds and move variants to
 * the plan schema, error codes and IAM actions to their checks).
 */
import type { z } from 'zod';
import type { KindErrorCode } from '../core/errors.js';
import type { SessionShape } from '../evidence/types.js';
import type { Baseline } from '../policy/baselines.js';
import type { WorkloadAdapter } from './adapter.js';

/** The IAM actions a kind's calls need, by the docs/iam policy that must grant them. */
export interface KindIamActions {
  /** Discovery (plan, and apply's retire re-check): docs/iam/plan.json and apply.json. */
  discover: readonly string[];
  /** Repoint, undo, drift and verify (apply, rollback): docs/iam/apply.json. */
  apply: readonly string[];
}

/** One workload kind: its adapter, plan-file variant, and the data other layers take from it. */
export interface WorkloadKindModule {
  /** The plan-file variant of a move of this kind (a zod object with a literal `kind`). */
  schema: z.ZodObject;
  adapter: WorkloadAdapter<{ kind: string; service: string }, unknown, unknown>;
  /** The follow-up kinds this kind reports (a plan's followUps[].kind). */
  followUpKinds: readonly string[];
  /** The shapes this kind's service gives role session names, when they have one ("i-…" for EC2). */
  sessionShapes: readonly SessionShape[];
  /** What this kind's runtime needs from its role whether or not the evidence saw it. */
  baselines: readonly Baseline[];
  /** The error codes this kind's repoint and waits throw, with what each means. */
  errorCodes: Readonly<Record<string, string>>;
  iamActions: KindIamActions;
}

/** Declares a kind's module, keeping its exact types for the registry. */
export function defineKind<M extends WorkloadKindModule>(module: M): M {
  return module;
}

/** An error code of a kind, as the kind's adapter throws it. */
export type { KindErrorCode };
