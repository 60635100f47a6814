/** `split-role scan`: thin wiring from flags to scanAccount and the output formats. */
import { openAwsSession } from '../../aws/session.js';
import { appendFile } from 'node:fs/promises';
import { ExitCode, SplitRoleError, usageError } from '../../core/errors.js';
import type { IoHost } from '../../core/io-host.js';
import { historyEntry, type HistoryEntry } from '../../kpi/history.js';
import { scanAccount } from '../../scan/scan-account.js';
import { buildSarif, writeSarif } from '../format/sarif.js';
import { renderScanText } from '../format/scan-text.js';
import type { GlobalOptions } from '../main.js';

/** Flags of `scan`. */
export interface ScanCommandOptions extends GlobalOptions {
  json?: boolean;
  sarif?: string;
  roles: string[];
  /** Comma-separated tag keys every role must carry (rule SR003). */
  requireTags?: string;
  /** JSON Lines file this run's summary and finding ids are appended to. */
  history?: string;
}

/** Runs a scan and returns the exit code: 0 clean, 1 findings. */
export async function runScan(options: ScanCommandOptions, io: IoHost): Promise<number> {
  const requiredTags = parseTagKeys(options.requireTags);
  const session = await openAwsSession(options);
  try {
    const report = await scanAccount(session, io, { roleNames: options.roles, requiredTags });
    io.notify('debug', `AWS calls: ${session.calls.commandTotal} commands, ${session.calls.requests} HTTP requests`);
    if (options.sarif) await writeSarif(options.sarif, buildSarif({ findings: report.findings, rules: { requiredTags } }));
    if (options.history) await appendHistory(options.history, historyEntry(report, new Date()));
    io.result(options.json ? JSON.stringify({ ...report, awsCalls: session.calls.requests }, null, 2) : renderScanText(report));
    for (const role of report.unreadable) io.notify('warn', `could not read the trust policy of ${role.roleName}: ${role.reason}`);
    return report.findings.length > 0 ? ExitCode.findings : ExitCode.ok;
  } finally {
    session.destroy();
  }
}

/** `owner,application` → ['owner', 'application']; an empty key is a usage error. */
function parseTagKeys(list: string | undefined): string[] {
  if (list === undefined) return [];
  const keys = list.split(',').map((key) => key.trim());
  if (keys.some((key) => key === '')) throw usageError(`--require-tags ${JSON.stringify(list)} has an empty tag key`, 'give keys separated by commas, e.g. owner,application');
  return [...new Set(keys)];
}

async function appendHistory(file: string, entry: HistoryEntry): Promise<void> {
  try {
    await appendFile(file, `${JSON.stringify(entry)}\n`);
  } catch (error) {
    throw new SplitRoleError('WriteFailed', `cannot append to ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
