/**
 * Cutover and stage when the split is made in code (rewrite, then a deploy):
 * the workloads an IaC owner holds moved when its deploy finished, not when a
 * journaled repoint did. For CloudFormation that is the stack's last
 * UPDATE_COMPLETE after the plan was made (DescribeStackEvents); Terraform
 * leaves no such record, so the operator says when with --cutover-at. Verify
 * and the retire gate count from the later of that and any journaled repoint.
 */
import { isNoSuchEntity } from '../core/aws-error-names.js';
import { SplitRoleError } from '../core/errors.js';
import { isIacOwned, type OwnedResource } from '../iac/ownership-schema.js';
import type { Plan } from '../plan/schema.js';
import { cutoverTime } from './gates.js';
import { repointSteps } from './repoint-steps.js';
import type { StepContext } from './step.js';

/** Where the code's split stands: nothing deployed, the cutover deployed (new roles live), or the shared role gone. */
export type CodeStage = 'not rewritten' | 'cutover deployed' | 'retired';

/** The owned resources whose change the code makes: the workloads that move, and the shared role. */
export function codeMoved(plan: Plan): OwnedResource[] {
  return (plan.ownership?.resources ?? []).filter((r) => isIacOwned(r.owner) && (r.kind === 'workload' || r.kind === 'shared-role'));
}

/** When a stack's last deploy (create or update) completed after `after`; undefined when none did. */
async function stackDeployedAt(ctx: StepContext, region: string, stackName: string, after: Date): Promise<Date | undefined> {
  const events = await (await ctx.account.cloudFormation(region)).stackEvents(stackName);
  const done = events.filter(
    (e) => e.logicalId === stackName && e.type === 'AWS::CloudFormation::Stack' && e.status === 'UPDATE_COMPLETE' && e.at > after,
  );
  return done.length === 0 ? undefined : new Date(Math.max(...done.map((e) => e.at.getTime())));
}

/**
 * The cutover of a plan some of whose resources are changed in code: the
 * latest of each owning stack's deploy since the plan, `cutoverAt` (Terraform,
 * or to override), and the journal's repoints (apply --adopt-roles). Refuses
 * with NoCodeCutover when an owner's deploy cannot be seen and no time was given.
 */
export async function codeCutoverTime(ctx: StepContext, options: { cutoverAt?: Date } = {}): Promise<Date> {
  const { plan } = ctx;
  const times: Date[] = [];
  const journal = cutoverTime(
    ctx.journal,
    repointSteps(plan)
      .map((s) => s.id)
      .filter((id) => !codeMoved(plan).some((r) => r.ref === id)),
  );
  if (options.cutoverAt) times.push(options.cutoverAt);
  else {
    const stacks = new Map<string, { region: string; stackName: string }>();
    const unseen: string[] = [];
    for (const r of codeMoved(plan)) {
      if (r.owner.tool === 'terraform') unseen.push(`${r.name} (Terraform ${r.owner.address})`);
      else if (r.owner.tool !== 'unmanaged') stacks.set(`${r.owner.region}/${r.owner.stackName}`, r.owner);
    }
    if (unseen.length > 0)
      throw new SplitRoleError(
        'NoCodeCutover',
        `Terraform records no deploy time, so the cutover of ${unseen.join(', ')} is unknown`,
        'pass --cutover-at TIME: when `terraform apply` of the cutover finished (ISO 8601, e.g. 2026-12-01T10:00:00Z)',
      );
    for (const { region, stackName } of stacks.values()) {
      const at = await stackDeployedAt(ctx, region, stackName, new Date(plan.createdAt));
      if (!at)
        throw new SplitRoleError(
          'NoCodeCutover',
          `stack ${stackName} (${region}) has not been updated since the plan was made (${plan.createdAt}): the cutover is not deployed`,
          'deploy the `split-role rewrite PLAN --stage cutover` change first (or pass --cutover-at TIME)',
        );
      times.push(at);
    }
  }
  if (journal) times.push(journal);
  return new Date(Math.max(...times.map((t) => t.getTime())));
}

/** The cutover verify and the gate count from: the code's for a plan whose resources are changed in code, else the journal's. */
export async function planCutoverTime(ctx: StepContext, options: { cutoverAt?: Date } = {}): Promise<Date | undefined> {
  if (codeMoved(ctx.plan).length === 0 && !options.cutoverAt)
    return cutoverTime(
      ctx.journal,
      repointSteps(ctx.plan).map((s) => s.id),
    );
  return codeCutoverTime(ctx, options);
}

/** Where the code's split stands, read from IAM: the shared role gone, every new role there, or neither. */
export async function codeStage(ctx: StepContext): Promise<CodeStage> {
  const { iam } = ctx.account;
  try {
    await iam.roleSnapshot(ctx.plan.sharedRole.roleName);
  } catch (error) {
    if (isNoSuchEntity(error)) return 'retired';
    throw error;
  }
  for (const role of ctx.plan.newRoles) if ((await iam.roleTags(role.roleName)) === undefined) return 'not rewritten';
  return 'cutover deployed';
}

/** Parses --cutover-at: an ISO 8601 time with a zone. */
export function parseCutoverAt(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime()))
    throw new SplitRoleError('UsageError', `--cutover-at ${value} is not a time`, 'pass ISO 8601 with a zone, e.g. 2026-12-01T10:00:00Z');
  return at;
}
