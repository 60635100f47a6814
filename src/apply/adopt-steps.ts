/**
 * `apply --adopt-roles`, for a plan whose shared role (or some workloads) is
 * defined as code: the code's cutover deploy created the new roles, so apply
 * creates nothing. It checks that each role the plan names exists with the
 * plan's trust, policies, boundary and instance profile (refusing on any
 * difference, before any change), then moves only the unmanaged workloads
 * and resource policies, live, and verifies. The owned ones moved with the
 * deploy; the shared role is retired in code (`rewrite --stage retire`).
 */
import { isNoSuchEntity } from '../core/aws-error-names.js';
import { canonicalJson } from '../core/canonical-json.js';
import { SplitRoleError, usageError } from '../core/errors.js';
import { isIacOwned } from '../iac/ownership-schema.js';
import { decodePolicyDocument } from '../policy/document.js';
import type { Plan, PlannedRole } from '../plan/schema.js';
import type { RoleSnapshot } from '../core/role-snapshot.js';
import { policyAddStepId, policyAddSteps } from './policy-steps.js';
import { repointSteps } from './repoint-steps.js';
import { verifyStep } from './retire-steps.js';
import type { Step } from './step.js';
import type { Journal } from './journal.js';

/** The id of the check that the code's roles match the plan. */
export const ADOPT_CHECK_STEP = 'adopt:check-roles';

/** True when the journal shows this plan is applied with --adopt-roles: the mode sticks for every later run. */
export function adoptsRoles(journal: Journal): boolean {
  return journal.entries.some((e) => e.event === 'adopt-roles');
}

/** The steps of an adopting apply: the role check, the unmanaged policies and workloads, verify. */
export function adoptSteps(plan: Plan): Step[] {
  const owned = new Set((plan.ownership?.resources ?? []).filter((r) => isIacOwned(r.owner)).map((r) => `${r.kind} ${r.ref}`));
  const ownedPolicySteps = new Set(
    plan.resourcePolicies.policies.filter((p) => owned.has(`resource-policy ${p.arn}`)).map(policyAddStepId),
  );
  return [
    adoptCheckStep(plan),
    ...policyAddSteps(plan).filter((s) => !ownedPolicySteps.has(s.id)),
    ...repointSteps(plan).filter((s) => !owned.has(`workload ${s.id}`)),
    verifyStep(plan),
  ];
}

function adoptCheckStep(plan: Plan): Step {
  return {
    id: ADOPT_CHECK_STEP,
    stage: 'create',
    title: `check the roles the code created: ${plan.newRoles.map((r) => r.roleName).join(', ')}`,
    // Read-only, and what held when a run stopped may not hold now (another deploy).
    recheckOnResume: true,
    async run({ account: { iam } }) {
      const problems: string[] = [];
      for (const role of plan.newRoles) {
        let live: RoleSnapshot;
        try {
          live = await iam.roleSnapshot(role.roleName);
        } catch (error) {
          if (!isNoSuchEntity(error)) throw error;
          problems.push(`${role.roleName} does not exist (deploy the code's cutover first)`);
          continue;
        }
        problems.push(...adoptProblems(role, live));
      }
      if (problems.length > 0) {
        throw new SplitRoleError(
          'AdoptMismatch',
          `the roles the code created do not match the plan: ${problems.join('; ')}`,
          'nothing was changed; fix the code (or re-run `split-role rewrite PLAN --stage cutover`) and deploy it, then apply --adopt-roles again',
        );
      }
      return { roles: plan.newRoles.map((r) => r.roleName) };
    },
  };
}

/** How a live role differs from the plan's new role: ARN, trust, the statements of its policies, boundary, instance profile. Pure. */
export function adoptProblems(role: PlannedRole, live: RoleSnapshot): string[] {
  const problems: string[] = [];
  if (live.arn !== role.roleArn) problems.push(`${role.roleName} is ${live.arn}, not ${role.roleArn}`);
  if (statementsKey([decodePolicyDocument(live.trustPolicy)]) !== statementsKey([role.trustPolicy]))
    problems.push(`${role.roleName}'s trust policy is not the plan's`);
  const livePolicies = [...live.inlinePolicies, ...live.attachedPolicies].map((p) => decodePolicyDocument(p.document));
  const planned = [...role.inlinePolicies, ...role.managedPolicies].map((p) => p.document);
  if (statementsKey(livePolicies) !== statementsKey(planned))
    problems.push(
      `${role.roleName}'s policies grant other statements than the plan's (the code may name and split them freely, not change them)`,
    );
  if ((live.permissionsBoundaryArn ?? '') !== (role.permissionsBoundaryArn ?? ''))
    problems.push(
      `${role.roleName}'s permissions boundary is ${live.permissionsBoundaryArn ?? 'none'}, not ${role.permissionsBoundaryArn ?? 'none'}`,
    );
  const profile = role.instanceProfile;
  if (profile && !live.instanceProfiles.some((p) => p.name === profile.name))
    problems.push(`${role.roleName} is not in the instance profile ${profile.name}`);
  return problems;
}

/**
 * The statements of some policy documents as one comparable text: each
 * statement without its Sid, single values as one-element lists, lists
 * sorted, the whole set sorted. The code may split the plan's policies into
 * other documents, or name them otherwise; it may not grant anything else.
 */
function statementsKey(documents: readonly unknown[]): string {
  const statements = documents.flatMap((d) => {
    const list = (d as { Statement?: unknown } | undefined)?.Statement;
    return Array.isArray(list) ? (list as unknown[]) : list === undefined ? [] : [list];
  });
  return canonicalJson(statements.map(normaliseStatement).sort());
}

function normaliseStatement(statement: unknown): string {
  if (typeof statement !== 'object' || statement === null) return canonicalJson(statement);
  const { Sid: _sid, ...rest } = statement as Record<string, unknown>;
  const norm = (value: unknown): unknown =>
    typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]).map(String).sort() : value;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (['Action', 'NotAction', 'Resource', 'NotResource'].includes(key)) out[key] = norm(value);
    else if (key === 'Principal' && typeof value === 'object' && value !== null)
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, norm(v)]));
    else out[key] = value;
  }
  return canonicalJson(out);
}

/**
 * Whether this run adopts the code's roles: once a run has, every later one
 * does (the journal says so), so resumes and rollback see the same steps.
 * Switching a plan already applied the usual way is refused, as is adopting
 * without ownership records (nothing says which workloads are unmanaged).
 */
export function adoptMode(plan: Plan, journal: Journal, asked: boolean): boolean {
  if (adoptsRoles(journal)) return true;
  if (!asked) return false;
  if (!plan.ownership) throw usageError('--adopt-roles needs a plan that records owners', 're-plan with this version of split-role');
  if (journal.entries.some((e) => e.event === 'step-begin'))
    throw usageError(
      '--adopt-roles: this plan was already applied without it (see `split-role status`)',
      'finish that apply, or undo it with `split-role rollback PLAN`, first',
    );
  return true;
}
