/**
 * `split-role verify`: after cutover, read the evidence from cutover to now
 * and report what the new roles were refused, what still calls with the
 * shared role, and the workloads' health; optionally grant back refused
 * actions the shared role allowed.
 */
import { SplitRoleError } from '../core/errors.js';
import type { IoHost } from '../core/io-host.js';
import { openOperation, type AccountSource } from '../apply/operation.js';
import { cutoverTime } from '../apply/gates.js';
import { repointSteps } from '../apply/repoint-steps.js';
import { bindingProblems } from '../apply/retire-steps.js';
import { policySources } from '../plan/split-analysis.js';
import { cutoverFindings, type CutoverFindings } from './findings.js';
import { grantMissing } from '../apply/grant-steps.js';
import { roleCalls } from '../evidence/role-records.js';
import { planEvidence } from '../evidence/settings.js';
import type { EvidenceSettings } from '../evidence/source.js';
import { usageSource } from '../evidence/sources.js';

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

/** Runs the checks; `source` picks where to read, given the plan's evidence settings (default: those). */
export async function verifyCutover(
  planPath: string,
  account: AccountSource,
  io: IoHost,
  options: { source?: (planned: EvidenceSettings) => EvidenceSettings; grantMissing?: boolean; now?: Date },
): Promise<VerifyReport> {
  const operation = await openOperation(planPath, account, io, 'verify');
  const { ctx } = operation;
  try {
    const { plan } = ctx;
    const cutover = cutoverTime(
      ctx.journal,
      repointSteps(plan).map((s) => s.id),
    );
    if (!cutover)
      throw new SplitRoleError('NotCutOver', `plan ${plan.planId} has not moved its workloads yet`, 'run `split-role apply PLAN` first');
    const planned = planEvidence(plan.evidence);
    const source = { ...(options.source ? options.source(planned) : planned), regions: plan.regions };
    const window = { start: cutover, end: options.now ?? new Date() };
    // Every call of the shared role is a finding; of a new role, only the refused ones.
    const roles = [
      { arn: plan.sharedRole.arn, name: plan.sharedRole.roleName, calls: 'all' as const },
      ...plan.newRoles.map((r) => ({ arn: r.roleArn, name: r.roleName, calls: 'refused' as const })),
    ];
    const evidenceName = usageSource(source.source).describe(source.config);
    io.progress('SR_APPLY_P4010', `reading ${evidenceName} from cutover at ${cutover.toISOString()}…`, {
      source: source.source,
      since: cutover.toISOString(),
    });
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
      evidence: evidenceName,
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
