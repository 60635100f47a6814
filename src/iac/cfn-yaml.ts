/**
 * CloudFormation YAML: the short intrinsic tags (`!Ref`, `!Sub`, `!GetAtt`, …)
 * become their long JSON forms, so one resolver serves JSON and YAML
 * templates alike; each resource's line comes from the YAML node range.
 * Read as leniently as CloudFormation reads it, one resource at a time, with a
 * bound on alias expansion.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  YAMLMap,
  YAMLSeq,
  type Document,
  type Node as YamlNode,
  type Tags,
} from 'yaml';
import { firstLine } from '../core/text.js';
import { longForm, SHORT_TAGS } from './cfn-tags.js';
import { isRecord } from './types.js';
import { FastYamlError, readYamlPart } from './yaml-fast.js';
import { relaxFlowIndentation } from './yaml-relax.js';
import { splitTemplate } from './yaml-sections.js';

// Why register the tags at all when the walker below converts them: unknown
// tags make the parser build a warning with a source excerpt for every use,
// which costs more than the parse itself on intrinsic-heavy templates.
const CUSTOM_TAGS: Tags = Object.keys(SHORT_TAGS).flatMap((tag) => [
  { tag, resolve: (value: string) => value },
  { tag, collection: 'seq' as const, nodeClass: YAMLSeq, resolve: (value: unknown) => value },
  { tag, collection: 'map' as const, nodeClass: YAMLMap, resolve: (value: unknown) => value },
]);

/** A parsed YAML template: the long-form value and the line of each resource's logical id. */
export interface ParsedYamlTemplate {
  value: unknown;
  resourceLines: Map<string, number>;
}

/** Raised for YAML that does not parse; the message names the line. */
export class YamlSyntaxError extends Error {
  override readonly name = 'YamlSyntaxError';
}

/** Options of a parse. */
export interface ParseCfnYamlOptions {
  /** Keeps of each resource only what the caller reads, so a large template is not held whole. */
  slimResource?: (resource: unknown) => unknown;
}

/**
 * How many aliases a file may expand. Why: `*a` copies its anchor's whole
 * subtree, so nine nested levels of ten aliases (a "billion laughs" bomb)
 * expand to 10^9 nodes from a few hundred bytes. Templates rarely use any.
 */
const MAX_ALIAS_EXPANSIONS = 10_000;

interface Walk {
  doc: Document;
  text: string;
  aliases: number;
}

/** Parses a CloudFormation YAML template. Throws YamlSyntaxError on YAML that does not parse even leniently. */
export function parseCfnYaml(text: string, options: ParseCfnYamlOptions = {}): ParsedYamlTemplate {
  const sections = splitTemplate(text);
  if (sections) {
    const parsed = parseSections(sections, options);
    if (parsed) return parsed;
  }
  const whole = parseLenient(text);
  const value = whole.value;
  const resources = isRecord(value) ? value.Resources : undefined;
  if (options.slimResource && isRecord(resources)) {
    for (const [id, resource] of Object.entries(resources)) resources[id] = options.slimResource(resource);
  }
  return { value, resourceLines: whole.keyLines };
}

/**
 * Each part on its own with the fast reader; undefined when a part does not
 * read alone (an alias to another part, CloudFormation's lenient indentation,
 * a bomb), and the caller then reads the whole with the full reader.
 */
function parseSections(
  sections: NonNullable<ReturnType<typeof splitTemplate>>,
  options: ParseCfnYamlOptions,
): ParsedYamlTemplate | undefined {
  try {
    const rest = readYamlPart(sections.rest);
    if (!isRecord(rest)) return undefined;
    const resources: Record<string, unknown> = {};
    const resourceLines = new Map<string, number>();
    for (const chunk of sections.resources) {
      const part = readYamlPart(chunk.text);
      if (!isRecord(part)) return undefined;
      for (const [id, resource] of Object.entries(part)) {
        resources[id] = options.slimResource ? options.slimResource(resource) : resource;
        // A chunk starts at its logical id, and holds one.
        resourceLines.set(id, chunk.line);
      }
    }
    rest.Resources = resources;
    return { value: rest, resourceLines };
  } catch (error) {
    if (error instanceof FastYamlError) return undefined;
    throw error;
  }
}

/**
 * Parses strictly, and again with under-indented flow continuations relaxed
 * when the strict parse fails. `keyLines` holds the line of each key of the Resources map.
 */
function parseLenient(text: string): { value: unknown; keyLines: Map<string, number> } {
  let attempt = parseStrict(text);
  if (attempt.error) {
    const relaxed = relaxFlowIndentation(text);
    if (relaxed !== text) {
      const second = parseStrict(relaxed);
      if (!second.error) attempt = second;
    }
  }
  const { doc, lineCounter, error } = attempt;
  if (error) {
    const line = lineCounter.linePos(error.pos[0]).line;
    throw new YamlSyntaxError(`${firstLine(error.message)} (line ${line})`);
  }
  const value = toLongForm(doc.contents, { doc, text: attempt.text, aliases: 0 }, 0);
  const keyLines = new Map<string, number>();
  const map = isMap(doc.contents) ? doc.contents.get('Resources', true) : undefined;
  if (isMap(map)) {
    for (const pair of map.items) {
      const key = pair.key as YamlNode | null;
      if (isScalar(key) && key.range) keyLines.set(String(key.value), lineCounter.linePos(key.range[0]).line);
    }
  }
  return { value, keyLines };
}

function parseStrict(text: string) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { customTags: CUSTOM_TAGS, lineCounter, uniqueKeys: false, prettyErrors: false });
  return { doc, lineCounter, text, error: doc.errors[0] };
}

/** Converts a YAML node to plain JSON, tagged nodes to their long intrinsic forms. */
function toLongForm(node: unknown, walk: Walk, depth: number): unknown {
  // Why a depth bound: an alias cycle (`&a [*a]`) would otherwise never end.
  if (depth > 200) throw new YamlSyntaxError('YAML nests deeper than 200 levels (an alias cycle?)');
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    walk.aliases += 1;
    if (walk.aliases > MAX_ALIAS_EXPANSIONS) {
      throw new YamlSyntaxError(`aliases expand more than ${MAX_ALIAS_EXPANSIONS} times (a YAML bomb?)`);
    }
    const target = node.resolve(walk.doc);
    if (target === undefined) throw new YamlSyntaxError(`alias *${node.source} has no anchor`);
    return toLongForm(target, walk, depth + 1);
  }
  let value: unknown;
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(toLongForm(pair.key, walk, depth + 1));
      out[key] = toLongForm(pair.value, walk, depth + 1);
    }
    value = out;
  } else if (isSeq(node)) {
    value = node.items.map((item) => toLongForm(item, walk, depth + 1));
  } else if (isScalar(node)) {
    value = scalarValue(node, walk.text);
  } else {
    return null;
  }
  const tag = (node as { tag?: string }).tag;
  const long = tag ? SHORT_TAGS[tag] : undefined;
  return long ? longForm(long, value) : value;
}

/**
 * A scalar's value. Why the source text for digits with a leading zero: YAML
 * reads `AWS: 012345678901` as the number 12345678901, losing the account id's
 * first digit; CloudFormation hands IAM the text as written.
 */
function scalarValue(node: { value: unknown; range?: [number, number, number] | null }, text: string): unknown {
  if (typeof node.value !== 'number' || !node.range) return node.value;
  const source = text.slice(node.range[0], node.range[1]);
  return /^0\d+$/.test(source) ? source : node.value;
}
