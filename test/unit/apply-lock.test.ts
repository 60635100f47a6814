import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, lockPathFor } from '../../src/apply/lock.js';
import { errorIs } from '../../src/core/errors.js';

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid;
}

function planPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'split-role-lock-')), 'x.plan.json');
}

function writeOwner(path: string, pid: number, startedAt = '2026-01-01T00:00:00.000Z'): void {
  writeFileSync(path, JSON.stringify({ pid, host: hostname(), command: 'apply', startedAt }));
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('acquireLock', () => {
  it('takes a free lock, refuses a second holder, and releases', () => {
    const plan = planPath();
    const lock = acquireLock(plan, 'apply');
    expect(JSON.parse(readFileSync(lockPathFor(plan), 'utf8'))).toMatchObject({ pid: process.pid, command: 'apply' });
    const refused = thrownBy(() => acquireLock(plan, 'rollback'));
    expect(errorIs.PlanLocked(refused)).toBe(true);
    expect((refused as Error).message).toMatch(/apply of this plan is already running/);
    lock.release();
    expect(existsSync(lockPathFor(plan))).toBe(false);
    acquireLock(plan, 'rollback').release();
  });

  it('treats a lock from another host as live', () => {
    const plan = planPath();
    writeFileSync(lockPathFor(plan), JSON.stringify({ pid: deadPid(), host: `not-${hostname()}`, command: 'apply', startedAt: 'x' }));
    expect(errorIs.PlanLocked(thrownBy(() => acquireLock(plan, 'apply')))).toBe(true);
  });

  it('refuses an unreadable lock rather than guessing', () => {
    const plan = planPath();
    writeFileSync(lockPathFor(plan), '');
    expect(thrownBy(() => acquireLock(plan, 'apply'))).toMatchObject({
      code: 'PlanLocked',
      message: expect.stringMatching(/cannot be read/),
    });
  });

  it('takes over a stale lock (its process is gone) and leaves no takeover file behind', () => {
    const plan = planPath();
    writeOwner(lockPathFor(plan), deadPid());
    const lock = acquireLock(plan, 'rollback');
    expect(JSON.parse(readFileSync(lockPathFor(plan), 'utf8'))).toMatchObject({ pid: process.pid, command: 'rollback' });
    expect(existsSync(`${lockPathFor(plan)}.takeover`)).toBe(false);
    lock.release();
  });

  it('does not remove a stale lock while another run is taking it over', () => {
    // The race the takeover lock closes: two runs both find the same stale lock; the slower one must not
    // delete the lock the faster one creates in its place.
    const plan = planPath();
    const stale = deadPid();
    writeOwner(lockPathFor(plan), stale);
    writeOwner(`${lockPathFor(plan)}.takeover`, process.pid, new Date().toISOString());
    const refused = thrownBy(() => acquireLock(plan, 'apply'));
    expect(errorIs.PlanLocked(refused)).toBe(true);
    expect((refused as Error).message).toMatch(/taking over/);
    expect(JSON.parse(readFileSync(lockPathFor(plan), 'utf8'))).toHaveProperty('pid', stale);
  });

  it('refuses, loudly, a takeover its taker never finished', () => {
    const plan = planPath();
    writeOwner(lockPathFor(plan), deadPid());
    writeOwner(`${lockPathFor(plan)}.takeover`, deadPid());
    const refused = thrownBy(() => acquireLock(plan, 'apply'));
    expect(refused).toMatchObject({ code: 'PlanLocked', hint: expect.stringMatching(/delete .*\.takeover/) });
  });

  it('lets exactly one of several racing runs take over a stale lock', async () => {
    const plan = planPath();
    writeOwner(lockPathFor(plan), deadPid());
    // Each run reports, then the holder keeps its lock (alive) until every run has reported.
    const script = `
      const { acquireLock } = await import(${JSON.stringify(new URL('../../src/apply/lock.ts', import.meta.url).href)});
      try { acquireLock(process.argv[1], 'apply'); console.log('held'); } catch (error) { console.log(error.code ?? error.message); }
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));`;
    const children = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, plan], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    try {
      const outcomes = await Promise.all(
        children.map(
          (child) =>
            new Promise<string>((resolve, reject) => {
              child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
              child.once('error', reject);
              child.once('exit', (code) => reject(new Error(`a racing run exited (${code}) before reporting`)));
            }),
        ),
      );
      expect(
        outcomes.filter((o) => o === 'held'),
        outcomes.join(', '),
      ).toHaveLength(1);
      expect(
        outcomes.filter((o) => o !== 'held'),
        outcomes.join(', '),
      ).toEqual(['PlanLocked', 'PlanLocked', 'PlanLocked']);
    } finally {
      for (const child of children) child.stdin.end();
    }
  }, 60_000);
});
