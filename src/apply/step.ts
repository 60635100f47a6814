/** The unit of apply: a named, journaled change with its undo. */
import type { IoHost } from '../core/io-host.js';
import { PLAN_TAG } from '../core/tags.js';
import type { Plan } from '../plan/schema.js';
import type { Journal } from './journal.js';
import type { AccountPorts } from './ports.js';
import type { Timings } from '../core/waits.js';

/** Stages run in this order; rollback walks them backwards. */
export const STAGES = ['create', 'repoint', 'verify', 'retire'] as const;
export type Stage = (typeof STAGES)[number];

/** What every step can use. */
export interface StepContext {
  plan: Plan;
  /** The plan's account, behind narrow ports. */
  account: AccountPorts;
  journal: Journal;
  timings: Timings;
  io: IoHost;
}

/**
 * A change. `run` must be idempotent: when its effect already exists and
 * matches the plan it returns without changing anything. `undo` must tolerate
 * a run that never happened, half happened, or was already undone.
 */
export interface Step {
  id: string;
  stage: Stage;
  title: string;
  /** Returns what the step replaced or made, for the journal and for undo. */
  run(ctx: StepContext): Promise<Record<string, unknown> | undefined>;
  undo?(ctx: StepContext, recorded: Record<string, unknown> | undefined): Promise<void>;
  /** A read-only check that must hold when its stage changes things: a resumed stage runs it again. */
  recheckOnResume?: boolean;
  /**
   * A retire step that leaves the shared role itself as it was, and that rollback undoes (taking the role out of a
   * resource policy): the retire gates are still checked on a resumed run after it has succeeded.
   */
  keepsRoleIntact?: boolean;
}

/** True when IAM-style tags carry this plan's id. */
export function taggedWithPlan(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined, planId: string): boolean {
  return (tags ?? []).some((t) => t.Key === PLAN_TAG && t.Value === planId);
}
