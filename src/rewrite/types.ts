/** What `rewrite` reads and hands back, whatever the IaC language. */

/** The two pull requests of a split done in code: add and repoint, then remove. */
export type RewriteStage = 'cutover' | 'retire';

/** A file of the owning code, as read. */
export interface SourceFile {
  path: string;
  text: string;
}

/** One file to write: `before` is undefined for a new file. */
export interface FileChange {
  path: string;
  before?: string;
  after: string;
}

/** The files to write, and one line per change for the command's output. */
export interface RewriteOutcome {
  changes: FileChange[];
  notes: string[];
}
