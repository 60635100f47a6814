/**
 * Names the exported code gives each planned role: a Terraform resource name
 * and CloudFormation logical ids. Shared by the exporters and the checklist,
 * so the checklist's snippets name exactly what the code defines.
 */
import type { Plan, PlannedRole } from '../plan/schema.js';

/** The code names of one new role and what belongs to it. */
export interface RoleCodeNames {
  /** Terraform resource name, e.g. `orders_ec2` for `aws_iam_role.orders_ec2`. */
  tf: string;
  /** CloudFormation logical id of the role, e.g. `OrdersEc2Role`. */
  cfnRole: string;
  /** CloudFormation logical id of its instance profile. */
  cfnProfile: string;
}

/** Code names for every new role of the plan, by role name; unique within the plan. */
export function codeNames(plan: Plan): Map<string, RoleCodeNames> {
  const tfTaken = new Set<string>();
  const cfnTaken = new Set<string>();
  const names = new Map<string, RoleCodeNames>();
  for (const role of plan.newRoles) {
    const base = pascal(role.roleName) || 'Split';
    names.set(role.roleName, {
      tf: unique(terraformName(role.roleName), tfTaken, '_'),
      cfnRole: unique(`${base}Role`, cfnTaken, ''),
      cfnProfile: unique(`${base}InstanceProfile`, cfnTaken, ''),
    });
  }
  return names;
}

/**
 * A Terraform resource name from any text: letters, digits and `_`, not
 * starting with a digit. (`-` is legal too, but snake_case is what people write.)
 */
export function terraformName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

/** PascalCase from any text, keeping only what CloudFormation logical ids allow (A-Z, a-z, 0-9). */
export function pascal(text: string): string {
  const name = text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
  return /^[0-9]/.test(name) ? `R${name}` : name;
}

/** Makes `name` unique in `taken` by appending a counter. */
export function unique(name: string, taken: Set<string>, separator: string): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name}${separator}${n}`;
  taken.add(candidate);
  return candidate;
}

/** The path part of an IAM ARN: "/team/" for "arn:aws:iam::1:policy/team/name". */
export function pathOfArn(arn: string, kind: 'policy' | 'instance-profile' | 'role'): string {
  const rest = arn.split(`:${kind}`)[1] ?? '/';
  return rest.slice(0, rest.lastIndexOf('/') + 1) || '/';
}

/** The role's tags as a plain map (IAM tag keys are unique per role). */
export function tagMap(role: PlannedRole): Record<string, string> {
  return Object.fromEntries(role.tags.map((t) => [t.Key, t.Value]));
}
