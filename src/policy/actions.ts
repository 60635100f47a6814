/**
 * IAM action matching. IAM compares action names case-insensitively and
 * supports `*` (any run of characters) and `?` (one character) in patterns.
 */

const patternCache = new Map<string, RegExp>();

/** True when `action` (e.g. "sts:AssumeRole") matches the IAM pattern (e.g. "sts:Assume*"). */
export function actionMatches(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  let regex = patternCache.get(pattern);
  if (!regex) {
    const body = pattern
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${body}$`, 'i');
    patternCache.set(pattern, regex);
  }
  return regex.test(action);
}

/** True when any of the patterns matches the action. */
export function anyActionMatches(patterns: readonly string[], action: string): boolean {
  return patterns.some((pattern) => actionMatches(pattern, action));
}

/**
 * True when a statement's action clause covers `action`: through `Action`
 * directly or by wildcard, or through `NotAction` by not excluding it.
 */
export function statementCoversAction(clause: { actions?: readonly string[]; notActions?: readonly string[] }, action: string): boolean {
  if (clause.actions) return anyActionMatches(clause.actions, action);
  if (clause.notActions) return !anyActionMatches(clause.notActions, action);
  return false;
}
