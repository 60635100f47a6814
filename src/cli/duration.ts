/** Parses durations such as `--soak 6h`: `0`, or a whole number of s, m, h, d or w. */
import { usageError } from '../core/errors.js';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds in `text`; a usage error (exit 2) naming the flag when it does not parse. */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const match = /^(\d+)([smhdw])$/i.exec(trimmed);
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2]!.toLowerCase()] ?? 0) : Number.NaN;
  if (!Number.isSafeInteger(ms))
    throw usageError(`${flag} ${text} is not a duration`, 'use 0 or a whole number of s, m, h, d or w, e.g. 6h');
  return ms;
}
