/**
 * Typed errors with stable codes. Commands throw these; the CLI's top level
 * prints one line and sets the exit code, so no command calls process.exit.
 */

/** Exit codes shared by every command. */
export const ExitCode = {
  ok: 0,
  findings: 1,
  error: 2,
  interrupted: 130,
} as const;

/** An error meant for the user: one line, a stable code, an optional hint. */
export class SplitRoleError extends Error {
  override readonly name = 'SplitRoleError';
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly exitCode: number = ExitCode.error,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The one line shown to the user. */
  oneLine(): string {
    return this.hint ? `${this.code}: ${this.message} — ${this.hint}` : `${this.code}: ${this.message}`;
  }
}

/** Bad flags or arguments. */
export function usageError(message: string, hint?: string): SplitRoleError {
  return new SplitRoleError('UsageError', message, hint);
}
