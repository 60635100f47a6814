/**
 * The CLI's IoHost: results on stdout; messages on stderr through the
 * terminal renderer (a TTY with --events text), the plain one, or json-lines.
 */
import { terminalSafe } from '../../core/escape.js';
import { BaseIoHost, type IoMessage, type IoRequest } from '../../core/io-host.js';
import type { EventFormat } from '../output-format.js';
import { askOnTerminal } from './ask.js';
import { jsonLine, LineRenderer, plainLine, TerminalRenderer, type Renderer } from './renderers.js';

/** How the person wants output. */
export interface CliIoOptions {
  /** Messages on stderr: text, or one JSON object per event (--events json-lines). */
  events?: EventFormat;
  debug?: boolean;
  /** --yes: no questions; each gets its default answer. */
  yes?: boolean;
}

/** Writes results to stdout and renders messages on stderr. */
export class CliIoHost extends BaseIoHost {
  override readonly live: boolean;
  private readonly renderer: Renderer;

  constructor(options: CliIoOptions = {}) {
    const terminal = Boolean(process.stderr.isTTY) && options.events !== 'json-lines';
    super({ interactive: terminal && Boolean(process.stdin.isTTY), assumeYes: options.yes });
    this.live = terminal;
    const write = (text: string) => void process.stderr.write(text);
    this.renderer = terminal
      ? new TerminalRenderer(write, { debug: options.debug, colors: !process.env.NO_COLOR, columns: () => process.stderr.columns })
      : new LineRenderer(write, options.events === 'json-lines' ? jsonLine : plainLine, { debug: options.debug });
  }

  notify(message: IoMessage): void {
    this.renderer.write(message);
  }

  result(text: string): void {
    this.renderer.settle(new Date());
    // Results carry names from the account, trail files and plans: no escape sequence reaches the terminal.
    const safe = terminalSafe(text);
    process.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`);
  }

  /** Ends the progress line or series; call before the process exits. */
  close(): void {
    this.renderer.settle(new Date());
  }

  protected async ask<T>(request: IoRequest<T>): Promise<T> {
    this.renderer.settle(new Date());
    return askOnTerminal(request);
  }
}
