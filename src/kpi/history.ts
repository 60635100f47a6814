/**
 * The KPI history: one JSON line per scan of one account, with the run's
 * summary and the stable id of every finding, appended by `scan --history`.
 * Lines from other accounts (an organization scan) sit side by side; readers
 * keep them apart by account.
 */
import { z } from 'zod';
import type { ScanReport } from '../scan/report.js';
import { findingFingerprint } from '../trust/finding.js';

const HistoryEntrySchema = z.object({
  v: z.literal(1),
  at: z.iso.datetime(),
  account: z.string().min(1),
  region: z.string(),
  summary: z.object({
    rolesInScope: z.number().int().nonnegative(),
    findings: z.number().int().nonnegative(),
    unreadable: z.number().int().nonnegative(),
    compliantPercent: z.number().min(0).max(100),
  }),
  findings: z.array(z.object({ id: z.string().regex(/^[0-9a-f]{64}$/), role: z.string(), kind: z.string() })),
});

/** One scan of one account. */
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** A history file that cannot be read: the line, and what is wrong with it. */
export class HistoryFormatError extends Error {
  override readonly name = 'HistoryFormatError';
}

/** The history line for a scan report, taken at `at`. */
export function historyEntry(report: ScanReport, at: Date): HistoryEntry {
  const { rolesInScope, findings, unreadable, compliantPercent } = report.summary;
  return {
    v: 1,
    at: at.toISOString(),
    account: report.account,
    region: report.region,
    summary: { rolesInScope, findings, unreadable, compliantPercent },
    findings: report.findings.flatMap((f) => f.kinds.map((kind) => ({ id: findingFingerprint(f, kind), role: f.roleName, kind }))),
  };
}

/** Parses a JSON Lines history; blank lines are skipped, anything else malformed is an error naming its line. */
export function parseHistory(text: string): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new HistoryFormatError(`line ${index + 1} is not JSON`);
    }
    const parsed = HistoryEntrySchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HistoryFormatError(
        `line ${index + 1} is not a history entry (${issue ? `${issue.path.join('.') || '(entry)'}: ${issue.message}` : 'invalid'})`,
      );
    }
    entries.push(parsed.data);
  });
  return entries;
}
