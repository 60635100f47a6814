/**
 * One finding model for `scan` (live roles) and `check` (roles in code): where
 * the role is, who can assume it, and which rules it breaks. Pure.
 */
import { createHash } from 'node:crypto';
import { breachedRules, ruleFor, type FindingKind } from './rules/index.js';
import type { PlacedPrincipal, RuleOptions } from './rules/types.js';
import type { TrustAnalysis } from './analyse.js';

/** A role that exists in an account. */
export interface LiveRoleRef {
  roleName: string;
  roleArn: string;
  path: string;
}

/** A role that infrastructure code defines. */
export interface CodeRoleRef {
  file: string;
  line?: number;
  format: string;
  /** CloudFormation/CDK logical id, or Terraform resource address. */
  resource: string;
  /** The literal role name when the code sets one, else the resource. */
  roleName: string;
  /** CDK construct path, when the template records it. */
  constructPath?: string;
}

/** What is said about a role, wherever it was found. */
export interface FindingBody {
  kinds: FindingKind[];
  services: string[];
  otherPrincipals: PlacedPrincipal[];
  /** True when some assuming principal is admitted only under a condition. */
  conditional: boolean;
  notes: string[];
  /** Parts of the trust policy that could not be known (code only; empty for live roles). */
  unresolved: string[];
}

/** A finding: a role's place plus what it breaks. */
export type Finding<Where extends LiveRoleRef | CodeRoleRef = LiveRoleRef | CodeRoleRef> = Where & FindingBody;

/** How to judge one analysed role. */
export interface JudgeContext {
  /** Accounts that count as the role's own: their principals are not cross-account. */
  ownAccounts?: ReadonlySet<string>;
  /** Rewrites principal text for display (e.g. a placeholder account back to `${AWS::AccountId}`). */
  display?: (text: string) => string;
  tags?: Readonly<Record<string, string>>;
  /** Workload key → the workloads running as the role, from a live workload index (rule SR004). */
  workloadNames?: Readonly<Record<string, readonly string[]>>;
  rules?: RuleOptions;
  notes?: readonly string[];
  unresolved?: readonly string[];
}

/** Judges an analysed trust policy with the enabled rules. Copies everything, so cached analyses stay intact. */
export function judgeRole(analysis: TrustAnalysis, context: JudgeContext = {}): FindingBody {
  const display = context.display ?? ((text: string) => text);
  const own = context.ownAccounts;
  const otherPrincipals = analysis.otherPrincipals.map(({ principal, type, crossAccount, account }): PlacedPrincipal => {
    const cross = crossAccount && !(account !== undefined && own?.has(account));
    const placed: PlacedPrincipal = { principal: display(principal), type, crossAccount: cross };
    if (account !== undefined) placed.account = display(account);
    return placed;
  });
  const subject = {
    services: analysis.services,
    workloads: analysis.workloads,
    otherPrincipals,
    ...(context.tags ? { tags: context.tags } : {}),
    ...(context.workloadNames ? { workloadNames: context.workloadNames } : {}),
  };
  const breaches = breachedRules(subject, context.rules);
  return {
    kinds: breaches.map((b) => b.kind),
    services: [...analysis.services],
    otherPrincipals,
    conditional: [...analysis.serviceGrants, ...analysis.otherPrincipals].some((g) => g.conditions.length > 0),
    notes: [...analysis.notes, ...(context.notes ?? []), ...breaches.flatMap((b) => (b.detail ? [b.detail] : []))],
    unresolved: [...(context.unresolved ?? [])],
  };
}

/** The name a person knows the role by: the resource in code, the role name in an account. */
export function findingName(finding: Finding): string {
  return 'resource' in finding ? finding.resource : finding.roleName;
}

/** One sentence naming the role and everything that can assume it. */
export function describeFinding(finding: Finding): string {
  const who = [...finding.services, ...finding.otherPrincipals.map((p) => p.principal)].join(', ');
  const unresolved = finding.unresolved.length > 0 ? ` Unresolved: ${finding.unresolved.join('; ')}.` : '';
  return `Role ${findingName(finding)} can be assumed by ${who}.${unresolved}`;
}

/**
 * A stable id for one rule's finding on one role, the same in SARIF and in the
 * KPI history. For code it hashes file + resource, not the line: it must
 * survive edits above the role, or every such edit would reopen the finding.
 */
export function findingFingerprint(finding: Finding, kind: FindingKind): string {
  const identity = 'file' in finding ? `${finding.file}#${finding.resource}` : finding.roleArn;
  return createHash('sha256')
    .update(`${ruleFor(kind).id}\u0000${identity}`)
    .digest('hex');
}
