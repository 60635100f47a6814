/**
 * A failed write of a plan, review or journal as one line that names the
 * file and the cause (a full disk above all), instead of a bare errno.
 */
import { SplitRoleError, type ErrorCode } from './errors.js';

const CAUSES: Record<string, { code: ErrorCode; cause: string }> = {
  ENOSPC: { code: 'DiskFull', cause: 'no space left on the device' },
  EDQUOT: { code: 'DiskFull', cause: 'the disk quota is used up' },
  EROFS: { code: 'WriteFailed', cause: 'the file system is read-only' },
  EACCES: { code: 'WriteFailed', cause: 'permission denied' },
  EPERM: { code: 'WriteFailed', cause: 'permission denied' },
  EISDIR: { code: 'WriteFailed', cause: 'it is a directory' },
  ENOENT: { code: 'WriteFailed', cause: 'its folder does not exist' },
};

/** The SplitRoleError for a failed write of `what` (e.g. "the journal") at `path`; `hint` says what to do next. */
export function writeError(error: unknown, what: string, path: string, hint: string): SplitRoleError {
  if (error instanceof SplitRoleError) return error;
  const errno = (error as NodeJS.ErrnoException).code ?? '';
  const known = CAUSES[errno];
  const cause = known ? `${known.cause} (${errno})` : (error as Error).message;
  return new SplitRoleError(known?.code ?? 'WriteFailed', `cannot write ${what} ${path}: ${cause}`, hint, undefined, { cause: error });
}
