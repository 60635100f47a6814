/**
 * The fast YAML reader for one part of a template (a resource, or the template
 * without its resources): js-yaml builds plain values directly, without the
 * syntax tree the `yaml` library keeps, at a fraction of its time and memory.
 * Short intrinsic tags become their long forms; aliases are bounded.
 */
import yaml from 'js-yaml';
import { longForm, SHORT_TAGS } from './cfn-tags.js';

const KINDS = ['scalar', 'sequence', 'mapping'] as const;
const TAG_TYPES = Object.entries(SHORT_TAGS).flatMap(([tag, key]) =>
  KINDS.map((kind) => new yaml.Type(tag, { kind, construct: (data: unknown) => longForm(key, data ?? '') })),
);

/**
 * Digits with a leading zero stay text. Why: YAML reads `AWS: 012345678901` as
 * the number 12345678901, losing the account id's first digit; CloudFormation
 * hands IAM the text as written. Listed first, so it wins over the int type.
 */
const LEADING_ZERO = new yaml.Type('tag:split-role,2026:digits', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && /^0\d+$/.test(data),
  construct: (data: string) => data,
});

const core = (yaml as unknown as { types: Record<'null' | 'bool' | 'int' | 'float', yaml.Type> }).types;
/** YAML 1.2 core (no timestamps: `Version: 2012-10-17` stays text), plus the tags above. */
const SCHEMA = yaml.FAILSAFE_SCHEMA.extend({ implicit: [LEADING_ZERO, core.null, core.bool, core.int, core.float], explicit: TAG_TYPES });

/** Raised when a part does not read; the caller falls back to the full reader. */
export class FastYamlError extends Error {
  override readonly name = 'FastYamlError';
}

/**
 * Reads one part. An alias shares its anchor's value, so a bomb costs nothing
 * here, but every reader after this one walks the tree: the walk below counts
 * the nodes a full walk would visit and refuses more than the text could hold.
 */
export function readYamlPart(text: string): unknown {
  let value: unknown;
  try {
    // json: a repeated key keeps its last value, as the full reader does.
    value = yaml.load(text, { schema: SCHEMA, json: true });
  } catch (error) {
    throw new FastYamlError((error as Error).message);
  }
  countNodes(value, { left: text.length + 1000 }, 0);
  return value;
}

function countNodes(value: unknown, budget: { left: number }, depth: number): void {
  if (value === null || typeof value !== 'object') return;
  budget.left -= 1;
  if (budget.left < 0 || depth > 200) throw new FastYamlError('aliases expand beyond the size of the text (a YAML bomb?)');
  for (const child of Array.isArray(value) ? value : Object.values(value)) countNodes(child, budget, depth + 1);
}
