/**
 * Trust-policy analysis: who can assume a role, and whether that makes it a
 * shared role. Pure: the caller supplies the document and the account id.
 */
import { statementCoversAction } from '../policy/actions.js';
import { parsePolicy, principalEntries, type NormalisedStatement, type RawPrincipal } from '../policy/document.js';
import { findingKinds, type FindingKind } from './rules/index.js';
import { workloadsOf } from './service-principals.js';
import { ACCOUNT_ID } from '../core/account-id.js';

export type { FindingKind } from './rules/index.js';

/** The principal types IAM accepts in a trust policy, plus "*" for anyone. */
export type PrincipalType = 'Service' | 'AWS' | 'Federated' | 'CanonicalUser' | '*';

/** A Condition block that applies when a principal assumes the role. */
export interface AttachedCondition {
  statementIndex: number;
  sid?: string;
  condition: Record<string, Record<string, unknown>>;
}

/** A principal that can assume the role, with the statements that let it. */
export interface AssumingPrincipal {
  principal: string;
  type: PrincipalType;
  /** Indexes of the Allow statements that grant this principal assumption. */
  statementIndexes: number[];
  /** Conditions on those statements; empty when at least one statement is unconditional. */
  conditions: AttachedCondition[];
}

/** A non-service principal, placed relative to the role's own account. */
export interface OtherPrincipal extends AssumingPrincipal {
  type: Exclude<PrincipalType, 'Service'>;
  /** The principal's account when it names one. */
  account?: string;
  /** True for "*" and for principals of an account other than the role's. */
  crossAccount: boolean;
}

/** What a trust policy lets happen. */
export interface TrustAnalysis {
  /** Service principals that can assume the role, lower-cased, sorted and distinct. */
  services: string[];
  /** Distinct workloads those services represent (a pair AWS requires together, like Lambda@Edge's, counts once). */
  workloads: string[];
  serviceGrants: AssumingPrincipal[];
  otherPrincipals: OtherPrincipal[];
  kinds: FindingKind[];
  /** Things a reviewer should know that do not change the verdict. */
  notes: string[];
}

const ASSUME_ROLE = 'sts:AssumeRole';
const ASSUME_SAML = 'sts:AssumeRoleWithSAML';
const ASSUME_WEB_IDENTITY = 'sts:AssumeRoleWithWebIdentity';
const FEDERATED_ASSUME = [ASSUME_WEB_IDENTITY, ASSUME_SAML];
const SAML_PROVIDER = /^arn:[^:]+:iam::\d{12}:saml-provider\//;
const ARN_ACCOUNT = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/;

/**
 * Analyses a trust policy (URL-encoded, JSON text or parsed) for a role in
 * `accountId`. Throws PolicyParseError when the document is not a policy.
 */
export function analyseTrustPolicy(document: unknown, accountId: string): TrustAnalysis {
  const { statements } = parsePolicy(document);
  const notes: string[] = [];
  const grants = new Map<string, AssumingPrincipal>();

  statements.forEach((statement, index) => {
    if (statement.effect !== 'Allow') return;
    for (const [type, id] of allowedPrincipals(statement, notes, index)) {
      const principal = type === 'Service' ? id.trim().toLowerCase() : id.trim();
      if (!canAssume(statement, type, principal)) continue;
      const key = `${type}\u0000${principal}`;
      const grant = grants.get(key) ?? { principal, type, statementIndexes: [], conditions: [] };
      // Why: a principal listed twice in one statement (or in two spellings that
      // normalise alike) is still one grant by that statement; recording it twice
      // would also duplicate its conditions.
      if (grant.statementIndexes.at(-1) === index) continue;
      grant.statementIndexes.push(index);
      if (statement.condition) {
        grant.conditions.push({ statementIndex: index, sid: statement.sid, condition: statement.condition });
      }
      grants.set(key, grant);
    }
  });

  for (const grant of grants.values()) {
    // One unconditional statement makes the principal's access unconditional.
    if (grant.statementIndexes.length > grant.conditions.length) grant.conditions = [];
  }
  applyUnconditionalDenies(statements, grants, notes);

  const all = [...grants.values()];
  const serviceGrants = all.filter((g) => g.type === 'Service').sort(byPrincipal);
  const otherPrincipals = all
    .filter((g) => g.type !== 'Service')
    .map((g) => placePrincipal(g, accountId))
    .sort(byPrincipal);
  const services = serviceGrants.map((g) => g.principal);
  // Services AWS requires together (MWAA's airflow + airflow-env, ...) count once.
  const workloads = workloadsOf(services);

  // The default rules, judged against the role's own account alone.
  const kinds: FindingKind[] = findingKinds({ services, workloads, otherPrincipals });
  return { services, workloads, serviceGrants, otherPrincipals, kinds, notes };
}

function allowedPrincipals(statement: NormalisedStatement, notes: string[], index: number): Array<[PrincipalType, string]> {
  if (statement.notPrincipal) {
    // Allow + NotPrincipal grants everyone not listed: treat it as "*".
    notes.push(`Statement[${index}] allows with NotPrincipal, which admits every other principal`);
    return [['*', '*']];
  }
  if (!statement.principal) return [];
  return typedEntries(statement.principal);
}

function typedEntries(block: RawPrincipal): Array<[PrincipalType, string]> {
  return principalEntries(block).map(([type, id]) => (type === 'AWS' && id === '*' ? ['*', '*'] : [type as PrincipalType, id]));
}

function canAssume(statement: NormalisedStatement, type: PrincipalType, principal: string): boolean {
  // Why: STS only accepts a SAML provider through AssumeRoleWithSAML and an OIDC
  // provider (or Cognito, Google, ...) through AssumeRoleWithWebIdentity, so a
  // statement granting the other federated action lets that provider assume nothing.
  if (type === 'Federated') {
    return statementCoversAction(statement, SAML_PROVIDER.test(principal) ? ASSUME_SAML : ASSUME_WEB_IDENTITY);
  }
  if (type === '*') return [ASSUME_ROLE, ...FEDERATED_ASSUME].some((action) => statementCoversAction(statement, action));
  return statementCoversAction(statement, ASSUME_ROLE);
}

/**
 * Removes principals that an unconditional Deny shuts out. Conditional denies
 * are only noted: whether they apply depends on the request.
 */
function applyUnconditionalDenies(statements: NormalisedStatement[], grants: Map<string, AssumingPrincipal>, notes: string[]): void {
  statements.forEach((statement, index) => {
    if (statement.effect !== 'Deny') return;
    for (const [key, grant] of grants) {
      if (!canAssume(statement, grant.type, grant.principal) || !denyNames(statement, grant)) continue;
      if (statement.condition) {
        notes.push(`Statement[${index}] denies ${grant.principal} under a condition`);
      } else {
        grants.delete(key);
      }
    }
  });
}

function denyNames(statement: NormalisedStatement, grant: AssumingPrincipal): boolean {
  const names = (block: RawPrincipal) =>
    typedEntries(block).some(([type, id]) => type === '*' || (type === grant.type && sameId(type, id, grant.principal)));
  if (statement.notPrincipal) return grant.type !== '*' && !names(statement.notPrincipal);
  return statement.principal ? names(statement.principal) : false;
}

function sameId(type: PrincipalType, a: string, b: string): boolean {
  return type === 'Service' ? a.trim().toLowerCase() === b : a.trim() === b;
}

function placePrincipal(grant: AssumingPrincipal, accountId: string): OtherPrincipal {
  const type = grant.type as OtherPrincipal['type'];
  if (type === '*') return { ...grant, type, crossAccount: true };
  const account = ACCOUNT_ID.test(grant.principal) ? grant.principal : ARN_ACCOUNT.exec(grant.principal)?.[1];
  if (!account) return { ...grant, type, crossAccount: false };
  return { ...grant, type, account, crossAccount: account !== accountId };
}

function byPrincipal(a: { principal: string }, b: { principal: string }): number {
  return a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0;
}
