/** An empty --cloudtrail-logs folder is a wrong path: the refusal says so, not "widen --since". */
import { describe, expect, it } from 'vitest';
import { SplitRoleError } from '../../src/core/errors.js';
import { emptyLogReadStats } from '../../src/evidence/log-files.js';
import { refuseNoFiles } from '../../src/evidence/log-files-source.js';

describe('refuseNoFiles', () => {
  const since = new Date('2026-11-10T12:00:00Z');

  it('refuses when no file was opened, naming the folder, the account and the first day looked for', () => {
    let error: unknown;
    try {
      refuseNoFiles(emptyLogReadStats(), '/data/trail', '123456789012', since);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SplitRoleError);
    expect((error as SplitRoleError).oneLine()).toMatch(
      /^NoEvidence: no trail files found under \/data\/trail for account 123456789012 dated 2026-11-09 or later — check --cloudtrail-logs/,
    );
    expect((error as SplitRoleError).oneLine()).not.toContain('widen --since');
  });

  it('lets a run that opened files through, even when none named the role', () => {
    expect(() => refuseNoFiles({ ...emptyLogReadStats(), files: 3 }, '/data/trail', '123456789012', since)).not.toThrow();
  });
});
