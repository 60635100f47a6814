/**
 * `split-role verify`: after cutover, read the evidence from cutover to now
 * and report what the new roles were refused, what still calls with the
 * shared role, and the workloads' health; optionally grant back refused
 * actions the shared role allowed.
 */
import { SplitRoleError } from '../core/errors.js';
import type { IoHost } from '../core/io-host.js';
import { openOperation, type AccountSource } from '../apply/operation.js';
import { DEFAULT_DELIVERY_LAG_MS, notEnoughEvidence } from '../apply/gates.js';
import { assertClocksAgree } from '../aws/aws-clock.js';
import { cloudTrailTime, reaches } from '../evidence/evidence-reach.js';
import { grantable } from './grantable.js';
import { planCutoverTime } from '../apply/code-cutover.js';
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
  /** Records read, the latest event time they reach, and the time they must reach (cutover + delivery margin). */
  reach?: { records: number; latest?: string; needed: string };
  /** False when the evidence stops short of `reach.needed`: no finding then is no proof of none ("not enough evidence yet"). */
  enoughEvidence: boolean;
  workloadProblems: string[];
  /** Actions --grant-missing put on each role. */
  granted: Array<{ roleName: string; actions: string[] }>;
  /** Refused actions --grant-missing left out: the role's service never used them before cutover (--grant-any grants them). */
  notGranted: Array<{ roleName: string; actions: string[] }>;
  /** Problems that make the exit code 1. */
  problems: number;
}

/** Runs the checks; `source` picks where to read, given the plan's evidence settings (default: those). */
export async function verifyCutover(
  planPath: string,
  account: AccountSource,
  io: IoHost,
  options: {
    source?: (planned: EvidenceSettings) => EvidenceSettings;
    grantMissing?: boolean;
    /** With grantMissing: also actions the role's service never used before cutover (only the shared role's grants bound them). */
    grantAny?: boolean;
    /** How late CloudTrail may deliver (--delivery-lag); default 15 min. */
    deliveryLagMs?: number;
    now?: Date;
    /** --cutover-at: when the code's cutover deploy finished (Terraform; for a stack, DescribeStackEvents says). */
    cutoverAt?: Date;
  },
): Promise<VerifyReport> {
  const operation = await openOperation(planPath, account, io, 'verify');
  const { ctx } = operation;
  try {
    const { plan } = ctx;
    // A split made in code cut over when its deploy finished (code-cutover.ts); a live one when its last repoint did.
    const cutover = await planCutoverTime(ctx, options.cutoverAt ? { cutoverAt: options.cutoverAt } : {});
    if (!cutover)
      throw new SplitRoleError('NotCutOver', `plan ${plan.planId} has not moved its workloads yet`, 'run `split-role apply PLAN` first');
    const planned = planEvidence(plan.evidence);
    const source = { ...(options.source ? options.source(planned) : planned), regions: plan.regions };
    // AWS's clock where an answer showed it (the host's may be off); the plan's reads in openOperation showed it.
    assertClocksAgree(ctx.account.clock, 'verify');
    const window = { start: cutover, end: options.now ?? ctx.account.clock?.aws() ?? new Date() };
    const deliveryLagMs = options.deliveryLagMs ?? DEFAULT_DELIVERY_LAG_MS;
    const needed = new Date(cutover.getTime() + deliveryLagMs);
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
    const read = ctx.account.evidence ? await roleCalls(ctx.account.evidence, io, roles, source, window) : undefined;
    const findings = read ? cutoverFindings(plan, policySources(plan.sharedRole), read.byRole) : { denied: [], sharedCalls: [] };
    const enoughEvidence = !read || reaches(read.reach, needed);
    if (read && !enoughEvidence)
      io.warn('SR_APPLY_W4013', notEnoughEvidence(read.reach, evidenceName, needed, deliveryLagMs), { ...read.reach });
    const workloadProblems = await bindingProblems(ctx);
    const granted: VerifyReport['granted'] = [];
    const notGranted: VerifyReport['notGranted'] = [];
    if (options.grantMissing) {
      for (const role of plan.newRoles) {
        const refused = findings.denied.filter((d) => d.roleName === role.roleName && d.sharedGranted).map((d) => d.action);
        const { grant, withheld } = grantable(role, refused, options.grantAny === true);
        if (withheld.length > 0) {
          notGranted.push({ roleName: role.roleName, actions: withheld });
          io.warn(
            'SR_APPLY_W4012',
            `not granted to ${role.roleName}: ${withheld.join(', ')}; ${role.service} never used ${withheld.length === 1 ? 'it' : 'them'} before cutover (--grant-any grants ${withheld.length === 1 ? 'it' : 'them'} anyway)`,
            { role: role.roleName, actions: withheld },
          );
        }
        if (grant.length > 0) granted.push({ roleName: role.roleName, actions: await grantMissing(ctx, role, grant) });
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
      callsVisible: read !== undefined,
      ...(read ? { reach: { ...read.reach, needed: cloudTrailTime(needed) } } : {}),
      enoughEvidence,
      ...findings,
      workloadProblems,
      granted,
      notGranted,
      problems: regressions.length + findings.sharedCalls.length + workloadProblems.length,
    };
  } finally {
    operation.close();
  }
}
