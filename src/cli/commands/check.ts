/** `split-role check`: thin wiring from flags to checkPaths and the output formats. */
import { setFlagsFromString } from 'node:v8';
import { parseOptInRules, refuseWithoutWorkloadIndex } from '../rule-flags.js';
import { checkPaths } from '../../check/check-paths.js';
import type { CheckUnreadable } from '../../check/check-report.js';
import { ExitCode, usageError } from '../../core/errors.js';
import type { IoHost } from '../../core/io-host.js';
import { buildSarif, writeSarif, type SarifNotification } from '../format/sarif.js';
import { renderCheckText } from '../format/check-text.js';
import { ACCOUNT_ID } from '../../core/account-id.js';

/** Flags of `check`. */
export interface CheckCommandOptions {
  json?: boolean;
  sarif?: string;
  accounts: string[];
  /** `--rules`: opt-in rules; SR004 is refused (code has no workload index). */
  rules?: string;
  /** Exit on findings alone, even when some files could not be read. */
  allowUnreadable?: boolean;
  /** Exit 0 when no IaC file was found (a repository that has none yet). */
  allowEmpty?: boolean;
}

/** Checks the IaC under `paths` and returns the exit code: 0 clean, 1 findings, 2 something unreadable (unless allowed). */
export async function runCheck(paths: readonly string[], options: CheckCommandOptions, io: IoHost): Promise<number> {
  const bad = options.accounts.find((a) => !ACCOUNT_ID.test(a));
  if (bad !== undefined) throw usageError(`--account ${bad} is not a 12-digit AWS account id`);
  refuseWithoutWorkloadIndex(parseOptInRules(options.rules), 'check (it reads code, not the account)');
  // Why: parsing a large template one resource at a time makes short-lived
  // garbage, and V8 answers it by growing the young generation, which alone
  // took a 13 MB template from under 9× to 11× its size in peak RSS. Keeping
  // the semi-spaces at their start size holds it there (npm run bench -- check-memory),
  // at no measurable cost in time: the garbage dies young either way.
  setFlagsFromString('--semi-space-growth-factor=1');
  const report = await checkPaths(paths, { ownAccounts: options.accounts }, io);
  if (options.sarif)
    await writeSarif(
      options.sarif,
      buildSarif({ findings: report.findings, notifications: report.unreadable.map(unreadableNotification) }),
    );
  io.result(options.json ? JSON.stringify(report, null, 2) : renderCheckText(report));
  // The text output lists unreadable files itself; JSON readers watching stderr need the warning.
  if (options.json) {
    for (const entry of report.unreadable) {
      io.warn('SR_CHECK_W5003', `could not read ${entry.file}${entry.resource ? ` (${entry.resource})` : ''}: ${entry.reason}`, {
        ...entry,
      });
    }
  }
  // Why 2 beats 1: a gate that could not read a file does not know whether it holds a shared role.
  if (report.unreadable.length > 0 && !options.allowUnreadable) {
    io.warn(
      'SR_CHECK_W5004',
      `${report.unreadable.length} unreadable ${report.unreadable.length === 1 ? 'entry' : 'entries'}: exit 2 (pass --allow-unreadable to judge on findings alone)`,
      { unreadable: report.unreadable.length },
    );
    return ExitCode.error;
  }
  // Why 2: "100% (0 of 0)" is a gate that passed on input nobody read, a wrong path or a renamed folder.
  if (report.summary.filesChecked === 0 && !options.allowEmpty) {
    io.warn(
      'SR_CHECK_W5005',
      `no CloudFormation, CDK, Terraform (.tf, .tf.json) or Terraform plan file found in ${paths.join(', ')}: exit 2 (pass --allow-empty to accept)`,
      {
        skipped: report.summary.filesSkipped,
      },
    );
    return ExitCode.error;
  }
  return report.findings.length > 0 ? ExitCode.findings : ExitCode.ok;
}

function unreadableNotification(entry: CheckUnreadable): SarifNotification {
  return {
    message: `could not read ${entry.resource ? `${entry.resource} in ` : ''}${entry.file}: ${entry.reason}`,
    file: entry.file,
    ...(entry.line ? { line: entry.line } : {}),
  };
}
