/**
 * One apply or rollback per plan at a time: a lock file beside the plan,
 * created exclusively. A lock left by a process that no longer exists on
 * this host is stale and is taken over.
 */
import { openSync, closeSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
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
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, JSON.stringify(owner));
      closeSync(fd);
      return {
        release: () => {
          // Only our own lock, and one already gone (deleted by hand) is no error.
          if (readOwner(path)?.pid !== owner.pid) return;
          try {
            unlinkSync(path);
          } catch {
            // gone already
          }
        },
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new SplitRoleError('LockFailed', `cannot create the lock ${path}: ${code ?? (error as Error).message}`, 'the plan’s folder must be writable');
      const holder = readOwner(path);
      if (!holder) {
        // Unreadable: maybe another run is writing it this instant. Never guess.
        throw new SplitRoleError('PlanLocked', `lock ${path} exists but cannot be read`, 'if no apply or rollback is running, delete it');
      }
      if (isAlive(holder)) {
        throw new SplitRoleError(
          'PlanLocked',
          `${holder.command} of this plan is already running (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})`,
          `wait for it to finish; if that process is gone, delete ${path}`,
        );
      }
      // Stale: its process died without releasing it (crash, SIGKILL). Remove it only if it is still
      // that same stale lock: another run may have taken it over since it was read.
      const now = readOwner(path);
      if (now?.pid !== holder.pid || now.startedAt !== holder.startedAt) continue;
      try {
        unlinkSync(path);
      } catch {
        // another run took it over first; the next attempt will see its lock
      }
    }
  }
  throw new SplitRoleError('PlanLocked', `could not take the lock ${path}`, 'another run is starting; try again');
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
