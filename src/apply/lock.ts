/**
 * One apply or rollback per plan at a time: a lock file beside the plan,
 * created exclusively. A lock left by a process that no longer exists on
 * this host is stale and is taken over.
 *
 * Taking over is itself exclusive: only the run that holds PLAN.lock.takeover
 * (also created with O_EXCL) may remove a stale lock. Without it two runs could
 * both find the same stale lock, and the slower one would delete the lock the
 * faster one had just made, so both would run.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { SplitRoleError } from '../core/errors.js';

interface LockOwner {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

/** A held lock; release it in a finally block. */
export interface PlanLock {
  release(): void;
}

/** The lock path for a plan file. */
export function lockPathFor(planPath: string): string {
  return `${planPath.replace(/\.json$/, '')}.lock`;
}

/** Takes the plan's lock or throws PlanLocked naming the holder. */
export function acquireLock(planPath: string, command: string): PlanLock {
  const path = lockPathFor(planPath);
  const owner: LockOwner = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  if (createExclusive(path, owner)) return heldLock(path, owner);
  const holder = readOwner(path);
  if (!holder) {
    // Unreadable: maybe another run is writing it this instant. Never guess.
    throw new SplitRoleError('PlanLocked', `lock ${path} exists but cannot be read`, 'if no apply or rollback is running, delete it');
  }
  if (isAlive(holder)) throw lockedBy(holder, path);
  // Stale: its process died without releasing it (crash, SIGKILL).
  takeOverStale(path, holder, owner);
  return heldLock(path, owner);
}

/** Removes the stale lock `stale` and creates ours in its place, holding the takeover lock meanwhile. */
function takeOverStale(path: string, stale: LockOwner, owner: LockOwner): void {
  const takeover = `${path}.takeover`;
  if (!createExclusive(takeover, owner)) {
    const other = readOwner(takeover);
    if (other && !isAlive(other)) {
      throw new SplitRoleError(
        'PlanLocked',
        `a takeover of the stale lock ${path} was left unfinished by pid ${other.pid}`,
        `if no apply or rollback is running, delete ${takeover} and ${path}`,
      );
    }
    throw new SplitRoleError('PlanLocked', `another run is taking over the stale lock ${path}`, 'try again in a moment');
  }
  try {
    // Only the takeover holder removes stale locks, so the lock is still the stale one unless it was
    // deleted by hand and a new run took it meanwhile: remove it only if it is still the stale one.
    const now = readOwner(path);
    if (now && sameOwner(now, stale)) removeIfPresent(path);
    if (!createExclusive(path, owner)) {
      const holder = readOwner(path);
      throw holder
        ? lockedBy(holder, path)
        : new SplitRoleError('PlanLocked', `could not take the lock ${path}`, 'another run is starting; try again');
    }
  } finally {
    removeIfPresent(takeover);
  }
}

/** Creates `path` holding `owner`, only if it does not exist; false when it does. */
function createExclusive(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    throw new SplitRoleError(
      'LockFailed',
      `cannot create the lock ${path}: ${code ?? (error as Error).message}`,
      'the plan’s folder must be writable',
    );
  }
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

function heldLock(path: string, owner: LockOwner): PlanLock {
  return {
    release: () => {
      // Only our own lock, and one already gone (deleted by hand) is no error.
      const now = readOwner(path);
      if (now && sameOwner(now, owner)) removeIfPresent(path);
    },
  };
}

function lockedBy(holder: LockOwner, path: string): SplitRoleError {
  return new SplitRoleError(
    'PlanLocked',
    `${holder.command} of this plan is already running (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})`,
    `wait for it to finish; if that process is gone, delete ${path}`,
  );
}

function sameOwner(a: LockOwner, b: LockOwner): boolean {
  return a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt;
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function isAlive(owner: LockOwner): boolean {
  // A lock from another host cannot be checked from here: assume it is live.
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
