/**
 * The subset check: proof, in code, that the new roles allow nothing the
 * shared role did not. Pure. It is written apart from narrow.ts on purpose
 * (its own wildcard matcher, its own comparisons) so that a bug in the
 * narrowing is caught here instead of being repeated here.
 */
import { SplitRoleError } from '../core/errors.js';
import { parsePolicy } from './document.js';
import type { IamPolicyDocument, PolicySource } from './types.js';
import { isArray, isRecord } from '../core/json.js';

/** Raised when a candidate policy could allow more than the shared role did. This is a bug: it stops the plan. */
export class PolicySubsetError extends SplitRoleError {
  constructor(message: string) {
    super('PolicySubsetError', message, 'this is a bug in split-role; the plan was not written. Please report it');
  }
}

type ScopeKind = 'Resource' | 'NotResource' | 'none';

/** A statement reduced to what decides its effect; Sid is deliberately absent. */
interface Scoped {
  kind: ScopeKind;
  resources: string[];
  condition: Record<string, unknown> | undefined;
}

interface SharedAllow extends Scoped {
  actions?: string[];
  notActions?: string[];
  /** Resource "*" with no Condition: grants its actions on everything, so any narrower scope is covered. */
  everywhere: boolean;
}

interface DenyShape extends Scoped {
  actionKind: 'Action' | 'NotAction';
  actions: string[];
  label: string;
}

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

/**
 * Throws PolicySubsetError unless every (action, Resource/NotResource,
 * Condition) that an Allow of `candidate` grants is granted by one Allow of
 * `shared` — with a set-equal scope and a deep-equal Condition, or with
 * Resource "*" and no Condition — and unless every shared Deny is present
 * in the candidate. Candidate Allows must name concrete actions only.
 */
export function assertSubset(shared: PolicySource[], candidate: IamPolicyDocument[]): void {
  const allows: SharedAllow[] = [];
  const sharedDenies: DenyShape[] = [];
  for (const source of shared) {
    const policy = parsePolicy(source.document);
    // Before 2012-10-17 "${x}" was literal text; in the candidate's version it must be written "${$}{x}".
    const legacy = policy.version !== '2012-10-17';
    policy.statements.forEach((s, index) => {
      const scope = scoped(s.resources, s.notResources, s.condition, legacy, `${source.name} statement ${index}`);
      if (s.effect === 'Allow') {
        const everywhere = scope.kind === 'Resource' && scope.resources.includes('*') && scope.condition === undefined;
        allows.push({ ...scope, actions: s.actions, notActions: s.notActions, everywhere });
      } else {
        const actionKind = s.actions ? 'Action' : 'NotAction';
        const label = `Deny ${s.sid ? `"${s.sid}" ` : ''}(${source.kind} policy ${source.name}, statement ${index})`;
        sharedDenies.push({ ...scope, actionKind, actions: foldActions(s.actions ?? s.notActions ?? []), label });
      }
    });
  }

  const candidateDenies: DenyShape[] = [];
  candidate.forEach((doc, docIndex) => {
    if (!isRecord(doc) || doc.Version !== '2012-10-17' || !Array.isArray(doc.Statement)) {
      fail(`candidate policy ${docIndex} is not a 2012-10-17 document with a Statement list`);
    }
    doc.Statement.forEach((raw: unknown, index) => {
      const where = `candidate policy ${docIndex} statement ${index}`;
      if (!isRecord(raw)) fail(`${where} is not an object`);
      const unknownKey = Object.keys(raw).find((key) => !STATEMENT_KEYS.has(key));
      if (unknownKey !== undefined) fail(`${where} has an unexpected element ${unknownKey}`);
      const scope = scoped(list(raw.Resource, where), list(raw.NotResource, where), raw.Condition, false, where);
      if (raw.Effect === 'Deny') {
        const actionKind = raw.Action !== undefined ? 'Action' : 'NotAction';
        const actions = foldActions(list(raw.Action ?? raw.NotAction, where) ?? []);
        candidateDenies.push({ ...scope, actionKind, actions, label: where });
        return;
      }
      if (raw.Effect !== 'Allow') fail(`${where} has Effect ${JSON.stringify(raw.Effect)}`);
      if (raw.NotAction !== undefined) fail(`${where} is an Allow with NotAction; new roles must name actions`);
      const actions = list(raw.Action, where);
      if (!actions || actions.length === 0) fail(`${where} is an Allow without actions`);
      for (const action of actions) {
        if (/[*?]/.test(action)) fail(`${where} allows the wildcard action ${action}; new roles must name concrete actions`);
        const grantedBy = allows.find((allow) => covers(allow, action) && (allow.everywhere || sameScope(allow, scope)));
        if (!grantedBy) {
          fail(`${where} allows ${action} on ${describeScope(scope)}, which no Allow statement of the shared role grants`);
        }
      }
    });
  });

  for (const deny of sharedDenies) {
    const kept = candidateDenies.some((c) => c.actionKind === deny.actionKind && sameSet(c.actions, deny.actions) && sameScope(c, deny));
    if (!kept) fail(`the shared role's ${deny.label} on ${describeScope(deny)} is missing from the new role`);
  }
}

function fail(message: string): never {
  throw new PolicySubsetError(message);
}

function scoped(
  resources: string[] | undefined,
  notResources: string[] | undefined,
  condition: unknown,
  legacy: boolean,
  where: string,
): Scoped {
  if (resources && notResources) fail(`${where} has both Resource and NotResource`);
  if (condition !== undefined && !isRecord(condition)) fail(`${where} has a Condition that is not an object`);
  const escape = <T>(value: T): T => (legacy ? literalDollars(value) : value);
  const kind: ScopeKind = resources ? 'Resource' : notResources ? 'NotResource' : 'none';
  const cond = condition && Object.keys(condition).length > 0 ? escape(condition) : undefined;
  return { kind, resources: escape(resources ?? notResources ?? []), condition: cond };
}

/** Own wildcard matcher (case-insensitive, `*` any run, `?` one character), independent of actions.ts. */
function globMatches(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  let pi = 0;
  let ti = 0;
  let star = -1;
  let resume = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      pi += 1;
      ti += 1;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi;
      pi += 1;
      resume = ti;
    } else if (star >= 0) {
      pi = star + 1;
      resume += 1;
      ti = resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi += 1;
  return pi === p.length;
}

function covers(allow: SharedAllow, action: string): boolean {
  if (allow.actions) return allow.actions.some((pattern) => globMatches(pattern, action));
  if (allow.notActions) return !allow.notActions.some((pattern) => globMatches(pattern, action));
  return false;
}

function sameScope(a: Scoped, b: Scoped): boolean {
  return a.kind === b.kind && sameSet(a.resources, b.resources) && deepEqual(a.condition, b.condition);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

/** Structural equality; object key order is ignored, array order is not (stricter is the safe side). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => key in b && deepEqual(a[key], b[key]));
}

/** IAM action names are case-insensitive, so Deny action lists compare folded. */
function foldActions(actions: readonly string[]): string[] {
  return actions.map((action) => action.toLowerCase());
}

function literalDollars<T>(value: T): T {
  if (typeof value === 'string') return value.split('${').join('${$}{') as T;
  if (Array.isArray(value)) return value.map(literalDollars) as T;
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = literalDollars(value[key]);
    return out as T;
  }
  return value;
}

function list(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return [value];
  if (isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return fail(`${where} has a list element that is neither a string nor an array of strings`);
}

function describeScope(scope: Scoped): string {
  const where = scope.kind === 'none' ? 'no Resource' : `${scope.kind} ${JSON.stringify(scope.resources)}`;
  return scope.condition ? `${where} with Condition ${JSON.stringify(scope.condition)}` : where;
}
