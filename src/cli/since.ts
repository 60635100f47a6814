/** Parses look-back windows: "90d", "12h", "2w", or a date such as 2026-09-01. */
import { usageError } from '../core/errors.js';

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The start of the window `since` describes, relative to `now`. */
export function parseSince(since: string, now: Date = new Date()): Date {
  const relative = /^(\d+)\s*([hdw])$/i.exec(since.trim());
  if (relative) {
    const amount = Number(relative[1]);
    if (amount <= 0) throw usageError(`--since ${since} must be a positive duration`);
    const start = new Date(now.getTime() - amount * (UNIT_MS[relative[2]!.toLowerCase()] ?? 0));
    // Why: beyond ±8.64e15 ms a Date is invalid, and an Invalid Date would flow on as the window start.
    if (Number.isNaN(start.getTime())) throw usageError(`--since ${since} reaches too far back`);
    return start;
  }
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})(T.*)?$/.exec(since.trim());
  const date = dateOnly && calendarDay(dateOnly) ? new Date(since.trim()) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw usageError(`--since ${since} is neither a duration (90d, 12h, 2w) nor a date (2026-09-01)`);
  if (date.getTime() >= now.getTime()) throw usageError(`--since ${since} is in the future`);
  return date;
}

/** Why: JavaScript rolls 2026-02-30 over to March 2; a typo must be refused, not shift the window. */
function calendarDay(match: RegExpExecArray): boolean {
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
