/**
 * Terraform native configuration (`*.tf`) read into the shape of Terraform's
 * JSON configuration syntax, so that one reader serves `.tf` and `.tf.json`:
 * literals become values, `jsonencode` of literals becomes its JSON text, and
 * every other expression becomes the `${…}` template Terraform JSON would
 * hold, which later stages report as known only to Terraform.
 */
import { jsonPathKey, type JsonPath } from './json-lines.js';
import { withHclTree, type HclNode, type HclSyntaxError } from './hcl-parser.js';

/** A `.tf` file as Terraform JSON, with the 1-based line of each labelled block by its JSON path. */
export interface TerraformHclDocument {
  config: Record<string, unknown>;
  lines: Map<string, number>;
}

/** Parses `.tf` text; a syntax error gives its position instead of a document. */
export async function readTerraformHcl(text: string): Promise<TerraformHclDocument | { error: HclSyntaxError }> {
  return withHclTree(text, (root, error) => {
    if (error) return { error };
    const lines = new Map<string, number>();
    const body = root.namedChildren.find((n) => n?.type === 'body');
    return { config: body ? bodyValue(body, [], lines) : {}, lines };
  });
}

/** Attributes as keys; labelled blocks nested by label; unlabelled blocks (`statement`) as lists, since they repeat. */
function bodyValue(body: HclNode, path: JsonPath, lines: Map<string, number>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const child of body.namedChildren) {
    if (child?.type === 'attribute') {
      const [name, value] = child.namedChildren;
      if (name && value) out[name.text] = expressionValue(value);
    } else if (child?.type === 'block') {
      const parts = child.namedChildren.filter((n): n is HclNode => n !== null);
      const type = parts[0]?.text ?? '';
      const labels = parts
        .slice(1)
        .flatMap((n) => (n.type === 'string_lit' ? [stringLitText(n)] : n.type === 'identifier' ? [n.text] : []));
      const inner = parts.find((n) => n.type === 'body');
      const blockPath = [...path, type, ...labels];
      if (labels.length > 0) lines.set(jsonPathKey(blockPath), child.startPosition.row + 1);
      const value = inner ? bodyValue(inner, blockPath, lines) : {};
      if (labels.length === 0) {
        const list = Array.isArray(out[type]) ? (out[type] as unknown[]) : [];
        out[type] = [...list, value];
        continue;
      }
      let parent = (out[type] ??= {}) as Record<string, unknown>;
      for (const label of labels.slice(0, -1)) parent = (parent[label] ??= {}) as Record<string, unknown>;
      parent[labels[labels.length - 1] as string] = value;
    }
  }
  return out;
}

/** The value of an `expression` node, as Terraform JSON would hold it. */
export function expressionValue(expression: HclNode): unknown {
  const parts = expression.namedChildren.filter((n): n is HclNode => n !== null && n.type !== 'comment');
  const only = parts.length === 1 ? parts[0] : undefined;
  if (!only) return asTemplate(expression);
  switch (only.type) {
    case 'literal_value':
      return literalValue(only);
    case 'collection_value':
      return collectionValue(only) ?? asTemplate(expression);
    case 'template_expr':
      return templateValue(only);
    case 'function_call':
      return jsonencodeValue(only) ?? asTemplate(expression);
    default:
      return asTemplate(expression);
  }
}

function asTemplate(node: HclNode): string {
  return `\${${node.text}}`;
}

function literalValue(node: HclNode): unknown {
  const inner = node.namedChildren[0];
  if (!inner) return null;
  switch (inner.type) {
    case 'string_lit':
      return stringLitText(inner);
    case 'numeric_lit':
      return Number(inner.text);
    case 'bool_lit':
      return inner.text === 'true';
    default:
      return null;
  }
}

/** A tuple or object whose parts are all expressions; undefined for a `for` expression. */
function collectionValue(node: HclNode): unknown {
  const inner = node.namedChildren[0];
  if (inner?.type === 'tuple') {
    return inner.namedChildren.filter((n): n is HclNode => n?.type === 'expression').map(expressionValue);
  }
  if (inner?.type === 'object') {
    const out: Record<string, unknown> = {};
    for (const elem of inner.namedChildren) {
      if (elem?.type !== 'object_elem') continue;
      const [key, value] = elem.namedChildren.filter((n): n is HclNode => n?.type === 'expression');
      if (key && value) out[objectKey(key)] = expressionValue(value);
    }
    return out;
  }
  return undefined;
}

/** `Service = …` names the key, as does `"Service" = …`; a computed key stays a `${…}` template; a number or bool key becomes its text, as in Terraform. */
function objectKey(key: HclNode): string {
  const parts = key.namedChildren.filter((n): n is HclNode => n !== null);
  const first = parts[0];
  if (parts.length === 1 && first?.type === 'variable_expr') return first.text;
  const value = expressionValue(key);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `jsonencode(<literal>)` as the JSON text Terraform writes; undefined for any other call. */
function jsonencodeValue(call: HclNode): string | undefined {
  const [name, args] = call.namedChildren;
  if (name?.text !== 'jsonencode' || args?.type !== 'function_arguments') return undefined;
  const exprs = args.namedChildren.filter((n): n is HclNode => n?.type === 'expression');
  return exprs.length === 1 && exprs[0] ? JSON.stringify(expressionValue(exprs[0])) : undefined;
}

/** A quoted string's content: escapes decoded, `${…}` and `%{…}` kept as written. */
function stringLitText(node: HclNode): string {
  return node.namedChildren
    .map((part) => {
      if (part?.type === 'template_literal') return unescape(part.text);
      if (part?.type === 'template_interpolation' || part?.type === 'template_directive') return part.text;
      return '';
    })
    .join('');
}

function templateValue(node: HclNode): string {
  const inner = node.namedChildren[0];
  if (inner?.type === 'quoted_template') return stringLitText(inner);
  if (inner?.type === 'heredoc_template') return heredocText(inner);
  return asTemplate(node);
}

/**
 * A heredoc's body, taken from the source: the grammar's literal drops the
 * first line's indent. `<<-` strips the indent common to every line, as Terraform does.
 */
function heredocText(node: HclNode): string {
  const source = node.text;
  const lines = source.split('\n').slice(1, -1);
  if (!/^<<-/.test(source)) return lines.map((l) => `${l}\n`).join('');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const strip = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l) => `${l.slice(strip)}\n`).join('');
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

function unescape(text: string): string {
  return text.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, (whole, u4?: string, u8?: string, c?: string) => {
    if (u4 ?? u8) return String.fromCodePoint(parseInt((u4 ?? u8) as string, 16));
    return ESCAPES[c as string] ?? whole;
  });
}
