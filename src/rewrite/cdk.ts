/**
 * CDK apps are code that rewrite cannot edit safely, so for them it prints the
 * change to make: per construct path, a TypeScript snippet with
 * `aws-cdk-lib/aws-iam` that makes the plan's role for one service, and the
 * line that points the workload's construct at it.
 */
import type { Plan, PlannedRole } from '../plan/schema.js';
import { pascal } from '../export/names.js';

/** The snippets, one per new role, and one line per CDK-owned workload. */
export function cdkSnippets(plan: Plan): string {
  const roles = plan.newRoles.map(roleSnippet).join('\n');
  const owners = (plan.ownership?.resources ?? []).filter((r) => r.owner.tool === 'cdk');
  const moves = owners
    .filter((r) => r.kind === 'workload' && r.owner.tool === 'cdk')
    .map((r) => {
      const path = r.owner.tool === 'cdk' ? (r.owner.constructPath ?? r.owner.logicalId) : r.name;
      return `// ${path} (${r.name}): give it the new role of its service (role, taskRole or the instance profile's role)`;
    });
  const shared = owners.find((r) => r.kind === 'shared-role');
  const sharedPath = shared?.owner.tool === 'cdk' ? (shared.owner.constructPath ?? shared.owner.logicalId) : plan.sharedRole.roleName;
  return [
    `import * as iam from 'aws-cdk-lib/aws-iam';`,
    '',
    `// The roles that replace ${sharedPath}, from split-role plan ${plan.planId}. Keep ${sharedPath} until the deploy is verified.`,
    roles,
    ...moves,
    '',
  ].join('\n');
}

function variable(role: PlannedRole): string {
  const name = pascal(role.roleName);
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function roleSnippet(role: PlannedRole): string {
  const policies = role.inlinePolicies
    .map(
      (p) =>
        `    ${JSON.stringify(p.name)}: iam.PolicyDocument.fromJson(${JSON.stringify(p.document, null, 2).replaceAll('\n', '\n    ')}),`,
    )
    .join('\n');
  const managed = role.managedPolicies
    .map(
      (p) =>
        `${variable(role)}.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(this, '${pascal(p.name)}', ${JSON.stringify(p.arn)}));`,
    )
    .join('\n');
  const profile = role.instanceProfile
    ? `new iam.InstanceProfile(this, '${pascal(role.roleName)}Profile', { instanceProfileName: ${JSON.stringify(role.instanceProfile.name)}, role: ${variable(role)} });\n`
    : '';
  const boundary = role.permissionsBoundaryArn
    ? `  permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyArn(this, '${pascal(role.roleName)}Boundary', ${JSON.stringify(role.permissionsBoundaryArn)}),\n`
    : '';
  return (
    `const ${variable(role)} = new iam.Role(this, '${pascal(role.roleName)}', {\n` +
    `  roleName: ${JSON.stringify(role.roleName)},\n` +
    `  assumedBy: new iam.ServicePrincipal(${JSON.stringify(role.service)}),\n` +
    boundary +
    (policies ? `  inlinePolicies: {\n${policies}\n  },\n` : '') +
    `});\n` +
    (managed ? `${managed}\n` : '') +
    profile
  );
}
