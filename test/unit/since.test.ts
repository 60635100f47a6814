import { describe, expect, it } from 'vitest';
import { parseSince } from '../../src/cli/since.js';
import { SplitRoleError } from '../../src/core/errors.js';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('parseSince: durations', () => {
  const cases: Array<[input: string, msBack: number]> = [
    ['90d', 90 * DAY],
    ['12h', 12 * HOUR],
    ['2w', 14 * DAY],
    ['1d', DAY],
    ['1h', HOUR],
    ['90D', 90 * DAY],
    [' 7d ', 7 * DAY],
    ['7 d', 7 * DAY],
    ['007d', 7 * DAY],
  ];
  it.each(cases)('%j is %d ms before now', (input, msBack) => {
    expect(parseSince(input, NOW).getTime()).toBe(NOW.getTime() - msBack);
  });

  it('defaults now to the current time', () => {
    const before = Date.now();
    const start = parseSince('1h').getTime();
    expect(start).toBeGreaterThanOrEqual(before - HOUR);
    expect(start).toBeLessThanOrEqual(Date.now() - HOUR);
  });
});

describe('parseSince: dates', () => {
  const cases: Array<[input: string, iso: string]> = [
    ['2026-01-01', '2026-01-01T00:00:00.000Z'],
    ['2026-06-15', '2026-06-15T00:00:00.000Z'],
    ['2026-02-28', '2026-02-28T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2026-03-01T10:30:00Z', '2026-03-01T10:30:00.000Z'],
    ['2026-03-01T10:30:00+02:00', '2026-03-01T08:30:00.000Z'],
  ];
  it.each(cases)('%j → %s', (input, iso) => {
    expect(parseSince(input, NOW).toISOString()).toBe(iso);
  });
});

describe('parseSince: refusals', () => {
  const cases: Array<[input: string, message: RegExp]> = [
    ['2026-07-01', /is in the future/],
    ['2026-06-15T12:00:00Z', /is in the future/],
    ['2027-01-01', /is in the future/],
    ['0d', /must be a positive duration/],
    ['0h', /must be a positive duration/],
    ['', /neither a duration .* nor a date/],
    ['garbage', /neither a duration/],
    ['90', /neither a duration/],
    ['d', /neither a duration/],
    ['-5d', /neither a duration/],
    ['1.5d', /neither a duration/],
    ['3m', /neither a duration/],
    ['90 days', /neither a duration/],
    ['2026/01/01', /neither a duration/],
    ['01-02-2026', /neither a duration/],
    ['2026-13-01', /neither a duration/],
    ['2026-00-10', /neither a duration/],
    ['2026-01-32', /neither a duration/],
    // JavaScript would roll these over to March; a typo must not silently shift the window.
    ['2026-02-30', /neither a duration/],
    ['2025-02-29', /neither a duration/],
    ['2026-04-31', /neither a duration/],
    ['2026-01-01Tnoon', /neither a duration/],
    // Too far back for a Date: must not come back as an Invalid Date.
    ['999999999999d', /too far back/],
  ];
  it.each(cases)('%j', (input, message) => {
    let error: unknown;
    try {
      parseSince(input, NOW);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SplitRoleError);
    expect((error as SplitRoleError).code).toBe('UsageError');
    expect((error as SplitRoleError).exitCode).toBe(2);
    expect((error as SplitRoleError).message).toMatch(message);
    expect((error as SplitRoleError).message).toContain(`--since ${input}`);
  });
});
