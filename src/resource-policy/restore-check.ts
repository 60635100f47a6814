/**
 * Pure: what rollback may write back into a resource policy. The text to
 * restore comes from the plan or the journal, and neither is proof: a plan
 * can be re-sealed and a journal's hash chain recomputed. So the live policy
 * is the reference. Rollback may change only the statements that name the
 * plan's roles (the shared role and the new ones), and only when the live
 * ones are exactly what the step being undone would have left; every other
 * statement is taken from the live policy as it is (a colleague's edit is
 * kept, and a statement smuggled into the restore text is not written).
 */
import { canonicalJson } from '../core/canonical-json.js';
import { findRoleStatements, parseResourcePolicy, type RoleRef } from './statements.js';

type Json = Record<string, unknown>;

/** What rollback does with one policy. */
export type RestoreDecision =
  /** The live policy already holds the restored statements; `kept` are statements of others left as they are. */
  | { action: 'none'; kept: Json[] }
  /** Write `text`: the restored statements plus the live policy's other statements (`kept` when they differ). */
  | { action: 'write'; text: string; kept: Json[] }
  /** The live statements naming the plan's roles are not what the undone step left: `unexpected` are live, `missing` are not. */
  | { action: 'refuse'; unexpected: Json[]; missing: Json[]; reason?: string };

/** What decideRestore compares. */
export interface RestoreInput {
  /** The text rollback means to put back. */
  target: string;
  /** The live text ('' for none). */
  live: string;
  /** The text the live policy holds while the undone step's effect is in place, derived from `target`; throws when it cannot be. */
  effect: () => string;
  /** The plan's roles: the shared role (also by a recreated role's id) and the new roles. */
  roles: readonly RoleRef[];
}

/**
 * Already restored (up to statements naming none of the plan's roles), or
 * the text to write, or why not: the live statements naming the plan's roles
 * must be exactly those `effect` holds, so `target` differs from the live
 * policy only by what the undone step itself changed.
 */
export function decideRestore(input: RestoreInput): RestoreDecision {
  const targetList = statementList(input.target);
  const target = partition(targetList, input.roles);
  const live = partition(statementList(input.live), input.roles);
  if (statementDiff(live.ours, target.ours).same) return { action: 'none', kept: statementDiff(live.others, target.others).onlyA };
  let effect: ReturnType<typeof partition>;
  try {
    effect = partition(statementList(input.effect()), input.roles);
  } catch (error) {
    return { action: 'refuse', unexpected: [], missing: [], reason: (error as Error).message };
  }
  const diff = statementDiff(live.ours, effect.ours);
  if (!diff.same) return { action: 'refuse', unexpected: diff.onlyA, missing: diff.onlyB };
  // The plan's statements from the target, everyone else's from the live policy, in the target's order.
  const othersLeft = live.others.map((s) => ({ s, key: key(s) }));
  const merged: Json[] = [];
  for (const s of targetList) {
    if (target.ours.includes(s)) {
      merged.push(s);
      continue;
    }
    const at = othersLeft.findIndex((o) => o.key === key(s));
    if (at >= 0) merged.push(othersLeft.splice(at, 1)[0]?.s as Json);
  }
  merged.push(...othersLeft.map((o) => o.s));
  return { action: 'write', text: withStatements(input.target, merged), kept: statementDiff(live.others, target.others).onlyA };
}

/**
 * The statements of `text` that name the shared role (`shared`), with the
 * new roles (`added`) taken out of them: what a restored text must agree on
 * with the sealed original, whatever else a journal says.
 */
export function sharedStatements(text: string, shared: readonly RoleRef[], added: readonly RoleRef[]): string[] {
  return statementList(text)
    .filter((s) => namesAny(s, shared))
    .map((s) => key(withoutRoles(s, added)))
    .sort();
}

/** `aws:userid` values `OLDID:…` of a recreated role become `NEWID:…`; with how many were rewritten. */
export function rewriteUserIds(text: string, oldId: string, newId: string): { text: string; rewritten: number } {
  if (text === '' || oldId === newId || oldId === '') return { text, rewritten: 0 };
  const doc = parseResourcePolicy(text);
  let rewritten = 0;
  for (const statement of listOf(doc.Statement)) {
    forEachConditionKey(statement, (block, conditionKey) => {
      if (conditionKey.toLowerCase() !== 'aws:userid') return;
      const raw = block[conditionKey];
      const swap = (v: unknown) => {
        if (typeof v !== 'string' || !v.startsWith(`${oldId}:`)) return v;
        rewritten++;
        return `${newId}${v.slice(oldId.length)}`;
      };
      block[conditionKey] = Array.isArray(raw) ? raw.map(swap) : swap(raw);
    });
  }
  return rewritten === 0 ? { text, rewritten } : { text: JSON.stringify(doc), rewritten };
}

/** One statement, for a message: its Sid and its canonical JSON, shortened. */
export function describeStatement(statement: Json): string {
  const json = canonicalJson(statement);
  const body = json.length > 400 ? `${json.slice(0, 400)}…` : json;
  return typeof statement.Sid === 'string' ? `${statement.Sid} ${body}` : body;
}

/** The statements of a policy text (none for no policy). */
function statementList(text: string): Json[] {
  if (text.trim() === '') return [];
  const statements = parseResourcePolicy(text).Statement;
  return listOf(statements);
}

/** Does the statement name any of the roles (by ARN or unique id; a wildcard pattern does not count)? */
function namesAny(statement: Json, roles: readonly RoleRef[]): boolean {
  // findRoleStatements counts a session ARN of the role (assumed-role/NAME/SESSION) as naming it, too.
  const one = JSON.stringify({ Statement: [statement] });
  return roles.some((role) => findRoleStatements(one, role, { exact: true }).length > 0);
}

function partition(statements: readonly Json[], roles: readonly RoleRef[]): { ours: Json[]; others: Json[] } {
  const ours: Json[] = [];
  const others: Json[] = [];
  for (const s of statements) (namesAny(s, roles) ? ours : others).push(s);
  return { ours, others };
}

/** Multiset comparison of statements by meaning (key order, one value or a list, and list order do not count). */
function statementDiff(a: readonly Json[], b: readonly Json[]): { same: boolean; onlyA: Json[]; onlyB: Json[] } {
  const left = b.map(key);
  const onlyA: Json[] = [];
  for (const s of a) {
    const at = left.indexOf(key(s));
    if (at >= 0) left.splice(at, 1);
    else onlyA.push(s);
  }
  const right = a.map(key);
  const onlyB: Json[] = [];
  for (const s of b) {
    const at = right.indexOf(key(s));
    if (at >= 0) right.splice(at, 1);
    else onlyB.push(s);
  }
  return { same: onlyA.length === 0 && onlyB.length === 0, onlyA, onlyB };
}

const LIST_KEYS = new Set(['Action', 'NotAction', 'Resource', 'NotResource']);

/** A statement's comparison key: services store `"x"` and `["x"]`, and lists in any order, for the same meaning. */
function key(statement: Json): string {
  const norm: Json = {};
  for (const [k, v] of Object.entries(statement)) {
    if (LIST_KEYS.has(k)) norm[k] = sortedList(v);
    else if ((k === 'Principal' || k === 'NotPrincipal') && isObject(v))
      norm[k] = Object.fromEntries(Object.entries(v).map(([t, ids]) => [t, sortedList(ids)]));
    else if (k === 'Condition' && isObject(v))
      norm[k] = Object.fromEntries(
        Object.entries(v).map(([op, block]) => [
          op,
          isObject(block) ? Object.fromEntries(Object.entries(block).map(([ck, vals]) => [ck.toLowerCase(), sortedList(vals)])) : block,
        ]),
      );
    else norm[k] = v;
  }
  return canonicalJson(norm);
}

/** The statement with these roles' ARNs and ids taken out of its principals and conditions. */
function withoutRoles(statement: Json, roles: readonly RoleRef[]): Json {
  const copy = JSON.parse(JSON.stringify(statement)) as Json;
  const named = (v: unknown) =>
    typeof v === 'string' &&
    roles.some(
      (r) =>
        v.toLowerCase() === r.arn.toLowerCase() ||
        v.toLowerCase().startsWith(sessionPrefix(r.arn)) ||
        (r.roleId !== '' && (v === r.roleId || v.startsWith(`${r.roleId}:`))),
    );
  for (const k of ['Principal', 'NotPrincipal']) {
    const block = copy[k];
    if (isObject(block) && block.AWS !== undefined) block.AWS = listOf(block.AWS).filter((v) => !named(v));
  }
  forEachConditionKey(copy, (block, conditionKey) => {
    block[conditionKey] = (Array.isArray(block[conditionKey]) ? (block[conditionKey] as unknown[]) : [block[conditionKey]]).filter(
      (v) => !named(v),
    );
  });
  return copy;
}

/** `arn:P:sts::ACCT:assumed-role/NAME/`: the start of the role's session ARNs (lower-case). */
function sessionPrefix(roleArn: string): string {
  const m = /^arn:([^:]+):iam::(\d*):role\/(?:.*\/)?([^/]+)$/i.exec(roleArn);
  return m ? `arn:${m[1]}:sts::${m[2]}:assumed-role/${m[3]}/`.toLowerCase() : '\u0000';
}

function withStatements(base: string, statements: Json[]): string {
  const doc = base.trim() === '' ? { Version: '2012-10-17' } : parseResourcePolicy(base);
  return JSON.stringify({ ...doc, Statement: statements });
}

function forEachConditionKey(statement: Json, visit: (block: Json, conditionKey: string) => void): void {
  const condition = statement.Condition;
  if (!isObject(condition)) return;
  for (const block of Object.values(condition))
    if (isObject(block)) for (const conditionKey of Object.keys(block)) visit(block, conditionKey);
}

function sortedList(value: unknown): string[] {
  return listOf<unknown>(value)
    .map((v) => (typeof v === 'string' ? v : canonicalJson(v)))
    .sort();
}

function listOf<T = Json>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
