/**
 * Retire gates: checks that must all hold before apply retires the shared
 * role. Each returns nothing (holds), a time it holds from, or a reason it
 * does not. Others add gates to RETIRE_GATES; the run shows one line.
 */
import { SplitRoleError } from '../core/errors.js';
import { terminalSafe } from '../core/escape.js';
import { cloudTrailTime, reaches, type EvidenceReach } from '../evidence/evidence-reach.js';
import type { RoleCall } from '../evidence/role-calls-sql.js';
import type { Journal } from './journal.js';
import type { StepContext } from './step.js';

/** What a gate found: undefined when it holds. */
export type GateVerdict = undefined | { until: Date } | { reason: string };

/** What the evidence source says about the shared role after cutover: its calls, and how far what was read reaches. */
export interface SharedRoleEvidence {
  calls: ReadonlyArray<Pick<RoleCall, 'sessionName' | 'eventSource' | 'eventName' | 'count' | 'lastSeen'>>;
  reach: EvidenceReach;
  /** Where it was read (the trail's folder, `athena DB.TABLE`, …), for the line. */
  source: string;
}

/** What gates see: the step context, the time of cutover, now (AWS's clock where known), the soak and the delivery margin. */
export interface GateContext {
  ctx: StepContext;
  cutover: Date;
  now: Date;
  soakMs: number;
  /** How late CloudTrail may deliver: the evidence must reach cutover plus this (default 15 min, --delivery-lag). */
  deliveryLagMs?: number;
  /**
   * Calls made with the shared role after `since`, counted per session and
   * event, from the evidence source where it can see them; undefined when it
   * cannot. Absent when the account has no trail to read (in memory).
   */
  sharedRoleCalls?: (since: Date, until: Date) => Promise<SharedRoleEvidence | undefined>;
}

/** CloudTrail delivers within about 15 minutes of a call (AWS's figure for log files; LookupEvents is similar). */
export const DEFAULT_DELIVERY_LAG_MS = 15 * 60_000;

/** One check before retirement. */
export interface RetireGate {
  name: string;
  check(gate: GateContext): Promise<GateVerdict>;
}

/** (a) The soak: instance-profile credentials and SDK caches outlive a repoint by hours. */
export const soakGate: RetireGate = {
  name: 'soak',
  check({ cutover, now, soakMs }) {
    // No soak asked: nothing to wait for. Cutover is a finished step, so "now" is past it; comparing anyway compares two
    // estimates of AWS's clock, and a later run's, from fewer Date headers, can read up to a second before the cutover
    // an earlier run recorded.
    if (soakMs <= 0) return Promise.resolve(undefined);
    const until = new Date(cutover.getTime() + soakMs);
    return Promise.resolve(until > now ? { until } : undefined);
  },
};

/** (b) No use of the shared role since cutover: IAM's RoleLastUsed, and CloudTrail where the evidence source sees it. */
export const unusedGate: RetireGate = {
  name: 'unused since cutover',
  async check({ ctx, cutover, now, sharedRoleCalls }) {
    const role = ctx.plan.sharedRole.roleName;
    const last = await ctx.account.iam.roleLastUsed(role);
    if (last.at && last.at.getTime() >= cutover.getTime()) {
      return {
        reason: `${role} was last used at ${last.at.toISOString()}${last.region ? ` in ${last.region}` : ''}, after cutover at ${cutover.toISOString()}`,
      };
    }
    const calls = (await sharedRoleCalls?.(cutover, now))?.calls;
    if (calls && calls.length > 0) {
      const latest = calls.reduce((a, b) => (a.lastSeen > b.lastSeen ? a : b));
      const total = calls.reduce((sum, c) => sum + c.count, 0);
      return {
        reason: `CloudTrail shows ${total} call(s) with ${role} since cutover, latest ${latest.eventSource.split('.')[0]}:${latest.eventName} by session ${latest.sessionName} at ${latest.lastSeen}`,
      };
    }
    return undefined;
  },
};

/**
 * (c) The evidence reaches cutover plus the delivery margin. No calls in a
 * window CloudTrail has not delivered yet (right after apply, or a trail
 * whose newest file predates cutover) is no evidence of no use.
 */
export const evidenceGate: RetireGate = {
  name: 'evidence reaches cutover + delivery margin',
  async check({ cutover, now, deliveryLagMs = DEFAULT_DELIVERY_LAG_MS, sharedRoleCalls }) {
    if (!sharedRoleCalls) return undefined;
    const needed = new Date(cutover.getTime() + deliveryLagMs);
    const evidence = await sharedRoleCalls(cutover, now);
    // A source that cannot list calls leaves RoleLastUsed to decide: it too needs the margin to show a late call.
    if (!evidence) return needed > now ? { until: needed } : undefined;
    if (reaches(evidence.reach, needed)) return undefined;
    // Before the margin has passed, short evidence is expected: retirement waits at least until then.
    if (needed > now) return { until: needed };
    return { reason: notEnoughEvidence(evidence.reach, evidence.source, needed, deliveryLagMs) };
  },
};

/** The line for evidence that stops short of `needed`; verify says the same. */
export function notEnoughEvidence(reach: EvidenceReach, source: string, needed: Date, deliveryLagMs: number): string {
  return `not enough evidence yet: ${reach.records} record(s) read from ${terminalSafe(source)}, latest event ${reach.latest ?? 'none'}; the evidence must reach ${cloudTrailTime(needed)} (cutover + ${lagText(deliveryLagMs)} delivery margin, --delivery-lag)`;
}

function lagText(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

/** Every gate, in the order they are checked. */
export const RETIRE_GATES: RetireGate[] = [soakGate, unusedGate, evidenceGate];

/** The one line a run prints when retirement waits, or undefined when every gate holds. */
export async function pendingRetire(gate: GateContext, gates: readonly RetireGate[] = RETIRE_GATES): Promise<string | undefined> {
  const reasons: string[] = [];
  let until: Date | undefined;
  for (const g of gates) {
    const verdict = await g.check(gate);
    if (!verdict) continue;
    if ('reason' in verdict) reasons.push(verdict.reason);
    else if (!until || verdict.until > until) until = verdict.until;
  }
  if (reasons.length > 0) return `retire pending: ${reasons.join('; ')}`;
  return until ? `retire pending until ${until.toISOString()}` : undefined;
}

/** The only time form the journal writes (Date.toISOString); anything else was edited in. */
const JOURNAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * When the workloads last changed roles: the latest finished repoint (or,
 * for a plan with nothing to move, the finished verify), on AWS's clock where
 * the journal has it (`awsAt`, from response Date headers). Undefined before that.
 * Throws JournalCorrupt when a finished step has no time or one that does not
 * parse. Why: without a cutover time no gate can hold, and "unknown" used to
 * read as "not cut over", so the gates were skipped and retirement went ahead.
 */
export function cutoverTime(journal: Journal, repointIds: readonly string[]): Date | undefined {
  const ids = new Set(repointIds.length > 0 ? repointIds : ['verify']);
  if ([...ids].some((id) => journal.status(id) !== 'done')) return undefined;
  const finished = new Map<string, number>();
  for (const entry of journal.entries) {
    if (entry.event !== 'step-done' || !entry.step || !ids.has(entry.step)) continue;
    // AWS's time of the move when the run knew it (the host's clock may be off); else the host's.
    const awsAt = entry.data?.awsAt;
    const at = awsAt === undefined ? entry.at : awsAt;
    const time = typeof at === 'string' && JOURNAL_TIME.test(at) ? Date.parse(at) : Number.NaN;
    if (Number.isNaN(time)) throw badTime(journal, entry.step, `its time ${JSON.stringify(at)} is not a time`);
    finished.set(entry.step, Math.max(time, finished.get(entry.step) ?? time));
  }
  const missing = [...ids].find((id) => !finished.has(id));
  if (missing !== undefined) throw badTime(journal, missing, 'the journal has no step-done line for it');
  return new Date(Math.max(...finished.values()));
}

function badTime(journal: Journal, step: string, detail: string): SplitRoleError {
  return new SplitRoleError(
    'JournalCorrupt',
    `${journal.path}: cannot tell when step ${step} finished (${detail}), so the cutover time is unknown and the retire gates cannot be checked`,
    'retirement is refused until the journal is restored (it was edited or damaged)',
  );
}
