/**
 * All user-facing output goes through an IoHost, so one code path serves a
 * terminal, CI logs, `--events json-lines` and tests. Results go to stdout;
 * every message goes to stderr through the host's renderer.
 *
 * How to emit (the code must be registered in src/core/message-codes.ts with
 * the same level; the compiler checks that `io.warn` gets a W code):
 *
 *   io.info('SR_PLAN_I2007', `Wrote ${path}`, { path });      // a line for the person
 *   io.warn('SR_EVID_W3002', message, { file });               // "warning: …"
 *   io.progress('SR_EVID_P3001', `read ${n} log files…`, { files: n });
 *   io.debug('SR_SCAN_D1003', 'AWS calls: …', { requests });   // only with --debug
 *   io.result(text);                                           // stdout
 *
 * Progress is one updating line on a terminal and throttled in plain output
 * (per code, at most every 2 s, plus the final figure), so emit it freely.
 * Questions are requests with the answer a run without a person gets:
 *
 *   const go = await io.requestResponse({ code: 'SR_APPLY_Q4002', message: 'Go ahead?',
 *     defaultResponse: true, question: { type: 'confirm', initial: false },
 *     needsConsent: 'refusing to change the account without confirmation' });
 *
 * `--yes` or no terminal answers with `defaultResponse`; `needsConsent` makes a
 * run without a terminal and without `--yes` refuse instead.
 */
import { usageError } from './errors.js';
import type { CodeAt, Level, MessageCode } from './message-codes.js';

export type { Level, MessageCode } from './message-codes.js';

/** Structured facts of a message, for machines (`--events json-lines`). */
export type MessageData = Record<string, unknown>;

/** One event for the person or the machine running the tool. */
export interface IoMessage {
  time: Date;
  level: Level;
  code: MessageCode;
  /** The human text (may span lines, e.g. a diff). */
  message: string;
  data?: MessageData;
}

/** One option of a select or checkbox question. */
export interface Choice<V extends string = string> {
  name: string;
  value: V;
  description?: string;
  /** Pre-selected in a checkbox question. */
  checked?: boolean;
}

/** How a terminal asks for an answer of type T. */
export type Question<T> = [T] extends [boolean]
  ? { type: 'confirm'; initial?: boolean }
  : [T] extends [string[]]
    ? { type: 'checkbox'; choices: Array<Choice<T[number]>>; required?: boolean }
    : [T] extends [string]
      ? { type: 'select'; choices: Array<Choice<T>> } | { type: 'input'; initial?: string; validate?: (value: string) => true | string }
      : never;

/** A question for the person, with the answer used when nobody can be asked. */
export interface IoRequest<T> {
  code: CodeAt<'request'>;
  message: string;
  data?: MessageData;
  /** The answer of a run without a terminal, or with --yes. */
  defaultResponse: T;
  question: Question<T>;
  /** Set for consent to change something: without a terminal and without --yes, refuse with this message. */
  needsConsent?: string;
  /** The person may go back to the previous question (Esc, or a "‹ back" choice): the host then throws GoBack. */
  back?: boolean;
}

/** Thrown by `requestResponse` when the person asks for the previous question (only for requests with `back`). */
export class GoBack extends Error {
  constructor() {
    super('back to the previous question');
    this.name = 'GoBack';
  }
}

/** Where core code sends messages and questions, and commands send results. */
export interface IoHost {
  /** True when a person answers questions (a terminal, and no --yes). */
  readonly interactive: boolean;
  /** True when stderr is a terminal the host redraws (updating progress line, animated task lists). */
  readonly live: boolean;
  /** Emits one message. Prefer the level helpers below. */
  notify(message: IoMessage): void;
  /** Asks a question; answers with `defaultResponse` when nobody can be asked. */
  requestResponse<T>(request: IoRequest<T>): Promise<T>;
  /** The command's result (stdout): a table, a JSON document. */
  result(text: string): void;
  debug(code: CodeAt<'debug'>, message: string, data?: MessageData): void;
  progress(code: CodeAt<'progress'>, message: string, data?: MessageData): void;
  info(code: CodeAt<'info'>, message: string, data?: MessageData): void;
  warn(code: CodeAt<'warn'>, message: string, data?: MessageData): void;
  error(code: CodeAt<'error'>, message: string, data?: MessageData): void;
}

/** How a host answers questions and tells time. */
export interface IoHostSettings {
  /** A person can be asked (a terminal on stdin and stderr). */
  interactive?: boolean;
  /** --yes: every question gets its default answer. */
  assumeYes?: boolean;
  /** The clock stamped on messages (tests inject one). */
  now?: () => Date;
}

/** The level helpers and the question policy; subclasses render and ask. */
export abstract class BaseIoHost implements IoHost {
  readonly live: boolean = false;

  constructor(protected readonly settings: IoHostSettings = {}) {}

  get interactive(): boolean {
    return Boolean(this.settings.interactive) && !this.settings.assumeYes;
  }

  abstract notify(message: IoMessage): void;
  abstract result(text: string): void;
  /** Asks a person; only called when `interactive`. */
  protected abstract ask<T>(request: IoRequest<T>): Promise<T>;

  async requestResponse<T>(request: IoRequest<T>): Promise<T> {
    if (this.interactive) return this.ask(request);
    if (!this.settings.assumeYes && request.needsConsent) throw usageError(request.needsConsent, 'pass --yes');
    return request.defaultResponse;
  }

  debug(code: CodeAt<'debug'>, message: string, data?: MessageData): void {
    this.emit('debug', code, message, data);
  }
  progress(code: CodeAt<'progress'>, message: string, data?: MessageData): void {
    this.emit('progress', code, message, data);
  }
  info(code: CodeAt<'info'>, message: string, data?: MessageData): void {
    this.emit('info', code, message, data);
  }
  warn(code: CodeAt<'warn'>, message: string, data?: MessageData): void {
    this.emit('warn', code, message, data);
  }
  error(code: CodeAt<'error'>, message: string, data?: MessageData): void {
    this.emit('error', code, message, data);
  }

  private emit(level: Level, code: MessageCode, message: string, data?: MessageData): void {
    this.notify({ time: this.settings.now?.() ?? new Date(), level, code, message, ...(data ? { data } : {}) });
  }
}
