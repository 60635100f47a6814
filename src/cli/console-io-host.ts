/** The terminal IoHost: results on stdout, messages on stderr, progress only on a TTY. */
import { terminalSafe } from '../core/escape.js';
import type { IoHost, Level } from '../core/io-host.js';

/** How chatty the console should be. */
export interface ConsoleOptions {
  debug?: boolean;
}

/** Writes results to stdout and messages to stderr. */
export class ConsoleIoHost implements IoHost {
  private readonly progress: boolean;

  constructor(private readonly options: ConsoleOptions = {}) {
    // Progress lines are for people watching; in CI logs they are noise.
    this.progress = Boolean(process.stderr.isTTY) || Boolean(options.debug);
  }

  notify(level: Level, message: string): void {
    if (level === 'debug' && !this.options.debug) return;
    if (level === 'progress' && !this.progress) return;
    const prefix = level === 'warn' ? 'warning: ' : level === 'debug' ? 'debug: ' : '';
    // Messages carry names from the account, trail files and plans: no escape sequence reaches the terminal.
    process.stderr.write(`${prefix}${terminalSafe(message)}\n`);
  }

  result(text: string): void {
    const safe = terminalSafe(text);
    process.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`);
  }
}
