/**
 * `check` as a library call: find the files under the given paths, read them
 * a few at a time, and build the report. The CLI and the benchmark both call this.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { mapLimit } from '../core/concurrency.js';
import type { IoHost } from '../core/io-host.js';
import { CdkTargetIndex } from '../iac/cdk-manifest.js';
import { discoverFiles } from '../iac/discover.js';
import { readIacFile } from '../iac/read-file.js';
import { buildCheckReport, type CheckReport } from './check-report.js';

/** Options of a check run. */
export interface CheckOptions {
  /** Accounts the code deploys to: principals of these accounts are not cross-account. Overrides CDK manifests. */
  ownAccounts?: readonly string[];
  /** Files read at once. */
  concurrency?: number;
  /** Report file names relative to this folder (default: the working directory). */
  cwd?: string;
}

/** Checks every IaC file under `paths`. Throws UsageError when a path does not exist. */
export async function checkPaths(paths: readonly string[], options: CheckOptions = {}, io?: IoHost): Promise<CheckReport> {
  const cwd = options.cwd ?? process.cwd();
  const files = await discoverFiles(paths);
  io?.progress('SR_CHECK_P5001', `checking ${files.length} files…`, { files: files.length });
  // Why a bound: reading is I/O, parsing is CPU on one thread; a few reads in
  // flight keep the parser busy without opening thousands of descriptors.
  const targets = new CdkTargetIndex();
  const outcomes = await mapLimit(files, options.concurrency ?? 16, async (file) => {
    const outcome = await readIacFile(file, displayName(file.path, cwd));
    if (outcome.status !== 'read') return outcome;
    const account = await targets.accountOf(file.path);
    return account ? { ...outcome, targetAccount: account } : outcome;
  });
  for (const outcome of outcomes) {
    if (outcome.status === 'skipped')
      io?.debug('SR_CHECK_D5002', `skipped ${outcome.file}: ${outcome.reason}`, { file: outcome.file, reason: outcome.reason });
  }
  return buildCheckReport(outcomes, { paths: [...paths], ...(options.ownAccounts ? { ownAccounts: options.ownAccounts } : {}) });
}

/**
 * The name a report uses for a file: relative to `cwd` with forward slashes,
 * which is what SARIF consumers (code-scanning) resolve against the repository root.
 */
export function displayName(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  const name = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  return sep === '/' ? name : name.split(sep).join('/');
}
