/**
 * Ownership tags: the keys a run requires (`--require-tags`) and the tags
 * `plan --tag KEY=VALUE` puts on new roles. Pure. The shared role's own tags are copied
 * unchanged; these only fill keys the shared role lacks (or leaves empty).
 */
import { usageError } from './errors.js';

/** The tag that marks what a plan created. */
export const PLAN_TAG = 'split-role:plan-id';

/** A tag as IAM takes it. */
export interface RoleTag {
  Key: string;
  Value: string;
}

const MAX_KEY = 128;
const MAX_VALUE = 256;
// IAM's tag character set: letters, digits, spaces and _ . : / = + - @
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const RESERVED = ['aws:', 'split-role:'];

/** Why a tag key or value would be refused by IAM or collide with split-role's own, or undefined. */
export function tagProblem(key: string, value: string): string | undefined {
  if (key.length === 0 || key.length > MAX_KEY) return `the key must be 1-${MAX_KEY} characters`;
  if (value.length > MAX_VALUE) return `the value must be at most ${MAX_VALUE} characters`;
  if (!TAG_TEXT.test(key) || !TAG_TEXT.test(value)) return 'tags may contain only letters, digits, spaces and _ . : / = + - @';
  const prefix = RESERVED.find((p) => key.toLowerCase().startsWith(p));
  if (prefix) return `keys starting with ${prefix} are reserved`;
  return undefined;
}

/** `--tag owner=alice` (repeatable) → { owner: 'alice' }; a malformed or repeated key is a usage error. */
export function parseTagFlags(pairs: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  const seen = new Set<string>();
  for (const pair of pairs) {
    // Why not split('='): "=" is legal in tag values.
    const at = pair.indexOf('=');
    if (at <= 0) throw usageError(`--tag ${JSON.stringify(pair)} is not KEY=VALUE`, 'e.g. --tag owner=team-payments');
    const key = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    const problem = tagProblem(key, value);
    if (problem) throw usageError(`--tag ${JSON.stringify(pair)}: ${problem}`);
    // IAM tag keys are case-insensitive: Owner and owner are one key.
    if (seen.has(key.toLowerCase())) throw usageError(`--tag gives ${key} twice`);
    seen.add(key.toLowerCase());
    tags[key] = value;
  }
  return tags;
}

/** `owner,application` → ['owner', 'application']; an empty key is a usage error. */
export function parseTagKeys(list: string | undefined, flag: string): string[] {
  if (list === undefined) return [];
  const keys = list.split(',').map((key) => key.trim());
  if (keys.some((key) => key === ''))
    throw usageError(`${flag} ${JSON.stringify(list)} has an empty tag key`, 'give keys separated by commas, e.g. owner,application');
  return [...new Set(keys)];
}

/** The shared role's tag for a key (IAM keys are case-insensitive), or undefined. */
function sharedTag(shared: readonly RoleTag[], key: string): RoleTag | undefined {
  return shared.find((t) => t.Key.toLowerCase() === key.toLowerCase());
}

/**
 * Refuses a `--tag` that would change a tag the shared role carries with a
 * value. Why: policies may grant on `aws:PrincipalTag/…` (ABAC), so a new role
 * whose tag differs from the shared role's could be granted what the shared
 * role never was.
 */
export function refuseChangedTags(roleName: string, shared: readonly RoleTag[], given: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(given)) {
    const current = sharedTag(shared, key);
    if (current !== undefined && current.Value.trim() !== '' && current.Value !== value) {
      throw usageError(
        `--tag ${key}=${value} would change ${roleName}'s tag ${current.Key}=${current.Value} on the new roles`,
        'the shared role’s tags are copied unchanged (policies may grant on principal tags); tag the shared role first, or leave --tag out',
      );
    }
  }
}

/** Required keys that neither the shared role (with a non-empty value) nor `--tag` provides. */
export function missingRequiredTags(
  shared: readonly RoleTag[],
  required: readonly string[],
  given: Readonly<Record<string, string>>,
): string[] {
  const givenKeys = new Set(Object.keys(given).map((k) => k.toLowerCase()));
  return required.filter((key) => !givenKeys.has(key.toLowerCase()) && (sharedTag(shared, key)?.Value ?? '').trim() === '');
}

/**
 * The shared role's tags with the added ones. A given key fills only a
 * missing or empty shared tag (keeping the shared role's spelling of the key);
 * a shared tag with a value is never changed.
 */
export function withAddedTags(shared: readonly RoleTag[], added: Readonly<Record<string, string>>): RoleTag[] {
  const tags = shared.map((t) => ({ ...t }));
  for (const [key, value] of Object.entries(added)) {
    const existing = tags.find((t) => t.Key.toLowerCase() === key.toLowerCase());
    if (!existing) tags.push({ Key: key, Value: value });
    else if (existing.Value.trim() === '') existing.Value = value;
  }
  return tags;
}
