/** Parses look-back windows: "90d", "12h", "2w", or a date such as 2026-09-01. */
import { usageError } from '../core/errors.js';

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The start of the window `since` describes, relative to `now`. */
export function parseSince(since: string, now: Date = new Date()): Date {
  const relative = /^(\d+)\s*([hdw])$/i.exec(since.trim());
  if (relative) {
    const amount = Number(relative[1]);
    if (amount <= 0) throw usageError(`--since ${since} must be a positive duration`);
    return new Date(now.getTime() - amount * (UNIT_MS[relative[2]!.toLowerCase()] ?? 0));
  }
  const date = /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(since.trim()) ? new Date(since.trim()) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw usageError(`--since ${since} is neither a duration (90d, 12h, 2w) nor a date (2026-09-01)`);
  if (date.getTime() >= now.getTime()) throw usageError(`--since ${since} is in the future`);
  return date;
}
