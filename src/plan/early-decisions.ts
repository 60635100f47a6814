/**
 * The decisions a run without prompts (--yes) must carry that can be known
 * from the shared role alone, checked before the evidence is read: minutes of
 * LookupEvents must not end in "pass --unobservable". Only what is certain
 * is refused here; the full check (decisionsFromFlags) still runs after.
 */
import type { RoleSnapshot } from '../core/role-snapshot.js';
import { usageError } from '../core/errors.js';
import { baselineGrants } from '../policy/baselines.js';
import { BLIND_SPOTS, unobservableGrants, type DataEventVisibility } from '../policy/observability.js';
import type { TrustAnalysis } from '../trust/analyse.js';
import { workloadKey } from '../trust/service-principals.js';
import { KIND_BASELINES } from '../workloads/registry.js';
import { parseNames, type DecisionFlags } from './decisions.js';
import { policySources } from './split-analysis.js';

/** Refuses, before any evidence is read, a --name that names no service of the role and a missing --unobservable the grants make certain. */
export function refuseEarlyDecisionGaps(
  shared: RoleSnapshot,
  trust: Pick<TrustAnalysis, 'services'>,
  flags: DecisionFlags,
  evidence: { source: string; visibility: DataEventVisibility },
): void {
  const keyOf = (p: string) => workloadKey(p, trust.services);
  const units = [...new Set(trust.services.map(keyOf))].map((key) => {
    const principals = trust.services.filter((p) => keyOf(p) === key);
    return { key, service: principals[0] as string, principals };
  });
  parseNames({ units }, flags.names ?? []);
  if (flags.unobservable) return;
  const sources = policySources(shared);
  // Certain: never logged at all, or a data event the source cannot see. A data event the trail might hold waits for the trail.
  const certain = unobservableGrants(sources, evidence.visibility, new Set()).filter((grant) => {
    const spot = BLIND_SPOTS.find((s) => s.action === grant.action);
    return spot?.kind === 'not-logged' || !evidence.visibility.dataEvents;
  });
  // Baselines are kept by default and need no decision: count every use a workload could make of the role as made.
  const everyUse = new Set(KIND_BASELINES.flatMap((b) => (b.onlyWhenUsedAs ? [b.onlyWhenUsedAs] : [])));
  const blind = new Set(
    units.flatMap((unit) => {
      const baseline = new Set(baselineGrants(KIND_BASELINES, sources, unit.key, everyUse).map((b) => b.action));
      return certain.filter((g) => !baseline.has(g.action)).map((g) => g.action);
    }),
  );
  if (blind.size === 0) return;
  throw usageError(
    `${blind.size} granted action(s) cannot be seen by ${evidence.source} evidence (${[...blind].slice(0, 3).join(', ')}${blind.size > 3 ? ', …' : ''}), checked before reading it`,
    'pass --unobservable keep (safe: they stay granted, listed for review) or drop (only if no workload needs them)',
  );
}
