/** `--rules`: the opt-in finding rules a run asks for, and where SR004 cannot run. Light: check loads it. */
import { usageError } from '../core/errors.js';
import { OPT_IN_RULES } from '../trust/rules/shared-by-workloads.js';

/** `--rules a,b`: the opt-in rule ids asked for; an unknown id is a usage error. */
export function parseOptInRules(value: string | undefined): string[] {
  if (value === undefined) return [];
  const ids = value
    .split(',')
    .map((id) => id.trim().toUpperCase())
    .filter(Boolean);
  const unknown = ids.filter((id) => !(OPT_IN_RULES as readonly string[]).includes(id));
  if (unknown.length > 0 || ids.length === 0)
    throw usageError(
      `--rules: unknown rule ${unknown.join(', ') || '(none given)'}`,
      `rules that are off unless asked for: ${OPT_IN_RULES.join(', ')}`,
    );
  return [...new Set(ids)];
}

/** Refuses SR004 where no workload index exists (`where`: "check reads code", say). */
export function refuseWithoutWorkloadIndex(rules: readonly string[], where: string): void {
  if (rules.includes('SR004'))
    throw usageError(
      `--rules SR004 needs a workload index, which ${where} has none of`,
      'run `split-role scan --rules SR004` against one account (without --org or --accounts)',
    );
}
