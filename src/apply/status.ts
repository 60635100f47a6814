/** `status`: where a plan's apply or rollback stands, from its journal alone (no AWS calls). */
import { readPlan } from '../plan/plan-file.js';
import { assertStageMarkers } from './journal-check.js';
import { Journal, journalPathFor, type StepStatus } from './journal.js';
import { describeOpen, openManualFollowUps } from './manual-follow-ups.js';
import { runSteps } from './operation.js';
import { adoptsRoles } from './adopt-steps.js';
import { cutoverTime } from './gates.js';
import { repointSteps } from './repoint-steps.js';
import { recreatedWarning, RETIRE_ROLE_STEP } from './retire-steps.js';
import type { Stage } from './step.js';

/** One row of the status table. */
export interface StepRow {
  stage: Stage;
  step: string;
  title: string;
  status: StepStatus;
  at?: string;
  error?: string;
}

/** The status of every step, and how the last run ended. */
export interface PlanStatus {
  planId: string;
  roleName: string;
  lastRun?: { command: string; outcome?: string; at: string };
  /** Manual follow-ups retire waits for (`id: what to do`), while the shared role is not yet retired. */
  waitingFor: string[];
  /** When the last repoint finished: the soak counts from here. */
  cutoverAt?: string;
  /** The retire gate's line from the last apply that stopped at it. */
  retireGate?: string;
  /** Each apply --allow-iac-drift: when, and which IaC-owned resources it changed live (`name: owner`). */
  iacDriftAllowed: Array<{ at: string; owned: string[] }>;
  /** True once apply ran with --adopt-roles: the code made the roles, apply moved only unmanaged workloads. */
  adoptedRoles: boolean;
  steps: StepRow[];
  /** Set once rollback has recreated the shared role: it has a new unique id, and policies that named the old one must be saved again. */
  recreated?: string;
}

/** Reads the plan and its journal. */
export async function planStatus(planPath: string): Promise<PlanStatus> {
  const plan = await readPlan(planPath);
  const journal = Journal.open(journalPathFor(planPath), plan.planId);
  assertStageMarkers(journal, runSteps(plan, journal));
  const lastEnd = [...journal.entries].reverse().find((e) => e.event === 'run-end' || e.event === 'run-start');
  const steps = runSteps(plan, journal);
  // An apply that completed with the retire stage untouched stopped for a soak (--keep-shared-role): it is not finished.
  const retirePending =
    steps.some((s) => s.stage === 'retire') && steps.filter((s) => s.stage === 'retire').every((s) => journal.status(s.id) === 'pending');
  const outcome = (entry: NonNullable<typeof lastEnd>) =>
    entry.event === 'run-start'
      ? 'interrupted or running'
      : entry.command === 'apply' && entry.outcome === 'completed' && retirePending
        ? 'retire pending'
        : entry.outcome;
  const retireDone =
    steps.some((s) => s.stage === 'retire') && steps.filter((s) => s.stage === 'retire').every((s) => journal.status(s.id) === 'done');
  const cutoverAt = cutoverTime(
    journal,
    repointSteps(plan).map((s) => s.id),
  )?.toISOString();
  const gate = lastEnd?.outcome === 'retire-pending' && typeof lastEnd.data?.gate === 'string' ? lastEnd.data.gate : undefined;
  return {
    planId: plan.planId,
    roleName: plan.sharedRole.roleName,
    waitingFor: retireDone || !plan.retireSharedRole ? [] : describeOpen(openManualFollowUps(plan, journal)),
    ...(lastEnd ? { lastRun: { command: lastEnd.command ?? '', outcome: outcome(lastEnd), at: lastEnd.at } } : {}),
    ...(cutoverAt ? { cutoverAt } : {}),
    ...(gate ? { retireGate: gate } : {}),
    iacDriftAllowed: journal.entries
      .filter((e) => e.event === 'iac-drift-allowed')
      .map((e) => ({ at: e.at, owned: overrideLines(e.data) })),
    adoptedRoles: adoptsRoles(journal),
    // Said on every status, not only by the rollback that recreated it: the policies stay wrong until someone saves them.
    ...(journal.status(RETIRE_ROLE_STEP) === 'undone' ? { recreated: recreatedWarning(plan).message } : {}),
    steps: steps.map((step) => {
      const failure = [...journal.entries]
        .reverse()
        .find((e) => e.step === step.id && (e.event === 'step-failed' || e.event === 'undo-failed'));
      const status = journal.status(step.id);
      const at = journal.lastAt(step.id);
      return {
        stage: step.stage,
        step: step.id,
        title: step.title,
        status,
        ...(at ? { at } : {}),
        ...(status.endsWith('failed') && failure?.error ? { error: failure.error } : {}),
      };
    }),
  };
}

/** The `name: owner` lines of an override's journal record. */
function overrideLines(data: Record<string, unknown> | undefined): string[] {
  const owned = Array.isArray(data?.owned) ? (data.owned as unknown[]) : [];
  return owned.map((o) => {
    const r = (o ?? {}) as { name?: unknown; owner?: unknown };
    return `${String(r.name)}: ${String(r.owner)}`;
  });
}
