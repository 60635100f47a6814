/**
 * The one place outside data is made harmless before a person reads it.
 * Names, tags, paths, trail-file names and plan strings are hostile: in a
 * terminal a control sequence can set the title, clear the screen or hide
 * text; in a Markdown review a backtick or bracket can open a link or image.
 * Every writer of text or Markdown goes through these helpers.
 */

// C0 and C1 controls, DEL, and the invisible direction marks that can reorder what a reader sees.
// This module exists to find control characters, so its patterns name them.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

// Why `\uXXXX` and not `\xXX`: the same text stays valid inside a JSON string (a --json result).
function visible(char: string): string {
  return `\\u${(char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** One line of outside data with every control character shown as `\uXXXX` (newlines and tabs too). */
export function visibleControls(text: string): string {
  return text.replace(CONTROLS, visible);
}

/** Text for a terminal: control characters shown as `\uXXXX`, except the newlines and tabs that lay it out. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROLS_BUT_LAYOUT, visible);
}

/**
 * Outside data as Markdown prose: controls made visible, then the characters
 * that can start emphasis, a link, an image, HTML, an entity or a table cell
 * backslash-escaped, with `:` and `@` (scheme and e-mail autolinks) and a dot
 * inside a word (bare-domain autolinks). CommonMark allows escaping any ASCII
 * punctuation, so the reader sees the text unchanged.
 */
export function markdownText(text: string): string {
  return visibleControls(text)
    .replace(/[\\`*_[\]<>!|~&#:@]/g, (c) => `\\${c}`)
    .replace(/(?<=\w)\.(?=\w)/g, '\\.');
}

/** Outside data as a Markdown code span, its fence longer than any backtick run inside. */
export function markdownCode(text: string): string {
  const content = visibleControls(text);
  const fence = '`'.repeat(longestRun(content, '`') + 1);
  // A span that starts or ends with a backtick (or a space) needs a space inside each fence.
  const pad = /^[` ]|[` ]$/.test(content) ? ' ' : '';
  return `${fence}${pad}${content}${pad}${fence}`;
}

/** A fenced code block whose fence is longer than any backtick run in `content`. */
export function markdownFence(content: string, language = ''): string {
  const body = content.replace(CONTROLS_BUT_LAYOUT, visible).replace(/\t/g, '  ');
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return `${fence}${language}\n${body.replace(/\n+$/, '')}\n${fence}`;
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}
