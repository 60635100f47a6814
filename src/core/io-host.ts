/**
 * All user-facing output goes through an IoHost, so one code path serves a
 * terminal, CI logs and tests. Results go to stdout; everything else to stderr.
 */

/** Message levels, from chatty to important. */
export type Level = 'debug' | 'progress' | 'info' | 'warn';

/** Where core code sends messages and commands send results. */
export interface IoHost {
  /** A message for the person running the tool (stderr). */
  notify(level: Level, message: string): void;
  /** The command's result (stdout): a table, a JSON document. */
  result(text: string): void;
}

/** An IoHost that keeps everything, for tests and for callers that render later. */
export class RecordingIoHost implements IoHost {
  readonly messages: Array<{ level: Level; message: string }> = [];
  readonly results: string[] = [];
  notify(level: Level, message: string): void {
    this.messages.push({ level, message });
  }
  result(text: string): void {
    this.results.push(text);
  }
}
