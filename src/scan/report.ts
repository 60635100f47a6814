/**
 * The scan report: every role's trust analysis, the findings, and the
 * single-service compliance KPI. Pure: roles and identity come in as data.
 */
import { PolicyParseError } from '../policy/document.js';
import { analyseTrustPolicy, type TrustAnalysis } from '../trust/analyse.js';
import { judgeRole, type Finding, type LiveRoleRef } from '../trust/finding.js';
import { isServiceLinkedRole } from '../trust/role-scope.js';
import type { RuleOptions } from '../trust/rules/types.js';
import type { RoleSummary } from '../aws/iam.js';
import { percent } from '../core/percent.js';

/** A role reported by scan: the shared finding model, located by ARN. */
export type ScanFinding = Finding<LiveRoleRef>;

/** A role whose trust policy could not be read; counted, never fatal. */
export interface UnreadableRole {
  roleName: string;
  roleArn: string;
  reason: string;
}

/** What `scan --json` prints. */
export interface ScanReport {
  account: string;
  partition: string;
  region: string;
  summary: {
    rolesScanned: number;
    serviceLinkedExcluded: number;
    rolesInScope: number;
    findings: number;
    unreadable: number;
    compliantPercent: number;
  };
  findings: ScanFinding[];
  /** Every in-scope role that a service can assume, for the table view. */
  serviceRoles: Array<{ roleName: string; services: string[]; otherPrincipals: string[] }>;
  unreadable: UnreadableRole[];
}

/** Builds the report from the roles listed in one account. */
export function buildScanReport(
  roles: Iterable<RoleSummary>,
  where: { account: string; partition: string; region: string },
  rules: RuleOptions = {},
  /** Workload key → workloads running as the role, from a live workload index (rule SR004); undefined without one. */
  workloadsOf?: (role: RoleSummary) => Readonly<Record<string, readonly string[]>>,
): ScanReport {
  const findings: ScanFinding[] = [];
  const unreadable: UnreadableRole[] = [];
  const serviceRoles: ScanReport['serviceRoles'] = [];
  let scanned = 0;
  let excluded = 0;
  // Why: most roles in an account share a trust policy byte for byte (every
  // Lambda execution role, every CDK-made ECS task role), and analysis is pure
  // in (document, account), so each distinct document is analysed once. This is
  // most of scan's own CPU time, and a CLI run never gets its JIT warm.
  const analyses = new Map<string, TrustAnalysis>();

  for (const role of roles) {
    scanned += 1;
    if (isServiceLinkedRole(role.path)) {
      excluded += 1;
      continue;
    }
    let analysis = analyses.get(role.trustPolicy);
    if (!analysis) {
      try {
        analysis = analyseTrustPolicy(role.trustPolicy, where.account);
      } catch (error) {
        if (!(error instanceof PolicyParseError)) throw error;
        unreadable.push({ roleName: role.roleName, roleArn: role.roleArn, reason: error.message });
        continue;
      }
      analyses.set(role.trustPolicy, analysis);
    }
    if (analysis.services.length > 0) {
      serviceRoles.push({
        roleName: role.roleName,
        // Copies: roles with the same document share one analysis.
        services: [...analysis.services],
        otherPrincipals: analysis.otherPrincipals.map((p) => p.principal),
      });
    }
    const judged = judgeRole(analysis, {
      rules,
      ...(role.tags ? { tags: role.tags } : {}),
      ...(workloadsOf ? { workloadNames: workloadsOf(role) } : {}),
    });
    if (judged.kinds.length > 0) findings.push({ roleName: role.roleName, roleArn: role.roleArn, path: role.path, ...judged });
  }

  const inScope = scanned - excluded;
  const compliant = inScope - findings.length - unreadable.length;
  findings.sort((a, b) => a.roleName.localeCompare(b.roleName));
  serviceRoles.sort((a, b) => a.roleName.localeCompare(b.roleName));
  return {
    ...where,
    summary: {
      rolesScanned: scanned,
      serviceLinkedExcluded: excluded,
      rolesInScope: inScope,
      findings: findings.length,
      unreadable: unreadable.length,
      compliantPercent: percent(compliant, inScope),
    },
    findings,
    serviceRoles,
    unreadable,
  };
}
