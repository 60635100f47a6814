/**
 * Assembles a plan from the split analysis and the user's decisions. Pure:
 * every AWS read happened before. The subset check runs here, so a plan that
 * could grant more than the shared role did is never written.
 */
import { trustTrimFor, type TrustTrim } from './trust-trim.js';
import { SplitRoleError } from '../core/errors.js';
import { withAddedTags } from '../core/tags.js';
import type { EvidenceConfig } from '../evidence/source.js';
import type { ActionUse, ServiceUsage } from '../evidence/types.js';
import type { GrantBy } from '../resource-policy/plan-schema.js';
import { countByAccessLevel, grantedCatalogActions } from '../policy/catalog-grants.js';
import { narrowGrants, unusedGrants } from '../policy/narrow.js';
import { packPolicies } from '../policy/size.js';
import { assertSubset } from '../policy/subset.js';
import { trustPolicyForService } from '../trust/service-trust.js';
import { adapterFor } from '../workloads/registry.js';
import { retargetMoves, sessionsByRole, unitRest, workloadNamesByUnit, workloadRoleUsage, workloadUsage } from './per-workload.js';
import { proposeRoleName, proposeWorkloadRoleName } from './role-names.js';
import { keptForUnmapped } from './unmapped-events.js';
import { PLAN_SCHEMA_VERSION, type FollowUp, type PlanBody, type PlannedRole, type ResourcePolicyPlan } from './schema.js';
import { trimmedUnits, type ServiceUnit, type SplitAnalysis } from './split-analysis.js';
import { plannedWorkloads, workloadFollowUps, workloadSessions } from './workload-targets.js';

/** What the user decided; "chosen" maps come from the interactive flow. */
export interface PlanDecisions {
  /** Unattributed actions: to every service, to none, or action → unit keys. */
  unattributed: 'grant-all' | 'drop' | Record<string, string[]>;
  /** Blind spots: keep all, drop all, or unit key → actions kept. */
  unobservable: 'keep' | 'drop' | Record<string, string[]>;
  /** Services with no evidence: an empty role, or leave them on the shared role. */
  noEvidence?: 'empty' | 'exclude';
  /** Baseline actions (a service runtime's own needs) not seen: kept unless "drop" (default keep). */
  baselines?: 'keep' | 'drop';
  /** Unmapped events: keep every action of the event's prefix the shared role granted, or drop them. */
  unmapped?: 'keep' | 'drop';
  /** Unit key → role name, overriding the proposal. */
  roleNames?: Record<string, string>;
  /** `--grant-by`: how the new roles get their place in resource policies (default resource). */
  grantBy?: GrantBy;
  /** Tags for every new role where the shared role has none (or an empty value): `--tag`, or the answers to the required-tag prompts. */
  addedTags?: Record<string, string>;
  /** Workloads (their repoint step ids) deselected at the prompt: they stay on the shared role, which is then not retired. */
  stayOnShared?: readonly string[];
  /** `--per-workload`: a role per workload (Lambda function, ECS service, EC2 instance) where a service has several. */
  perWorkload?: boolean;
}

/** Context the plan records but does not compute. */
export interface PlanContext {
  planId: string;
  createdAt: string;
  toolVersion: string;
  account: string;
  partition: string;
  region: string;
  takenRoleNames: ReadonlySet<string>;
  /** PassRole and trust references, computed once the names are known. */
  references: (newRoleNames: string[]) => FollowUp[];
  /** The evidence source's own settings, kept as they came, so checks after cutover ask it the same way. */
  evidenceConfig: EvidenceConfig;
  /** Every region the plan covers (default: the plan's region). */
  regions?: string[];
  /**
   * Resource policies naming the shared role, with the new roles each statement needs (default: none looked for).
   * `sessions`: session name (a Lambda function's name, an EC2 instance's id) → the new roles whose workloads open it.
   * `usage`: by service principal, and by role name for a role that serves one workload (`--per-workload`).
   */
  resourcePolicies?: (
    newRoles: PlannedRole[],
    usage: ReadonlyMap<string, ServiceUsage>,
    sessions: ReadonlyMap<string, string[]>,
  ) => ResourcePolicyPlan;
}

const TAG_PREFIX = 'split-role:';
/** IAM's per-role tag limit. */
const MAX_TAGS = 50;

/** Builds the plan body (unsealed). Throws when the result would not be a subset of the shared role. */
export function buildPlan(analysis: SplitAnalysis, decisions: PlanDecisions, context: PlanContext): PlanBody {
  const { shared } = analysis;
  const warnings: string[] = [...analysis.evidence.warnings];
  const { trim, trimmed } = proposeTrim(analysis, context);
  const units = analysis.units.filter((u) => !trimmed.includes(u));
  const excluded = units.filter((u) => u.noEvidence && decisions.noEvidence === 'exclude');
  const kept = units.filter((u) => !excluded.includes(u));
  const taken = new Set([...context.takenRoleNames].map((n) => n.toLowerCase()));
  // Why: a proposal for an earlier unit must not take a name the user gave a later one,
  // or two new roles would share a name. IAM role names are case-insensitive.
  for (const unit of kept) {
    const given = decisions.roleNames?.[unit.key]?.toLowerCase();
    if (!given) continue;
    if (taken.has(given)) {
      throw new SplitRoleError('NameTaken', `role name ${decisions.roleNames?.[unit.key]} is already taken`, 'choose another --name');
    }
    taken.add(given);
  }
  const newRoles: PlannedRole[] = [];
  // The shared role's grants by access level: the "before" of every new role's risk line.
  const before = countByAccessLevel(grantedCatalogActions(analysis.sources, analysis.catalog), analysis.catalog);

  const perWorkload = decisions.perWorkload ? workloadNamesByUnit(analysis.workloads, kept, shared) : new Map<string, string[]>();
  for (const unit of kept) {
    const names = perWorkload.get(unit.key);
    if (names) {
      newRoles.push(...planWorkloadRoles(analysis, unit, names, decisions, context, taken, before, warnings));
      continue;
    }
    const roleName = decisions.roleNames?.[unit.key] ?? proposeRoleName(shared.roleName, unit.service, taken);
    taken.add(roleName);
    const role = planRole(analysis, unit, roleName, decisions, context);
    role.accessLevels = {
      before,
      after: countByAccessLevel(
        role.actions.map((a) => a.action),
        analysis.catalog,
      ),
    };
    newRoles.push(role);
  }
  // Per role: a Deny kept in one role must not vouch for another.
  for (const role of newRoles)
    assertSubset(
      analysis.sources,
      [...role.inlinePolicies, ...role.managedPolicies].map((p) => p.document),
    );

  for (const unit of excluded) {
    warnings.push(`${unit.service} showed no activity in the window and keeps using the shared role, so the shared role is not retired`);
  }
  if (analysis.otherPrincipals.length > 0) {
    warnings.push(
      `${analysis.otherPrincipals.join(', ')} can also assume the shared role, so it is kept (not retired); give them a role of their own`,
    );
  }
  const humanSessions = analysis.evidence.nonService?.sessions ?? 0;
  if (humanSessions > 0) warnings.push(`${humanSessions} session(s) of the shared role were opened by principals that are not services`);
  // Kept by any new role (used, baseline, chosen blind spot) is not "unused", whatever the evidence saw.
  const usedByAnyone = [
    ...analysis.units.flatMap((u) => [...u.usage.actions.keys()]),
    ...newRoles.flatMap((r) => r.actions.map((a) => a.action)),
    ...analysis.unattributed.actions.keys(),
  ];
  // A split unit's moves are planned against its first workload role, then each is pointed at its own.
  const unitRoles = new Map([...newRoles].reverse().map((r) => [r.service, r]));
  const workloadRoles = new Map(kept.map((u) => [u.key, unitRoles.get(u.service) as PlannedRole]));
  const stay = new Set(decisions.stayOnShared ?? []);
  const split = newRoles.filter((r) => r.workload !== undefined);
  const found = retargetMoves(plannedWorkloads(analysis.workloads, workloadRoles, shared), analysis.workloads, split, shared);
  const workloads = found.filter((w) => !stay.has(adapterFor(w).stepId(w)));
  const stayed = found.filter((w) => stay.has(adapterFor(w).stepId(w)));
  if (stayed.length > 0)
    warnings.push(
      `${stayed.length} workload(s) stay on the shared role by choice (${stayed.map((w) => adapterFor(w).stepId(w)).join(', ')}): it is not retired`,
    );

  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    planId: context.planId,
    createdAt: context.createdAt,
    tool: { name: 'split-role', version: context.toolVersion },
    account: context.account,
    partition: context.partition,
    region: context.region,
    regions: context.regions ?? [context.region],
    sharedRole: shared as PlanBody['sharedRole'],
    evidence: {
      source: analysis.evidence.source,
      config: { ...context.evidenceConfig },
      window: analysis.evidence.window,
      recordsRead: analysis.evidence.recordsRead,
      ...(analysis.evidence.recordsFromCache !== undefined ? { recordsFromCache: analysis.evidence.recordsFromCache } : {}),
      services: Object.fromEntries(analysis.units.map((u) => [u.service, { events: u.usage.events, sessions: u.usage.sessions }])),
      unattributedEvents: analysis.unattributed.events,
      blindSpots: blindSpots(analysis),
      warnings: analysis.evidence.warnings,
      catalogVersion: analysis.catalog.version,
      ...(analysis.evidence.unreadableIdentities
        ? { unreadableIdentities: analysis.evidence.unreadableIdentities.map((r) => ({ ...r })) }
        : {}),
    },
    decisions: {
      unattributed: typeof decisions.unattributed === 'string' ? decisions.unattributed : 'chosen',
      unobservable: typeof decisions.unobservable === 'string' ? decisions.unobservable : 'chosen',
      ...(decisions.noEvidence ? { noEvidence: decisions.noEvidence } : {}),
      ...(decisions.unmapped ? { unmapped: decisions.unmapped } : {}),
      ...(decisions.baselines ? { baselines: decisions.baselines } : {}),
    },
    newRoles,
    excludedServices: excluded.map((u) => u.service),
    unused: unusedGrants(analysis.sources, usedByAnyone, analysis.catalog),
    unmappedEvents: analysis.unmapped.map((row) => ({ ...row, services: [...row.services] })),
    unattributed: [...analysis.unattributed.actions].map(([action, use]) => ({
      action,
      count: use.count,
      ...(use.lastSeen ? { lastSeen: use.lastSeen } : {}),
      // Why: only services whose new role really allows the action count; an action the
      // shared role never granted reaches nobody, and the review must not claim otherwise.
      grantedTo: kept
        .filter((u) => unattributedFor(decisions, u, analysis.unattributed.actions.keys()).has(action))
        .filter((u) => workloadRoles.get(u.key)?.actions.some((a) => a.action.toLowerCase() === action.toLowerCase()))
        .map((u) => u.service),
    })),
    workloads,
    resourcePolicies: context.resourcePolicies?.(
      newRoles,
      new Map([...kept.map((u) => [u.service, u.usage] as const), ...workloadRoleUsage(kept, split, decisions.unattributed !== 'drop')]),
      split.length > 0 ? sessionsByRole(workloads, newRoles) : workloadSessions(workloads, workloadRoles),
    ) ?? {
      mode: 'off',
      policies: [],
      problems: [],
    },
    followUps: [...workloadFollowUps(analysis, workloadRoles, shared), ...context.references(newRoles.map((r) => r.roleName))],
    warnings,
    // A workload left on the shared role still needs it: retiring it would break that workload.
    retireSharedRole: excluded.length === 0 && analysis.otherPrincipals.length === 0 && stayed.length === 0,
    ...(trim ? { trustTrim: trim } : {}),
  };
}

/** The units trust trimming takes out (no workload in any region, no activity), and the step that does it. */
function proposeTrim(analysis: SplitAnalysis, context: PlanContext): { trim?: TrustTrim; trimmed: ServiceUnit[] } {
  const trimmed = trimmedUnits(analysis);
  if (trimmed.length === 0) return { trimmed };
  const trim = trustTrimFor(
    analysis.shared.trustPolicy as Record<string, unknown>,
    trimmed.flatMap((u) => u.principals),
    context.regions ?? [context.region],
    analysis.evidence,
  );
  return { trim, trimmed };
}

/**
 * One role per workload of a unit: each narrowed by its own sessions' calls. The service's calls no one
 * workload is tied to follow the unattributed decision: to every workload role, unless it is "drop".
 */
function planWorkloadRoles(
  analysis: SplitAnalysis,
  unit: ServiceUnit,
  names: readonly string[],
  decisions: PlanDecisions,
  context: PlanContext,
  taken: Set<string>,
  before: NonNullable<PlannedRole['accessLevels']>['before'],
  warnings: string[],
): PlannedRole[] {
  const rest = unitRest(unit);
  const keepRest = decisions.unattributed !== 'drop';
  if (rest.size > 0)
    warnings.push(
      `${rest.size} action(s) of ${unit.service} sessions that no one workload could be tied to (${[...rest.keys()].sort().join(', ')}) ${keepRest ? `are granted to every ${unit.key} workload role` : 'are dropped (--unattributed drop)'}`,
    );
  return names.map((workload) => {
    const roleName = proposeWorkloadRoleName(analysis.shared.roleName, unit.service, workload, taken);
    taken.add(roleName);
    const role = planRole(
      analysis,
      { ...unit, usage: workloadUsage(unit, workload) },
      roleName,
      decisions,
      context,
      keepRest ? rest : new Map(),
    );
    role.workload = workload;
    role.description = `Split from ${analysis.shared.roleName} for ${unit.service} workload ${workload} by split-role plan ${context.planId}`;
    role.accessLevels = {
      before,
      after: countByAccessLevel(
        role.actions.map((a) => a.action),
        analysis.catalog,
      ),
    };
    return role;
  });
}

function planRole(
  analysis: SplitAnalysis,
  unit: ServiceUnit,
  roleName: string,
  decisions: PlanDecisions,
  context: PlanContext,
  /** The service's calls no one workload made, granted to each of its workload roles. */
  serviceRest: ReadonlyMap<string, ActionUse> = new Map(),
): PlannedRole {
  const { shared } = analysis;
  const actions = new Map<string, { use?: ActionUse; origin: PlannedRole['actions'][number]['origin'] }>();
  for (const [action, use] of unit.usage.actions) actions.set(action, { use, origin: 'used' });
  for (const [action, use] of serviceRest) if (!actions.has(action)) actions.set(action, { use, origin: 'unattributed' });
  for (const action of unattributedFor(decisions, unit, analysis.unattributed.actions.keys())) {
    if (!actions.has(action)) actions.set(action, { use: analysis.unattributed.actions.get(action), origin: 'unattributed' });
  }
  const keptBlind = unobservableFor(decisions, unit);
  const baselines = new Set(unit.unobservable.filter((u) => u.baseline).map((u) => u.action));
  for (const action of keptBlind)
    if (!actions.has(action)) actions.set(action, { origin: baselines.has(action) ? 'baseline' : 'unobservable' });
  if (decisions.unmapped === 'keep') {
    for (const row of analysis.unmapped.filter((r) => r.services.includes(unit.service))) {
      for (const action of keptForUnmapped(row, analysis.sources, analysis.catalog)) {
        if (!actions.has(action)) actions.set(action, { origin: 'unmapped' });
      }
    }
  }

  const narrowed = narrowGrants(analysis.sources, actions.keys());
  const granted = new Set(narrowed.grantedActions.map((a) => a.toLowerCase()));
  const packed = packPolicies(roleName, narrowed.statements);
  const arnBase = `arn:${context.partition}:iam::${context.account}`;
  const role: PlannedRole = {
    service: unit.service,
    shortName: unit.key,
    roleName,
    roleArn: `${arnBase}:role${shared.path}${roleName}`,
    path: shared.path,
    description: `Split from ${shared.roleName} for ${unit.service} by split-role plan ${context.planId}`,
    maxSessionDuration: shared.maxSessionDuration,
    tags: roleTags(withAddedTags(shared.tags, decisions.addedTags ?? {}), shared.roleName, unit.service, context.planId),
    trustPolicy: trustPolicyForService(shared.trustPolicy, unit.principals),
    inlinePolicies: packed.inline,
    managedPolicies: packed.managed.map((p) => ({ ...p, arn: `${arnBase}:policy${shared.path}${p.name}` })),
    actions: [...actions]
      // Only what the shared role grants ends up in the role; the rest stays as evidence in the review.
      .filter(([action]) => granted.has(action.toLowerCase()))
      .map(([action, { use, origin }]) => {
        const accessLevel = analysis.catalog.accessLevel(action);
        return {
          action,
          count: use?.count ?? 0,
          ...(use?.lastSeen ? { lastSeen: use.lastSeen } : {}),
          origin,
          ...(accessLevel ? { accessLevel } : {}),
        };
      })
      .sort((a, b) => a.action.localeCompare(b.action)),
    unobservable: unit.unobservable.map((u) => ({ ...u, kept: keptBlind.has(u.action) })),
    noEvidence: unit.noEvidence,
  };
  if (shared.permissionsBoundaryArn) role.permissionsBoundaryArn = shared.permissionsBoundaryArn;
  if (unit.principals.some((p) => p.startsWith('ec2.'))) {
    role.instanceProfile = { name: roleName, path: shared.path, arn: `${arnBase}:instance-profile${shared.path}${roleName}` };
  }
  return role;
}

function unattributedFor(decisions: PlanDecisions, unit: ServiceUnit, pool: Iterable<string>): Set<string> {
  const choice = decisions.unattributed;
  if (choice === 'drop') return new Set();
  if (choice === 'grant-all') return new Set(pool);
  return new Set(
    Object.entries(choice)
      .filter(([, keys]) => keys.includes(unit.key))
      .map(([action]) => action),
  );
}

function unobservableFor(decisions: PlanDecisions, unit: ServiceUnit): Set<string> {
  const choice = decisions.unobservable;
  if (choice === 'drop') {
    // Baselines are kept by default: dropping them is its own decision.
    return new Set(decisions.baselines === 'drop' ? [] : unit.unobservable.filter((u) => u.baseline).map((u) => u.action));
  }
  if (choice === 'keep') return new Set(unit.unobservable.map((u) => u.action));
  return new Set(choice[unit.key] ?? []);
}

function roleTags(sharedTags: Array<{ Key: string; Value: string }>, source: string, service: string, planId: string) {
  const own = [
    { Key: `${TAG_PREFIX}source-role`, Value: source },
    { Key: `${TAG_PREFIX}service`, Value: service },
    { Key: `${TAG_PREFIX}plan-id`, Value: planId },
  ];
  // aws: tags are reserved, and a previous split's tags must not leak into this one.
  // Why lower-cased: IAM role tag keys are case-insensitive, so "Split-Role:plan-id"
  // would clash with ours and CreateRole would fail.
  const copied = sharedTags.filter((t) => {
    const key = t.Key.toLowerCase();
    return !key.startsWith('aws:') && !key.startsWith(TAG_PREFIX);
  });
  const tags = [...copied, ...own];
  if (tags.length > MAX_TAGS)
    throw new SplitRoleError(
      'TooManyTags',
      `the shared role's ${copied.length} tags (with any --tag) and split-role's 3 would exceed IAM's ${MAX_TAGS}`,
    );
  return tags;
}

function blindSpots(analysis: SplitAnalysis): string[] {
  const spots = new Set<string>();
  for (const unit of analysis.units) for (const u of unit.unobservable) spots.add(`${u.action}: ${u.reason}`);
  return [...spots].sort();
}
