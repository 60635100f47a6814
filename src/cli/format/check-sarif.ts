/**
 * SARIF for `check`: one result per role and finding kind, located at the
 * role's file and line so code-scanning annotations land on its definition.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckReport } from '../../check/check-report.js';
import { buildSarif } from './sarif.js';

/** SARIF 2.1.0 for a check report. Suppressed findings are left out. */
export function checkToSarif(report: CheckReport): object {
  return buildSarif(
    report.findings.flatMap((f) =>
      f.kinds.map((kind) => ({
        kind,
        message:
          `Role ${f.resource} can be assumed by ${[...f.services, ...f.otherPrincipals.map((p) => p.principal)].join(', ')}.` +
          (f.unresolved.length > 0 ? ` Unresolved: ${f.unresolved.join('; ')}.` : ''),
        // Why file + resource and not the line: the fingerprint must survive
        // edits above the role, or every such edit would reopen the alert.
        identity: `${f.file}#${f.resource}`,
        uri: artifactUri(f.file),
        ...(f.line ? { line: f.line } : {}),
        logicalName: f.resource,
      })),
    ),
  );
}

/**
 * A file name as a SARIF artifact URI: a relative reference for files under
 * the working directory (code scanning resolves it against the repository
 * root), a file: URL otherwise; percent-encoded either way.
 */
function artifactUri(file: string): string {
  return isAbsolute(file) ? pathToFileURL(file).href : encodeURI(file);
}
