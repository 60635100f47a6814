/**
 * The append-only journal beside a plan (PLAN.journal.jsonl). Every mutating
 * step is written and fsynced before and after it runs, with what it
 * replaced, so a crash at any point can be resumed or rolled back.
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { SplitRoleError } from '../core/errors.js';
import { writeError } from '../core/write-errors.js';

const entrySchema = z.object({
  at: z.string(),
  planId: z.string(),
  event: z.enum(['run-start', 'run-end', 'step-begin', 'step-done', 'step-failed', 'undo-begin', 'undo-done', 'undo-failed']),
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

/** A plan's journal: read once, then appended to with fsync. */
export class Journal {
  private constructor(
    readonly path: string,
    readonly planId: string,
    readonly entries: JournalEntry[],
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
      entries.push(parsed.data);
    });
    const journal = new Journal(path, planId, entries);
    if (torn && options.repair) journal.rewriteWithoutTornLine();
    return journal;
  }

  /** Appends one entry and forces it to disk before returning. */
  append(entry: Omit<JournalEntry, 'at' | 'planId'>): void {
    const full: JournalEntry = { at: new Date().toISOString(), planId: this.planId, ...entry };
    try {
      const fd = openSync(this.path, 'a', 0o644);
      try {
        writeSync(fd, `${JSON.stringify(full)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      throw writeError(error, 'the journal', this.path, 'free space and run the same command again: it resumes from the last complete journal line');
    }
    this.entries.push(full);
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
      writeSync(fd, this.entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

function journalError(path: string, detail: string): SplitRoleError {
  return new SplitRoleError('JournalCorrupt', `journal ${path} cannot be trusted: ${detail}`, 'inspect it; do not delete it while the account is part-way through a split');
}
