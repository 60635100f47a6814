/**
 * The registry of finding rules, in published order. Adding a rule is one file
 * here plus its table test; formatters read ids, levels and help from this list.
 */
import { missingOwnershipTagsRule } from './missing-ownership-tags.js';
import { multiServiceRule } from './multi-service.js';
import { serviceAndCrossAccountRule } from './service-and-cross-account.js';
import { sharedByWorkloadsRule } from './shared-by-workloads.js';
import type { RuleOptions, RuleSubject, TrustRule } from './types.js';

/** Every rule, in id order. */
export const RULES = [multiServiceRule, serviceAndCrossAccountRule, missingOwnershipTagsRule, sharedByWorkloadsRule] as const;

/** The reasons a role is reported: one per rule. */
export type FindingKind = (typeof RULES)[number]['kind'];

/** The rules a run with these options evaluates. */
export function enabledRules(options: RuleOptions = {}): ReadonlyArray<TrustRule<FindingKind>> {
  return RULES.filter((rule) => rule.enabled(options));
}

/** The rule that reports a kind. */
export function ruleFor(kind: FindingKind): TrustRule<FindingKind> {
  return RULES.find((rule) => rule.kind === kind) as TrustRule<FindingKind>;
}

/** Every enabled rule that finds the subject non-compliant, in rule order, with what it said. */
export function breachedRules(subject: RuleSubject, options: RuleOptions = {}): Array<{ kind: FindingKind; detail?: string }> {
  return enabledRules(options).flatMap((rule) => {
    const verdict = rule.evaluate(subject, options);
    if (verdict.status !== 'non-compliant') return [];
    return [verdict.detail ? { kind: rule.kind, detail: `${rule.id}: ${verdict.detail}` } : { kind: rule.kind }];
  });
}

/** The kinds of every enabled rule that finds the subject non-compliant, in rule order. */
export function findingKinds(subject: RuleSubject, options: RuleOptions = {}): FindingKind[] {
  return breachedRules(subject, options).map((breach) => breach.kind);
}
