/** `split-role report`: KPIs from a `scan --history` file, as text with a small chart or as JSON. */
import { readFile } from 'node:fs/promises';
import { ExitCode, SplitRoleError } from '../../core/errors.js';
import type { IoHost } from '../../core/io-host.js';
import { HistoryFormatError, parseHistory } from '../../kpi/history.js';
import { summariseHistory } from '../../kpi/summary.js';
import { renderReportText } from '../format/report-text.js';

/** Reads the history and prints its KPIs; exit 0, or 2 for a file that cannot be read. */
export async function runReport(file: string, options: { json?: boolean }, io: IoHost): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SplitRoleError(
      'UsageError',
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      'pass the file scan --history wrote',
    );
  }
  let accounts;
  try {
    accounts = summariseHistory(parseHistory(text));
  } catch (error) {
    if (error instanceof HistoryFormatError)
      throw new SplitRoleError('InvalidHistory', `${file}: ${error.message}`, 'each line must be one entry written by scan --history');
    throw error;
  }
  io.result(options.json ? JSON.stringify({ accounts }, null, 2) : renderReportText(accounts));
  return ExitCode.ok;
}
