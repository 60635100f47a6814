/**
 * Apply and rollback: journaled stage runs shown as a task list (listr2 on a
 * terminal; IoHost messages, one per step event, elsewhere). Re-running
 * resumes: steps the journal shows done are skipped.
 */
import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import { SplitRoleError } from '../core/errors.js';
import { terminalSafe } from '../core/escape.js';
import type { IoHost } from '../core/io-host.js';
import { delay } from '../core/timing.js';
import type { FollowUp, Plan } from '../plan/schema.js';
import { openOperation, planSteps, type AccountSource } from './operation.js';
import { assertJournalExplainsAccount } from './journal-check.js';
import { checkConfirmations, describeOpen, manualFollowUpId, openManualFollowUps, recordConfirmations } from './manual-follow-ups.js';
import { findDrift } from './preflight.js';
import { keptStepIds, rolesStillInUse } from './rollback-guard.js';
import { STAGES, type Stage, type Step, type StepContext } from './step.js';
import { IoTaskRenderer } from './task-messages.js';
import { roleCalls } from '../evidence/role-records.js';
import { planEvidence } from '../evidence/settings.js';
import { cutoverTime, pendingRetire, type RetireGate, type SharedRoleEvidence } from './gates.js';
import { assertClocksAgree } from '../aws/aws-clock.js';
import type { AwsSession } from '../aws/session.js';
import { checkedConfig } from '../evidence/settings.js';
import { usageSource } from '../evidence/sources.js';
import { repointSteps } from './repoint-steps.js';
import { recreatedWarning, RETIRE_ROLE_STEP } from './retire-steps.js';
import { asRollbackError, undoTitle } from './undo-text.js';
import { grantSteps } from './grant-steps.js';
import { guardIacOwned } from './iac-guard.js';
import { adoptMode, adoptSteps, adoptsRoles } from './adopt-steps.js';

/** Options of apply. */
export interface RunOptions {
  /** Stop after Verify, for a soak period. */
  keepSharedRole?: boolean;
  /** The digest the reviewer saw (--expect-digest): any other plan is refused. */
  expectDigest?: string;
  /** Manual follow-ups the operator confirms as done (--confirm-manual ID). */
  confirmManual?: readonly string[];
  /** The soak before retirement, in ms (gate a); 0 skips the wait but not the no-use check. */
  soakMs: number;
  /** The clock the soak is measured on (tests move it). */
  now?: () => Date;
  /** The retire gates to apply; all of them unless a test narrows it. */
  gates?: readonly RetireGate[];
  /** --allow-iac-drift: change IaC-owned resources live anyway (journaled). */
  allowIacDrift?: boolean;
  /** --adopt-roles: use the roles the deployed code created, and move only the unmanaged workloads. */
  adoptRoles?: boolean;
  /** How late CloudTrail may deliver (--delivery-lag): the evidence must reach cutover plus this; default 15 min. */
  deliveryLagMs?: number;
}

/** How a run ended. */
export type RunOutcome = 'completed' | 'verified' | 'retire-waiting' | 'retire-pending' | 'cancelled' | 'nothing-to-do' | 'kept-in-use';

/** The outcome, and for retire-pending the one line saying why or until when. */
export interface ApplyResult {
  outcome: RunOutcome;
  pending?: string;
}

const STAGE_TITLES: Record<Stage, string> = {
  create: 'Create the new roles',
  repoint: 'Move the workloads',
  verify: 'Verify',
  retire: 'Retire the shared role',
};
const REPOINT_CONCURRENCY = 4;

/**
 * Applies a plan (or resumes it), after the person (or --yes) agrees:
 * create → repoint → verify, then retire only when every retire gate holds;
 * otherwise the run ends with `retire-pending` and a later apply resumes.
 * `keepSharedRole` stops after Verify, for a soak period; so does a manual
 * follow-up nobody has confirmed (`confirmManual`, or a yes on a terminal).
 * `account` is the command line's AWS options, or an opener of the plan's
 * account (tests open an in-memory one).
 */
export async function applyPlan(planPath: string, account: AccountSource, io: IoHost, options: RunOptions): Promise<ApplyResult> {
  const operation = await openOperation(planPath, account, io, 'apply', { expectDigest: options.expectDigest });
  const { ctx } = operation;
  try {
    // --adopt-roles (or a journal that shows it was used): the code made the roles; only the unmanaged workloads move here.
    const adopting = adoptMode(ctx.plan, ctx.journal, options.adoptRoles === true);
    const all = adopting ? adoptSteps(ctx.plan) : planSteps(ctx.plan);
    const inPlay = new Set(all.map((s) => s.id));
    checkConfirmations(ctx.plan, options.confirmManual ?? []);
    recordConfirmations(ctx.journal, options.confirmManual ?? []);
    if (options.keepSharedRole && all.some((s) => s.stage === 'retire' && !['pending', 'undone'].includes(ctx.journal.status(s.id)))) {
      throw new SplitRoleError(
        'RetireStarted',
        `the shared role's retirement has already started (see \`split-role status\`); it cannot be kept now`,
        'finish it with `split-role apply PLAN`, or undo everything with `split-role rollback PLAN`',
      );
    }
    const retireLeft = all.some((s) => s.stage === 'retire' && ctx.journal.status(s.id) !== 'done');
    const waiting = !options.keepSharedRole && retireLeft ? await unconfirmedFollowUps(ctx, io) : [];
    const keep = options.keepSharedRole === true || waiting.length > 0;
    const steps = all.filter((s) => !(keep && s.stage === 'retire'));
    const remaining = steps.filter((s) => ctx.journal.status(s.id) !== 'done');
    if (remaining.length === 0) {
      if (waiting.length === 0) return { outcome: 'nothing-to-do' };
      io.info('SR_APPLY_I4006', retireWaits(ctx.plan, waiting), { waiting: waiting.map(manualFollowUpId) });
      return { outcome: 'retire-waiting' };
    }
    // Before any read that could lead to a change: an IaC-owned resource is changed in its code, not here.
    guardIacOwned(ctx, planPath, remaining, options);
    await assertJournalExplainsAccount(ctx, inPlay);
    const drift = await findDrift(ctx, inPlay);
    if (drift.length > 0) {
      throw new SplitRoleError(
        'Drift',
        `the account no longer matches the plan: ${drift.join('; ')}`,
        'nothing was changed; re-run `split-role plan`',
      );
    }
    // The reads above showed AWS's clock: cutover, the soak and the gates' window are measured on it, so a host far off is refused.
    assertClocksAgree(ctx.account.clock, 'apply');
    const cutover = steps.filter((s) => s.stage !== 'retire');
    const retire = steps.filter((s) => s.stage === 'retire');
    // The gates are checked on every run until a retire step that changes the shared role itself has succeeded: a
    // run stopped before it (in the read-only checks, or after taking the role out of resource policies, which
    // rollback puts back) proves nothing about use since then. Once one has, a resumed run finishes retirement.
    const gated = retire.length > 0 && !retire.some((s) => !s.recheckOnResume && !s.keepsRoleIntact && ctx.journal.status(s.id) === 'done');
    if (gated && cutover.every((s) => ctx.journal.status(s.id) === 'done')) {
      const pending = await retireGate(ctx, options);
      if (pending) {
        ctx.journal.append({ event: 'run-end', command: 'apply', outcome: 'retire-pending', data: { gate: pending } });
        return { outcome: 'retire-pending', pending };
      }
    }
    const summary = applySummary(ctx.plan, remaining, steps.length, {
      keepSharedRole: options.keepSharedRole,
      waiting,
      soakMs: options.soakMs,
    });
    if (!(await confirm(io, summary, { command: 'apply', steps: remaining.length }))) return { outcome: 'cancelled' };
    let pending: string | undefined;
    await journaled(ctx, 'apply', async () => {
      if (adopting && !adoptsRoles(ctx.journal))
        ctx.journal.append({ event: 'adopt-roles', data: { roles: ctx.plan.newRoles.map((r) => r.roleName) } });
      await runStages(ctx, cutover, io);
      if (retire.length === 0) return undefined;
      pending = gated ? await retireGate(ctx, options) : undefined;
      if (pending) return { outcome: 'retire-pending', data: { gate: pending } };
      await runStages(ctx, retire, io);
      return undefined;
    });
    if (pending) return { outcome: 'retire-pending', pending };
    return { outcome: retire.length > 0 ? 'completed' : waiting.length > 0 ? 'retire-waiting' : 'verified' };
  } finally {
    operation.close();
  }
}

/**
 * Undoes whatever the journal shows apply did, most recent first, after the
 * person (or --yes) agrees; `expectDigest` refuses any plan but the reviewed one.
 */
export async function rollbackPlan(
  planPath: string,
  account: AccountSource,
  io: IoHost,
  options: { expectDigest?: string } = {},
): Promise<RunOutcome> {
  const operation = await openOperation(planPath, account, io, 'rollback', { expectDigest: options.expectDigest });
  const { ctx } = operation;
  try {
    // Never a partial undo: a journal that lost lines would undo some steps and strand workloads on what it deletes.
    // Adopted roles are the code's (they may carry the plan's tag): only the steps an adopting apply took need explaining.
    await assertJournalExplainsAccount(ctx, adoptsRoles(ctx.journal) ? new Set(adoptSteps(ctx.plan).map((s) => s.id)) : undefined);
    const byId = new Map([...planSteps(ctx.plan), ...grantSteps(ctx.plan)].map((s) => [s.id, s]));
    const undoable = ctx.journal
      .stepsToUndo()
      .map((id) => byId.get(id))
      .filter((s): s is Step => s !== undefined);
    if (undoable.length === 0) return 'nothing-to-do';
    // Nothing this plan created is deleted while something else uses it: those roles, their policies and profiles stay.
    const kept = await rolesStillInUse(ctx, undoable);
    const keptSteps = keptStepIds(ctx, kept);
    const toUndo = undoable.filter((s) => !keptSteps.has(s.id));
    const keptLines = kept.map((k) => `  keep ${k.role.roleName}, still in use: ${k.users.join('; ')}`);
    const summary = [
      `Roll back plan ${ctx.plan.planId} in ${ctx.plan.account} (${ctx.plan.region}): undo ${toUndo.length} step(s), newest first.`,
      ...keptLines,
    ].join('\n');
    if (!(await confirm(io, summary, { command: 'rollback', steps: toUndo.length }))) return 'cancelled';
    await journaled(ctx, 'rollback', async () => {
      const tasks: ListrTask[] = [];
      for (const step of toUndo) {
        // Checks and snapshots changed nothing: they are marked undone, in order, without a line of their own.
        const undo = () =>
          undoStep(ctx, step).catch((error: unknown) => {
            throw terminalSafeError(asRollbackError(error));
          });
        tasks.push(step.undo ? { title: terminalSafe(undoTitle(step, ctx.plan.sharedRole.roleName)), task: undo } : { task: undo });
      }
      await runTaskList(tasks, io);
    });
    // A rollback resumed after the role was recreated did not print the warning this time: it still holds.
    if (!toUndo.some((s) => s.id === RETIRE_ROLE_STEP) && ctx.journal.status(RETIRE_ROLE_STEP) === 'undone') {
      const warning = recreatedWarning(ctx.plan);
      io.warn('SR_APPLY_W4005', warning.message, warning.data);
    }
    for (const k of kept) {
      io.warn('SR_APPLY_W4007', `keep ${k.role.roleName}, still in use: ${k.users.join('; ')}`, { role: k.role.roleName, users: k.users });
    }
    return kept.length > 0 ? 'kept-in-use' : 'completed';
  } finally {
    operation.close();
  }
}

/** Shows what will change and asks; without a terminal only --yes agrees. */
async function confirm(io: IoHost, summary: string, data: { command: 'apply' | 'rollback'; steps: number }): Promise<boolean> {
  io.info('SR_APPLY_I4001', summary, data);
  return io.requestResponse({
    code: 'SR_APPLY_Q4002',
    message: 'Go ahead?',
    data,
    defaultResponse: true,
    question: { type: 'confirm', initial: false },
    needsConsent: 'refusing to change the account without confirmation',
  });
}

/**
 * The retire gates' line for this run, or undefined when retirement may go
 * ahead. `known`: a cutover from elsewhere (a code deploy, code-retire-gate.ts).
 */
export async function retireGate(ctx: StepContext, options: RunOptions, known?: Date): Promise<string | undefined> {
  const cutover =
    known ??
    cutoverTime(
      ctx.journal,
      repointSteps(ctx.plan).map((s) => s.id),
    );
  if (!cutover) return undefined;
  const evidence = ctx.account.evidence;
  return pendingRetire(
    {
      ctx,
      cutover,
      // AWS's clock where its answers showed it: the host's may be off (within the limit checked above).
      now: options.now?.() ?? ctx.account.clock?.aws() ?? new Date(),
      soakMs: options.soakMs,
      deliveryLagMs: options.deliveryLagMs,
      // An account without a trail (in memory) has no evidence to read: RoleLastUsed alone decides.
      ...(evidence ? { sharedRoleCalls: once((since, until) => sharedRoleEvidence(ctx, evidence, since, until)) } : {}),
    },
    options.gates,
  );
}

/** The shared role's calls since cutover from the plan's evidence source, and how far it reaches; both said in one line. */
async function sharedRoleEvidence(
  ctx: StepContext,
  session: AwsSession,
  since: Date,
  until: Date,
): Promise<SharedRoleEvidence | undefined> {
  const { plan } = ctx;
  const shared = { arn: plan.sharedRole.arn, name: plan.sharedRole.roleName, calls: 'all' as const };
  ctx.io.progress('SR_APPLY_P4008', `looking for calls with ${shared.name} since cutover at ${since.toISOString()}…`, {
    role: shared.name,
    since: since.toISOString(),
  });
  const settings = planEvidence(plan.evidence);
  const read = await roleCalls(session, ctx.io, [shared], { ...settings, regions: plan.regions }, { start: since, end: until });
  if (!read) return undefined;
  const source = usageSource(settings.source).describe(checkedConfig(usageSource(settings.source), settings.config));
  const { records, latest } = read.reach;
  ctx.io.info(
    'SR_APPLY_I4011',
    `retire gate: ${records} record(s) read from ${terminalSafe(source)} since cutover, latest event ${latest ?? 'none'}`,
    {
      records,
      ...(latest ? { latest } : {}),
      source,
    },
  );
  return { calls: read.byRole.get(shared.arn) ?? [], reach: read.reach, source };
}

/** The gates ask for the evidence twice (use, reach): it is read once. */
function once<A extends unknown[], R>(read: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let result: Promise<R> | undefined;
  return (...args) => (result ??= read(...args));
}

/** Runs a journaled command; `run` may name an outcome other than completed (retire-pending, with its gate line). */
async function journaled(
  ctx: StepContext,
  command: 'apply' | 'rollback',
  run: () => Promise<{ outcome: string; data: Record<string, unknown> } | undefined | void>,
): Promise<void> {
  ctx.journal.append({ event: 'run-start', command, pid: process.pid });
  try {
    const ended = await run();
    ctx.journal.append({ event: 'run-end', command, outcome: ended?.outcome ?? 'completed', ...(ended ? { data: ended.data } : {}) });
  } catch (error) {
    ctx.journal.append({ event: 'run-end', command, outcome: 'failed', error: (error as Error).message });
    throw error;
  }
}

async function runStages(ctx: StepContext, steps: Step[], io: IoHost): Promise<void> {
  let createdNow = false;
  // Concurrent steps are let finish when one fails (listr2 would otherwise return while they still
  // change AWS, after the lock is released); the first failure then stops the run before the next stage.
  const failures: unknown[] = [];
  const stopOnFailure = () => {
    if (failures.length > 0) throw failures[0];
  };
  // Each stage that finishes is marked in the journal with its step count, so a journal that lost lines cannot pass for a finished stage.
  let finished: Stage | undefined;
  const markFinished = () => {
    if (finished) ctx.journal.append({ event: 'stage-done', stage: finished, steps: steps.filter((s) => s.stage === finished).length });
    finished = undefined;
  };
  const stages: ListrTask[] = STAGES.filter((stage) => steps.some((s) => s.stage === stage)).map((stage) => ({
    title: STAGE_TITLES[stage],
    // A stage after a failed one never starts: shown as skipped, not as a failure of its own.
    skip: () => (failures.length > 0 ? `${STAGE_TITLES[stage]}: not run, an earlier step failed` : false),
    task: async (_, task) => {
      markFinished();
      finished = stage;
      // New IAM resources need a moment before EC2 and Lambda accept them: wait once per stage, not per resource.
      if (stage === 'repoint' && createdNow && ctx.timings.iamSettleMs > 0) await delay(ctx.timings.iamSettleMs);
      const stageSteps = steps.filter((s) => s.stage === stage);
      // A resumed stage makes its safety checks again: what held when an earlier run stopped may not hold now.
      const resuming = stageSteps.some((s) => ctx.journal.status(s.id) !== 'done');
      return task.newListr(
        stageSteps.map((step) => ({
          title: terminalSafe(step.title),
          task: async (_, subtask) => {
            let ran: boolean;
            try {
              ran = await runStep(ctx, step, resuming && step.recheckOnResume === true);
            } catch (error) {
              failures.push(error);
              throw terminalSafeError(error);
            }
            if (ran && stage === 'create') createdNow = true;
            if (!ran) subtask.skip(`${step.title} (done before)`);
          },
        })),
        { concurrent: stage === 'repoint' ? REPOINT_CONCURRENCY : false, exitOnError: stage !== 'repoint' },
      );
    },
  }));
  await runTaskList(stages, io);
  stopOnFailure();
  markFinished();
}

/** Runs one step with its journal entries; false when the journal shows it done. */
async function runStep(ctx: StepContext, step: Step, force = false): Promise<boolean> {
  if (ctx.journal.status(step.id) === 'done' && !force) return false;
  ctx.journal.append({ event: 'step-begin', step: step.id });
  try {
    const data = await step.run(ctx);
    ctx.journal.append({ event: 'step-done', step: step.id, ...(data ? { data } : {}) });
    return true;
  } catch (error) {
    ctx.journal.append({ event: 'step-failed', step: step.id, error: (error as Error).message });
    throw error;
  }
}

async function undoStep(ctx: StepContext, step: Step): Promise<void> {
  ctx.journal.append({ event: 'undo-begin', step: step.id });
  try {
    await step.undo?.(ctx, ctx.journal.dataOf(step.id));
    ctx.journal.append({ event: 'undo-done', step: step.id });
  } catch (error) {
    ctx.journal.append({ event: 'undo-failed', step: step.id, error: (error as Error).message });
    throw error;
  }
}

/** The error the task list prints: its message may carry outside names, so no escape sequence reaches the terminal. */
function terminalSafeError(error: unknown): unknown {
  if (error instanceof Error) error.message = terminalSafe(error.message);
  return error;
}

/** On a terminal listr2 draws the list (on stderr: stdout stays for results); elsewhere each step event is an IoHost message. */
async function runTaskList(tasks: ListrTask[], io: IoHost): Promise<void> {
  if (!io.live) {
    await new Listr(tasks, { renderer: IoTaskRenderer, rendererOptions: { io }, exitOnError: true }).run();
    return;
  }
  const logger = new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) });
  await new Listr(tasks, {
    renderer: 'default',
    fallbackRenderer: IoTaskRenderer,
    exitOnError: true,
    rendererOptions: { logger },
    fallbackRendererOptions: { io },
  }).run();
}

/** The manual follow-ups still open once the terminal (if any) has asked about each; yeses are journaled. */
async function unconfirmedFollowUps(ctx: StepContext, io: IoHost): Promise<FollowUp[]> {
  const open = openManualFollowUps(ctx.plan, ctx.journal);
  // Only a person at a terminal can say a manual follow-up is done; --yes never says it for them.
  if (!io.interactive) return open;
  for (const followUp of open) {
    const id = manualFollowUpId(followUp);
    const done = await io.requestResponse({
      code: 'SR_APPLY_Q4201',
      message: `Done by hand? ${id}: ${followUp.message}`,
      data: { followUp: id, message: followUp.message },
      defaultResponse: false,
      question: { type: 'confirm', initial: false },
    });
    if (done) recordConfirmations(ctx.journal, [id]);
  }
  return openManualFollowUps(ctx.plan, ctx.journal);
}

/** Why the shared role is kept this time, and how to let retire go ahead. */
function retireWaits(plan: Plan, waiting: readonly FollowUp[]): string {
  return [
    `keep ${plan.sharedRole.roleName}: retire waits for ${waiting.length} manual follow-up(s) split-role cannot check; do each, then confirm it with \`split-role apply PLAN --confirm-manual ID\`:`,
    ...describeOpen(waiting).map((line) => `    ${line}`),
  ].join('\n');
}

function applySummary(
  plan: Plan,
  remaining: Step[],
  total: number,
  run: { keepSharedRole?: boolean; waiting: readonly FollowUp[]; soakMs: number },
): string {
  const resuming = remaining.length < total ? ` (resuming: ${total - remaining.length} of ${total} steps already done)` : '';
  const retire = !plan.retireSharedRole
    ? `keep ${plan.sharedRole.roleName} (the plan does not retire it)`
    : run.keepSharedRole
      ? `keep ${plan.sharedRole.roleName} for now (--keep-shared-role)`
      : run.waiting.length > 0
        ? retireWaits(plan, run.waiting)
        : `delete ${plan.sharedRole.roleName} after a snapshot, once ${soakText(run.soakMs)} and no use of it since cutover`;
  // What split-role does not do itself, beside the manual ones retire waits for: the person agreeing should know.
  const others = plan.followUps.filter((f) => !run.waiting.includes(f) && f.kind !== 'manual-service');
  const shown = others.slice(0, FOLLOW_UPS_SHOWN).map((f) => `    ${f.kind}: ${f.message}`);
  const more = others.length > shown.length ? [`    and ${others.length - shown.length} more (see the review)`] : [];
  return [
    `Apply plan ${plan.planId} to ${plan.account} (${plan.region})${resuming}:`,
    `  create ${plan.newRoles.map((r) => r.roleName).join(', ')}`,
    `  move ${plan.workloads.length} workload(s)`,
    `  ${retire}`,
    ...(others.length > 0 ? [`  open follow-ups split-role does not do (${others.length}):`, ...shown, ...more] : []),
  ].join('\n');
}

/** How many follow-ups apply's confirmation lists before it points at the review. */
const FOLLOW_UPS_SHOWN = 10;

function soakText(ms: number): string {
  return ms === 0
    ? 'no soak (--soak 0)'
    : `a soak of ${ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`} has passed`;
}
