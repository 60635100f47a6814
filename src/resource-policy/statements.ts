/**
 * Pure edits of resource-based policies (KMS key, bucket, queue, topic,
 * secret, repository policies) that name the shared role: find the
 * statements, add the new roles beside it, and take it out at retire.
 * Nothing here calls AWS; the text in and out is the policy document as the
 * service stores it.
 */

/** The role a policy may name: by ARN, or by its unique id (AROA…) once IAM can no longer resolve it. */
export interface RoleRef {
  arn: string;
  roleId: string;
}

/** Where in a statement the role is named. */
export type Mention = 'Principal' | 'NotPrincipal' | 'aws:PrincipalArn' | 'aws:userid';

/** A statement that names the role. */
export interface StatementMatch {
  index: number;
  sid?: string;
  effect: string;
  mentions: Mention[];
}

/** Raised when a policy cannot be parsed or edited safely; the message is the reason shown to the user. */
export class PolicyEditError extends Error {
  override readonly name = 'PolicyEditError';
}

type Json = Record<string, unknown>;
const PRINCIPAL_KEYS = ['Principal', 'NotPrincipal'] as const;
const ARN_KEY = 'aws:principalarn';
const USERID_KEY = 'aws:userid';

/** Parses a resource policy's text; throws PolicyEditError with the reason when it is not a policy. */
export function parseResourcePolicy(text: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PolicyEditError(`not JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new PolicyEditError('not a JSON object');
  const statements = parsed.Statement;
  if (!(Array.isArray(statements) ? statements.every(isObject) : isObject(statements)))
    throw new PolicyEditError('Statement is neither an object nor a list of objects');
  return parsed;
}

/**
 * Every statement of the policy text that names the role, in document order.
 * With `exact`, a wildcard aws:PrincipalArn pattern that merely covers the
 * role does not count: it never turns into an orphan id when the role goes.
 */
export function findRoleStatements(text: string, role: RoleRef, options: { exact?: boolean } = {}): StatementMatch[] {
  return statementsOf(parseResourcePolicy(text)).flatMap((statement, index) => {
    const mentions = mentionsIn(statement, role, !options.exact);
    if (mentions.length === 0) return [];
    return [{ index, effect: String(statement.Effect), mentions, ...(typeof statement.Sid === 'string' ? { sid: statement.Sid } : {}) }];
  });
}

/**
 * Adds each new role beside the shared one in the given statements: its ARN
 * where the shared role's ARN or id is a principal or an aws:PrincipalArn
 * value, and its id (same session suffix) where an aws:userid value starts
 * with the shared role's id. Returns the new policy text, keys in their
 * original order. Already present values are not added twice.
 */
export function addRoles(text: string, shared: RoleRef, additions: ReadonlyArray<{ index: number; roles: RoleRef[] }>): string {
  const doc = parseResourcePolicy(text);
  const statements = statementsOf(doc);
  for (const { index, roles } of additions) {
    const statement = statements[index];
    if (!statement || mentionsIn(statement, shared).length === 0)
      throw new PolicyEditError(`statement #${index} no longer names ${shared.arn}`);
    for (const key of PRINCIPAL_KEYS) {
      const block = statement[key];
      if (!isObject(block) || !namesRole(listOf(block.AWS), shared)) continue;
      block.AWS = union(
        listOf(block.AWS),
        roles.map((r) => r.arn),
      );
    }
    editConditions(statement, (operator, key, values) => {
      if (key === ARN_KEY && (namesRole(values, shared) || likeMatches(operator, values, shared.arn))) {
        return union(
          values,
          roles.filter((r) => !likeMatches(operator, values, r.arn)).map((r) => r.arn),
        );
      }
      if (key === USERID_KEY) {
        const derived = values.flatMap((v) => (userIdNames(v, shared) ? roles.map((r) => r.roleId + v.slice(shared.roleId.length)) : []));
        return union(values, derived);
      }
      return values;
    });
  }
  return serialise(doc, statements);
}

/**
 * Takes the shared role out of every statement that names it. Refuses
 * (PolicyEditError) when a principal or condition list would be left empty:
 * dropping it would widen the statement, so a person must decide.
 */
export function removeRole(text: string, shared: RoleRef): string {
  const doc = parseResourcePolicy(text);
  const statements = statementsOf(doc);
  statements.forEach((statement, index) => {
    for (const key of PRINCIPAL_KEYS) {
      const block = statement[key];
      if (!isObject(block) || block.AWS === undefined) continue;
      const kept = listOf(block.AWS).filter((v) => !namesRole([v], shared));
      if (kept.length === listOf(block.AWS).length) continue;
      if (kept.length === 0 && Object.keys(block).length === 1)
        throw new PolicyEditError(`statement #${index} has no principal but ${shared.arn}`);
      if (kept.length === 0) delete block.AWS;
      else block.AWS = kept.length === 1 ? kept[0] : kept;
    }
    editConditions(statement, (_operator, key, values) => {
      const kept = values.filter((v) => !(key === ARN_KEY && namesRole([v], shared)) && !(key === USERID_KEY && userIdNames(v, shared)));
      if (kept.length === 0 && values.length > 0)
        throw new PolicyEditError(`statement #${index}'s ${key} condition names only the shared role`);
      return kept;
    });
  });
  return serialise(doc, statements);
}

function mentionsIn(statement: Json, role: RoleRef, patterns = true): Mention[] {
  const mentions: Mention[] = [];
  for (const key of PRINCIPAL_KEYS) {
    const block = statement[key];
    if (isObject(block) && namesRole(listOf(block.AWS), role)) mentions.push(key);
  }
  editConditions(statement, (operator, key, values) => {
    if (
      key === ARN_KEY &&
      (namesRole(values, role) || (patterns && likeMatches(operator, values, role.arn))) &&
      !mentions.includes('aws:PrincipalArn')
    )
      mentions.push('aws:PrincipalArn');
    if (key === USERID_KEY && values.some((v) => userIdNames(v, role)) && !mentions.includes('aws:userid')) mentions.push('aws:userid');
    return values;
  });
  return mentions;
}

/** Exact names only: an ARN (with or without its path, any case) or the unique id. */
function namesRole(values: string[], role: RoleRef): boolean {
  const arn = role.arn.toLowerCase();
  const withoutPath = arn.replace(/:role\/.*\/([^/]+)$/, ':role/$1');
  return values.some((v) => {
    const value = v.toLowerCase();
    return value === arn || value === withoutPath || v === role.roleId;
  });
}

/** `AROAID:*` or `AROAID:session`: the caller is one of the role's sessions. */
function userIdNames(value: string, role: RoleRef): boolean {
  return value.startsWith(`${role.roleId}:`);
}

/** A wildcard (…Like) condition value that already covers this ARN. */
function likeMatches(operator: string, values: string[], arn: string): boolean {
  if (!/like/i.test(operator)) return false;
  return values.some((pattern) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      'i',
    ).test(arn),
  );
}

/** Calls `edit` for each condition key's values (keys lower-cased, values as a list); stores what it returns. */
function editConditions(statement: Json, edit: (operator: string, key: string, values: string[]) => string[]): void {
  const condition = statement.Condition;
  if (!isObject(condition)) return;
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block)) continue;
    for (const [key, raw] of Object.entries(block)) {
      const values = listOf(raw);
      const edited = edit(operator, key.toLowerCase(), values);
      if (edited !== values) block[key] = Array.isArray(raw) || edited.length !== 1 ? edited : edited[0];
    }
  }
}

function statementsOf(doc: Json): Json[] {
  return Array.isArray(doc.Statement) ? (doc.Statement as Json[]) : [doc.Statement as Json];
}

function serialise(doc: Json, statements: Json[]): string {
  if (!Array.isArray(doc.Statement)) doc.Statement = statements[0];
  return JSON.stringify(doc);
}

function union(values: string[], more: string[]): string[] {
  const seen = new Set(values.map((v) => v.toLowerCase()));
  return [...values, ...more.filter((v) => !seen.has(v.toLowerCase()) && seen.add(v.toLowerCase()))];
}

function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
