/**
 * Retire gates: checks that must all hold before apply retires the shared
 * role. Each returns nothing (holds), a time it holds from, or a reason it
 * does not. Others add gates to RETIRE_GATES; the run shows one line.
 */
import { SplitRoleError } from '../core/errors.js';
import type { RoleCall } from '../evidence/role-calls-sql.js';
import type { Journal } from './journal.js';
import type { StepContext } from './step.js';

/** What a gate found: undefined when it holds. */
export type GateVerdict = undefined | { until: Date } | { reason: string };

/** What gates see: the step context, the time of cutover, now, and the soak asked for. */
export interface GateContext {
  ctx: StepContext;
  cutover: Date;
  now: Date;
  soakMs: number;
  /** Calls made with the shared role after `since`, counted per session and event, from the evidence source where it can see them; undefined when it cannot. */
  sharedRoleCalls?: (
    since: Date,
    until: Date,
  ) => Promise<ReadonlyArray<Pick<RoleCall, 'sessionName' | 'eventSource' | 'eventName' | 'count' | 'lastSeen'>> | undefined>;
}

/** One check before retirement. */
export interface RetireGate {
  name: string;
  check(gate: GateContext): Promise<GateVerdict>;
}

/** (a) The soak: instance-profile credentials and SDK caches outlive a repoint by hours. */
export const soakGate: RetireGate = {
  name: 'soak',
  check({ cutover, now, soakMs }) {
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
    const calls = await sharedRoleCalls?.(cutover, now);
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

/** Every gate, in the order they are checked. */
export const RETIRE_GATES: RetireGate[] = [soakGate, unusedGate];

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
 * for a plan with nothing to move, the finished verify). Undefined before that.
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
    const time = JOURNAL_TIME.test(entry.at) ? Date.parse(entry.at) : Number.NaN;
    if (Number.isNaN(time)) throw badTime(journal, entry.step, `its time ${JSON.stringify(entry.at)} is not a time`);
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
