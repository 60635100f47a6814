/**
 * Narrowing: the shared role's grants cut down to what one service used.
 * Pure. Every surviving Allow keeps its Resource/NotResource and Condition
 * exactly; only its action list shrinks to concrete, used actions. Deny
 * statements travel unchanged, because dropping a Deny can only widen access.
 */
import { canonicalJson } from '../core/canonical-json.js';
import { isArray } from '../core/json.js';
import type { ActionCatalog } from './action-catalog.js';
import { actionMatches, statementCoversAction } from './actions.js';
import { parsePolicy, type NormalisedStatement } from './document.js';
import type { IamStatement, PolicySource } from './types.js';

/** The narrowed statements of one new role and the actions they allow. */
export interface NarrowedGrants {
  statements: IamStatement[];
  /** Sorted, distinct actions named by the surviving Allow statements (a carried Deny may still restrict them). */
  grantedActions: string[];
}

/** A granted action pattern nobody used in the evidence window, with the statement it came from. */
export interface UnusedGrant {
  policy: string;
  policyKind: PolicySource['kind'];
  sid?: string;
  /** Index of the statement inside its source policy document. */
  statementIndex: number;
  /** The unused Action patterns, or one entry describing the whole NotAction clause ("NotAction: iam:*"). */
  patterns: string[];
  /**
   * With a catalog: the concrete actions the statement grants that nobody
   * used, wildcards expanded (the first UNUSED_ACTIONS_LISTED of them), and
   * how many there are in all.
   */
  unusedActions?: string[];
  unusedActionCount?: number;
}

/** How many unused concrete actions one statement lists; a "*" grant would otherwise list the whole catalog. */
export const UNUSED_ACTIONS_LISTED = 200;

/** The version whose policy variables (${aws:username}) are live; older or missing versions treat them as text. */
const CURRENT_VERSION = '2012-10-17';

interface SourceStatement {
  source: PolicySource;
  index: number;
  statement: NormalisedStatement;
  /** True when the document predates 2012-10-17, so "${" is literal text there. */
  legacy: boolean;
}

/**
 * Narrows the shared role's policies to the `allowed` actions (what one
 * service used, spelled as the caller spells them). Allow statements keep
 * only the allowed actions they cover, wildcards and NotAction expanded
 * case-insensitively; statements that cover none are dropped; Allows with
 * identical Sid, Resource/NotResource and Condition are merged. Denies are copied.
 */
export function narrowGrants(sources: PolicySource[], allowed: Iterable<string>): NarrowedGrants {
  const used = distinctActions(allowed);
  for (const action of used) assertConcrete(action);

  const sids = new SidAllocator();
  const allows = new Map<string, { statement: IamStatement; actions: Map<string, string> }>();
  const denies = new Map<string, IamStatement>();

  for (const entry of readSources(sources)) {
    const { statement } = entry;
    if (statement.effect === 'Deny') {
      // Denies are kept even when no Allow survives: they cost a few bytes and can never widen access.
      const head: IamStatement = { Effect: 'Deny' };
      if (statement.actions) head.Action = compact(statement.actions);
      if (statement.notActions) head.NotAction = compact(statement.notActions);
      const copy = { ...head, ...scopeOf(entry, head) };
      const key = canonicalJson({
        ...copy,
        Action: asSet(copy.Action),
        NotAction: asSet(copy.NotAction),
        Resource: asSet(copy.Resource),
        NotResource: asSet(copy.NotResource),
      });
      if (!denies.has(key)) denies.set(key, { Sid: sids.take(entry), ...copy });
      continue;
    }
    const covered = used.filter((action) => statementCoversAction(statement, action));
    if (covered.length === 0) continue;
    const scoped = scopeOf(entry, { Effect: 'Allow' });
    // Merging is keyed on everything but the actions (resource lists as sets),
    // so a merged statement grants exactly the union of what it replaces. The
    // source's Sid is part of the key: a Sid labels its actions ("Logs"), and a
    // merge across Sids would leave one label over another statement's actions.
    const key = canonicalJson({
      ...scoped,
      Resource: asSet(scoped.Resource),
      NotResource: asSet(scoped.NotResource),
      sid: entry.statement.sid ?? null,
    });
    let group = allows.get(key);
    if (!group) {
      group = { statement: { Sid: sids.take(entry), ...scoped }, actions: new Map() };
      allows.set(key, group);
    }
    for (const action of covered) group.actions.set(action.toLowerCase(), action);
  }

  const granted = new Map<string, string>();
  const statements: IamStatement[] = [];
  for (const { statement, actions } of allows.values()) {
    const list = sortActions([...actions.values()]);
    for (const action of list) granted.set(action.toLowerCase(), action);
    statements.push(withActionFirst(statement, compact(list)));
  }
  statements.push(...denies.values());
  return { statements, grantedActions: sortActions([...granted.values()]) };
}

/**
 * Lists, per Allow statement of the shared policies, the action patterns
 * that no action in `usedByAnyone` matches. A NotAction statement that
 * covers no used action is reported as one entry naming its whole clause.
 * With a catalog, a statement's wildcards are also expanded: a partly used
 * "dynamodb:*" is listed with the concrete actions nobody used.
 */
export function unusedGrants(sources: PolicySource[], usedByAnyone: Iterable<string>, catalog?: ActionCatalog): UnusedGrant[] {
  const used = distinctActions(usedByAnyone);
  const usedKeys = new Set(used.map((action) => action.toLowerCase()));
  const unused: UnusedGrant[] = [];
  for (const { source, index, statement } of readSources(sources)) {
    if (statement.effect !== 'Allow') continue;
    let patterns: string[] = [];
    if (statement.actions) {
      patterns = statement.actions.filter((pattern) => !used.some((action) => actionMatches(pattern, action)));
    } else if (statement.notActions && !used.some((action) => statementCoversAction(statement, action))) {
      patterns = [`NotAction: ${statement.notActions.join(', ')}`];
    }
    const expanded = catalog
      ? [...new Set((statement.actions ?? ['*']).flatMap((pattern) => catalog.expand(pattern)))].filter(
          (action) => statementCoversAction(statement, action) && !usedKeys.has(action.toLowerCase()),
        )
      : [];
    if (patterns.length === 0 && expanded.length === 0) continue;
    const grant: UnusedGrant = { policy: source.name, policyKind: source.kind, statementIndex: index, patterns };
    if (statement.sid !== undefined) grant.sid = statement.sid;
    if (catalog) {
      grant.unusedActions = expanded.sort().slice(0, UNUSED_ACTIONS_LISTED);
      grant.unusedActionCount = expanded.length;
    }
    unused.push(grant);
  }
  return unused;
}

function readSources(sources: PolicySource[]): SourceStatement[] {
  const out: SourceStatement[] = [];
  for (const source of sources) {
    const policy = parsePolicy(source.document);
    const legacy = policy.version !== CURRENT_VERSION;
    policy.statements.forEach((statement, index) => out.push({ source, index, statement, legacy }));
  }
  return out;
}

/** The Resource/NotResource/Condition part of a statement, in the form written to the new policy. */
function scopeOf(entry: SourceStatement, head: IamStatement): IamStatement {
  const { statement, legacy } = entry;
  // The new documents are 2012-10-17, where "${" starts a policy variable. A
  // legacy document meant it literally, so escape it as ${$} to keep its meaning.
  const keep = <T>(value: T): T => (legacy ? escapeVariables(value) : value);
  const out: IamStatement = { ...head };
  if (statement.resources) out.Resource = compact(keep(statement.resources));
  if (statement.notResources) out.NotResource = compact(keep(statement.notResources));
  if (statement.condition) out.Condition = keep(statement.condition);
  return out;
}

function withActionFirst(statement: IamStatement, action: string | string[]): IamStatement {
  // Key order only affects readability of the written JSON: Sid, Effect, Action, then scope.
  const { Sid, Effect, ...scope } = statement;
  return Sid === undefined ? { Effect, Action: action, ...scope } : { Sid, Effect, Action: action, ...scope };
}

/** Rewrites "${" to "${$}{" in every string, turning a would-be variable back into literal text. */
function escapeVariables<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('${', '${$}{') as T;
  if (isArray(value)) return value.map((item) => escapeVariables(item)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeVariables(v)])) as T;
  }
  return value;
}

/** Distinct actions, compared case-insensitively as IAM does, keeping the first spelling seen. */
function distinctActions(actions: Iterable<string>): string[] {
  const byKey = new Map<string, string>();
  for (const action of actions) {
    const key = action.toLowerCase();
    if (!byKey.has(key)) byKey.set(key, action);
  }
  return [...byKey.values()];
}

function assertConcrete(action: string): void {
  // A wildcard here would be copied into the new policy as a grant nobody observed.
  if (action.includes('*') || action.includes('?') || !/^[^:\s]+:[^:\s]+$/.test(action)) {
    throw new Error(`narrowGrants: used action ${JSON.stringify(action)} is not a concrete "service:Action" name`);
  }
}

function sortActions(actions: string[]): string[] {
  return actions.sort((a, b) => compareText(a.toLowerCase(), b.toLowerCase()) || compareText(a, b));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A one-element list is written as a plain string: same meaning, fewer characters against the size limits. */
function compact(list: readonly string[]): string | string[] {
  return list.length === 1 ? (list[0] as string) : [...list];
}

/** An action or resource list as a sorted, distinct array (undefined stays undefined), for comparing lists as sets. */
function asSet(list: string | string[] | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  return [...new Set(typeof list === 'string' ? [list] : list)].sort(compareText);
}

/** Hands out Sids that are alphanumeric (as IAM requires) and unique within the new role's policies. */
class SidAllocator {
  private readonly taken = new Set<string>();

  take(entry: SourceStatement): string {
    const fromSource = (entry.statement.sid ?? '').replace(/[^A-Za-z0-9]/g, '');
    const base = fromSource || `${entry.source.name.replace(/[^A-Za-z0-9]/g, '').slice(0, 60) || 'Stmt'}${entry.index}`;
    let sid = base;
    for (let n = 2; this.taken.has(sid.toLowerCase()); n += 1) sid = `${base}N${n}`;
    this.taken.add(sid.toLowerCase());
    return sid;
  }
}
