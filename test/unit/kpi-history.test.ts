import { describe, expect, it } from 'vitest';
import { historyEntry, parseHistory, type HistoryEntry } from '../../src/kpi/history.js';
import { summariseHistory } from '../../src/kpi/summary.js';
import { renderReportText } from '../../src/cli/format/report-text.js';
import type { ScanReport } from '../../src/scan/report.js';

const id = (n: number) => n.toString(16).padStart(64, '0');
const run = (account: string, day: number, percent: number, ids: number[]): HistoryEntry => ({
  v: 1,
  at: new Date(Date.UTC(2026, 8, 1 + day)).toISOString(),
  account,
  region: 'eu-west-1',
  summary: { rolesInScope: 10, findings: ids.length, unreadable: 0, compliantPercent: percent },
  findings: ids.map((n) => ({ id: id(n), role: `role-${n}`, kind: 'multi-service' })),
});

describe('KPI history', () => {
  const history = [
    run('111111111111', 0, 70, [1, 2, 3]),
    run('222222222222', 0, 90, [9]),
    run('111111111111', 7, 80, [2, 3, 4]),
    run('111111111111', 14, 90, [4]),
    // Out of order in the file: runs are sorted by time.
    run('111111111111', 10, 80, [3, 4]),
    run('111111111111', 21, 90, [1]),
  ];

  it('keeps accounts apart and follows opened and closed findings between runs', () => {
    const [a, b] = summariseHistory(history);
    expect(a?.account).toBe('111111111111');
    expect(a?.runs.map((r) => [r.compliantPercent, r.findings, r.opened, r.closed])).toEqual([
      [70, 3, 3, 0],
      [80, 3, 1, 1],
      [80, 2, 0, 1],
      [90, 1, 0, 1],
      [90, 1, 1, 1],
    ]);
    expect(b?.runs).toHaveLength(1);
    expect(b?.findings.map((f) => f.role)).toEqual(['role-9']);
  });

  it('measures time to remediate per finding and on average; a finding that returns starts a new life', () => {
    const [a] = summariseHistory(history);
    const life = (role: string) =>
      a!.findings.filter((f) => f.role === role).map((f) => [f.firstSeen.slice(0, 10), f.closedAt?.slice(0, 10) ?? 'open', f.days]);
    expect(life('role-1')).toEqual([
      ['2026-09-01', '2026-09-08', 7],
      ['2026-09-22', 'open', 0],
    ]);
    expect(life('role-2')).toEqual([['2026-09-01', '2026-09-11', 10]]);
    expect(life('role-3')).toEqual([['2026-09-01', '2026-09-15', 14]]);
    expect(life('role-4')).toEqual([['2026-09-08', '2026-09-22', 14]]);
    expect([a!.open, a!.closed, a!.meanDaysToRemediate]).toEqual([1, 4, 11.3]);
  });

  it('renders a chart per account and makes control characters in names visible', () => {
    const text = renderReportText(
      summariseHistory(
        [...history, run('333333333333', 0, 0, [])].map((e) =>
          e.account === '222222222222' ? { ...e, findings: [{ ...e.findings[0]!, role: 'evil\u001b[2J' }] } : e,
        ),
      ),
    );
    expect(text).toContain('  % compliant  ▆▇▇██  70% → 90%');
    expect(text).toContain('evil\\u001B[2J');
    expect(text).not.toContain('\u001b');
    expect(text).toContain('time to remediate  no finding closed yet');
  });

  it('writes a line from a scan report with the SARIF fingerprints, and reads it back', () => {
    const report = {
      account: '111111111111',
      partition: 'aws',
      region: 'eu-west-1',
      summary: { rolesScanned: 3, serviceLinkedExcluded: 0, rolesInScope: 3, findings: 1, unreadable: 0, compliantPercent: 66.6 },
      findings: [
        {
          roleName: 'r',
          roleArn: 'arn:aws:iam::111111111111:role/r',
          path: '/',
          kinds: ['multi-service', 'service-and-cross-account'],
          services: [],
          otherPrincipals: [],
          conditional: false,
          notes: [],
          unresolved: [],
        },
      ],
      serviceRoles: [],
      unreadable: [],
    } satisfies ScanReport;
    const entry = historyEntry(report, new Date('2026-09-01T00:00:00Z'));
    expect(entry.findings.map((f) => f.kind)).toEqual(['multi-service', 'service-and-cross-account']);
    expect(new Set(entry.findings.map((f) => f.id)).size).toBe(2);
    expect(parseHistory(`${JSON.stringify(entry)}\n\n`)).toEqual([entry]);
  });

  it('names the line of a malformed entry', () => {
    const good = JSON.stringify(run('111111111111', 0, 100, []));
    expect(() => parseHistory(`${good}\nnot json\n`)).toThrow(/^line 2 is not JSON$/);
    expect(() => parseHistory(`${good}\n{"v":1}\n`)).toThrow(/^line 2 is not a history entry \(at: /);
  });
});
