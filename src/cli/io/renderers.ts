/**
 * Renderers turn IoMessages into text on stderr: the terminal one (colours,
 * one updating progress line), the plain line-per-event one, and json-lines.
 */
import { terminalSafe } from '../../core/escape.js';
import type { IoMessage } from '../../core/io-host.js';
import { ProgressSampler } from './progress-sampler.js';

/** Where a renderer writes (stderr, or a buffer in tests). */
export type Write = (text: string) => void;

/** Draws messages; `settle` ends an open progress line or series (before a prompt, a task list, the exit). */
export interface Renderer {
  write(message: IoMessage): void;
  settle(now: Date): void;
}

/** What every renderer is told. */
export interface RendererOptions {
  /** Show debug messages. */
  debug?: boolean;
}

const PREFIX: Partial<Record<IoMessage['level'], string>> = { warn: 'warning: ', debug: 'debug: ', error: 'split-role: ' };

/** The plain text of a message: a level prefix and the message, its control characters made visible (account data is hostile). */
export function plainLine(message: IoMessage): string {
  return `${PREFIX[message.level] ?? ''}${terminalSafe(message.message)}`;
}

/** One JSON object per event: {time, level, code, message, data}. JSON escapes control characters itself. */
export function jsonLine(message: IoMessage): string {
  return JSON.stringify({
    time: message.time.toISOString(),
    level: message.level,
    code: message.code,
    message: message.message,
    data: message.data ?? {},
  });
}

/** Line per event, progress sampled: plain text for logs, or json-lines for machines. */
export class LineRenderer implements Renderer {
  private readonly sampler: ProgressSampler;

  constructor(
    private readonly out: Write,
    private readonly format: (message: IoMessage) => string,
    private readonly options: RendererOptions & { intervalMs?: number } = {},
  ) {
    this.sampler = new ProgressSampler(options.intervalMs);
  }

  write(message: IoMessage): void {
    if (message.level === 'debug' && !this.options.debug) return;
    if (message.level === 'progress') {
      const due = this.sampler.offer(message);
      if (due) this.line(due);
      return;
    }
    this.settle(message.time);
    this.line(message);
  }

  settle(now: Date): void {
    const last = this.sampler.settle(now);
    if (last) this.line(last);
  }

  private line(message: IoMessage): void {
    this.out(`${this.format(message)}\n`);
  }
}

/** ANSI select-graphic-rendition codes: on, off. */
const SGR = { dim: [2, 22], yellow: [33, 39], red: [31, 39] } as const;

/** A terminal: colours, and progress as one line redrawn in place. */
export class TerminalRenderer implements Renderer {
  private progressShown = false;

  constructor(
    private readonly out: Write,
    private readonly options: RendererOptions & { colors?: boolean; columns?: () => number | undefined } = {},
  ) {}

  write(message: IoMessage): void {
    if (message.level === 'debug' && !this.options.debug) return;
    if (message.level === 'progress') {
      // First line only, cut to the width, so the redraw never wraps.
      const width = Math.max(20, (this.options.columns?.() ?? 80) - 1);
      const text = terminalSafe(message.message.split('\n')[0] ?? '').slice(0, width);
      this.out(`\r\u001b[K${this.paint('dim', text)}`);
      this.progressShown = true;
      return;
    }
    this.settle();
    const prefix = PREFIX[message.level];
    const body = terminalSafe(message.message);
    if (!prefix) this.out(`${body}\n`);
    else
      this.out(
        `${this.paint(message.level === 'warn' ? 'yellow' : message.level === 'error' ? 'red' : 'dim', prefix.trimEnd())} ${body}\n`,
      );
  }

  /** Keeps the progress line's final figure and moves below it. */
  settle(): void {
    if (!this.progressShown) return;
    this.out('\n');
    this.progressShown = false;
  }

  private paint(style: keyof typeof SGR, text: string): string {
    // Written out rather than util.styleText: that one decides colour by stdout, and this goes to stderr.
    return this.options.colors ? `\u001b[${SGR[style][0]}m${text}\u001b[${SGR[style][1]}m` : text;
  }
}
