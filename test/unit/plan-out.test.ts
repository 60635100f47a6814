/** `plan --out` never overwrites what an applied plan's rollback needs (issue 10 item 8). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refuseUnsafePlanOut } from '../../src/apply/plan-out.js';
import { refusal } from './fixtures/refusal.js';

describe('refuseUnsafePlanOut', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'split-role-plan-out-'));
    // An applied plan: the plan, its review and its journal.
    for (const file of ['orders.plan.json', 'orders.plan.md', 'orders.plan.journal.jsonl']) await writeFile(join(dir, file), 'x');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const refused: Array<{ out: string; code: string; message: RegExp }> = [
    { out: 'orders.plan.json', code: 'PlanApplied', message: /orders\.plan\.json belongs to a plan that has been applied/ },
    { out: 'orders.plan.journal.jsonl', code: 'PlanOutReserved', message: /is a journal or lock file name/ },
    { out: 'other.plan.journal.jsonl', code: 'PlanOutReserved', message: /is a journal or lock file name/ },
    { out: 'orders.plan.lock', code: 'PlanOutReserved', message: /is a journal or lock file name/ },
    {
      out: 'orders.plan.md',
      code: 'PlanApplied',
      message: /orders\.plan\.md \(the review of .*orders\.plan\.json\) belongs to a plan that has been applied/,
    },
    // No .json: it would share the applied plan's journal, and its review would be written over the applied plan's twin.
    { out: 'orders.plan', code: 'PlanApplied', message: /orders\.plan belongs to a plan that has been applied/ },
  ];
  it.each(refused)('refuses --out $out', ({ out, code, message }) => {
    const error = refusal(() => refuseUnsafePlanOut(join(dir, out)));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('allows a fresh path, and a plan that was never applied', async () => {
    expect(() => refuseUnsafePlanOut(join(dir, 'new.plan.json'))).not.toThrow();
    await writeFile(join(dir, 'draft.plan.json'), 'x');
    expect(() => refuseUnsafePlanOut(join(dir, 'draft.plan.json'))).not.toThrow();
  });
});
