/** The journal's hash chain and stage markers (issue 10 item 7). */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stageMarkerProblems } from '../../src/apply/journal-check.js';
import { Journal } from '../../src/apply/journal.js';
import type { Step } from '../../src/apply/step.js';
import { refusal } from './fixtures/refusal.js';

const PLAN = 'plan-0000-1111';
const step = (id: string, stage: Step['stage']): Step => ({ id, stage, title: id, run: async () => undefined });
const STEPS = [
  step('create-role:a', 'create'),
  step('create-role:b', 'create'),
  step('repoint-lambda:f', 'repoint'),
  step('verify', 'verify'),
];

describe('the journal chain', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'split-role-journal-'));
    path = join(dir, 'orders.plan.journal.jsonl');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A journal of `n` steps begun and done. */
  function written(n: number): string[] {
    const journal = Journal.open(path, PLAN);
    for (let i = 0; i < n; i++) {
      journal.append({ event: 'step-begin', step: `s${i}` });
      journal.append({ event: 'step-done', step: `s${i}`, data: { i } });
    }
    return readFileSync(path, 'utf8').trimEnd().split('\n');
  }
  const write = (lines: string[], end = '\n') => writeFileSync(path, lines.join('\n') + end);

  it('numbers every line and links it to the one before', () => {
    const lines = written(3).map((l) => JSON.parse(l) as { seq: number; prev: string });
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(lines.map((l) => l.prev)).size).toBe(6);
    expect(Journal.open(path, PLAN).entries).toHaveLength(6);
  });

  const damage: Array<{ name: string; edit: (lines: string[]) => string[]; message: RegExp }> = [
    {
      name: 'a line removed from the middle',
      edit: (l) => [...l.slice(0, 10), ...l.slice(11)],
      message: /line 11 has sequence number 12, expected 11: lines before it were removed/,
    },
    { name: 'the first lines removed', edit: (l) => l.slice(5), message: /line 1 has sequence number 6, expected 1/ },
    {
      name: 'a line changed',
      edit: (l) => l.map((line, i) => (i === 7 ? line.replace('"i":3', '"i":9') : line)),
      message: /line 9 does not follow the line before it \(hash mismatch\)/,
    },
    {
      name: 'two lines swapped',
      edit: (l) => [...l.slice(0, 4), l[5] as string, l[4] as string, ...l.slice(6)],
      message: /line 5 has sequence number 6, expected 5/,
    },
    {
      name: 'a line without a sequence number after chained ones',
      edit: (l) => [...l, JSON.stringify({ at: 'x', planId: PLAN, event: 'run-start', command: 'apply' })],
      message: /line 41 has no sequence number although the lines before it do/,
    },
  ];
  it.each(damage)('refuses $name', ({ edit, message }) => {
    write(edit(written(20)));
    const error = refusal(() => Journal.open(path, PLAN));
    expect(error.code).toBe('JournalCorrupt');
    expect(error.message).toMatch(message);
  });

  it('still drops a torn last line, and the chain goes on after the repair', () => {
    const lines = written(2);
    writeFileSync(path, `${lines.join('\n')}\n{"seq":5,"prev":"ab`);
    const journal = Journal.open(path, PLAN, { repair: true });
    expect(journal.entries).toHaveLength(4);
    journal.append({ event: 'run-end', command: 'apply', outcome: 'completed' });
    expect(Journal.open(path, PLAN).entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads a journal written before the chain, and chains what is appended to it', () => {
    const legacy = [
      { at: '2026-01-01T00:00:00.000Z', planId: PLAN, event: 'run-start', command: 'apply' },
      { at: '2026-01-01T00:00:01.000Z', planId: PLAN, event: 'step-begin', step: 'create-role:a' },
    ].map((e) => JSON.stringify(e));
    write(legacy);
    const journal = Journal.open(path, PLAN);
    expect(journal.status('create-role:a')).toBe('running');
    journal.append({ event: 'step-done', step: 'create-role:a' });
    const reopened = Journal.open(path, PLAN);
    expect(reopened.entries.map((e) => e.seq)).toEqual([undefined, undefined, 3]);
    expect(reopened.status('create-role:a')).toBe('done');
  });
});

describe('stage markers', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'split-role-journal-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('agree with a journal that did the stage', () => {
    const journal = Journal.open(join(dir, 'j.jsonl'), PLAN);
    for (const id of ['create-role:a', 'create-role:b']) {
      journal.append({ event: 'step-begin', step: id });
      journal.append({ event: 'step-done', step: id });
    }
    journal.append({ event: 'stage-done', stage: 'create', steps: 2 });
    expect(stageMarkerProblems(journal, STEPS)).toEqual([]);
  });

  it('catch a wrong step count and a stage marked complete without its steps', () => {
    const journal = Journal.open(join(dir, 'j.jsonl'), PLAN);
    journal.append({ event: 'step-done', step: 'create-role:a' });
    journal.append({ event: 'stage-done', stage: 'create', steps: 2 });
    journal.append({ event: 'stage-done', stage: 'repoint', steps: 3 });
    expect(stageMarkerProblems(journal, STEPS)).toEqual([
      'line 2 marks stage create complete, but no line before it shows create-role:b done',
      'line 3 says stage repoint had 3 steps; the plan has 1',
    ]);
  });
});
