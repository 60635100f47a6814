/** JSON values from outside: recognising objects. (Canonical JSON is core/canonical-json.ts.) */

/** True for a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Array.isArray for outside values, narrowing to unknown[] (not any[]) so each element is checked before use. */
export function isArray(value: unknown): value is unknown[] {
  return Array.isArray(value);
}
