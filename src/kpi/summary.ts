/**
 * KPIs from the history, per account: % compliant over time, findings opened
 * and closed between runs, and time to remediate (first seen → first run
 * without it), per finding and on average. Pure.
 */
import type { HistoryEntry } from './history.js';

/** One run in the series. */
export interface KpiRun {
  at: string;
  compliantPercent: number;
  findings: number;
  /** Findings present now and not in the previous run. */
  opened: number;
  /** Findings in the previous run and not now. */
  closed: number;
}

/** One finding's life. */
export interface KpiFinding {
  id: string;
  role: string;
  kind: string;
  firstSeen: string;
  /** The first run without it; absent while it is open. */
  closedAt?: string;
  /** Days from first seen to closed (to the last run while still open). */
  days: number;
}

/** The KPIs of one account. */
export interface AccountKpis {
  account: string;
  runs: KpiRun[];
  findings: KpiFinding[];
  open: number;
  closed: number;
  /** Mean days to remediate over closed findings; null when none has closed. */
  meanDaysToRemediate: number | null;
}

const DAY_MS = 86_400_000;

/** KPIs per account, accounts sorted, runs in time order. */
export function summariseHistory(entries: readonly HistoryEntry[]): AccountKpis[] {
  const byAccount = new Map<string, HistoryEntry[]>();
  for (const entry of entries) byAccount.set(entry.account, [...(byAccount.get(entry.account) ?? []), entry]);
  return [...byAccount.keys()].sort().map((account) => accountKpis(account, byAccount.get(account) ?? []));
}

function accountKpis(account: string, unsorted: HistoryEntry[]): AccountKpis {
  const entries = [...unsorted].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const runs: KpiRun[] = [];
  const lives = new Map<string, KpiFinding>();
  const ended: KpiFinding[] = [];
  let previous = new Set<string>();
  for (const entry of entries) {
    const current = new Set(entry.findings.map((f) => f.id));
    for (const f of entry.findings) {
      const life = lives.get(f.id);
      // A finding that comes back after closing starts a new life from now.
      if (life?.closedAt !== undefined) ended.push(life);
      if (!life || life.closedAt !== undefined) lives.set(f.id, { id: f.id, role: f.role, kind: f.kind, firstSeen: entry.at, days: 0 });
    }
    for (const id of previous) {
      const life = lives.get(id);
      if (!current.has(id) && life && life.closedAt === undefined) life.closedAt = entry.at;
    }
    runs.push({
      at: entry.at,
      compliantPercent: entry.summary.compliantPercent,
      findings: current.size,
      opened: [...current].filter((id) => !previous.has(id)).length,
      closed: [...previous].filter((id) => !current.has(id)).length,
    });
    previous = current;
  }
  const last = entries.at(-1)?.at;
  const findings = [...ended, ...lives.values()].map((life) => ({
    ...life,
    days: days(life.firstSeen, life.closedAt ?? last ?? life.firstSeen),
  }));
  const closed = findings.filter((f) => f.closedAt !== undefined);
  return {
    account,
    runs,
    findings: findings.sort((a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.role.localeCompare(b.role)),
    open: findings.length - closed.length,
    closed: closed.length,
    meanDaysToRemediate: closed.length === 0 ? null : round(closed.reduce((sum, f) => sum + f.days, 0) / closed.length),
  };
}

function days(from: string, to: string): number {
  return round((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
