/** A full disk while writing the journal or the plan is one clear line (issue 10 item 11). */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/apply/journal.js';
import { writeError } from '../../src/core/write-errors.js';
import { savePlan } from '../../src/plan-run/make-plan.js';
import { samplePlan } from './fixtures/plan-fixtures.js';

describe('writes that fail', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'split-role-write-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!existsSync('/dev/full'))('a journal on a full disk (/dev/full) is refused as DiskFull, naming the file', async () => {
    const path = join(dir, 'orders.plan.journal.jsonl');
    await symlink('/dev/full', path);
    const journal = Journal.open(join(dir, 'other.journal.jsonl'), 'plan-1');
    Object.defineProperty(journal, 'path', { value: path });
    let error: unknown;
    try {
      journal.append({ event: 'run-start', command: 'apply' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'DiskFull' });
    const line = (error as { oneLine(): string }).oneLine();
    expect(line).toBe(
      `DiskFull: cannot write the journal ${path}: no space left on the device (ENOSPC) — free space and run the same command again: it resumes from the last complete journal line`,
    );
    expect(journal.entries).toEqual([]);
  });

  it('a plan that cannot be written names the file and the cause', async () => {
    // A directory where the plan file should go makes the rename fail, as a full disk makes the write fail.
    const path = join(dir, 'taken.plan.json');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(path, 'x'), { recursive: true }));
    await expect(savePlan(samplePlan(), path)).rejects.toMatchObject({
      code: 'WriteFailed',
      message: `cannot write the plan ${path}: it is a directory (EISDIR)`,
    });
  });

  it('maps ENOSPC from any write to DiskFull', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(writeError(enospc, 'the plan', 'plans/x.plan.json', 'free space').oneLine()).toBe(
      'DiskFull: cannot write the plan plans/x.plan.json: no space left on the device (ENOSPC) — free space',
    );
  });
});
