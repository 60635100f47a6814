/**
 * What must hold for the resource-policy section of any plan split-role could
 * have written, re-derived from each policy's own text: the text is a policy
 * that names the shared role in exactly the statements the entry lists, and
 * only this plan's new roles are added to them. A re-sealed plan cannot slip
 * in a policy that never named the shared role, or a role of its own. (The
 * text itself is checked against the live policy: by the drift check before
 * apply writes, and by rollback before it restores.) Pure.
 */
import { findRoleStatements } from '../resource-policy/statements.js';
import type { Plan } from './schema.js';

/** Every broken invariant of the plan's resource policies, one sentence each. */
export function resourcePolicyProblems(plan: Plan): string[] {
  const problems: string[] = [];
  const shared = { arn: plan.sharedRole.arn, roleId: plan.sharedRole.roleId };
  const newRoles = new Set(plan.newRoles.map((r) => r.roleName));
  const seen = new Set<string>();
  for (const policy of plan.resourcePolicies.policies) {
    const where = `resource policy ${policy.kind} ${policy.arn} in ${policy.region}`;
    const id = `${policy.kind}:${policy.region}:${policy.id}`;
    if (seen.has(id)) problems.push(`${where} is listed twice`);
    seen.add(id);
    let found: ReturnType<typeof findRoleStatements>;
    try {
      // Not `exact`: a plan made without it also lists statements whose pattern covers the role.
      found = findRoleStatements(policy.text, shared);
    } catch (error) {
      problems.push(`${where} is not a policy: ${(error as Error).message}`);
      continue;
    }
    if (policy.statements.length === 0) problems.push(`${where} lists no statement naming ${plan.sharedRole.roleName}`);
    for (const statement of policy.statements) {
      const match = found.find((f) => f.index === statement.index);
      const name = statement.sid ?? `#${statement.index}`;
      if (!match) {
        problems.push(`${where}: statement ${name} does not name ${plan.sharedRole.roleName}`);
        continue;
      }
      if (match.effect !== statement.effect || match.sid !== statement.sid)
        problems.push(`${where}: statement ${name} is not the policy's statement #${statement.index}`);
      const foreign = [...statement.roles, ...(statement.sessions ?? []).flatMap((x) => x.roles)].filter((r) => !newRoles.has(r));
      if (foreign.length > 0) problems.push(`${where}: statement ${name} adds ${foreign.join(', ')}, which this plan does not create`);
      // A session entry stands for one the text names: a re-sealed plan cannot add a session ARN of its choosing.
      const unnamed = (statement.sessions ?? []).map((x) => x.name).filter((n) => !(match.sessions ?? []).includes(n));
      if (unnamed.length > 0) problems.push(`${where}: statement ${name} lists session ${unnamed.join(', ')}, which it does not name`);
    }
  }
  return problems;
}
