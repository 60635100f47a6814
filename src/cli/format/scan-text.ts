/** The human-readable scan output: a table of findings and a summary line. */
import { visibleControls } from '../../core/escape.js';
import type { ScanReport } from '../../scan/report.js';
import type { OrgScanReport } from '../../scan/scan-org.js';
import { findingsBlock } from './finding-cells.js';

/** Renders a scan report for a terminal. */
export function renderScanText(report: ScanReport): string {
  const lines = findingsBlock(report.findings, { ROLE: (f) => f.roleName });
  lines.push(summaryLine(report));
  return lines.join('\n');
}

function summaryLine(report: ScanReport): string {
  const s = report.summary;
  const compliant = s.rolesInScope - s.findings - s.unreadable;
  const parts = [`${s.findings} shared ${s.findings === 1 ? 'role' : 'roles'}`, `${s.serviceLinkedExcluded} service-linked excluded`];
  if (s.unreadable > 0) parts.push(`${s.unreadable} unreadable`);
  return (
    `Scanned ${s.rolesScanned} roles in ${report.account} (${report.region}): ${parts.join(', ')}. ` +
    `Single-service compliance: ${s.compliantPercent}% (${compliant} of ${s.rolesInScope} in-scope roles).`
  );
}

/** Renders a scan of many accounts: one block per account, then the organization's totals. */
export function renderOrgScanText(report: OrgScanReport): string {
  const blocks = report.accounts.map((a) => {
    const title = `== Account ${a.account}${a.name ? ` (${visibleControls(a.name)})` : ''}`;
    return a.status === 'scanned' ? `${title}\n${renderScanText(a.report)}` : `${title}: unreachable — ${visibleControls(a.reason)}`;
  });
  const s = report.summary;
  blocks.push(
    `Organization: ${s.scanned} of ${s.accounts} accounts scanned` +
      (s.unreachable > 0 ? ` (${s.unreachable} unreachable)` : '') +
      `, ${s.rolesScanned} roles, ${s.findings} shared. Single-service compliance over reachable accounts: ${s.compliantPercent}% of ${s.rolesInScope} in-scope roles.`,
  );
  return blocks.join('\n\n');
}
