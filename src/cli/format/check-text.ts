/** The human-readable `check` output: findings by file and line, then what was suppressed, unresolved or unreadable. */
import type { CheckReport, CheckRoleRef } from '../../check/check-report.js';
import { findingsBlock } from './finding-cells.js';

/** Renders a check report for a terminal. */
export function renderCheckText(report: CheckReport): string {
  const lines = findingsBlock(report.findings, { LOCATION: where, ROLE: (f) => f.resource });
  if (report.suppressed.length > 0) {
    lines.push('Suppressed with split-role:allow-shared:');
    for (const s of report.suppressed) lines.push(`  ${where(s)} ${s.resource} (${s.kinds.join(', ')}): ${s.reason}`);
    lines.push('');
  }
  if (report.unresolved.length > 0) {
    lines.push('Unresolved (analysed as far as the code allows):');
    for (const u of report.unresolved) {
      lines.push(`  ${where(u)} ${u.resource}:`);
      for (const item of u.unresolved) lines.push(`    - ${item}`);
    }
    lines.push('');
  }
  if (report.unreadable.length > 0) {
    lines.push('Unreadable (skipped):');
    for (const u of report.unreadable)
      lines.push(`  ${u.file}${u.line ? `:${u.line}` : ''}${u.resource ? ` ${u.resource}` : ''}: ${u.reason}`);
    lines.push('');
  }
  lines.push(summaryLine(report));
  return lines.join('\n');
}

function where(ref: Pick<CheckRoleRef, 'file' | 'line'>): string {
  return ref.line ? `${ref.file}:${ref.line}` : ref.file;
}

function summaryLine(report: CheckReport): string {
  const s = report.summary;
  const files = [`${s.filesChecked} IaC ${s.filesChecked === 1 ? 'file' : 'files'}`];
  if (s.filesSkipped > 0) files.push(`${s.filesSkipped} other skipped`);
  if (s.filesUnreadable > 0) files.push(`${s.filesUnreadable} unreadable`);
  const roles = [`${s.findings} shared ${s.findings === 1 ? 'role' : 'roles'}`];
  if (s.suppressed > 0) roles.push(`${s.suppressed} suppressed`);
  if (s.unresolved > 0) roles.push(`${s.unresolved} partly unresolved`);
  if (s.rolesUnreadable > 0) roles.push(`${s.rolesUnreadable} unreadable`);
  const compliant = s.rolesChecked - s.findings - s.suppressed - s.rolesUnreadable;
  return (
    `Checked ${s.rolesChecked} ${s.rolesChecked === 1 ? 'role' : 'roles'} in ${files.join(', ')}: ${roles.join(', ')}. ` +
    `Single-service compliance: ${s.compliantPercent}% (${compliant} of ${s.rolesChecked} roles).`
  );
}
