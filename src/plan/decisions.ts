/**
 * Decisions taken from flags, for runs without prompts. A decision the
 * evidence makes necessary but no flag gives is an error naming the flag.
 */
import { usageError } from '../core/errors.js';
import type { PlanDecisions } from './builder.js';
import { roleNameProblem, serviceSuffix } from './role-names.js';
import { requiredDecisions, splitUnits, type SplitAnalysis } from './split-analysis.js';

/** The decision flags of `plan`. */
export interface DecisionFlags {
  unattributed?: 'grant-all' | 'drop';
  unobservable?: 'keep' | 'drop';
  withoutEvidence?: 'empty' | 'exclude';
  unmapped?: 'keep' | 'drop';
  baselines?: 'keep' | 'drop';
  /** "ec2=orders-ec2" style overrides, by service suffix or principal. */
  names?: string[];
}

/** Turns flags into decisions, refusing when one the analysis needs is missing. */
export function decisionsFromFlags(analysis: SplitAnalysis, flags: DecisionFlags): PlanDecisions {
  const needed = requiredDecisions(analysis);
  if (needed.unattributed && !flags.unattributed) {
    throw usageError(
      `${analysis.unattributed.actions.size} action(s) were used but could not be tied to a service`,
      'pass --unattributed grant-all|drop',
    );
  }
  if (needed.unobservable && !flags.unobservable) {
    const blind = new Set(analysis.units.flatMap((u) => u.unobservable.filter((b) => !b.baseline).map((b) => b.action))).size;
    throw usageError(`${blind} granted action(s) cannot be seen by ${analysis.evidence.source} evidence`, 'pass --unobservable keep|drop');
  }
  if (needed.unmapped && !flags.unmapped) {
    const names = analysis.unmapped.map((row) => row.eventName).join(', ');
    throw usageError(`${analysis.unmapped.length} event(s) map to no IAM action the catalog knows (${names})`, 'pass --unmapped keep|drop');
  }
  if (needed.noEvidence && !flags.withoutEvidence) {
    const idle = splitUnits(analysis)
      .filter((u) => u.noEvidence)
      .map((u) => u.service);
    throw usageError(`no activity at all for ${idle.join(', ')} in the window`, 'pass --without-evidence empty|exclude');
  }
  const decisions: PlanDecisions = {
    unattributed: flags.unattributed ?? 'drop',
    unobservable: flags.unobservable ?? 'drop',
    roleNames: parseNames(analysis, flags.names ?? []),
  };
  if (flags.withoutEvidence) decisions.noEvidence = flags.withoutEvidence;
  if (flags.unmapped) decisions.unmapped = flags.unmapped;
  if (flags.baselines) decisions.baselines = flags.baselines;
  return decisions;
}

/** Reads --name SERVICE=NAME pairs against the role's services (the units, or the trust policy's groups before any evidence). */
export function parseNames(
  analysis: { units: ReadonlyArray<Pick<SplitAnalysis['units'][number], 'key' | 'service' | 'principals'>> },
  pairs: string[],
): Record<string, string> {
  const names: Record<string, string> = {};
  for (const pair of pairs) {
    // Why not split('=', 2): "=" is legal in role names, and split's limit drops the rest ("ec2=a=b" → "a").
    const at = pair.indexOf('=');
    const service = at < 0 ? pair : pair.slice(0, at);
    const name = at < 0 ? undefined : pair.slice(at + 1);
    const unit = analysis.units.find((u) => u.key === service || serviceSuffix(u.service) === service || u.principals.includes(service));
    if (!unit || !name) {
      const known = analysis.units.map((u) => serviceSuffix(u.service)).join(', ');
      throw usageError(`--name ${pair} does not name a service of this role`, `use SERVICE=NAME with SERVICE one of ${known}`);
    }
    const problem = roleNameProblem(name);
    if (problem) throw usageError(`--name ${pair}: a role name ${problem}`);
    names[unit.key] = name;
  }
  return names;
}
