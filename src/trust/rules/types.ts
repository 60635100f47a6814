/**
 * The shape of a finding rule: a small pure function over one role, registered
 * with a stable id, a SARIF level and help text (cdk-nag style).
 */

/** A placed principal: a non-service principal judged against the role's own accounts. */
export interface PlacedPrincipal {
  principal: string;
  type: string;
  crossAccount: boolean;
  account?: string;
}

/** What a rule looks at: one role's trust, and its tags when known. */
export interface RuleSubject {
  /** Service principals that can assume the role. */
  services: readonly string[];
  /** Distinct workloads those services represent. */
  workloads: readonly string[];
  otherPrincipals: readonly PlacedPrincipal[];
  /** The role's tags; undefined when the source does not say (tag rules are then not applicable). */
  tags?: Readonly<Record<string, string>>;
  /** Workload key → names of the workloads running as the role ("lambda" → function names); undefined without a workload index. */
  workloadNames?: Readonly<Record<string, readonly string[]>>;
}

/** A rule's verdict on one role. */
export type RuleVerdict = { status: 'compliant' } | { status: 'not-applicable' } | { status: 'non-compliant'; detail?: string };

/** Options a run gives its rules. */
export interface RuleOptions {
  /** Tags each role must carry (enables SR003). */
  requiredTags?: readonly string[];
  /** Rules that are off unless asked for by id (`--rules SR004`). */
  optIn?: readonly string[];
}

/** A finding rule. Ids and kinds never change once published. */
export interface TrustRule<K extends string = string> {
  id: string;
  kind: K;
  /** PascalCase name for SARIF. */
  name: string;
  level: 'error' | 'warning' | 'note';
  short: string;
  help: string;
  /** Whether the rule runs when a run enables nothing extra. */
  enabled: (options: RuleOptions) => boolean;
  evaluate: (subject: RuleSubject, options: RuleOptions) => RuleVerdict;
}
