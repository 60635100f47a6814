/** `split-role verify`: thin wiring to src/cutover, and the report as text or JSON. */
import { ExitCode, usageError } from '../../core/errors.js';
import { visibleControls as clean } from '../../core/escape.js';
import type { IoHost } from '../../core/io-host.js';
import { verifyEvidenceSettings } from '../../evidence/settings.js';
import type { EvidenceSettings } from '../../evidence/source.js';
import { usageSources } from '../../evidence/sources.js';
import { verifyCutover, type VerifyReport } from '../../cutover/verify.js';
import { renderTable } from '../format/table.js';
import { parseCutoverAt } from '../../apply/code-cutover.js';
import { parseDuration } from '../duration.js';
import type { GlobalOptions } from '../global-options.js';

/** Flags of `verify`. */
export interface VerifyCommandOptions extends GlobalOptions {
  /** --evidence: another source than the plan's; the sources' own flags ride along in this object, read by the source. */
  evidence?: string;
  json?: boolean;
  grantMissing?: boolean;
  /** With --grant-missing: also actions the role's service never used before cutover. */
  grantAny?: boolean;
  /** --delivery-lag: how late CloudTrail may deliver (default 15m). */
  deliveryLag?: string;
  /** --cutover-at: when the code's cutover deploy finished (Terraform), ISO 8601. */
  cutoverAt?: string;
}

/** Runs verify; exit 0 clean, 1 problems, 2 error, 4 not enough evidence yet (and no problem found). */
export async function runVerify(planPath: string, options: VerifyCommandOptions, io: IoHost): Promise<number> {
  // A bad --delivery-lag or a lone --grant-any is refused before anything is read.
  const deliveryLagMs = parseDuration(options.deliveryLag ?? DEFAULT_DELIVERY_LAG, '--delivery-lag');
  if (options.grantAny && !options.grantMissing) throw usageError('--grant-any goes with --grant-missing', 'pass both, or neither');
  const cutoverAt = parseCutoverAt(options.cutoverAt);
  const terminal = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const source = (planned: EvidenceSettings) => verifyEvidenceSettings(planned, options.evidence, options, terminal);
  const report = await verifyCutover(planPath, options, io, {
    source,
    grantMissing: options.grantMissing,
    grantAny: options.grantAny,
    deliveryLagMs,
    ...(cutoverAt ? { cutoverAt } : {}),
  });
  io.result(options.json ? JSON.stringify(report, null, 2) : renderVerify(report));
  if (report.problems > 0) return ExitCode.findings;
  return report.enoughEvidence ? ExitCode.ok : ExitCode.notEnoughEvidence;
}

/** CloudTrail delivers within about 15 minutes of a call. */
export const DEFAULT_DELIVERY_LAG = '15m';

/** The report for a terminal. Names from the account go through `clean`: they are not trusted. */
export function renderVerify(report: VerifyReport): string {
  const lines = [
    `Verify ${clean(report.roleName)} (plan ${report.planId}) from cutover at ${report.window.start} to ${report.window.end}; evidence: ${clean(report.evidence)}`,
    ...(report.reach
      ? [
          `Read ${report.reach.records} record(s); latest event ${report.reach.latest ?? 'none'} (must reach ${report.reach.needed}: cutover + --delivery-lag).`,
        ]
      : []),
    '',
  ];
  if (!report.callsVisible) {
    const listing = usageSources()
      .filter((s) => 'roleRecords' in s || 'roleCalls' in s)
      .map((s) => s.name);
    lines.push(`The evidence source cannot list single calls: pass --evidence ${listing.join('|')} to check (a) and (b).`, '');
  }
  lines.push('(a) Refused calls by the new roles:');
  lines.push(
    report.denied.length === 0
      ? '  none'
      : renderTable(
          ['ROLE', 'ACTION', 'ERROR', 'CALLS', 'LAST', 'SHARED ROLE GRANTED IT'],
          report.denied.map((d) => [
            clean(d.roleName),
            clean(d.action),
            clean(d.errorCode),
            String(d.count),
            d.lastSeen,
            d.sharedGranted ? 'yes: the split dropped it' : 'no',
          ]),
        ),
    '',
  );
  lines.push(`(b) Calls still made with ${clean(report.roleName)}:`);
  lines.push(
    report.sharedCalls.length === 0
      ? '  none'
      : renderTable(
          ['WORKLOAD', 'SESSION', 'CALLS', 'LATEST', 'ACTIONS'],
          report.sharedCalls.map((c) => [
            clean(c.workload ?? 'not attributed'),
            clean(c.sessionName),
            String(c.count),
            c.latest,
            clean(c.actions.join(', ')),
          ]),
        ),
    '',
  );
  lines.push(
    '(c) Workloads:',
    ...(report.workloadProblems.length === 0
      ? ['  every workload is on its new role and healthy']
      : report.workloadProblems.map((p) => `  ${clean(p)}`)),
    '',
  );
  for (const g of report.granted)
    lines.push(`Granted ${clean(g.roleName)}: ${g.actions.map(clean).join(', ')} (journaled; rollback removes it)`);
  for (const g of report.notGranted)
    lines.push(
      `Not granted ${clean(g.roleName)}: ${g.actions.map(clean).join(', ')} (its service never used them before cutover; --grant-any)`,
    );
  const shortOf = report.enoughEvidence
    ? ''
    : ' Not enough evidence yet: the evidence does not reach cutover + --delivery-lag; run verify again later.';
  lines.push(report.problems > 0 ? `${report.problems} problem(s).${shortOf}` : shortOf ? shortOf.trim() : 'Clean.');
  return lines.join('\n');
}
