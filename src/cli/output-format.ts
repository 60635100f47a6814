/**
 * Where each kind of output goes, as in the AWS CLI: `--output json|text`
 * picks the result on stdout, `--events text|json-lines` the messages on
 * stderr. `--output json-lines` is the old spelling of `--events json-lines`.
 */

/** Choices of the global `--output` (json-lines kept as a deprecated alias of `--events json-lines`). */
export const OUTPUT_CHOICES = ['text', 'json', 'json-lines'] as const;

/** Choices of the global `--events`. */
export const EVENT_CHOICES = ['text', 'json-lines'] as const;

/** The format of stdout's result. */
export type ResultFormat = 'text' | 'json';

/** The format of stderr's messages. */
export type EventFormat = (typeof EVENT_CHOICES)[number];

/** The flags that decide the formats. */
export interface FormatFlags {
  output?: (typeof OUTPUT_CHOICES)[number];
  events?: EventFormat;
  /** A command's `--json`: an alias of `--output json`. */
  json?: boolean;
}

/** The result format: JSON for `--output json` or a command's `--json`. */
export function resultFormat(flags: FormatFlags): ResultFormat {
  return flags.json || flags.output === 'json' ? 'json' : 'text';
}

/** The message format: json-lines for `--events json-lines` or the old `--output json-lines`. */
export function eventFormat(flags: FormatFlags): EventFormat {
  return flags.events ?? (flags.output === 'json-lines' ? 'json-lines' : 'text');
}

/**
 * Whether the raw arguments ask for JSON anywhere, before commander has parsed
 * them: a parse error must come out in the form the caller reads.
 */
export function jsonAskedIn(argv: readonly string[]): boolean {
  for (const [i, arg] of argv.entries()) {
    if (arg === '--') break;
    if (arg === '--json') return true;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, argv[i + 1]];
    if (flag === '--output' && (inline === 'json' || inline === 'json-lines')) return true;
    if (flag === '--events' && inline === 'json-lines') return true;
  }
  return false;
}

/** One error event in the json-lines shape ({time, level, code, message, data}), for errors met before any IoHost exists. */
export function errorEventLine(message: string, data: { error: string } & Record<string, unknown>, now: Date = new Date()): string {
  return JSON.stringify({ time: now.toISOString(), level: 'error', code: 'SR_CLI_E9001', message, data });
}

/** What Ctrl-C prints: apply and rollback resume from their journal, so say how. */
export function interruptedMessage(args: readonly string[]): string {
  const command = args.find((arg) => arg === 'apply' || arg === 'rollback');
  if (!command) return 'interrupted';
  const plan = args[args.indexOf(command) + 1];
  const target = plan && !plan.startsWith('-') ? ` ${plan}` : ' PLAN';
  return `interrupted: the journal keeps every finished step; run \`split-role ${command}${target}\` again to resume`;
}
