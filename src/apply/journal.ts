/**
 * The append-only journal beside a plan (PLAN.journal.jsonl). Every mutating
 * step is written and fsynced before and after it runs, with what it
 * replaced, so a crash at any point can be resumed or rolled back. Lines are
 * hash-chained (each carries its sequence number and the sha256 of the line
 * before), so a line removed or changed anywhere but at the end is refused;
 * what the end may have lost, the account cross-check finds (journal-check.ts).
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { SplitRoleError } from '../core/errors.js';
import { writeError } from '../core/write-errors.js';

const entrySchema = z.object({
  at: z.string(),
  planId: z.string(),
  /** 1 for the first line, then one more per line. Absent only in journals written before the chain. */
  seq: z.number().int().positive().optional(),
  /** sha256 (hex) of the previous line's text; of `split-role journal PLANID` for the first line. */
  prev: z.string().optional(),
  event: z.enum([
    'run-start',
    'run-end',
    'step-begin',
    'step-done',
    'step-failed',
    'undo-begin',
    'undo-done',
    'undo-failed',
    'stage-done',
    'follow-up-confirmed',
    // apply --allow-iac-drift changed IaC-owned resources live (data: what, and whose); apply --adopt-roles ran (data: the roles).
    'iac-drift-allowed',
    'adopt-roles',
  ]),
  /** For stage-done: the stage, and how many steps it had. */
  stage: z.string().optional(),
  steps: z.number().int().nonnegative().optional(),
  /** For follow-up-confirmed: the id of the manual follow-up the operator says is done. */
  followUp: z.string().optional(),
  command: z.enum(['apply', 'rollback']).optional(),
  step: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
  outcome: z.string().optional(),
  pid: z.number().optional(),
});

/** One journal line. */
export type JournalEntry = z.infer<typeof entrySchema>;

/** Where a step stands, from the latest entry about it. */
export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'undoing' | 'undone' | 'undo-failed';

const STATUS_OF: Partial<Record<JournalEntry['event'], StepStatus>> = {
  'step-begin': 'running',
  'step-done': 'done',
  'step-failed': 'failed',
  'undo-begin': 'undoing',
  'undo-done': 'undone',
  'undo-failed': 'undo-failed',
};

/** The journal file path for a plan file. */
export function journalPathFor(planPath: string): string {
  return `${planPath.replace(/\.json$/, '')}.journal.jsonl`;
}

/** The hash that links a line to the one before it. */
function lineHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** What the first line's `prev` is: ties the chain to its plan. */
function genesis(planId: string): string {
  return lineHash(`split-role journal ${planId}`);
}

/** A plan's journal: read once, then appended to with fsync. */
export class Journal {
  private constructor(
    readonly path: string,
    readonly planId: string,
    readonly entries: JournalEntry[],
    /** Each entry's line exactly as written: the chain hashes these, so a rewrite must keep them byte for byte. */
    private readonly lines: string[],
  ) {}

  /**
   * Reads (or starts) the journal. A torn last line (a crash mid-write) is
   * dropped (and, with `repair`, cut from the file: only under the plan's
   * lock); any other unreadable line, or a line for another plan, is refused.
   */
  static open(path: string, planId: string, options: { repair?: boolean } = {}): Journal {
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw journalError(path, (error as Error).message);
    }
    const lines = text.split('\n');
    const torn = !text.endsWith('\n') && text.length > 0;
    const entries: JournalEntry[] = [];
    const kept: string[] = [];
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      const isLast = index === lines.length - 1;
      let parsed: z.ZodSafeParseResult<JournalEntry>;
      try {
        parsed = entrySchema.safeParse(JSON.parse(line));
      } catch {
        if (isLast && torn) return;
        throw journalError(path, `line ${index + 1} is not JSON`);
      }
      if (!parsed.success) {
        if (isLast && torn) return;
        throw journalError(path, `line ${index + 1} is not a journal entry`);
      }
      if (parsed.data.planId !== planId) throw journalError(path, `line ${index + 1} belongs to plan ${parsed.data.planId}, not ${planId}`);
      const problem = chainProblem(parsed.data, kept, planId);
      if (problem) throw journalError(path, `line ${index + 1} ${problem}`);
      entries.push(parsed.data);
      kept.push(line);
    });
    const journal = new Journal(path, planId, entries, kept);
    if (torn && options.repair) journal.rewriteWithoutTornLine();
    return journal;
  }

  /** Appends one entry and forces it to disk before returning. */
  append(entry: Omit<JournalEntry, 'at' | 'planId' | 'seq' | 'prev'>): void {
    const last = this.lines[this.lines.length - 1];
    const full: JournalEntry = {
      seq: this.entries.length + 1,
      prev: last === undefined ? genesis(this.planId) : lineHash(last),
      at: new Date().toISOString(),
      planId: this.planId,
      ...entry,
    };
    const line = JSON.stringify(full);
    try {
      const fd = openSync(this.path, 'a', 0o644);
      try {
        writeSync(fd, `${line}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      throw writeError(
        error,
        'the journal',
        this.path,
        'free space and run the same command again: it resumes from the last complete journal line',
      );
    }
    this.entries.push(full);
    this.lines.push(line);
  }

  /** The latest status of a step. */
  status(step: string): StepStatus {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i] as JournalEntry;
      if (entry.step === step && STATUS_OF[entry.event]) return STATUS_OF[entry.event] as StepStatus;
    }
    return 'pending';
  }

  /** The data recorded when the step last completed. */
  dataOf(step: string): Record<string, unknown> | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i] as JournalEntry;
      if (entry.step === step && entry.event === 'step-done') return entry.data;
    }
    return undefined;
  }

  /** The manual follow-ups the operator has confirmed as done. */
  confirmedFollowUps(): Set<string> {
    return new Set(this.entries.flatMap((e) => (e.event === 'follow-up-confirmed' && e.followUp ? [e.followUp] : [])));
  }

  /** Steps apply has touched and rollback has not yet undone, most recent first. */
  stepsToUndo(): string[] {
    const order: string[] = [];
    for (const entry of this.entries) {
      if (entry.event === 'step-begin' && entry.step && !order.includes(entry.step)) order.push(entry.step);
    }
    return order.filter((step) => !['pending', 'undone'].includes(this.status(step))).reverse();
  }

  /** The last time an entry mentioned the step. */
  lastAt(step: string): string | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]?.step === step) return this.entries[i]?.at;
    return undefined;
  }

  private rewriteWithoutTornLine(): void {
    const fd = openSync(this.path, 'w', 0o644);
    try {
      writeSync(fd, this.lines.map((line) => `${line}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * Why a line does not continue the chain, or undefined when it does. Journals
 * written before the chain have no `seq`: such lines are accepted only before
 * the first chained line, and the chain then continues from them (the
 * migration is simply the next append).
 */
function chainProblem(entry: JournalEntry, before: readonly string[], planId: string): string | undefined {
  const previous = before[before.length - 1];
  if (entry.seq === undefined) {
    const chained = previous !== undefined && (JSON.parse(previous) as JournalEntry).seq !== undefined;
    return chained ? 'has no sequence number although the lines before it do: lines were edited' : undefined;
  }
  if (entry.seq !== before.length + 1)
    return `has sequence number ${entry.seq}, expected ${before.length + 1}: lines before it were removed or added`;
  const expected = previous === undefined ? genesis(planId) : lineHash(previous);
  return entry.prev === expected
    ? undefined
    : 'does not follow the line before it (hash mismatch): lines before it were changed or removed';
}

function journalError(path: string, detail: string): SplitRoleError {
  return new SplitRoleError(
    'JournalCorrupt',
    `journal ${path} cannot be trusted: ${detail}`,
    'inspect it; do not delete it while the account is part-way through a split',
  );
}
