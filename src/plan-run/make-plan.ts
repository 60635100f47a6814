/**
 * `plan` as a library call: read everything about one shared role once, let
 * the caller decide, then build, check, seal and save the plan. This is the
 * orchestration that reaches AWS; src/plan/ is the pure model it drives.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { getAccountAuthorization, getRoleSnapshot, type AccountAuthorization } from '../aws/iam.js';
import type { AccountAccess, AwsSession } from '../aws/session.js';
import { isNoSuchEntity } from '../core/aws-error-names.js';
import { getCallerIdentity, type CallerIdentity } from '../aws/sts.js';
import { mapLimit } from '../core/concurrency.js';
import { SplitRoleError } from '../core/errors.js';
import { writeError } from '../core/write-errors.js';
import type { IoHost } from '../core/io-host.js';
import { VERSION } from '../core/version.js';
import { gatherEvidence, type EvidenceRequest } from '../evidence/gather.js';
import { AccountIndexer, REGION_CONCURRENCY, scopeFor, sessionHints, workloadsForRole } from '../inventory/workloads.js';
import type { EvidenceCache } from '../evidence/evidence-cache.js';
import type { EvidenceConfig } from '../evidence/source.js';
import type { UsageEvidence } from '../evidence/types.js';
import { searchResourcePolicies, type PolicySearch, type ResourcePolicyMode } from '../resource-policy/discover.js';
import { planResourcePolicies } from '../resource-policy/plan-policies.js';
import { sdkPolicyPort } from '../resource-policy/port.js';
import { analyseTrustPolicy, type TrustAnalysis } from '../trust/analyse.js';
import { workloadKey } from '../trust/service-principals.js';
import { sdkEcs } from '../aws/ecs.js';
import { servicesWithServiceRole } from '../inventory/ecs-service-roles.js';
import { ECS_SERVICE_ROLE_KEY, trimScope } from '../inventory/trim-scope.js';
import { isServiceLinkedRole } from '../trust/role-scope.js';
import { buildPlan, type PlanDecisions } from '../plan/builder.js';
import { renderPlanMarkdown } from '../plan/markdown.js';
import { planInvariantProblems } from '../plan/invariants.js';
import { parsePlan, reviewPathFor, sealPlan, writeFileAtomic, writePlan } from '../plan/plan-file.js';
import { findReferences } from '../plan/references.js';
import type { Plan } from '../plan/schema.js';
import { analyseSplit, type SplitAnalysis } from '../plan/split-analysis.js';
import type { RoleSnapshot } from '../core/role-snapshot.js';

/** Everything read from AWS for one role's plan. */
export interface PlanFacts {
  identity: CallerIdentity;
  region: string;
  trust: TrustAnalysis;
  analysis: SplitAnalysis;
  authorization: AccountAuthorization;
  /** The role that reached a member account, stored in the plan so apply reaches it the same way. */
  access?: AccountAccess;
  /** The regions the plan covers. */
  regions: string[];
  /** The evidence source's own settings (the trail files, the Athena table, …), kept in the plan as they came. */
  evidenceConfig: EvidenceConfig;
  resourcePolicies: { mode: ResourcePolicyMode; search: PolicySearch };
}

/**
 * The account-wide reads of one `plan` run: the caller, the workload index
 * and the authorization details are read once however many roles are planned.
 */
export class PlanReads {
  private readonly indexers = new Map<string, Promise<AccountIndexer>>();
  private identity?: Promise<CallerIdentity>;
  private authorization?: Promise<AccountAuthorization>;

  constructor(
    readonly session: AwsSession,
    readonly io: IoHost,
    /** Where the evidence read is kept for the next run; absent: every run reads it all. */
    readonly evidenceCache?: EvidenceCache,
  ) {}

  /** The workload index of one region of the plan's account, read at most once per kind. */
  indexer(region: string): Promise<AccountIndexer> {
    let indexer = this.indexers.get(region);
    if (!indexer)
      this.indexers.set(region, (indexer = this.session.inRegion(region).then((clients) => new AccountIndexer(clients, this.io))));
    return indexer;
  }

  /** Who the credentials belong to. */
  callerIdentity(): Promise<CallerIdentity> {
    return (this.identity ??= this.session.sts().then(getCallerIdentity));
  }

  /** Every principal and customer-managed policy of the account. */
  accountAuthorization(): Promise<AccountAuthorization> {
    return (this.authorization ??= this.session.iam().then(getAccountAuthorization));
  }
}

/**
 * Reads the role, its workloads, its evidence and the account's references,
 * in the regions asked (default: the session's).
 */
export async function collectPlanFacts(
  reads: PlanReads,
  roleName: string,
  evidence: EvidenceRequest,
  options: {
    /** May refuse the shared role before its evidence is read (the slow part). */
    vetShared?: (shared: RoleSnapshot, trust: TrustAnalysis) => void;
    resourcePolicies?: ResourcePolicyMode;
    /** The regions the plan covers (default: the session's). */
    regions?: readonly string[];
  } = {},
): Promise<PlanFacts> {
  const { session, io } = reads;
  const resourcePolicyMode = options.resourcePolicies ?? 'sweep';
  const regions = options.regions ?? [session.region];
  const iam = await session.iam();
  const [identity, shared] = await Promise.all([reads.callerIdentity(), readSharedRole(iam, roleName)]);
  const trust = analyseTrustPolicy(shared.trustPolicy, identity.account);
  if (trust.workloads.length < 2) {
    throw new SplitRoleError(
      'NotShared',
      `${roleName} is not shared: ${trust.services.length === 0 ? 'no service' : `only ${trust.workloads.join(', ')}`} can assume it`,
      'run `split-role scan` to list shared roles',
    );
  }
  options.vetShared?.(shared, trust);
  io.progress('SR_PLAN_P2001', `indexing workloads for ${trust.services.join(', ')} in ${regions.length} region(s)…`, {
    role: roleName,
    services: trust.services,
    regions,
  });
  const scope = scopeFor(trust.services);
  // The region sweep is network-bound and the evidence read mostly CPU-bound, so they run at the same
  // time: the evidence needs the workloads' names only when it joins sessions to services, at its end.
  const sweep = mapLimit(regions, REGION_CONCURRENCY, async (region) => ({
    region,
    found: workloadsForRole(await (await reads.indexer(region)).index(scope), shared),
  }));
  const policySearch = (touched?: Set<string>): Promise<PolicySearch> =>
    resourcePolicyMode === 'off'
      ? Promise.resolve({ policies: [], problems: [] })
      : searchResourcePolicies(sdkPolicyPort(session), io, {
          regions,
          role: { arn: shared.arn, roleId: shared.roleId },
          ...(touched ? { touched } : {}),
        });
  // Only the evidence mode waits for the evidence; a full sweep of the policies runs alongside it.
  const sweptPolicies = resourcePolicyMode === 'evidence' ? undefined : policySearch();
  io.progress('SR_PLAN_P2002', `reading ${evidence.source} evidence…`, { role: roleName, source: evidence.source });
  const reading = gatherEvidence(
    session,
    io,
    {
      role: { arn: shared.arn, name: shared.roleName },
      services: trust.services,
      hints: sweep.then(sessionHints),
    },
    { ...evidence, regions },
    reads.evidenceCache,
  );
  // All at once, so the first failure is reported without waiting for the slowest part.
  // ecs.amazonaws.com's workloads are ECS services with a service role, which no workload kind reads: look for them, so
  // an unused ecs.amazonaws.com can leave the trust policy and a used one never does.
  const ecsServiceRoles = trust.services.some((p) => workloadKey(p, trust.services) === ECS_SERVICE_ROLE_KEY)
    ? mapLimit(regions, REGION_CONCURRENCY, async (region) =>
        servicesWithServiceRole(sdkEcs(await (await session.inRegion(region)).ecs()), shared.arn),
      ).then((perRegion) => perRegion.flat())
    : Promise.resolve(undefined);
  const [workloads, authorization, usage, swept, ecsUsers] = await Promise.all([
    sweep,
    reads.accountAuthorization(),
    reading,
    sweptPolicies,
    ecsServiceRoles,
  ]);
  const search = swept ?? (await policySearch(touchedResources(usage)));
  const facts: PlanFacts = {
    identity,
    region: session.region,
    regions: [...regions],
    evidenceConfig: evidence.config,
    trust,
    analysis: { ...analyseSplit(shared, trust, usage, workloads), trimScope: trimScope(workloads, ecsUsers) },
    authorization,
    resourcePolicies: { mode: resourcePolicyMode, search },
  };
  if (session.access) facts.access = session.access;
  return facts;
}

/** Every resource any session of the role touched, whoever opened it. */
function touchedResources(usage: UsageEvidence): Set<string> {
  const all = [...usage.byService.values(), usage.unattributed, ...(usage.nonService ? [usage.nonService] : [])];
  return new Set(all.flatMap((u) => [...(u.resources ?? [])]));
}

async function readSharedRole(iam: Parameters<typeof getRoleSnapshot>[0], roleName: string): Promise<RoleSnapshot> {
  let shared: RoleSnapshot;
  try {
    shared = await getRoleSnapshot(iam, roleName);
  } catch (error) {
    if (isNoSuchEntity(error))
      throw new SplitRoleError('NoSuchRole', `role not found: ${roleName}`, 'check the name (not the ARN) and the account');
    throw error;
  }
  if (isServiceLinkedRole(shared.path)) {
    throw new SplitRoleError('ServiceLinkedRole', `${roleName} is a service-linked role; AWS manages it and it cannot be split`);
  }
  return shared;
}

/** Builds and seals the plan; the subset check inside buildPlan guards every new role. */
export function finalisePlan(facts: PlanFacts, decisions: PlanDecisions, planId: string = randomUUID()): Plan {
  const body = buildPlan(facts.analysis, decisions, {
    planId,
    createdAt: new Date().toISOString(),
    toolVersion: VERSION,
    account: facts.identity.account,
    partition: facts.identity.partition,
    region: facts.region,
    takenRoleNames: new Set(facts.authorization.roles.map((r) => r.name)),
    references: (names) => findReferences(facts.authorization, facts.analysis.shared.arn, names),
    regions: facts.regions,
    evidenceConfig: facts.evidenceConfig,
    resourcePolicies: (roles, usage, sessions) =>
      planResourcePolicies(
        facts.resourcePolicies.search,
        facts.resourcePolicies.mode,
        { arn: facts.analysis.shared.arn, roleId: facts.analysis.shared.roleId },
        roles,
        usage,
        { sessions, ...(decisions.grantBy ? { grantBy: decisions.grantBy } : {}) },
      ),
  });
  const plan = sealPlan(facts.access ? { ...body, access: { ...facts.access } } : body);
  // A plan apply could not read back, or would refuse, must never reach the disk.
  parsePlan(JSON.stringify(plan), 'the new plan');
  const problems = planInvariantProblems(plan);
  if (problems.length > 0) {
    throw new SplitRoleError(
      'PlanUnsafe',
      `the new plan breaks split-role's rules: ${problems.join('; ')}`,
      'this is a bug in split-role: please report it',
    );
  }
  return plan;
}

/** Writes the plan and its Markdown review (`.md` beside it); returns the review's path. */
export async function savePlan(plan: Plan, path: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const reviewPath = reviewPathFor(path);
  const hint = 'free space and run `split-role plan` again; nothing in AWS was changed';
  await writePlan(path, plan).catch((error: unknown) => Promise.reject(writeError(error, 'the plan', path, hint)));
  await writeFileAtomic(reviewPath, renderPlanMarkdown(plan)).catch((error: unknown) =>
    Promise.reject(writeError(error, 'the review', reviewPath, hint)),
  );
  return reviewPath;
}
