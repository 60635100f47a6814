/**
 * The facts a plan is decided on, before any decision: which workloads the
 * role serves, what each used, what nobody could see, and which decisions
 * the user still owes. Pure.
 */
import type { RoleSnapshot } from '../core/role-snapshot.js';
import type { ActionUse, ServiceUsage, UsageEvidence } from '../evidence/types.js';
import type { RegionalWorkloads } from '../inventory/workloads.js';
import { usageSource } from '../evidence/sources.js';
import { actionCatalog, type ActionCatalog } from '../policy/action-catalog.js';
import { baselineGrants } from '../policy/baselines.js';
import { grantedCatalogActions } from '../policy/catalog-grants.js';
import { unobservableGrants } from '../policy/observability.js';
import type { PolicySource } from '../policy/types.js';
import type { TrustAnalysis } from '../trust/analyse.js';
import { serviceShortName, workloadKey } from '../trust/service-principals.js';
import { KIND_BASELINES, workloadAdapters } from '../workloads/registry.js';
import { trimmableUnits } from './trust-trim.js';
import { takeUnmapped, UNATTRIBUTED, type UnmappedEvent } from './unmapped-events.js';

/** One future role: a workload group of service principals and what they did. */
export interface ServiceUnit {
  /** Workload key, e.g. "lambda" for lambda + edgelambda. */
  key: string;
  /** The principal that names the unit (the group's first, e.g. lambda.amazonaws.com). */
  service: string;
  principals: string[];
  usage: ServiceUsage;
  /** Granted actions the evidence could not have seen, with why; baselines are the service runtime's own needs. */
  unobservable: Array<{ action: string; reason: string; baseline?: boolean }>;
  /** True when the evidence shows no session of this service at all. */
  noEvidence: boolean;
  /**
   * Workload name → the part of `usage` from sessions tied to that one workload (a Lambda function, an ECS
   * service); absent when the evidence cannot tell. What `usage` holds beyond their sum is the service's, but no one workload's.
   */
  workloads?: Map<string, ServiceUsage>;
}

/** Everything known before decisions are taken. */
export interface SplitAnalysis {
  shared: RoleSnapshot;
  sources: PolicySource[];
  units: ServiceUnit[];
  unattributed: ServiceUsage;
  evidence: UsageEvidence;
  /** The role's workloads in each region the plan covers. */
  workloads: RegionalWorkloads;
  /** What discovery covered and found, for trust trimming (set by plan-run; absent: nothing is trimmed). */
  trimScope?: { covered: ReadonlySet<string>; inUse: ReadonlySet<string> };
  /** Principals other than services that can assume the shared role (people, other accounts). */
  otherPrincipals: string[];
  /** Calls whose mapped action the catalog does not know: taken out of the usage above, decided separately. */
  unmapped: UnmappedEvent[];
  /** The IAM action catalog the analysis checked against. */
  catalog: ActionCatalog;
}

/** The shared role's permission policies as narrowing sources. */
export function policySources(shared: RoleSnapshot): PolicySource[] {
  return [
    ...shared.inlinePolicies.map((p): PolicySource => ({ kind: 'inline', name: p.name, document: p.document })),
    ...shared.attachedPolicies.map((p): PolicySource => ({ kind: 'managed', name: p.name, arn: p.arn, document: p.document })),
  ];
}

/** Groups the role's services into units and attaches their evidence. */
export function analyseSplit(
  shared: RoleSnapshot,
  trust: TrustAnalysis,
  evidence: UsageEvidence,
  workloads: RegionalWorkloads,
  catalog: ActionCatalog = actionCatalog(),
): SplitAnalysis {
  const sources = policySources(shared);
  const unmappedRows = new Map<string, UnmappedEvent>();
  const usedAs = new Set(
    workloads.flatMap(({ found }) =>
      workloadAdapters().flatMap((adapter) => adapter.roleUses?.((found as Record<string, unknown>)[adapter.id]) ?? []),
    ),
  );
  // A group exists only once it has a principal, so each has a first one to name it.
  const groups = new Map<string, [string, ...string[]]>();
  for (const principal of trust.services) {
    const key = workloadKey(principal, trust.services);
    const group = groups.get(key);
    if (group) group.push(principal);
    else groups.set(key, [principal]);
  }
  const blindSpots = unobservableGrants(sources, usageSource(evidence.source).visibility, evidence.dataEventSources ?? new Set());
  const listed = new Set(blindSpots.map((u) => u.action));
  const unobservable = [
    ...blindSpots,
    ...serviceLevelGrants(sources, evidence.serviceLevelPrefixes ?? [], catalog).filter((u) => !listed.has(u.action)),
  ];
  const units = [...groups.entries()].map(([key, principals]): ServiceUnit => {
    const usage = mergeUsage(principals.map((p) => evidence.byService.get(p)));
    const service = principals.find((p) => serviceShortName(p) === key) ?? principals[0];
    // Every mapped action is checked: one the catalog does not know is never granted silently.
    takeUnmapped(usage, service, catalog, unmappedRows);
    const workloadUsage = workloadsOf(principals, evidence, usage);
    return {
      ...(workloadUsage ? { workloads: workloadUsage } : {}),
      key,
      service,
      principals,
      usage,
      // What the service was seen doing is evidence, not a blind spot.
      unobservable: withBaselines(
        unobservable.filter((u) => !usage.actions.has(u.action)),
        baselineGrants(KIND_BASELINES, sources, key, usedAs).filter((b) => !usage.actions.has(b.action)),
      ),
      noEvidence: usage.sessions === 0 && usage.events === 0,
    };
  });
  const otherPrincipals = trust.otherPrincipals.map((p) => p.principal);
  const unattributed = mergeUsage([evidence.unattributed]);
  takeUnmapped(unattributed, UNATTRIBUTED, catalog, unmappedRows);
  const unmapped = [...unmappedRows.values()].sort((a, b) => b.count - a.count || a.eventName.localeCompare(b.eventName));
  return { shared, sources, units, unattributed, evidence, workloads, otherPrincipals, unmapped, catalog };
}

/**
 * For services Access Analyzer reports only at service level: every concrete
 * action of that prefix the shared role grants. Those the trail showed a
 * service using are evidence (filtered per unit); the rest are unobservable.
 */
function serviceLevelGrants(
  sources: PolicySource[],
  prefixes: readonly string[],
  catalog: ActionCatalog,
): Array<{ action: string; reason: string }> {
  const seen = new Set<string>();
  const out: Array<{ action: string; reason: string }> = [];
  for (const prefix of prefixes) {
    for (const action of grantedCatalogActions(sources, catalog, prefix)) {
      if (seen.has(action)) continue;
      seen.add(action);
      out.push({
        action,
        reason: `Access Analyzer reports ${prefix} only at service level (${prefix}:*), and the trail showed no call of this action`,
      });
    }
  }
  return out;
}

/** Blind spots with the service's baseline actions marked (and added when the evidence could have seen them but did not). */
function withBaselines(
  blind: Array<{ action: string; reason: string }>,
  baselines: Array<{ action: string; why: string }>,
): ServiceUnit['unobservable'] {
  const out: ServiceUnit['unobservable'] = blind.map((u) => ({ ...u }));
  for (const { action, why } of baselines) {
    const known = out.find((u) => u.action === action);
    if (known) {
      known.baseline = true;
      known.reason = `baseline (${why}); ${known.reason}`;
    } else {
      out.push({ action, reason: `baseline (${why}); not seen in the window`, baseline: true });
    }
  }
  return out.sort((a, b) => (a.action < b.action ? -1 : a.action > b.action ? 1 : 0));
}

function mergeUsage(parts: Array<ServiceUsage | undefined>): ServiceUsage {
  const actions = new Map<string, ActionUse>();
  let sessions = 0;
  let events = 0;
  let resources: Set<string> | undefined;
  for (const part of parts) {
    if (!part) continue;
    if (part.resources) resources = new Set([...(resources ?? []), ...part.resources]);
    sessions += part.sessions;
    events += part.events;
    for (const [action, use] of part.actions) {
      const prior = actions.get(action);
      actions.set(
        action,
        prior ? { count: prior.count + use.count, lastSeen: prior.lastSeen > use.lastSeen ? prior.lastSeen : use.lastSeen } : { ...use },
      );
    }
  }
  return { actions, sessions, events, ...(resources ? { resources } : {}) };
}

/** Each workload's share of a unit's usage, merged over the unit's principals, without what the unit's usage no longer holds (unmapped calls). */
function workloadsOf(principals: readonly string[], evidence: UsageEvidence, unit: ServiceUsage): Map<string, ServiceUsage> | undefined {
  if (!evidence.byWorkload) return undefined;
  const names = new Set(principals.flatMap((p) => [...(evidence.byWorkload?.get(p)?.keys() ?? [])]));
  const out = new Map<string, ServiceUsage>();
  for (const name of [...names].sort()) {
    const merged = mergeUsage(principals.map((p) => evidence.byWorkload?.get(p)?.get(name)));
    for (const action of [...merged.actions.keys()]) if (!unit.actions.has(action)) merged.actions.delete(action);
    out.set(name, merged);
  }
  return out;
}

/** The decisions this analysis needs before a plan can be built. */
export function requiredDecisions(analysis: SplitAnalysis): {
  unattributed: boolean;
  unobservable: boolean;
  noEvidence: boolean;
  unmapped: boolean;
} {
  return {
    unmapped: analysis.unmapped.some((row) => row.services.some((s) => s !== UNATTRIBUTED)),
    unattributed: analysis.unattributed.actions.size > 0,
    // Baselines are kept by default, so only the other blind spots need a decision.
    unobservable: splitUnits(analysis).some((u) => u.unobservable.some((b) => !b.baseline)),
    noEvidence: splitUnits(analysis).some((u) => u.noEvidence),
  };
}

/**
 * The units trust trimming takes out of the trust policy: no workload in any
 * region discovery covered, no events, no sessions (src/plan/trust-trim.ts).
 * None when that would be every unit: the plan is about the others.
 */
export function trimmedUnits(analysis: SplitAnalysis): ServiceUnit[] {
  if (!analysis.trimScope) return [];
  const candidates = analysis.units.map((unit) => ({
    unit,
    key: unit.key,
    principals: unit.principals,
    events: unit.usage.events,
    sessions: unit.usage.sessions,
  }));
  const trimmed = trimmableUnits(candidates, analysis.trimScope.covered, analysis.trimScope.inUse).map((c) => c.unit);
  return trimmed.length >= analysis.units.length ? [] : trimmed;
}

/** The units that get a role (or stay on the shared role): every unit but the trimmed ones. */
export function splitUnits(analysis: SplitAnalysis): ServiceUnit[] {
  const trimmed = trimmedUnits(analysis);
  return analysis.units.filter((u) => !trimmed.includes(u));
}
