/**
 * Terraform's native syntax (HCL) parsed by tree-sitter's HCL grammar, run as
 * WebAssembly: a real parser with source positions and no native build, so it
 * installs anywhere Node runs.
 */
import { createRequire } from 'node:module';
import type { Node, Parser } from 'web-tree-sitter';

/** A syntax node of an HCL file; positions are 0-based rows and UTF-16 offsets into the text. */
export type HclNode = Node;

/** Where a file first fails to parse, 1-based. */
export interface HclSyntaxError {
  line: number;
  column: number;
}

let parser: Promise<Parser> | undefined;

async function loadParser(): Promise<Parser> {
  const { Parser, Language } = await import('web-tree-sitter');
  await Parser.init();
  const wasm = createRequire(import.meta.url).resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm');
  const language = await Language.load(wasm);
  const instance = new Parser();
  instance.setLanguage(language);
  return instance;
}

/**
 * Parses `text` and hands its root node to `use`, freeing the tree afterwards:
 * trees live in WebAssembly memory, which the garbage collector does not see.
 */
export async function withHclTree<T>(text: string, use: (root: HclNode, error: HclSyntaxError | undefined) => T): Promise<T> {
  parser ??= loadParser();
  const tree = (await parser).parse(text);
  if (!tree) throw new Error('the HCL parser returned no tree');
  try {
    return use(tree.rootNode, tree.rootNode.hasError ? firstError(tree.rootNode) : undefined);
  } finally {
    tree.delete();
  }
}

/** The first ERROR or MISSING node, depth first, in source order. */
function firstError(node: HclNode): HclSyntaxError {
  for (const child of node.children) {
    if (!child) continue;
    if (child.type === 'ERROR' || child.isMissing) return { line: child.startPosition.row + 1, column: child.startPosition.column + 1 };
    if (child.hasError) return firstError(child);
  }
  return { line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
}
