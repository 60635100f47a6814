/**
 * The shared role's grants seen through the IAM action catalog: wildcards and
 * NotAction expanded into the concrete actions they allow, and those counted
 * by access level. Pure given the catalog.
 */
import type { ActionCatalog, AccessLevel } from './action-catalog.js';
import { ACCESS_LEVELS } from './action-catalog.js';
import { statementCoversAction } from './actions.js';
import { parsePolicy, type NormalisedStatement } from './document.js';
import type { PolicySource } from './types.js';

/** Count of actions per access level (levels with none are 0). */
export type AccessLevelCounts = Record<AccessLevel, number>;

/** The Allow statements of the shared policies. */
export function allowStatements(sources: readonly PolicySource[]): NormalisedStatement[] {
  return sources.flatMap((source) => parsePolicy(source.document).statements.filter((s) => s.effect === 'Allow'));
}

/**
 * Every catalog action an Allow statement of `sources` covers, restricted to
 * one IAM prefix when given. Deny statements are ignored: this is what the
 * grants name, which is what a reviewer compares.
 */
export function grantedCatalogActions(sources: readonly PolicySource[], catalog: ActionCatalog, prefix?: string): string[] {
  const allows = allowStatements(sources);
  const candidates = new Set<string>();
  for (const statement of allows) {
    const patterns = statement.actions ?? ['*'];
    for (const pattern of patterns) {
      const scoped = prefix === undefined ? pattern : scopeToPrefix(pattern, prefix);
      if (scoped !== undefined) for (const action of catalog.expand(scoped)) candidates.add(action);
    }
  }
  return [...candidates].filter((action) => allows.some((s) => statementCoversAction(s, action))).sort();
}

/** A pattern narrowed to one prefix ("*" → "dynamodb:*"), or undefined when it cannot match that prefix. */
function scopeToPrefix(pattern: string, prefix: string): string | undefined {
  if (pattern === '*') return `${prefix}:*`;
  const colon = pattern.indexOf(':');
  if (colon < 0) return undefined;
  const head = pattern.slice(0, colon);
  if (/[*?]/.test(head)) return `${prefix}:${pattern.slice(colon + 1)}`;
  return head.toLowerCase() === prefix.toLowerCase() ? pattern : undefined;
}

/** Counts actions by access level; actions the catalog does not know are not counted. */
export function countByAccessLevel(actions: Iterable<string>, catalog: ActionCatalog): AccessLevelCounts {
  const counts = Object.fromEntries(ACCESS_LEVELS.map((level) => [level, 0])) as AccessLevelCounts;
  const seen = new Set<string>();
  for (const action of actions) {
    const key = action.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const level = catalog.accessLevel(action);
    if (level) counts[level] += 1;
  }
  return counts;
}

/** "Write 14 → 3, Permissions management 2 → 0": the levels either side holds, riskiest first. */
export function accessLevelChange(before: AccessLevelCounts, after: AccessLevelCounts): string {
  const parts = ACCESS_LEVELS.filter((level) => before[level] > 0 || after[level] > 0).map(
    (level) => `${level} ${before[level]} → ${after[level]}`,
  );
  return parts.length === 0 ? 'no catalogued actions' : parts.join(', ');
}
