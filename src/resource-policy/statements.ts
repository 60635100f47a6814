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
  /** Session names of the role named as assumed-role session ARNs in Principal or NotPrincipal, sorted. */
  sessions?: string[];
}

/** New roles that get their own session ARN (same session name) where a statement names one of the shared role's sessions. */
export interface SessionAddition {
  name: string;
  roles: RoleRef[];
}

/** What one statement gets: role ARNs beside the shared role's, and session ARNs beside its sessions'. */
export interface StatementAddition {
  index: number;
  roles: RoleRef[];
  sessions?: readonly SessionAddition[];
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
    const sessions = [...new Set(PRINCIPAL_KEYS.flatMap((key) => sessionsNamed(principalValues(statement, key), role)))].sort();
    return [
      {
        index,
        effect: String(statement.Effect),
        mentions,
        ...(typeof statement.Sid === 'string' ? { sid: statement.Sid } : {}),
        ...(sessions.length > 0 ? { sessions } : {}),
      },
    ];
  });
}

/**
 * The ARN of one session of a role, as STS writes it in a request's
 * principal: `arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION` (no
 * path). Resource policies can name one session this way; NotPrincipal with
 * Deny must, to exempt a role's sessions (IAM User Guide, "AWS JSON policy
 * elements: NotPrincipal",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
 */
export function sessionArn(role: Pick<RoleRef, 'arn'>, session: string): string {
  const [, partition = 'aws', , , account = ''] = role.arn.split(':');
  return `arn:${partition}:sts::${account}:assumed-role/${roleNameOf(role.arn)}/${session}`;
}

/**
 * Adds each new role beside the shared one in the given statements: its ARN
 * where the shared role's ARN or id is a principal or an aws:PrincipalArn
 * value, and its id (same session suffix) where an aws:userid value starts
 * with the shared role's id. Returns the new policy text, keys in their
 * original order. Already present values are not added twice.
 */
export function addRoles(text: string, shared: RoleRef, additions: readonly StatementAddition[]): string {
  const doc = parseResourcePolicy(text);
  const statements = statementsOf(doc);
  for (const { index, roles, sessions = [] } of additions) {
    const statement = statements[index];
    if (!statement || mentionsIn(statement, shared).length === 0)
      throw new PolicyEditError(`statement #${index} no longer names ${shared.arn}`);
    for (const key of PRINCIPAL_KEYS) {
      const block = statement[key];
      if (!isObject(block)) continue;
      const values = listOf(block.AWS);
      let added = values;
      // A role ARN only where the shared role's ARN is named: a statement naming one session must not come to cover a whole role.
      if (namesRole(values, shared))
        added = union(
          added,
          roles.map((r) => r.arn),
        );
      const named = new Set(sessionsNamed(values, shared));
      for (const session of sessions)
        if (named.has(session.name))
          added = union(
            added,
            session.roles.map((r) => sessionArn(r, session.name)),
          );
      if (added.length !== values.length) block.AWS = added;
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
 * Takes the shared role out of every statement that names it (its ARN, id
 * and session ARNs). An Allow whose only principal was the shared role is
 * dropped: that only takes away. Refuses (PolicyEditError) when any other
 * principal or condition list would be left empty, or no statement at all:
 * dropping those would widen the statement, so a person must decide.
 */
export function removeRole(text: string, shared: RoleRef): string {
  const doc = parseResourcePolicy(text);
  const statements = statementsOf(doc);
  const dropped = new Set<number>();
  statements.forEach((statement, index) => {
    for (const key of PRINCIPAL_KEYS) {
      const block = statement[key];
      if (!isObject(block) || block.AWS === undefined) continue;
      const kept = listOf(block.AWS).filter((v) => !namesRole([v], shared) && sessionsNamed([v], shared).length === 0);
      if (kept.length === listOf(block.AWS).length) continue;
      // An Allow that only the shared role held (no new role needed it: --grant-by action) goes with the role: dropping it only takes away.
      if (kept.length === 0 && Object.keys(block).length === 1 && key === 'Principal' && statement.Effect === 'Allow') {
        dropped.add(index);
        return;
      }
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
  if (dropped.size === 0) return serialise(doc, statements);
  const left = statements.filter((_, index) => !dropped.has(index));
  if (left.length === 0) throw new PolicyEditError(`no statement would be left once ${shared.arn} is taken out`);
  return serialise({ ...doc, Statement: left }, left);
}

function mentionsIn(statement: Json, role: RoleRef, patterns = true): Mention[] {
  const mentions: Mention[] = [];
  for (const key of PRINCIPAL_KEYS) {
    const values = principalValues(statement, key);
    if (namesRole(values, role) || sessionsNamed(values, role).length > 0) mentions.push(key);
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

/** The session names of the role among assumed-role session ARNs (same partition and account, role name in any case). */
function sessionsNamed(values: string[], role: Pick<RoleRef, 'arn'>): string[] {
  const prefix = sessionArn(role, '').toLowerCase();
  return values.filter((v) => v.toLowerCase().startsWith(prefix) && v.length > prefix.length).map((v) => v.slice(prefix.length));
}

function principalValues(statement: Json, key: (typeof PRINCIPAL_KEYS)[number]): string[] {
  const block = statement[key];
  return isObject(block) ? listOf(block.AWS) : [];
}

function roleNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
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
