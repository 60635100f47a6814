/**
 * Splits a block-style YAML template into the text of each resource and the
 * rest, so each part is parsed on its own. Why: a YAML syntax tree costs
 * dozens of times the text it was read from; one resource at a time keeps a
 * 13 MB template within a small multiple of its size. Pure and line based,
 * working on offsets (no array of lines); any shape it is not sure of returns
 * undefined and the caller parses the whole.
 */

/** A resource's text and the 1-based line it starts on. */
export interface ResourceChunk {
  line: number;
  text: string;
}

/** The template without its resources (their lines blanked, so lines keep their numbers), and each resource. */
export interface TemplateSections {
  rest: string;
  resources: ResourceChunk[];
}

const KEY_LINE = /[ ]*(["']?)[^\s"':#][^"':#]*?\1[ \t]*:(?:[ \t]|\r?$)/my;
const RESOURCES_LINE = /[ ]*(["']?)Resources\1[ \t]*:[ \t]*(?:#[^\n]*)?\r?$/my;

interface Line {
  start: number;
  end: number;
  number: number;
  /** Indent of a content line; -1 for blank and comment lines, -2 for document markers and directives. */
  indent: number;
}

/** Splits a template, or returns undefined when its layout is not plain block style. */
export function splitTemplate(text: string): TemplateSections | undefined {
  let top = -1;
  let resources: Line | undefined;
  let inner = -1;
  let bodyEnd = text.length;
  const starts: Line[] = [];
  for (const line of linesOf(text)) {
    if (line.indent === -2) {
      if (top >= 0) return undefined; // a second document, or a directive mid-file
      continue;
    }
    if (line.indent === -1) continue;
    if (top < 0) top = line.indent;
    if (line.indent < top) return undefined;
    if (line.indent === top) {
      if (!matches(KEY_LINE, text, line.start)) return undefined;
      if (resources && bodyEnd === text.length && starts.length > 0) bodyEnd = line.start;
      if (matches(RESOURCES_LINE, text, line.start)) {
        if (resources) return undefined;
        resources = line;
      }
      continue;
    }
    if (!resources || bodyEnd !== text.length) continue;
    if (inner < 0) inner = line.indent;
    if (line.indent < inner) return undefined;
    if (line.indent === inner) {
      if (!matches(KEY_LINE, text, line.start)) return undefined;
      starts.push(line);
    }
  }
  if (!resources || starts.length === 0) return undefined;
  const first = starts[0] as Line;
  const chunks = starts.map((line, k) => ({ line: line.number, text: text.slice(line.start, starts[k + 1]?.start ?? bodyEnd) }));
  // Blank the body line for line, so the rest keeps its line numbers.
  const blank = '\n'.repeat(countNewlines(text, first.start, bodyEnd));
  return { rest: text.slice(0, first.start) + blank + text.slice(bodyEnd), resources: chunks };
}

function* linesOf(text: string): Generator<Line> {
  let start = 0;
  let number = 1;
  while (start <= text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    yield { start, end, number, indent: indentOf(text, start, end) };
    if (newline === -1) return;
    start = newline + 1;
    number += 1;
  }
}

function indentOf(text: string, start: number, end: number): number {
  const c0 = text.charCodeAt(start);
  if (c0 === 0x25 /* % */ || text.startsWith('---', start) || text.startsWith('...', start)) return -2;
  let i = start;
  while (i < end && text.charCodeAt(i) === 0x20) i++;
  const c = text.charCodeAt(i);
  if (i >= end || c === 0x23 /* # */ || c === 0x0d) return -1;
  return i - start;
}

function matches(pattern: RegExp, text: string, at: number): boolean {
  pattern.lastIndex = at;
  return pattern.test(text);
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
