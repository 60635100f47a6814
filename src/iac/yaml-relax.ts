/**
 * CloudFormation reads YAML more leniently than the YAML spec: a multi-line
 * quoted string, or a `[…]` / `{…}` flow collection, may continue on lines
 * indented no deeper than its key. This pass re-indents such continuation
 * lines one column deeper than the key, which changes no value (folding drops
 * leading white space; flow collections ignore it) and keeps every line where
 * it was, so reported line numbers still match the file. Pure.
 */

const KEY = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s'"[\]{}#,&*!|>%@`-][^#]*?|-[^\s#][^#]*?)[ \t]*:(?=[ \t]|$)/;
const PROPERTIES = /^(?:[!&][^\s]*[ \t]+)*/;
/** Lines a single flow value may span before the scan gives up (keeps the pass linear on garbage). */
const MAX_FLOW_LINES = 2000;

/** Re-indents under-indented continuation lines of flow values; returns the text unchanged when there are none. */
export function relaxFlowIndentation(text: string): string {
  const lines = text.split('\n');
  let changed = false;
  let blockIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const indent = indentOf(line);
    if (blockIndent >= 0) {
      // Inside a block scalar (`|`, `>`): its lines are text, whatever they contain.
      if (line.trim() === '' || indent > blockIndent) continue;
      blockIndent = -1;
    }
    const start = valueStart(line, indent);
    if (!start) continue;
    const first = line[start.value];
    if (first === '|' || first === '>') {
      blockIndent = indent;
      continue;
    }
    if (first !== '"' && first !== "'" && first !== '[' && first !== '{') continue;
    const end = flowEnd(lines, i, start.value);
    if (end === undefined) continue;
    for (let j = i + 1; j <= end; j++) {
      const next = lines[j] as string;
      if (next.trim() !== '' && indentOf(next) <= start.key) {
        lines[j] = ' '.repeat(start.key + 1) + next.trimStart();
        changed = true;
      }
    }
    i = end;
  }
  return changed ? lines.join('\n') : text;
}

function indentOf(line: string): number {
  let n = 0;
  while (line.charCodeAt(n) === 32) n++;
  return n;
}

/** Where a line's key (after any `- `) and its value begin; undefined for comments and blank lines. */
function valueStart(line: string, indent: number): { key: number; value: number } | undefined {
  let pos = indent;
  while (line[pos] === '-' && (line[pos + 1] === ' ' || line[pos + 1] === undefined)) {
    pos += 1;
    while (line[pos] === ' ') pos++;
  }
  if (pos >= line.length || line[pos] === '#') return undefined;
  const key = pos;
  const match = KEY.exec(line.slice(pos));
  if (match) {
    pos += match[0].length;
    while (line[pos] === ' ' || line[pos] === '\t') pos++;
  }
  pos += (PROPERTIES.exec(line.slice(pos)) as RegExpExecArray)[0].length;
  return pos < line.length ? { key, value: pos } : undefined;
}

/** The line on which the flow value opening at `lines[i][col]` closes; undefined when it closes on its own line or never. */
function flowEnd(lines: readonly string[], i: number, col: number): number | undefined {
  const stack: string[] = [];
  let quote: string | undefined;
  for (let j = i; j < lines.length && j < i + MAX_FLOW_LINES; j++) {
    const line = lines[j] as string;
    for (let k = j === i ? col : 0; k < line.length; k++) {
      const c = line[k] as string;
      if (quote === '"') {
        if (c === '\\') k++;
        else if (c === '"') quote = undefined;
      } else if (quote === "'") {
        if (c === "'" && line[k + 1] === "'") k++;
        else if (c === "'") quote = undefined;
      } else if ((c === '"' || c === "'") && (k === col && j === i ? true : /[\s[{,:]/.test(line[k - 1] ?? ' '))) {
        quote = c;
      } else if (c === '[' || c === '{') {
        stack.push(c);
      } else if (c === ']' || c === '}') {
        stack.pop();
      } else if (c === '#' && /\s/.test(line[k - 1] ?? ' ')) {
        break;
      }
      if (quote === undefined && stack.length === 0) return j === i ? undefined : j;
    }
  }
  return undefined;
}
