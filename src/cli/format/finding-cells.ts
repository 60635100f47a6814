/** What `scan` and `check` render alike for findings: the table and its cells. */
import type { FindingBody } from '../../trust/finding.js';
import { renderTable } from './table.js';

/**
 * The findings table, or the line saying there is none, then a blank line.
 * `lead` names the command's own first columns (header → cell); services,
 * other principals and the finding follow.
 */
export function findingsBlock<F extends FindingBody>(findings: readonly F[], lead: Record<string, (finding: F) => string>): string[] {
  if (findings.length === 0) return ['No shared roles found.', ''];
  const cells = Object.values(lead);
  const rows = findings.map((f) => [...cells.map((cell) => cell(f)), f.services.join(', '), otherPrincipalsCell(f), findingCell(f)]);
  return [renderTable([...Object.keys(lead), 'SERVICES', 'OTHER PRINCIPALS', 'FINDING'], rows), ''];
}

/** The OTHER PRINCIPALS cell: each principal, marked when cross-account. */
export function otherPrincipalsCell(finding: Pick<FindingBody, 'otherPrincipals'>): string {
  return finding.otherPrincipals.map((p) => (p.crossAccount ? `${p.principal} (cross-account)` : p.principal)).join(', ') || '-';
}

/** The FINDING cell: kinds plus qualifiers. */
export function findingCell(finding: FindingBody): string {
  return (
    finding.kinds.join(', ') + (finding.conditional ? ' (conditional)' : '') + (finding.unresolved.length > 0 ? ' (partly unresolved)' : '')
  );
}
