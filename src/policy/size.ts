/**
 * IAM size limits, and packing a new role's statements into policies that
 * respect them. Pure. IAM measures a policy as its JSON without whitespace,
 * which is exactly what JSON.stringify produces.
 */
import { SplitRoleError } from '../core/errors.js';
import type { IamPolicyDocument, IamStatement } from './types.js';

/** All inline policies of one role together, in characters. */
export const INLINE_POLICIES_MAX_CHARS = 10_240;
/** One customer-managed policy (one version), in characters. */
export const MANAGED_POLICY_MAX_CHARS = 6_144;
/** Managed policies attached to one role, by the default quota (raisable to 20 through Service Quotas). */
export const MANAGED_POLICIES_PER_ROLE = 10;
/** Longest allowed policy name. */
export const POLICY_NAME_MAX_CHARS = 128;

/** A named policy document ready to create. */
export interface NamedPolicy {
  name: string;
  document: IamPolicyDocument;
}

/** Where a role's statements go: one inline policy, or several customer-managed ones. */
export interface PackedPolicies {
  inline: NamedPolicy[];
  managed: NamedPolicy[];
}

/** Raised when a role's statements cannot be packed within IAM's size limits and quota. */
export class PolicySizeError extends SplitRoleError {
  constructor(message: string, hint?: string) {
    super('PolicySizeError', message, hint);
  }
}

/** The size IAM counts for a policy or statement: its JSON without whitespace. */
export function policySize(doc: unknown): number {
  return JSON.stringify(doc).length;
}

interface Piece {
  statement: IamStatement;
  size: number;
  /** Position of the original statement, so each policy lists its statements in the original order. */
  order: number;
}

/**
 * Packs a role's statements into IAM policies: one inline policy when the
 * whole document fits in 10,240 characters; otherwise customer-managed
 * policies of at most 6,144 each, named `${roleName}-policy-N`, filled
 * first-fit decreasing. A statement too big for one managed policy is split
 * by its Action list. Throws PolicySizeError beyond the managed-policy quota.
 */
export function packPolicies(roleName: string, statements: IamStatement[], options: { maxManagedPolicies?: number } = {}): PackedPolicies {
  if (statements.length === 0) return { inline: [], managed: [] };
  const whole = documentOf(statements);
  if (policySize(whole) <= INLINE_POLICIES_MAX_CHARS) {
    return { inline: [{ name: policyName(roleName, ''), document: whole }], managed: [] };
  }

  // What a statement may occupy in a managed policy: the limit minus the document's own wrapping.
  const capacity = MANAGED_POLICY_MAX_CHARS - policySize(documentOf([]));
  const sids = new Set(statements.flatMap((s) => (s.Sid === undefined ? [] : [s.Sid.toLowerCase()])));
  const pieces: Piece[] = [];
  statements.forEach((statement, order) => {
    const size = policySize(statement);
    if (size <= capacity) pieces.push({ statement, size, order });
    else for (const part of splitByAction(statement, capacity, sids)) pieces.push({ ...part, order });
  });

  // First-fit decreasing: big statements first, each into the first policy with room (plus a comma).
  const bins: Array<{ pieces: Piece[]; used: number }> = [];
  const bySize = [...pieces].sort((a, b) => b.size - a.size);
  for (const piece of bySize) {
    const bin = bins.find((b) => b.used + 1 + piece.size <= capacity);
    if (bin) {
      bin.pieces.push(piece);
      bin.used += 1 + piece.size;
    } else {
      bins.push({ pieces: [piece], used: piece.size });
    }
  }

  const limit = options.maxManagedPolicies ?? MANAGED_POLICIES_PER_ROLE;
  if (bins.length > limit) {
    throw new PolicySizeError(
      `role ${roleName} needs ${bins.length} managed policies (${policySize(whole)} characters of statements); a role may have ${limit} attached`,
      'raise the "Managed policies per role" IAM quota (up to 20) and pass the new limit, or narrow the shared policy first',
    );
  }
  const managed = bins.map((bin, i) => {
    const ordered = [...bin.pieces].sort((a, b) => a.order - b.order).map((piece) => piece.statement);
    const document = documentOf(ordered);
    // Defensive: the packing arithmetic above must agree with IAM's measure.
    if (policySize(document) > MANAGED_POLICY_MAX_CHARS) {
      throw new PolicySizeError(`internal: packed policy ${i + 1} of role ${roleName} exceeds ${MANAGED_POLICY_MAX_CHARS} characters`);
    }
    return { name: policyName(roleName, `-${i + 1}`), document };
  });
  return { inline: [], managed };
}

function documentOf(statements: IamStatement[]): IamPolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** `${roleName}-policy${suffix}`, shortening the role name part if the whole would pass IAM's 128-character limit. */
export function policyName(roleName: string, suffix: string): string {
  const tail = `-policy${suffix}`;
  return `${roleName.slice(0, POLICY_NAME_MAX_CHARS - tail.length)}${tail}`;
}

/**
 * Splits one oversized statement into statements with the same Effect and
 * scope and disjoint parts of its Action list. The union grants exactly what
 * the original did (for Allow and for Deny). NotAction cannot be split that
 * way — each part would deny or allow more — so it is refused.
 */
function splitByAction(statement: IamStatement, capacity: number, sids: Set<string>): Array<Omit<Piece, 'order'>> {
  const actions = typeof statement.Action === 'string' ? [statement.Action] : statement.Action;
  const label = statement.Sid ? `statement ${statement.Sid}` : 'a statement';
  if (!actions || actions.length < 2) {
    const why = statement.NotAction !== undefined ? 'it uses NotAction, which cannot be split' : 'it has a single action';
    throw new PolicySizeError(
      `${label} is ${policySize(statement)} characters, over the ${MANAGED_POLICY_MAX_CHARS}-character managed policy limit, and ${why}`,
      'shorten its Resource list or Condition in the shared role first',
    );
  }
  const parts: Array<Omit<Piece, 'order'>> = [];
  let chunk: string[] = [];
  let sid = statement.Sid === undefined ? undefined : freshSid(statement.Sid, 1, sids);
  const build = (list: string[]): IamStatement => {
    const { Sid: _old, Effect, Action: _all, ...scope } = statement;
    return sid === undefined ? { Effect, Action: list, ...scope } : { Sid: sid, Effect, Action: list, ...scope };
  };
  for (const action of actions) {
    const candidate = build([...chunk, action]);
    if (policySize(candidate) <= capacity) {
      chunk.push(action);
      continue;
    }
    if (chunk.length === 0) {
      throw new PolicySizeError(
        `${label} does not fit in a ${MANAGED_POLICY_MAX_CHARS}-character managed policy even with the single action ${action}`,
        'shorten its Resource list or Condition in the shared role first',
      );
    }
    const done = build(chunk);
    parts.push({ statement: done, size: policySize(done) });
    if (statement.Sid !== undefined) sid = freshSid(statement.Sid, parts.length + 1, sids);
    chunk = [];
    const alone = build([action]);
    if (policySize(alone) > capacity) {
      throw new PolicySizeError(
        `${label} does not fit in a ${MANAGED_POLICY_MAX_CHARS}-character managed policy even with the single action ${action}`,
        'shorten its Resource list or Condition in the shared role first',
      );
    }
    chunk.push(action);
  }
  const last = build(chunk);
  parts.push({ statement: last, size: policySize(last) });
  return parts;
}

/** `${sid}P${n}`, made unique among the role's Sids (IAM wants them unique within a policy; alphanumeric stays). */
function freshSid(sid: string, n: number, taken: Set<string>): string {
  let candidate = `${sid}P${n}`;
  while (taken.has(candidate.toLowerCase())) candidate = `${candidate}X`;
  taken.add(candidate.toLowerCase());
  return candidate;
}
