/**
 * How rollback says what it does: each undo in its own words ("move EC2
 * instance i-… back to orders", not "undo: move … to orders-ec2"), and the
 * errors of an undo with rollback's resume hint, not apply's.
 */
import { SplitRoleError } from '../core/errors.js';
import type { Step } from './step.js';

/** Step titles and their undo, first match wins; `shared` is the shared role's name. */
const UNDO_TITLES: ReadonlyArray<[RegExp, (m: RegExpMatchArray, shared: string) => string]> = [
  [/^move (.+) to a revision with the new role$/, (m, shared) => `move ${m[1]} back to its revision with ${shared}`],
  [/^move (.+) to \S+$/, (m, shared) => `move ${m[1]} back to ${shared}`],
  [/^create role (.+)$/, (m) => `delete role ${m[1]}`],
  [/^put inline policy (.+)$/, (m) => `delete inline policy ${m[1]}`],
  [/^create managed policy (.+)$/, (m) => `delete managed policy ${m[1]}`],
  [/^attach (.+) to (.+)$/, (m) => `detach ${m[1]} from ${m[2]}`],
  [/^create instance profile (.+)$/, (m) => `delete instance profile ${m[1]}`],
  [/^add the new roles to (.+)$/, (m) => `take the new roles out of ${m[1]}`],
  [/^grant (.+) the actions verify found missing$/, (m) => `take back the actions verify granted ${m[1]}`],
  [/^remove (.+) from its instance profiles$/, (m) => `put ${m[1]} back into its instance profiles`],
  [/^remove (.+) from (.+)$/, (m) => `put ${m[1]} back into ${m[2]}`],
  [/^snapshot (.+) into the journal$/, (m) => `put ${m[1]}'s policies back from the journal's snapshot`],
  [/^detach and delete (.+)'s policies$/, (m) => `put ${m[1]}'s policies back`],
  [/^delete (.+)$/, (m) => `recreate ${m[1]} from the journal's snapshot`],
];

/** The line rollback shows for undoing `step`; a step it has no words for keeps "undo: TITLE". */
export function undoTitle(step: Pick<Step, 'title'>, shared: string): string {
  for (const [pattern, say] of UNDO_TITLES) {
    const match = step.title.match(pattern);
    if (match) return say(match, shared);
  }
  return `undo: ${step.title}`;
}

/** An undo's error as rollback tells it: a wait that timed out resumes with rollback, not apply. */
export function asRollbackError(error: unknown): unknown {
  if (error instanceof SplitRoleError && error.code === 'WaitTimeout' && !/rollback/.test(error.hint ?? '')) {
    return error.retold(error.message, 'check it in the console; run `split-role rollback PLAN` again to resume');
  }
  return error;
}
