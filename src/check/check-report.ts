/**
 * The `check` report: the trust analysis of every role that infrastructure
 * code defines, shaped like scan's report (a `findings` array with `services`
 * and `kinds`), plus where each role is written, what could not be resolved,
 * what was suppressed, and which files could not be read. Pure.
 */
import { resolveTrustPolicy, THIS_ACCOUNT } from '../iac/resolve.js';
import type { IacFileOutcome, IacFileRoles, IacFormat, IacRole } from '../iac/types.js';
import { PolicyParseError } from '../policy/document.js';
import { analyseTrustPolicy, type TrustAnalysis } from '../trust/analyse.js';
import { judgeRole, type CodeRoleRef, type Finding, type FindingBody } from '../trust/finding.js';
import { percent } from '../core/percent.js';

/** Where a role is defined. */
export interface CheckRoleRef extends CodeRoleRef {
  format: IacFormat;
}

/** A role reported by check: the shared finding model, located by file and line. */
export type CheckFinding = Finding<CheckRoleRef>;

/** A finding accepted in the code with `split-role:allow-shared`. */
export interface SuppressedFinding extends CheckFinding {
  reason: string;
  suppressedBy: 'tag' | 'metadata';
}

/** A file or role that could not be read, and why. */
export interface CheckUnreadable {
  file: string;
  resource?: string;
  line?: number;
  reason: string;
}

/** What `check --json` prints. */
export interface CheckReport {
  paths: string[];
  summary: {
    filesChecked: number;
    filesSkipped: number;
    filesUnreadable: number;
    rolesChecked: number;
    findings: number;
    suppressed: number;
    unresolved: number;
    rolesUnreadable: number;
    compliantPercent: number;
  };
  findings: CheckFinding[];
  suppressed: SuppressedFinding[];
  /** Every role with unresolved parts, whether or not it is a finding. */
  unresolved: Array<CheckRoleRef & { services: string[]; unresolved: string[]; finding: boolean }>;
  /** Every role some service can assume, for the table view; notes say how it was read (an implicit SAM role, say). */
  serviceRoles: Array<CheckRoleRef & { services: string[]; otherPrincipals: string[]; notes?: string[] }>;
  unreadable: CheckUnreadable[];
}

/** Options of the analysis. */
export interface CheckReportOptions {
  paths: string[];
  /** Accounts the code deploys to: their principals are not cross-account. When given, CDK manifests' target accounts are ignored. */
  ownAccounts?: readonly string[];
}

const EMPTY_REASON_NOTE = 'split-role:allow-shared is set without a reason, so it does not suppress this finding';

/** Builds the report from the outcome of reading each file. */
export function buildCheckReport(outcomes: readonly IacFileOutcome[], options: CheckReportOptions): CheckReport {
  const given = options.ownAccounts ?? [];
  const own = new Set([THIS_ACCOUNT, ...given]);
  const report: CheckReport = {
    paths: [...options.paths],
    summary: {
      filesChecked: 0,
      filesSkipped: 0,
      filesUnreadable: 0,
      rolesChecked: 0,
      findings: 0,
      suppressed: 0,
      unresolved: 0,
      rolesUnreadable: 0,
      compliantPercent: 100,
    },
    findings: [],
    suppressed: [],
    unresolved: [],
    serviceRoles: [],
    unreadable: [],
  };
  // Why cache: generated code repeats trust policies (every CDK Lambda role is
  // the same document), and analysis is pure in the resolved document.
  const analyses = new Map<string, TrustAnalysis>();
  for (const outcome of outcomes) {
    if (outcome.status === 'skipped') {
      report.summary.filesSkipped += 1;
      continue;
    }
    if (outcome.status === 'unreadable') {
      report.summary.filesUnreadable += 1;
      report.unreadable.push({ file: outcome.file, reason: outcome.reason });
      continue;
    }
    report.summary.filesChecked += 1;
    // `--account` overrides what a CDK manifest says the file deploys to.
    const ownHere = given.length === 0 && outcome.targetAccount ? new Set([THIS_ACCOUNT, outcome.targetAccount]) : own;
    for (const role of outcome.roles) {
      report.summary.rolesChecked += 1;
      const ref = refOf(outcome.file, outcome.format, role);
      const judged = judge(role, outcome, analyses, ownHere);
      if ('unreadable' in judged) {
        report.unreadable.push({
          file: ref.file,
          resource: ref.resource,
          ...(ref.line ? { line: ref.line } : {}),
          reason: judged.unreadable,
        });
        report.summary.rolesUnreadable += 1;
        continue;
      }
      record(report, ref, role, judged);
    }
  }
  const s = report.summary;
  s.findings = report.findings.length;
  s.suppressed = report.suppressed.length;
  s.unresolved = report.unresolved.length;
  s.compliantPercent = percent(s.rolesChecked - s.findings - s.suppressed - s.rolesUnreadable, s.rolesChecked);
  for (const list of [report.findings, report.suppressed, report.unresolved, report.serviceRoles, report.unreadable]) list.sort(byPlace);
  return report;
}

type Judged = FindingBody | { unreadable: string };

function judge(
  role: IacRole,
  file: Pick<IacFileRoles, 'mappings' | 'localArns'>,
  cache: Map<string, TrustAnalysis>,
  own: Set<string>,
): Judged {
  const resolved =
    role.trustPolicy === undefined
      ? { unresolved: [], notes: [] }
      : resolveTrustPolicy(role.trustPolicy, {
          dialect: role.dialect,
          ...(file.mappings ? { mappings: file.mappings } : {}),
          ...(file.localArns ? { localArns: file.localArns } : {}),
        });
  const unresolved = [...role.unresolved, ...resolved.unresolved];
  const empty = { kinds: [], services: [], otherPrincipals: [], conditional: false, notes: [...resolved.notes], unresolved };
  if (resolved.document === undefined) return empty;
  let analysis: TrustAnalysis;
  try {
    const key = JSON.stringify(resolved.document);
    analysis = cache.get(key) ?? analyseTrustPolicy(resolved.document, THIS_ACCOUNT);
    cache.set(key, analysis);
  } catch (error) {
    if (!(error instanceof PolicyParseError)) throw error;
    // With unresolved parts, a policy that does not parse is the resolver's
    // doing as much as the author's: report it as unresolved, not broken.
    if (unresolved.length === 0) return { unreadable: `trust policy: ${error.message}` };
    return { ...empty, unresolved: [...unresolved, `(policy): cannot be analysed: ${error.message}`] };
  }
  const display = (text: string) => (role.dialect === 'cloudformation' ? text.replaceAll(THIS_ACCOUNT, '${AWS::AccountId}') : text);
  return judgeRole(analysis, { ownAccounts: own, display, notes: [...resolved.notes, ...(role.notes ?? [])], unresolved });
}

function record(report: CheckReport, ref: CheckRoleRef, role: IacRole, judged: FindingBody): void {
  const entry: CheckFinding = { ...ref, ...judged };
  if (judged.kinds.length > 0) {
    const suppression = role.suppression;
    if (suppression && suppression.reason !== '') {
      report.suppressed.push({ ...entry, reason: suppression.reason, suppressedBy: suppression.source });
    } else {
      if (suppression) entry.notes = [...entry.notes, EMPTY_REASON_NOTE];
      report.findings.push(entry);
    }
  }
  if (judged.services.length > 0) {
    report.serviceRoles.push({
      ...ref,
      services: [...judged.services],
      otherPrincipals: judged.otherPrincipals.map((p) => p.principal),
      ...(judged.notes.length > 0 ? { notes: [...judged.notes] } : {}),
    });
  }
  if (judged.unresolved.length > 0) {
    report.unresolved.push({
      ...ref,
      services: [...judged.services],
      unresolved: [...judged.unresolved],
      finding: judged.kinds.length > 0,
    });
  }
}

function refOf(file: string, format: IacFormat, role: IacRole): CheckRoleRef {
  const ref: CheckRoleRef = {
    file,
    ...(role.line !== undefined ? { line: role.line } : {}),
    format,
    resource: role.resource,
    roleName: role.roleName ?? role.resource,
  };
  if (role.constructPath) ref.constructPath = role.constructPath;
  return ref;
}

function byPlace(a: { file: string; line?: number; resource?: string }, b: { file: string; line?: number; resource?: string }): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if ((a.line ?? 0) !== (b.line ?? 0)) return (a.line ?? 0) - (b.line ?? 0);
  return (a.resource ?? '').localeCompare(b.resource ?? '');
}
