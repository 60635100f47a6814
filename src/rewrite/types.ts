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

/**
 * Why API Gateway's credentials are left for a person, in every IaC language: a stage serves a deployment's
 * snapshot, so the code's new role takes effect only with a new deployment of each stage, and retiring the shared role
 * before that would break the API.
 */
export const API_GATEWAY_SNAPSHOT =
  "an API Gateway stage serves a deployment's snapshot, so point it at the new role together with a new deployment of each stage (or move the API live with `split-role apply`); review it";
