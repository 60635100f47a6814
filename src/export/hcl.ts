/**
 * A small HCL writer for what export needs: blocks with attributes, string,
 * number and boolean literals, references, maps, and IAM documents inside
 * `jsonencode(...)`. Output follows `terraform fmt` (two-space indents,
 * `=` aligned across consecutive single-line attributes), so generated files
 * pass `terraform fmt -check` as committed.
 */
import { isRecord } from '../core/json.js';

/** A value in generated Terraform. */
export type TfValue =
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'ref'; expression: string }
  | { kind: 'map'; entries: Record<string, string> }
  | { kind: 'object'; entries: Array<[string, TfValue]> }
  | { kind: 'json'; document: unknown }
  /** A nested block (`source { … }`), written without `=`; a key given twice repeats the block. */
  | { kind: 'block'; attributes: Array<[string, TfValue]> };

/** A top-level block: `resource "type" "name" { … }`, `data`, `provider`, `terraform` or `output`. */
export interface TfBlock {
  type: 'resource' | 'data' | 'output' | 'provider' | 'terraform';
  labels: string[];
  attributes: Array<[string, TfValue]>;
}

/**
 * A Terraform expression inside a `json` document (e.g. a resource's ARN in a
 * policy). A class, not a marker key: documents parsed from outside data can
 * never be instances of it, so they cannot smuggle expressions in.
 */
export class TfRef {
  constructor(readonly expression: string) {}
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const KEYWORDS = new Set(['true', 'false', 'null']);
const MAX_INLINE = 80;

/**
 * Quotes text as an HCL string. Why the extra escapes: HCL strings are
 * templates, so a literal "${" or "%{" (IAM policy variables such as
 * ${aws:username}) must be written "$${" / "%%{" or Terraform would evaluate it.
 */
export function hclString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  // Escaping above never produces "$" or "{", so these only touch the text's own. A function
  // replacer, because in a replacement string "$$" stands for a single "$".
  return `${out}"`.replaceAll('${', () => '$${').replaceAll('%{', '%%{');
}

/** Renders blocks as an HCL file, after a comment header. */
export function renderHcl(header: readonly string[], blocks: readonly TfBlock[]): string {
  const out = header.map((line) => `# ${line}`.trimEnd());
  for (const block of blocks) {
    out.push('', [block.type, ...block.labels.map((l) => hclString(l)), '{'].join(' '));
    out.push(...attributeLines(block.attributes, '  '));
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}

/** A block's attributes and nested blocks, in order. */
function attributeLines(attributes: ReadonlyArray<[string, TfValue]>, indent: string): string[] {
  const out: string[] = [];
  let run: Array<[string, string[]]> = [];
  for (const [key, value] of attributes) {
    if (value.kind !== 'block') {
      run.push([key, valueLines(value, indent)]);
      continue;
    }
    out.push(...body(run, indent), `${indent}${key} {`, ...attributeLines(value.attributes, `${indent}  `), `${indent}}`);
    run = [];
  }
  return [...out, ...body(run, indent)];
}

function valueLines(value: TfValue, indent: string): string[] {
  switch (value.kind) {
    case 'literal':
      return [typeof value.value === 'string' ? hclString(value.value) : String(value.value)];
    case 'ref':
      return [value.expression];
    case 'map': {
      const entries = Object.entries(value.entries);
      if (entries.length === 0) return ['{}'];
      return [
        '{',
        ...body(
          entries.map(([k, v]) => [hclString(k), [hclString(v)]]),
          `${indent}  `,
        ),
        `${indent}}`,
      ];
    }
    case 'object': {
      if (value.entries.length === 0) return ['{}'];
      const inner = `${indent}  `;
      return [
        '{',
        ...body(
          value.entries.map(([k, v]) => [objectKey(k), valueLines(v, inner)]),
          inner,
        ),
        `${indent}}`,
      ];
    }
    case 'block':
      // Blocks are laid out by attributeLines; one inside an expression is a writer's bug.
      throw new Error('a nested block cannot be an expression');
    case 'json': {
      const lines = jsonLines(value.document, indent);
      lines[0] = `jsonencode(${lines[0]}`;
      lines[lines.length - 1] = `${lines[lines.length - 1]})`;
      return lines;
    }
  }
}

/** An IAM document as an HCL object/tuple expression; the first line has no indent. */
function jsonLines(value: unknown, indent: string): string[] {
  if (value instanceof TfRef) return [value.expression];
  if (Array.isArray(value)) {
    if (value.length === 0) return ['[]'];
    if (value.every((v) => !isRecord(v) && !Array.isArray(v))) {
      const inline = `[${value.map(scalar).join(', ')}]`;
      if (inline.length + indent.length <= MAX_INLINE) return [inline];
    }
    const inner = `${indent}  `;
    const lines = ['['];
    for (const item of value) {
      const itemLines = jsonLines(item, inner);
      itemLines[0] = `${inner}${itemLines[0]}`;
      itemLines[itemLines.length - 1] += ',';
      lines.push(...itemLines);
    }
    lines.push(`${indent}]`);
    return lines;
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return ['{}'];
    const inner = `${indent}  `;
    return [
      '{',
      ...body(
        entries.map(([k, v]) => [objectKey(k), jsonLines(v, inner)]),
        inner,
      ),
      `${indent}}`,
    ];
  }
  return [scalar(value)];
}

/**
 * Lines of `key = value` entries at `indent`. Consecutive single-line entries
 * align their `=` like `terraform fmt`; an entry spanning lines breaks the run.
 */
function body(entries: Array<[string, string[]]>, indent: string): string[] {
  const out: string[] = [];
  let run: Array<[string, string]> = [];
  const flush = () => {
    const width = Math.max(0, ...run.map(([k]) => k.length));
    for (const [key, value] of run) out.push(`${indent}${key.padEnd(width)} = ${value}`);
    run = [];
  };
  for (const [key, lines] of entries) {
    if (lines.length === 1) {
      run.push([key, lines[0] as string]);
      continue;
    }
    flush();
    out.push(`${indent}${key} = ${lines[0]}`, ...lines.slice(1));
  }
  flush();
  return out;
}

function objectKey(key: string): string {
  return IDENTIFIER.test(key) && !KEYWORDS.has(key) ? key : hclString(key);
}

function scalar(value: unknown): string {
  if (value instanceof TfRef) return value.expression;
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return 'null';
}
