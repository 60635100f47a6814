/**
 * Trust trimming (issue 23 item 4): a service principal on the shared role
 * that no workload uses in any region swept and that the evidence never saw
 * needs no role of its own. The plan takes it out of the shared role's trust
 * policy instead. Pure.
 */
import { z } from 'zod';

const json = z.record(z.string(), z.unknown());

/** The plan's "remove from trust" step: what goes, why, and the exact trust policy before and after. */
export const trustTrimSchema = z.object({
  /** The service principals removed, as the trust policy spells them (lower-cased). */
  principals: z.array(z.string()).min(1),
  /** The evidence: regions swept with no workload found, and the evidence window with zero events and sessions. */
  evidence: z.object({
    regions: z.array(z.string()).min(1),
    window: z.object({ start: z.string(), end: z.string() }),
    source: z.string(),
    events: z.literal(0),
    sessions: z.literal(0),
  }),
  /** The shared role's trust policy as the plan read it, and as apply writes it. */
  before: json,
  after: json,
});

/** A plan's trust-trimming step. */
export type TrustTrim = z.infer<typeof trustTrimSchema>;

/** What the planner knows about one service unit of the shared role. */
export interface TrimCandidate {
  key: string;
  principals: readonly string[];
  events: number;
  sessions: number;
}

/**
 * The units that can leave the trust policy: none of their principals made a
 * call or opened a session, discovery covers their key (`covered`), and no
 * workload of that key was found (`inUse`) in any region. Anything unsure keeps
 * its principal: a principal with a workload or any activity is never removed.
 */
export function trimmableUnits<U extends TrimCandidate>(
  units: readonly U[],
  covered: ReadonlySet<string>,
  inUse: ReadonlySet<string>,
): U[] {
  return units.filter((u) => u.events === 0 && u.sessions === 0 && covered.has(u.key) && !inUse.has(u.key));
}

/**
 * The trust policy without `principals` as Service principals of its Allow
 * statements. Everything else stays exactly as written: order, Sids,
 * conditions, other principals, Deny statements. A statement left with no
 * principal at all is dropped (IAM refuses an empty Principal).
 */
export function trimTrustPolicy(trust: Record<string, unknown>, principals: readonly string[]): Record<string, unknown> {
  const gone = new Set(principals.map((p) => p.trim().toLowerCase()));
  const raw = trust.Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const kept: unknown[] = [];
  for (const statement of statements) {
    const trimmed = trimStatement(statement, gone);
    if (trimmed !== undefined) kept.push(trimmed);
  }
  return { ...trust, Statement: kept };
}

function trimStatement(statement: unknown, gone: ReadonlySet<string>): unknown {
  if (!isRecord(statement) || statement.Effect !== 'Allow' || !isRecord(statement.Principal)) return statement;
  const service = statement.Principal.Service;
  if (service === undefined) return statement;
  const list = (Array.isArray(service) ? service : [service]).filter((s): s is string => typeof s === 'string');
  const left = list.filter((s) => !gone.has(s.trim().toLowerCase()));
  if (left.length === list.length) return statement;
  const principal: Record<string, unknown> = { ...statement.Principal };
  if (left.length === 0) delete principal.Service;
  else principal.Service = left.length === 1 && !Array.isArray(service) ? left[0] : left;
  if (Object.keys(principal).length === 0) return undefined;
  return { ...statement, Principal: principal };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The review's one line for the step; `quote` marks up outside data (principals, names, regions, times). */
export function trustTrimLine(trim: TrustTrim, roleName: string, quote: (text: string) => string = (t) => t): string {
  const { regions, window, source } = trim.evidence;
  const list = (items: readonly string[]) => items.map(quote).join(', ');
  return (
    `Remove ${list(trim.principals)} from ${quote(roleName)}'s trust policy: no workload of it in ${regions.length} region(s) ` +
    `(${list(regions)}) and 0 events in ${quote(source)} from ${quote(window.start)} to ${quote(window.end)}, so it gets no new role.`
  );
}

/** What the planner hands over to propose the step. */
export interface TrustTrimInput<U extends TrimCandidate> {
  /** The shared role's trust policy as the plan read it. */
  trustPolicy: Record<string, unknown>;
  units: readonly U[];
  /** Unit keys whose workloads discovery looked for in every region of the plan. */
  covered: ReadonlySet<string>;
  /** Unit keys with at least one workload found in some region. */
  inUse: ReadonlySet<string>;
  regions: readonly string[];
  evidence: { source: string; window: { start: string; end: string } };
}

/** The trim step for the units that qualify (see trimmableUnits), or undefined when none does. */
export function planTrustTrim<U extends TrimCandidate>(input: TrustTrimInput<U>): { trim?: TrustTrim; trimmed: U[] } {
  const trimmed = trimmableUnits(input.units, input.covered, input.inUse);
  if (trimmed.length === 0 || input.regions.length === 0) return { trimmed: [] };
  return {
    trim: trustTrimFor(
      input.trustPolicy,
      trimmed.flatMap((u) => u.principals),
      input.regions,
      input.evidence,
    ),
    trimmed,
  };
}

/** The step that takes `principals` out of `trustPolicy`, with the evidence for it. */
export function trustTrimFor(
  trustPolicy: Record<string, unknown>,
  principals: readonly string[],
  regions: readonly string[],
  evidence: { source: string; window: { start: string; end: string } },
): TrustTrim {
  const names = [...new Set(principals.map((p) => p.trim().toLowerCase()))].sort();
  return {
    principals: names,
    evidence: { regions: [...regions], window: { ...evidence.window }, source: evidence.source, events: 0, sessions: 0 },
    before: trustPolicy,
    after: trimTrustPolicy(trustPolicy, names),
  };
}
