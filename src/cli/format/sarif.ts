/**
 * SARIF 2.1.0 output for code-scanning dashboards. Rule ids and fingerprints
 * are stable across runs so a dashboard tracks one alert per role and kind.
 */
import { createHash } from 'node:crypto';
import { VERSION } from '../../core/version.js';
import type { ScanReport } from '../../scan/report.js';
import type { FindingKind } from '../../trust/analyse.js';

/** The rule behind each finding kind. Ids never change once published. */
export const SARIF_RULES: Record<FindingKind, { id: string; name: string; short: string; full: string }> = {
  'multi-service': {
    id: 'SR001',
    name: 'MultiServiceRole',
    short: 'IAM role assumable by more than one AWS service',
    full: 'Each service that can assume the role receives every permission the others need. Split it into one role per service with `split-role plan`.',
  },
  'service-and-cross-account': {
    id: 'SR002',
    name: 'ServiceAndCrossAccountRole',
    short: 'IAM role assumable by an AWS service and by another account',
    full: 'A principal outside the account can obtain the same credentials that a service workload uses. Give the external principal its own role.',
  },
};

/** One finding to report, wherever it was found. */
export interface SarifFinding {
  kind: FindingKind;
  message: string;
  /** Identifies the role for fingerprinting: an ARN, or file + logical id. */
  identity: string;
  /** A URI for the location: a file path, or the role ARN for live accounts. */
  uri: string;
  line?: number;
  logicalName: string;
}

/** Builds a SARIF log from findings. */
export function buildSarif(findings: readonly SarifFinding[]): object {
  const kinds = Object.keys(SARIF_RULES) as FindingKind[];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'split-role',
            version: VERSION,
            informationUri: 'https://github.com/split-role/split-role',
            rules: kinds.map((kind) => {
              const rule = SARIF_RULES[kind];
              return {
                id: rule.id,
                name: rule.name,
                shortDescription: { text: rule.short },
                fullDescription: { text: rule.full },
                defaultConfiguration: { level: 'error' },
                properties: { tags: ['security', 'iam', 'least-privilege'] },
              };
            }),
          },
        },
        results: findings.map((finding) => {
          const rule = SARIF_RULES[finding.kind];
          return {
            ruleId: rule.id,
            ruleIndex: kinds.indexOf(finding.kind),
            level: 'error',
            message: { text: finding.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: finding.uri },
                  ...(finding.line ? { region: { startLine: finding.line } } : {}),
                },
                logicalLocations: [{ name: finding.logicalName, kind: 'resource' }],
              },
            ],
            partialFingerprints: { 'splitRoleFinding/v1': fingerprint(rule.id, finding.identity) },
          };
        }),
      },
    ],
  };
}

/** SARIF for a live-account scan: one result per role and finding kind. */
export function scanToSarif(report: ScanReport): object {
  return buildSarif(
    report.findings.flatMap((f) =>
      f.kinds.map((kind) => ({
        kind,
        message: `Role ${f.roleName} can be assumed by ${[...f.services, ...f.otherPrincipals.map((p) => p.principal)].join(', ')}.`,
        identity: f.roleArn,
        uri: f.roleArn,
        logicalName: f.roleName,
      })),
    ),
  );
}

function fingerprint(ruleId: string, identity: string): string {
  return createHash('sha256').update(`${ruleId}\u0000${identity}`).digest('hex');
}
