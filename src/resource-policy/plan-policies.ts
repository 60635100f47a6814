/**
 * Pure: turns the policies found into the plan's list. Each statement gets
 * the new roles of the services the evidence saw use the resource; when the
 * evidence cannot tell (or the statement is a Deny, which must keep binding
 * whoever takes the shared role's place) it gets every new role, marked so.
 * With `--grant-by action`, an Allow statement gets only the roles whose
 * actions it allows. A statement naming a session of the shared role gives
 * the workload's new role the same session. A policy whose edit cannot be
 * made is a problem instead; one that would outgrow its quota refuses the plan.
 */
import { policyAdapter } from './kinds/index.js';
import type { ServiceUsage } from '../evidence/types.js';
import { statementCoversAction } from '../policy/actions.js';
import type { GrantBy, PlannedResourcePolicy, ResourcePolicyPlan } from './plan-schema.js';
import { besideEdits } from './edits.js';
import type { PolicySearch, ResourcePolicyMode } from './discover.js';
import { parseResourcePolicy, type RoleRef, type StatementAddition, type StatementMatch } from './statements.js';
import { policySize, ResourcePolicyTooLargeError, type PolicyOverflow } from './grown-size.js';

/** What the section needs of a new role the plan makes (a plan's PlannedRole is one). */
export interface PolicyRole {
  service: string;
  roleName: string;
  roleArn: string;
  /** The actions the role's policy grants (used, baseline, kept blind spots): `--grant-by action` matches statements against them. */
  actions?: ReadonlyArray<{ action: string }>;
}

/** What the section is planned with beyond the search: the strategy, and which new role opens which session. */
export interface PolicyPlanOptions {
  grantBy?: GrantBy;
  /** Session name (a Lambda function's name, an EC2 instance's id) → the new roles whose workloads open it. */
  sessions?: ReadonlyMap<string, readonly string[]>;
}

// A unique id's shape (AROA + 17), so that a grown aws:userid value is measured at its real length before the role exists.
const STAND_IN_ID = 'AROA' + 'X'.repeat(17);

/** The plan's resource-policy section; throws ResourcePolicyTooLargeError when an edited policy would pass its quota. */
export function planResourcePolicies(
  search: PolicySearch,
  mode: ResourcePolicyMode,
  shared: RoleRef,
  roles: readonly PolicyRole[],
  usage: ReadonlyMap<string, ServiceUsage>,
  options: PolicyPlanOptions = {},
): ResourcePolicyPlan {
  const grantBy = options.grantBy ?? 'resource';
  const plan: ResourcePolicyPlan = { mode, grantBy, policies: [], problems: [...search.problems] };
  const overflows: PolicyOverflow[] = [];
  for (const found of search.policies) {
    const entry = plannedPolicy(found, roles, usage, options.sessions ?? new Map(), grantBy);
    const edited = grownText(entry, shared, roles);
    if (typeof edited !== 'string') {
      plan.problems.push({ kind: found.kind, region: found.region, id: found.id, arn: found.arn, reason: edited.reason });
      continue;
    }
    const limit = policyAdapter(found.kind).sizeLimit;
    entry.size = { grown: policySize(edited, limit.unit), max: limit.max, unit: limit.unit };
    plan.policies.push(entry);
    if (entry.size.grown <= limit.max) continue;
    const other: GrantBy = grantBy === 'resource' ? 'action' : 'resource';
    const alternative = grownText(plannedPolicy(found, roles, usage, options.sessions ?? new Map(), other), shared, roles);
    overflows.push({
      policy: found,
      grown: entry.size.grown,
      max: limit.max,
      unit: limit.unit,
      grantBy,
      ...(typeof alternative === 'string' ? { alternative: { grantBy: other, grown: policySize(alternative, limit.unit) } } : {}),
    });
  }
  if (overflows.length > 0) throw new ResourcePolicyTooLargeError(overflows);
  return plan;
}

function plannedPolicy(
  found: PolicySearch['policies'][number],
  roles: readonly PolicyRole[],
  usage: ReadonlyMap<string, ServiceUsage>,
  sessions: ReadonlyMap<string, readonly string[]>,
  grantBy: GrantBy,
): PlannedResourcePolicy {
  const names = new Set(policyAdapter(found.kind).names(found));
  const users = roles.filter((r) => [...(usageOf(usage, r)?.resources ?? [])].some((n) => names.has(n)));
  const documents = statementDocuments(found.text);
  return {
    kind: found.kind,
    region: found.region,
    id: found.id,
    arn: found.arn,
    text: found.text,
    statements: found.statements.map((s) => {
      const fromEvidence = users.length > 0 && s.effect !== 'Deny';
      let chosen = fromEvidence ? users : roles;
      // A Deny binds every new role whatever the strategy: leaving one out would let it do what the shared role could not.
      if (grantBy === 'action' && s.effect !== 'Deny') chosen = chosen.filter((r) => allowsAnyOf(documents[s.index], r, usage));
      return {
        index: s.index,
        ...(s.sid !== undefined ? { sid: s.sid } : {}),
        effect: s.effect,
        mentions: s.mentions,
        roles: chosen.map((r) => r.roleName),
        basis: fromEvidence ? ('evidence' as const) : ('every-service' as const),
        ...(s.sessions ? { sessions: sessionRoles(s, chosen, roles, sessions) } : {}),
      };
    }),
  };
}

/**
 * Which new roles get each named session's ARN. In an Allow, or in a Deny's
 * NotPrincipal (an exemption), only the role whose workload opens a session
 * of that name: anyone else would gain what the shared role's other sessions
 * never had. A Deny naming the session as Principal denies it to every role
 * of the statement, which can only take away.
 */
function sessionRoles(
  statement: StatementMatch,
  chosen: readonly PolicyRole[],
  roles: readonly PolicyRole[],
  sessions: ReadonlyMap<string, readonly string[]>,
): Array<{ name: string; roles: string[] }> {
  const denies = statement.effect === 'Deny' && !statement.mentions.includes('NotPrincipal');
  const known = new Set(roles.map((r) => r.roleName));
  return (statement.sessions ?? []).map((name) => ({
    name,
    roles: denies ? chosen.map((r) => r.roleName) : [...new Set(sessions.get(name) ?? [])].filter((r) => known.has(r)),
  }));
}

/** True when the statement allows an action the role's service used or its policy grants. */
function allowsAnyOf(statement: Record<string, unknown> | undefined, role: PolicyRole, usage: ReadonlyMap<string, ServiceUsage>): boolean {
  if (!statement) return true;
  const allowed = actionList(statement.Action);
  const notAllowed = actionList(statement.NotAction);
  const clause = allowed ? { actions: allowed } : notAllowed ? { notActions: notAllowed } : {};
  const actions = [...(usageOf(usage, role)?.actions.keys() ?? []), ...(role.actions ?? []).map((a) => a.action)];
  return actions.some((action) => statementCoversAction(clause, action));
}

/** A role's usage: its own, keyed by role name, where it serves one workload (`plan --per-workload`); else its service's. */
function usageOf(usage: ReadonlyMap<string, ServiceUsage>, role: PolicyRole): ServiceUsage | undefined {
  return usage.get(role.roleName) ?? usage.get(role.service);
}

function actionList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

function statementDocuments(text: string): Array<Record<string, unknown>> {
  const statements = parseResourcePolicy(text).Statement;
  return (Array.isArray(statements) ? statements : [statements]) as Array<Record<string, unknown>>;
}

/** The planned edit and its retire counterpart, tried on the text: the grown text, or why they cannot be made. */
function grownText(entry: PlannedResourcePolicy, shared: RoleRef, roles: readonly PolicyRole[]): string | { reason: string } {
  const edits = policyAdapter(entry.kind).edits ?? besideEdits;
  // Unique ids are only known once the roles exist; a stand-in of the same shape checks the edit.
  const refs = new Map(roles.map((r) => [r.roleName, { arn: r.roleArn, roleId: STAND_IN_ID }]));
  const ref = (name: string) => refs.get(name) as RoleRef;
  try {
    const additions: StatementAddition[] = entry.statements.map((s) => ({
      index: s.index,
      roles: s.roles.map(ref),
      ...(s.sessions ? { sessions: s.sessions.map((x) => ({ name: x.name, roles: x.roles.map(ref) })) } : {}),
    }));
    const added = edits.add(entry.text, shared, additions);
    edits.remove(added, shared);
    return added;
  } catch (error) {
    return { reason: `cannot write: ${(error as Error).message}` };
  }
}
