/**
 * What must hold for any plan split-role could have written, re-derived from
 * the plan's own shared-role snapshot. The digest only proves a plan was not
 * edited by accident; these checks make a deliberately edited (and re-sealed)
 * plan harmless: no new role trusts anyone but its service, no workload is
 * pointed at a role this plan does not create, and no name or ARN escapes the
 * plan's naming rules. Pure.
 */
import { parsePolicy, principalEntries } from '../policy/document.js';
import { policyName } from '../policy/size.js';
import { trustPolicyForService } from '../trust/service-trust.js';
import { workloadKey } from '../trust/service-principals.js';
import { canonicalJson } from '../core/canonical-json.js';
import { adapterFor } from '../workloads/registry.js';
import { resourcePolicyProblems } from './policy-invariants.js';
import { roleForMove } from './per-workload.js';
import { roleNameProblem } from './role-names.js';
import { trimTrustPolicy } from './trust-trim.js';
import { PLAN_TAG } from '../core/tags.js';
import type { Plan, PlannedRole, PlannedWorkload } from './schema.js';

/** Every broken invariant of the plan, one sentence each; empty when the plan is sound. */
export function planInvariantProblems(plan: Plan): string[] {
  const problems: string[] = [];
  const seenKeys = new Set<string>();
  for (const role of plan.newRoles) {
    // A unit has one role, or (--per-workload) one role per workload and none for the service as a whole.
    const key = `${role.shortName}\u0000${role.workload ?? ''}`;
    if (seenKeys.has(key))
      problems.push(`two new roles serve ${role.shortName}${role.workload !== undefined ? ` workload ${role.workload}` : ''}`);
    seenKeys.add(key);
    const mixed = plan.newRoles.some((r) => r.shortName === role.shortName && (r.workload === undefined) !== (role.workload === undefined));
    if (mixed && role.workload === undefined)
      problems.push(`new role ${role.roleName} serves all of ${role.shortName} beside roles for its workloads`);
    problems.push(...trustProblems(plan, role), ...nameProblems(plan, role), ...tagProblems(plan, role));
  }
  for (const workload of plan.workloads) problems.push(...targetProblems(plan, workload));
  problems.push(...resourcePolicyProblems(plan));
  problems.push(...trustTrimProblems(plan));
  return problems;
}

/**
 * The trim step may only take out principals nothing uses: not a new role's,
 * not one left on the shared role, not one the evidence saw; and its
 * policies must be the snapshot's and exactly that minus those principals.
 */
function trustTrimProblems(plan: Plan): string[] {
  const trim = plan.trustTrim;
  if (!trim) return [];
  const problems: string[] = [];
  if (canonicalJson(trim.before) !== canonicalJson(plan.sharedRole.trustPolicy))
    problems.push("the trust trim's before policy is not the shared role's trust policy");
  if (canonicalJson(trim.after) !== canonicalJson(trimTrustPolicy(trim.before, trim.principals)))
    problems.push("the trust trim's after policy is not the before policy without its principals");
  const needed = new Set([...plan.newRoles.flatMap((role) => principalsFor(plan, role)), ...plan.excludedServices]);
  for (const principal of trim.principals) {
    if (needed.has(principal)) problems.push(`the trust trim removes ${principal}, which a new role or the shared role still serves`);
    const seen = plan.evidence.services[principal];
    if (seen && (seen.events > 0 || seen.sessions > 0)) problems.push(`the trust trim removes ${principal}, which the evidence saw in use`);
  }
  return problems;
}

/** The shared role's service principals that serve the same workload as `role`. */
function principalsFor(plan: Plan, role: PlannedRole): string[] {
  const all = sharedServices(plan);
  return all.filter((principal) => workloadKey(principal, all) === role.shortName);
}

/** Every service principal the shared role's trust policy names, lower-cased, sorted and distinct. */
function sharedServices(plan: Plan): string[] {
  const principals = new Set<string>();
  for (const statement of parsePolicy(plan.sharedRole.trustPolicy).statements) {
    if (!statement.principal || statement.principal === '*') continue;
    for (const [type, id] of principalEntries(statement.principal)) {
      if (type === 'Service') principals.add(id.trim().toLowerCase());
    }
  }
  return [...principals].sort();
}

function trustProblems(plan: Plan, role: PlannedRole): string[] {
  const name = role.roleName;
  if (workloadKey(role.service, sharedServices(plan)) !== role.shortName)
    return [`new role ${name} is for ${role.service}, which is not ${role.shortName}`];
  const principals = principalsFor(plan, role);
  if (principals.length === 0) return [`new role ${name} is for ${role.service}, which the shared role does not trust`];
  // Exactly what the shared role's trust policy says for this service, with its conditions: nothing added, nothing widened.
  const expected = trustPolicyForService(plan.sharedRole.trustPolicy, principals);
  return canonicalJson(expected) === canonicalJson(role.trustPolicy)
    ? []
    : [`new role ${name}'s trust policy is not the shared role's trust for ${principals.join(' + ')} alone`];
}

function nameProblems(plan: Plan, role: PlannedRole): string[] {
  const problems: string[] = [];
  const name = role.roleName;
  const arnBase = `arn:${plan.partition}:iam::${plan.account}`;
  const invalid = roleNameProblem(name);
  if (invalid) problems.push(`new role name ${name} ${invalid}`);
  if (name.toLowerCase() === plan.sharedRole.roleName.toLowerCase()) problems.push(`new role ${name} has the shared role's name`);
  if (role.path !== plan.sharedRole.path)
    problems.push(`new role ${name} has path ${role.path}, not the shared role's ${plan.sharedRole.path}`);
  if (role.roleArn !== `${arnBase}:role${role.path}${name}`)
    problems.push(`new role ${name} has ARN ${role.roleArn}, which is not its name's`);
  if (role.permissionsBoundaryArn !== plan.sharedRole.permissionsBoundaryArn)
    problems.push(`new role ${name}'s permissions boundary is not the shared role's`);
  if (!role.tags.some((t) => t.Key === PLAN_TAG && t.Value === plan.planId))
    problems.push(`new role ${name} lacks the ${PLAN_TAG} tag of this plan`);
  role.inlinePolicies.forEach((p) => {
    if (p.name !== policyName(name, '')) problems.push(`new role ${name}'s inline policy ${p.name} is not named after it`);
  });
  role.managedPolicies.forEach((p, i) => {
    const expectedName = policyName(name, `-${i + 1}`);
    if (p.name !== expectedName) problems.push(`new role ${name}'s managed policy ${p.name} is not named ${expectedName}`);
    else if (p.arn !== `${arnBase}:policy${role.path}${p.name}`)
      problems.push(`managed policy ${p.name} has ARN ${p.arn}, which is not its name's`);
  });
  const profile = role.instanceProfile;
  if (
    profile &&
    (profile.name !== name || profile.path !== role.path || profile.arn !== `${arnBase}:instance-profile${role.path}${name}`)
  ) {
    problems.push(`new role ${name}'s instance profile ${profile.arn} is not named after it`);
  }
  return problems;
}

/**
 * Every tag of the shared role that has a value is on the new role unchanged:
 * policies may grant on principal tags (ABAC), so a changed value could grant
 * the new role what the shared role never had.
 */
function tagProblems(plan: Plan, role: PlannedRole): string[] {
  const own = new Map(role.tags.map((t) => [t.Key.toLowerCase(), t.Value]));
  return plan.sharedRole.tags
    .filter((t) => t.Value.trim() !== '' && !/^(aws|split-role):/i.test(t.Key))
    .filter((t) => own.get(t.Key.toLowerCase()) !== t.Value)
    .map((t) => `new role ${role.roleName} does not carry the shared role's tag ${t.Key}=${t.Value} unchanged`);
}

function targetProblems(plan: Plan, workload: PlannedWorkload): string[] {
  const role = roleForMove(plan.newRoles, workload);
  return adapterFor(workload).invariantProblems(workload, { role, shared: plan.sharedRole });
}
