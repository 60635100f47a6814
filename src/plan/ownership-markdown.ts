/**
 * The review's view of ownership: the owner cell of each row, the summary
 * line (how many resources are defined as code), and the section listing
 * every resource with its owner and what to run instead of apply for it.
 */
import { markdownCode as code } from '../core/escape.js';
import { isIacOwned, type OwnedKind, type OwnedResource } from '../iac/ownership-schema.js';
import type { Plan } from './schema.js';

/** The owner of one resource of the plan, or undefined when the plan records none for it. */
export function ownerOf(plan: Plan, kind: OwnedKind, ref: string): OwnedResource | undefined {
  return plan.ownership?.resources.find((r) => r.kind === kind && r.ref === ref);
}

/** The Owner cell of a review row: `unmanaged`, the stack or state, or `not recorded` for a plan made before ownership. */
export function ownerCell(plan: Plan, kind: OwnedKind, ref: string): string {
  if (!plan.ownership) return 'not recorded';
  const found = ownerOf(plan, kind, ref);
  return found ? ownerMarkdown(found) : 'unmanaged';
}

/** An owner for the review: the tool in words, its names as code spans (they come from the account or a state file). */
function ownerMarkdown({ owner }: OwnedResource): string {
  switch (owner.tool) {
    case 'unmanaged':
      return 'unmanaged';
    case 'terraform':
      return `Terraform ${code(owner.address)} in ${code(owner.state)}`;
    case 'cdk':
      return `CDK stack ${code(owner.stackName)}, ${code(owner.constructPath ?? owner.logicalId)}`;
    case 'sam':
      return `SAM stack ${code(owner.stackName)}, ${code(owner.logicalId)}`;
    case 'cloudformation':
      return `CloudFormation stack ${code(owner.stackName)}, ${code(owner.logicalId)}`;
  }
}

/** The summary line: how many of the plan's resources are defined as code. */
export function ownershipSummaryLine(plan: Plan): string {
  if (!plan.ownership) return '- Defined as code: not recorded (plan made before ownership was looked up; re-plan to record it)';
  const all = plan.ownership.resources;
  const owned = all.filter((r) => isIacOwned(r.owner));
  const states = plan.ownership.terraformStates.map((s) => code(s.source));
  const looked = `stacks in ${plan.ownership.cloudFormationRegions.map(code).join(', ') || 'no region'}${states.length > 0 ? `, Terraform state ${states.join(', ')}` : ''}`;
  return `- Defined as code: **${owned.length} of ${all.length}** resources are IaC-owned (looked in ${looked})`;
}

/** The "Who owns what" section: every resource with its owner; the owned ones are changed with `rewrite`, never by apply. */
export function ownershipSection(plan: Plan): string[] {
  const lines = ['## Who owns what', ''];
  if (!plan.ownership)
    return [...lines, 'Not recorded: this plan was made before split-role looked up owners. Re-plan to record them.', ''];
  const rows = plan.ownership.resources.map((r) => [r.kind, code(r.name), r.region ? code(r.region) : 'global', ownerMarkdown(r)]);
  lines.push(
    `| Resource | Name | Region | Owner |`,
    `|---|---|---|---|`,
    ...rows.map((row) => `| ${row.map((cell) => cell.replace(/\\?\|/g, '\\|')).join(' | ')} |`),
    '',
  );
  if (plan.ownership.resources.some((r) => isIacOwned(r.owner))) {
    lines.push(
      '> [!IMPORTANT]',
      '> `split-role apply` does not change IaC-owned resources live (the next deploy would revert it). Change them in their code:',
      '> `split-role rewrite PLAN --stage cutover PATH…`, deploy, `split-role verify PLAN`, then `--stage retire`.',
      '> Unmanaged workloads move with `split-role apply PLAN --adopt-roles` once the code has created the new roles.',
      '',
    );
  }
  // CDK source is never edited: each construct is a change for a person, with the code `rewrite` prints for it.
  const constructs = plan.ownership.resources.flatMap((r) => (r.owner.tool === 'cdk' ? [{ resource: r, owner: r.owner }] : []));
  if (constructs.length > 0) {
    lines.push(
      '### Follow-ups in CDK code',
      '',
      'split-role does not edit CDK source. `split-role rewrite PLAN --stage cutover PATH…` prints, per construct, the `aws-cdk-lib/aws-iam` code to add:',
      '',
      ...constructs.map(
        ({ resource, owner }) =>
          `- [ ] ${code(owner.constructPath ?? owner.logicalId)} in stack ${code(owner.stackName)} (${resource.kind} ${code(resource.name)})`,
      ),
      '',
    );
  }
  return lines;
}
