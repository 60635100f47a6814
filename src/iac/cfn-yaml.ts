/**
 * CloudFormation YAML: the short intrinsic tags (`!Ref`, `!Sub`, `!GetAtt`, …)
 * become their long JSON forms, so one resolver serves JSON and YAML
 * templates alike; each resource's line comes from the YAML node range.
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

/** Short tag → long form key. `!Ref` and `!Condition` keep their names. */
const SHORT_TAGS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!Sub': 'Fn::Sub',
  '!GetAtt': 'Fn::GetAtt',
  '!Join': 'Fn::Join',
  '!If': 'Fn::If',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!FindInMap': 'Fn::FindInMap',
  '!ImportValue': 'Fn::ImportValue',
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!GetAZs': 'Fn::GetAZs',
  '!Equals': 'Fn::Equals',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!Not': 'Fn::Not',
  '!Transform': 'Fn::Transform',
  '!ToJsonString': 'Fn::ToJsonString',
  '!Length': 'Fn::Length',
};

// Why register the tags at all when the walker below converts them: unknown
// tags make the parser build a warning with a source excerpt for every use,
// which costs more than the parse itself on intrinsic-heavy templates.
const CUSTOM_TAGS: Tags = Object.keys(SHORT_TAGS).flatMap((tag) => [
  { tag, resolve: (value: string) => value },
  { tag, collection: 'seq' as const, nodeClass: YAMLSeq, resolve: (value: unknown) => value },
  { tag, collection: 'map' as const, nodeClass: YAMLMap, resolve: (value: unknown) => value },
]) as Tags;

/** A parsed YAML template: the long-form value and the line of each resource's logical id. */
export interface ParsedYamlTemplate {
  value: unknown;
  resourceLines: Map<string, number>;
}

/** Raised for YAML that does not parse; the message names the line. */
export class YamlSyntaxError extends Error {
  override readonly name = 'YamlSyntaxError';
}

/** Parses a CloudFormation YAML template. Throws YamlSyntaxError on malformed YAML. */
export function parseCfnYaml(text: string): ParsedYamlTemplate {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { customTags: CUSTOM_TAGS, lineCounter, uniqueKeys: false, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const line = lineCounter.linePos(error.pos[0]).line;
    throw new YamlSyntaxError(`${error.message.split('\n')[0]} (line ${line})`);
  }
  const value = toLongForm(doc.contents, doc, 0);
  const resourceLines = new Map<string, number>();
  const resources = isMap(doc.contents) ? doc.contents.get('Resources', true) : undefined;
  if (isMap(resources)) {
    for (const pair of resources.items) {
      const key = pair.key as YamlNode | null;
      if (isScalar(key) && key.range) resourceLines.set(String(key.value), lineCounter.linePos(key.range[0]).line);
    }
  }
  return { value, resourceLines };
}

/** Converts a YAML node to plain JSON, tagged nodes to their long intrinsic forms. */
function toLongForm(node: unknown, doc: Document, depth: number): unknown {
  // Why a depth bound: an alias cycle (`&a [*a]`) would otherwise never end.
  if (depth > 200) throw new YamlSyntaxError('YAML nests deeper than 200 levels (an alias cycle?)');
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return toLongForm(node.resolve(doc), doc, depth + 1);
  let value: unknown;
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(toLongForm(pair.key, doc, depth + 1));
      out[key] = toLongForm(pair.value, doc, depth + 1);
    }
    value = out;
  } else if (isSeq(node)) {
    value = node.items.map((item) => toLongForm(item, doc, depth + 1));
  } else if (isScalar(node)) {
    value = node.value;
  } else {
    return null;
  }
  const tag = (node as { tag?: string }).tag;
  const long = tag ? SHORT_TAGS[tag] : undefined;
  if (!long) return value;
  if (long === 'Fn::GetAtt' && typeof value === 'string') {
    // `!GetAtt Role.Arn` is the short form of ["Role", "Arn"]; attributes may contain dots.
    const dot = value.indexOf('.');
    return { [long]: dot === -1 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [long]: value };
}
