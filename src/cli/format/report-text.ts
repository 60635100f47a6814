/**
 * The text of `split-role report`: per account, a small chart of % compliant,
 * opened/closed, and time to remediate. Names come from a file, so controls are made visible.
 */
import { visibleControls } from '../../core/escape.js';
import type { AccountKpis } from '../../kpi/summary.js';
import { renderTable } from './table.js';

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/** Runs shown in the chart: the latest ones, so it fits a terminal line. */
const CHART_RUNS = 60;

/** Renders the KPIs of every account. */
export function renderReportText(accounts: readonly AccountKpis[]): string {
  if (accounts.length === 0) return 'The history holds no runs.';
  return accounts.map(renderAccount).join('\n\n');
}

function renderAccount(kpis: AccountKpis): string {
  const first = kpis.runs[0];
  const last = kpis.runs.at(-1);
  const lines = [
    `Account ${visibleControls(kpis.account)}: ${kpis.runs.length} ${kpis.runs.length === 1 ? 'run' : 'runs'}, ${first?.at ?? '-'} → ${last?.at ?? '-'}`,
  ];
  lines.push(
    `  % compliant  ${chart(kpis.runs.map((r) => r.compliantPercent))}  ${first?.compliantPercent ?? '-'}% → ${last?.compliantPercent ?? '-'}%`,
  );
  const opened = kpis.runs.slice(1).reduce((sum, r) => sum + r.opened, 0);
  const closed = kpis.runs.reduce((sum, r) => sum + r.closed, 0);
  lines.push(`  findings     ${last?.findings ?? 0} open now; ${opened} opened and ${closed} closed since the first run`);
  lines.push(
    `  time to remediate  ${kpis.meanDaysToRemediate === null ? 'no finding closed yet' : `mean ${kpis.meanDaysToRemediate} days over ${kpis.closed} closed`}`,
  );
  if (kpis.findings.length > 0) {
    lines.push(
      '',
      renderTable(
        ['ROLE', 'FINDING', 'FIRST SEEN', 'CLOSED', 'DAYS'],
        kpis.findings.map((f) => [visibleControls(f.role), visibleControls(f.kind), f.firstSeen, f.closedAt ?? 'open', String(f.days)]),
      )
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n'),
    );
  }
  return lines.join('\n');
}

/** One block per run, from ▁ (0%) to █ (100%). */
function chart(values: readonly number[]): string {
  return values
    .slice(-CHART_RUNS)
    .map((v) => BARS[Math.min(BARS.length - 1, Math.floor((v / 100) * BARS.length))])
    .join('');
}
