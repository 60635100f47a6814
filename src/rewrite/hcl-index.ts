/**
 * What `rewrite` needs to know of a Terraform file, with source positions: its
 * top-level blocks, and every reference to another resource (`aws_iam_role.x.arn`)
 * with where it sits. Edits are then made by position, so every other byte of
 * the file stays as it was.
 */
import { withHclTree, type HclNode } from '../iac/hcl-parser.js';
import { expressionValue } from '../iac/terraform-hcl.js';

/** A top-level block (`resource "type" "name" { … }`). Offsets are UTF-16 indices into the text. */
export interface HclBlock {
  kind: string;
  labels: string[];
  start: number;
  end: number;
  /** 1-based. */
  line: number;
  /** Its attributes' values as Terraform JSON would hold them (nested blocks as lists). */
  attributes: Record<string, unknown>;
  /** Its attribute names, nested blocks included (`count`, `for_each`, `dynamic`…). */
  keys: string[];
}

/** One reference to a resource's attribute. */
export interface HclReference {
  /** `aws_iam_role.orders` */
  resource: string;
  /** `arn`, `name`, `id`, … ; empty for a bare reference. */
  attribute: string;
  /** Offsets of the whole traversal (`aws_iam_role.orders.arn`). */
  start: number;
  end: number;
  line: number;
  /** Index into the file's blocks of the top-level block it is in. */
  block: number;
  /** Attribute names and nested block types from the block down to the reference, e.g. ['iam_instance_profile', 'name']. */
  path: string[];
  /** Directly an element of a tuple (`[a, b]`). */
  inTuple: boolean;
  /** Inside a string template (`"${…}"` or a heredoc). */
  inTemplate: boolean;
  /** Text of the traversal after the attribute (an index or splat), which rewrite cannot place. */
  rest: string;
}

/** A parsed `.tf` file. */
export interface HclIndex {
  path: string;
  text: string;
  blocks: HclBlock[];
  references: HclReference[];
}

/** Indexes `text`; undefined with the error position when it does not parse. */
export async function indexHcl(path: string, text: string): Promise<HclIndex | { error: { line: number; column: number } }> {
  return withHclTree(text, (root, error) => {
    if (error) return { error };
    const blocks: HclBlock[] = [];
    const references: HclReference[] = [];
    const body = root.namedChildren.find((n) => n?.type === 'body');
    for (const node of body?.namedChildren ?? []) {
      if (node?.type !== 'block') continue;
      const parts = node.namedChildren.filter((n): n is HclNode => n !== null);
      const inner = parts.find((n) => n.type === 'body');
      blocks.push({
        kind: parts[0]?.text ?? '',
        labels: parts
          .slice(1)
          .filter((n) => n.type === 'string_lit' || n.type === 'identifier')
          .map(labelText),
        start: node.startIndex,
        end: node.endIndex,
        line: node.startPosition.row + 1,
        attributes: inner ? attributesOf(inner) : {},
        keys: inner ? keysOf(inner) : [],
      });
      collectReferences(node, blocks.length - 1, [], references);
    }
    return { path, text, blocks, references };
  });
}

/** A block label: `"aws_iam_role"` (labels hold no escapes or templates) or a bare identifier. */
function labelText(node: HclNode): string {
  if (node.type !== 'string_lit') return node.text;
  return node.namedChildren
    .filter((n): n is HclNode => n?.type === 'template_literal')
    .map((n) => n.text)
    .join('');
}

function keysOf(body: HclNode): string[] {
  return body.namedChildren.flatMap((n) => (n?.type === 'attribute' || n?.type === 'block' ? [n.namedChildren[0]?.text ?? ''] : []));
}

function attributesOf(body: HclNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const child of body.namedChildren) {
    if (child?.type === 'attribute') {
      const [name, value] = child.namedChildren;
      if (name && value) out[name.text] = expressionValue(value);
    } else if (child?.type === 'block') {
      const type = child.namedChildren[0]?.text ?? '';
      const inner = child.namedChildren.find((n) => n?.type === 'body');
      const list = Array.isArray(out[type]) ? (out[type] as unknown[]) : [];
      out[type] = [...list, inner ? attributesOf(inner) : {}];
    }
  }
  return out;
}

/** Finds `a.b.c` traversals of resources under `node`; `path` names the attributes and blocks walked through. */
function collectReferences(node: HclNode, block: number, path: string[], out: HclReference[]): void {
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === 'expression') {
      const reference = referenceAt(child, block, path);
      if (reference) out.push(reference);
    }
    const name = child.type === 'attribute' || child.type === 'block' ? child.namedChildren[0]?.text : undefined;
    collectReferences(child, block, name !== undefined ? [...path, name] : path, out);
  }
}

function referenceAt(expression: HclNode, block: number, path: string[]): HclReference | undefined {
  const parts = expression.namedChildren.filter((n): n is HclNode => n !== null);
  const head = parts[0];
  if (head?.type !== 'variable_expr' || parts.length < 2) return undefined;
  const attrs = parts.slice(1);
  const names = attrs.map((p) => (p.type === 'get_attr' ? (p.namedChildren[0]?.text ?? '') : undefined));
  const firstName = names[0];
  if (firstName === undefined) return undefined;
  const type = head.text;
  // Terraform's own namespaces are not resources.
  if (['var', 'local', 'module', 'data', 'each', 'count', 'path', 'terraform', 'self'].includes(type)) return undefined;
  const attributePart = attrs[1];
  const attribute = names[1] ?? '';
  const end = attributePart && names[1] !== undefined ? attributePart.endIndex : (attrs[0] as HclNode).endIndex;
  return {
    resource: `${type}.${firstName}`,
    attribute,
    start: head.startIndex,
    end,
    line: head.startPosition.row + 1,
    block,
    path,
    inTuple: expression.parent?.type === 'tuple',
    inTemplate: hasAncestor(expression, 'template_interpolation'),
    rest: expression.text.slice(end - expression.startIndex),
  };
}

function hasAncestor(node: HclNode, type: string): boolean {
  for (let at = node.parent; at; at = at.parent) if (at.type === type) return true;
  return false;
}
