/** Table cells that `scan` and `check` render alike for a finding. */
import type { FindingBody } from '../../trust/finding.js';

/** The OTHER PRINCIPALS cell: each principal, marked when cross-account. */
export function otherPrincipalsCell(finding: Pick<FindingBody, 'otherPrincipals'>): string {
  return finding.otherPrincipals.map((p) => (p.crossAccount ? `${p.principal} (cross-account)` : p.principal)).join(', ') || '-';
}

/** The FINDING cell: kinds plus qualifiers. */
export function findingCell(finding: FindingBody): string {
  return (
    finding.kinds.join(', ') +
    (finding.conditional ? ' (conditional)' : '') +
    (finding.unresolved.length > 0 ? ' (partly unresolved)' : '')
  );
}
