import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, journalPathFor } from '../../src/apply/journal.js';
import { errorIs } from '../../src/core/errors.js';

const PLAN_ID = 'plan-1';

/** A journal with a finished create step and a started repoint, written through the public API. */
function writtenJournal(): string {
  const path = journalPathFor(join(mkdtempSync(join(tmpdir(), 'split-role-journal-')), 'x.plan.json'));
  const journal = Journal.open(path, PLAN_ID);
  journal.append({ event: 'run-start', command: 'apply', pid: 1 });
  journal.append({ event: 'step-begin', step: 'create:role:a' });
  journal.append({ event: 'step-done', step: 'create:role:a', data: { arn: 'arn:aws:iam::111122223333:role/a' } });
  journal.append({ event: 'step-begin', step: 'repoint:lambda:f' });
  return path;
}

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

describe('Journal.open', () => {
  it('starts empty when there is no file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'split-role-journal-')), 'none.journal.jsonl');
    expect(Journal.open(path, PLAN_ID).entries).toEqual([]);
  });

  it('reads back what was appended', () => {
    const path = writtenJournal();
    const journal = Journal.open(path, PLAN_ID);
    expect(journal.entries.map((e) => e.event)).toEqual(['run-start', 'step-begin', 'step-done', 'step-begin']);
    expect(journal.status('create:role:a')).toBe('done');
    expect(journal.status('repoint:lambda:f')).toBe('running');
    expect(journal.status('never')).toBe('pending');
    expect(journal.dataOf('create:role:a')).toEqual({ arn: 'arn:aws:iam::111122223333:role/a' });
  });

  describe('a torn last line (a crash mid-write)', () => {
    function tear(path: string): string {
      const text = readFileSync(path, 'utf8');
      const torn = `${text}${JSON.stringify({ at: new Date().toISOString(), planId: PLAN_ID, event: 'step-done', step: 'repoint:lambda:f' }).slice(0, 25)}`;
      writeFileSync(path, torn);
      return torn;
    }

    it('is dropped on read and the file is left as it was without repair', () => {
      const path = writtenJournal();
      const torn = tear(path);
      const journal = Journal.open(path, PLAN_ID);
      expect(journal.entries).toHaveLength(4);
      expect(journal.status('repoint:lambda:f')).toBe('running');
      expect(readFileSync(path, 'utf8')).toBe(torn);
    });

    it('is cut from the file with repair, so the next append starts on a line of its own', () => {
      const path = writtenJournal();
      tear(path);
      const repaired = Journal.open(path, PLAN_ID, { repair: true });
      expect(lines(path)).toHaveLength(4);
      repaired.append({ event: 'step-done', step: 'repoint:lambda:f' });
      const reread = Journal.open(path, PLAN_ID);
      expect(reread.entries).toHaveLength(5);
      expect(reread.status('repoint:lambda:f')).toBe('done');
    });

    it('is cut even when it is valid JSON that lacks only its newline', () => {
      const path = writtenJournal();
      const text = readFileSync(path, 'utf8');
      writeFileSync(path, text.slice(0, -1));
      const journal = Journal.open(path, PLAN_ID, { repair: true });
      // The last entry was complete apart from its newline: whether it is kept or dropped, the file must read back the same.
      expect(Journal.open(path, PLAN_ID).entries).toEqual(journal.entries);
      expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
    });
  });

  describe('damage anywhere but the last line is refused, never repaired', () => {
    const damages: Array<[string, (line: string) => string]> = [
      ['cut short', (line) => line.slice(0, 20)],
      ['not JSON', () => 'garbage'],
      ['JSON but not an entry', () => JSON.stringify({ hello: 'world' })],
      ['an entry of another plan', (line) => line.replace(PLAN_ID, 'plan-2')],
    ];
    it.each(damages)('a middle line %s', (_label, damage) => {
      const path = writtenJournal();
      const all = lines(path);
      all[1] = damage(all[1] as string);
      const text = `${all.join('\n')}\n`;
      writeFileSync(path, text);
      let thrown: unknown;
      try {
        Journal.open(path, PLAN_ID, { repair: true });
      } catch (error) {
        thrown = error;
      }
      expect(errorIs.JournalCorrupt(thrown), String(thrown)).toBe(true);
      expect((thrown as Error).message).toMatch(/line 2/);
      expect(readFileSync(path, 'utf8')).toBe(text);
    });

    it('a complete last line of another plan', () => {
      const path = writtenJournal();
      const all = lines(path);
      all[all.length - 1] = (all[all.length - 1] as string).replace(PLAN_ID, 'plan-2');
      writeFileSync(path, `${all.join('\n')}\n`);
      expect(() => Journal.open(path, PLAN_ID)).toThrow(/belongs to plan plan-2/);
    });
  });
});

describe('Journal.stepsToUndo', () => {
  it('lists touched steps newest first, leaving out undone ones', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'split-role-journal-')), 'u.journal.jsonl');
    const journal = Journal.open(path, PLAN_ID);
    for (const step of ['create:a', 'create:b', 'repoint:x', 'repoint:y']) {
      journal.append({ event: 'step-begin', step });
      journal.append({ event: 'step-done', step });
    }
    journal.append({ event: 'step-begin', step: 'retire:check' });
    journal.append({ event: 'step-failed', step: 'retire:check', error: 'in use' });
    // A resumed apply begins a done step again: it keeps its first place in the order.
    journal.append({ event: 'step-begin', step: 'create:a' });
    journal.append({ event: 'step-done', step: 'create:a' });
    expect(journal.stepsToUndo()).toEqual(['retire:check', 'repoint:y', 'repoint:x', 'create:b', 'create:a']);

    journal.append({ event: 'undo-begin', step: 'retire:check' });
    journal.append({ event: 'undo-done', step: 'retire:check' });
    journal.append({ event: 'undo-begin', step: 'repoint:y' });
    journal.append({ event: 'undo-failed', step: 'repoint:y', error: 'boom' });
    expect(journal.stepsToUndo()).toEqual(['repoint:y', 'repoint:x', 'create:b', 'create:a']);
    expect(journal.status('repoint:y')).toBe('undo-failed');
  });
});
