/**
 * The guardrail's verdict on one live role and the alert it sends. Pure. The
 * verdict is `scan`'s own: the role goes through buildScanReport, so a role
 * the guardrail flags is exactly a role `split-role scan` would report.
 */
import type { RoleSummary } from '../aws/iam.js';
import { visibleControls } from '../core/escape.js';
import { buildScanReport, type ScanFinding } from '../scan/report.js';
import { ruleFor } from '../trust/rules/index.js';
import { isServiceLinkedRole } from '../trust/role-scope.js';

/** What the guardrail concluded about a role. */
export type RoleVerdict =
  | { status: 'non-compliant'; finding: ScanFinding; owner?: string }
  | { status: 'compliant' }
  | { status: 'not-applicable'; reason: string }
  | { status: 'unreadable'; reason: string };

/** Where the alert says the change happened. */
export interface AlertContext {
  account: string;
  /** The IAM call that triggered the check, or "AWS Config evaluation". */
  trigger: string;
  eventTime?: string;
  actor?: string;
  ownerTag: string;
}

/** An SNS message: a short subject, a plain-text body, and attributes subscribers can filter on. */
export interface Alert {
  subject: string;
  message: string;
  /** `owner`, `account`, `findingKind`: a subscription filter policy on `owner` routes the alert to the role's team. */
  attributes: Record<string, string>;
}

/** SNS subject limit: 100 printable ASCII characters. */
const MAX_SUBJECT = 100;

/** Judges one role with scan's rules, in the role's own account. */
export function judgeLiveRole(role: RoleSummary, account: string, ownerTag: string): RoleVerdict {
  if (isServiceLinkedRole(role.path)) return { status: 'not-applicable', reason: 'service-linked role (managed by AWS)' };
  const partition = /^arn:([^:]+):/.exec(role.roleArn)?.[1] ?? 'aws';
  const report = buildScanReport([role], { account, partition, region: 'us-east-1' });
  const unreadable = report.unreadable[0];
  if (unreadable) return { status: 'unreadable', reason: unreadable.reason };
  const finding = report.findings[0];
  if (!finding) return { status: 'compliant' };
  const owner = ownerOf(role, ownerTag);
  return owner === undefined ? { status: 'non-compliant', finding } : { status: 'non-compliant', finding, owner };
}

/** The owner tag's value (IAM tag keys are case-insensitive), or undefined when absent or empty. */
function ownerOf(role: RoleSummary, ownerTag: string): string | undefined {
  const key = Object.keys(role.tags ?? {}).find((k) => k.toLowerCase() === ownerTag.toLowerCase());
  const value = key === undefined ? undefined : role.tags?.[key]?.trim();
  return value === '' ? undefined : value;
}

/** The alert for a non-compliant role: role and account, who can assume it, the rules it breaks, its owner. */
export function alertFor(verdict: Extract<RoleVerdict, { status: 'non-compliant' }>, context: AlertContext): Alert {
  const { finding } = verdict;
  const rules = finding.kinds.map((kind) => ruleFor(kind));
  const others = finding.otherPrincipals.map((p) => `${p.principal}${p.crossAccount ? ' (cross-account)' : ''}`);
  // Outside data (principals, tags, the caller's ARN) goes into a mail: controls made visible.
  const safe = visibleControls;
  const lines = [
    `Role:       ${safe(finding.roleName)} (${safe(finding.roleArn)})`,
    `Account:    ${context.account}`,
    `Finding:    ${rules.map((r) => `${r.id} ${r.kind}: ${r.short}`).join('; ')}`,
    `Services:   ${finding.services.map(safe).join(', ') || '-'}`,
    `Principals: ${others.map(safe).join(', ') || '-'}`,
    `Owner:      ${verdict.owner === undefined ? `unknown (no ${safe(context.ownerTag)} tag)` : safe(verdict.owner)}`,
    `Trigger:    ${context.trigger}${context.eventTime ? ` at ${safe(context.eventTime)}` : ''}${context.actor ? ` by ${safe(context.actor)}` : ''}`,
  ];
  if (finding.conditional) lines.push('Note:       some principals are admitted only under a condition.');
  lines.push(...finding.notes.map((note) => `Note:       ${safe(note)}`));
  lines.push('', ...rules.map((r) => r.help), '', `Review with: split-role scan --role ${safe(finding.roleName)}`);
  const subject = `split-role: shared role ${finding.roleName} in ${context.account}`;
  return {
    subject: subject.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_SUBJECT),
    message: `${lines.join('\n')}\n`,
    attributes: {
      account: context.account,
      findingKind: finding.kinds.join(','),
      owner: verdict.owner ?? 'unknown',
    },
  };
}
