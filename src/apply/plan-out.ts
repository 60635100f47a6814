/**
 * Where `plan` may write: never over anything an applied plan's rollback
 * needs. An applied plan has a journal; its journal, its lock and its
 * Markdown twin (which reviewers and --expect-digest rely on) are off limits,
 * as is any journal or lock file by its name alone.
 */
import { existsSync } from 'node:fs';
import { SplitRoleError } from '../core/errors.js';
import { reviewPathFor } from '../plan/plan-file.js';
import { journalPathFor } from './journal.js';

const APPLY_FILE = /\.journal\.jsonl$|\.lock$/;

/** Refuses a plan path whose plan or review file would overwrite an applied plan's files. */
export function refuseUnsafePlanOut(planPath: string): void {
  for (const file of [planPath, reviewPathFor(planPath)]) {
    if (APPLY_FILE.test(file)) {
      throw new SplitRoleError(
        'PlanOutReserved',
        `${file} is a journal or lock file name; a plan is never written there`,
        'choose another --out ending in .json',
      );
    }
    // The file itself as an applied plan, or as the Markdown twin of one.
    const owners = [file, ...(file.endsWith('.md') ? [file.replace(/\.md$/, '.json')] : [])];
    const applied = owners.find((owner) => existsSync(journalPathFor(owner)));
    if (applied !== undefined) {
      throw new SplitRoleError(
        'PlanApplied',
        `${file === applied ? file : `${file} (the review of ${applied})`} belongs to a plan that has been applied (its journal exists) and rollback needs it`,
        'write the new plan elsewhere with --out',
      );
    }
  }
}
