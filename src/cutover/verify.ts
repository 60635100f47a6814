/**
 * `split-role verify`: after cutover, read the evidence from cutover to now
 * and report what the new roles were refused, what still calls with the
 * shared role, and the workloads' health; optionally grant back refused
 * actions the shared role allowed.
 */
import type { AwsOptions } from '../aws/session.js';
import { SplitRoleError } from '../core/errors.js';
import type { IoHost } from '../core/io-host.js';
import { openOperation } from '../apply/operation.js';
import { cutoverTime } from '../apply/gates.js';
import { repointSteps } from '../apply/repoint-steps.js';
import { bindingProblems } from '../apply/retire-steps.js';
import { policySources } from '../plan/split-analysis.js';
import { cutoverFindings, type CutoverFindings } from './findings.js';
import { grantMissing } from '../apply/grant-steps.js';
import { planTrailSource, roleCalls, type TrailSource } from './role-records.js';

/** What verify found. */
export interface VerifyReport extends CutoverFindings {
  planId: string;
  roleName: string;
  window: { start: string; end: string };
  evidence: string;
  /** False when the source cannot list single calls: (a) and (b) are unknown. */
  callsVisible: boolean;
  workloadProblems: string[];
  /** Actions --grant-missing put on each role. */
  granted: Array<{ roleName: string; actions: string[] }>;
  /** Problems that make the exit code 1. */
  problems: number;
}

/** Runs the checks; `source` overrides the plan's evidence source. */
export async function verifyCutover(
  planPath: string,
  aws: AwsOptions,
  io: IoHost,
  options: { source?: TrailSource; grantMissing?: boolean; now?: Date },
): Promise<VerifyReport> {
  const operation = await openOperation(planPath, aws, io, 'verify');
  const { ctx } = operation;
  try {
    const { plan } = ctx;
    const cutover = cutoverTime(ctx.journal, repointSteps(plan).map((s) => s.id));
    if (!cutover) throw new SplitRoleError('NotCutOver', `plan ${plan.planId} has not moved its workloads yet`, 'run `split-role apply PLAN` first');
    const source = { regions: plan.regions, ...verifySource(planTrailSource(plan), options.source) };
    const window = { start: cutover, end: options.now ?? new Date() };
    // Every call of the shared role is a finding; of a new role, only the refused ones.
    const roles = [
      { arn: plan.sharedRole.arn, name: plan.sharedRole.roleName, calls: 'all' as const },
      ...plan.newRoles.map((r) => ({ arn: r.roleArn, name: r.roleName, calls: 'refused' as const })),
    ];
    io.progress('SR_APPLY_P4010', `reading ${evidenceName(source)} from cutover at ${cutover.toISOString()}…`, { source: source.source, since: cutover.toISOString() });
    const calls = ctx.account.evidence ? await roleCalls(ctx.account.evidence, io, roles, source, window) : undefined;
    const findings = calls ? cutoverFindings(plan, policySources(plan.sharedRole), calls) : { denied: [], sharedCalls: [] };
    const workloadProblems = await bindingProblems(ctx);
    const granted: VerifyReport['granted'] = [];
    if (options.grantMissing) {
      for (const role of plan.newRoles) {
        const actions = findings.denied.filter((d) => d.roleName === role.roleName && d.sharedGranted).map((d) => d.action);
        if (actions.length > 0) granted.push({ roleName: role.roleName, actions: await grantMissing(ctx, role, actions) });
      }
    }
    const grantedNow = new Set(granted.flatMap((g) => g.actions.map((a) => `${g.roleName}:${a.toLowerCase()}`)));
    // A refusal the shared role would have met too is not the split's doing; one granted just now is fixed.
    const regressions = findings.denied.filter((d) => d.sharedGranted && !grantedNow.has(`${d.roleName}:${d.action.toLowerCase()}`));
    return {
      planId: plan.planId,
      roleName: plan.sharedRole.roleName,
      window: { start: window.start.toISOString(), end: window.end.toISOString() },
      evidence: evidenceName(source),
      callsVisible: calls !== undefined,
      ...findings,
      workloadProblems,
      granted,
      problems: regressions.length + findings.sharedCalls.length + workloadProblems.length,
    };
  } finally {
    operation.close();
  }
}

/**
 * Where verify reads: the plan's source, or the command line's. Flags for the
 * plan's own source only override what they name (another workgroup, the
 * same table); another source stands alone.
 */
export function verifySource(planned: TrailSource, given: TrailSource | undefined): TrailSource {
  if (!given) return planned;
  if (given.source !== planned.source) return given;
  const athena = planned.athena || given.athena ? { athena: { ...planned.athena, ...given.athena } } : {};
  return { ...planned, ...given, ...athena };
}

/** How the report names where it read: the trail files, the Athena table or the Lake store, else the source. */
function evidenceName(source: TrailSource): string {
  return source.cloudtrailLogs ?? (source.athena?.table ? `athena ${source.athena.table}` : source.eventDataStore ? `cloudtrail-lake ${source.eventDataStore}` : source.source);
}
