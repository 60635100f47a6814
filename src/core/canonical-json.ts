/**
 * Canonical JSON: object keys sorted (by code unit) at every level and
 * undefined members dropped, so equal content always gives equal text. The
 * one definition behind plan digests, drift comparisons and statement keys.
 */

/** Keys that would reach an object's prototype rather than the object when assigned. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** JSON with object keys sorted at every level, so equal content digests equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    // Why fromEntries and not `sorted[key] = …`: assignment runs the `__proto__` setter, which would
    // drop that key from the text (and the digest) while the object still carries it to AWS.
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
