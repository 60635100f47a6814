/** `split-role scan`: thin wiring from flags to scanAccount / scanAccounts and the output formats. */
import { validateAccountId } from '../../aws/assume-role.js';
import { listActiveAccounts } from '../../aws/organizations.js';
import { reportLongRetries } from '../../aws/retry-budget.js';
import { openSessionProvider, type SessionProvider } from '../../aws/session.js';
import { appendFile } from 'node:fs/promises';
import { ExitCode, SplitRoleError, usageError } from '../../core/errors.js';
import type { IoHost } from '../../core/io-host.js';
import { parseTagKeys } from '../../core/tags.js';
import { historyEntry, type HistoryEntry } from '../../kpi/history.js';
import { scanAccount } from '../../scan/scan-account.js';
import { scanAccounts, type AccountRef } from '../../scan/scan-org.js';
import { buildSarif, writeSarif } from '../format/sarif.js';
import { renderOrgScanText, renderScanText } from '../format/scan-text.js';
import type { GlobalOptions } from '../global-options.js';
import { parseRoleRef } from '../role-flag.js';
import { parseOptInRules, refuseWithoutWorkloadIndex } from '../rule-flags.js';

/** Flags of `scan`. */
export interface ScanCommandOptions extends GlobalOptions {
  json?: boolean;
  sarif?: string;
  roles: string[];
  /** Comma-separated tag keys every role must carry (rule SR003). */
  requireTags?: string;
  /** `--rules SR004`: comma-separated rules that are off unless asked for. */
  rules?: string;
  /** JSON Lines file this run's summary and finding ids are appended to. */
  history?: string;
  org?: boolean;
  accounts?: string[];
  concurrency?: string;
  assumeRole?: string;
  externalId?: string;
  /** How many accounts may stay unread (closed or suspended ones an organization knows of) before the exit code is 3. */
  allowUnreachable?: string;
}

/** Runs a scan and returns the exit code: 0 clean, 1 findings, 2 when no account could be scanned, 3 when more accounts are unread than allowed. */
export async function runScan(options: ScanCommandOptions, io: IoHost): Promise<number> {
  // --role takes a name or an ARN; scan reads by name.
  options = { ...options, roles: options.roles.map((r) => parseRoleRef(r).name) };
  const requiredTags = parseTagKeys(options.requireTags, '--require-tags');
  const many = manyAccounts(options);
  const optIn = parseOptInRules(options.rules);
  if (many) refuseWithoutWorkloadIndex(optIn, 'a scan of several accounts (--org, --accounts)');
  const provider = await openSessionProvider({ ...options, onRetry: reportLongRetries(io) });
  try {
    if (many) return await runOrgScan(provider, options, { ...many, requiredTags }, io);
    const session = provider.home;
    // Loaded only for SR004: the workload kinds are most of what a plain scan would not need.
    const workloadsOf = optIn.includes('SR004') ? await (await import('../scan-workloads.js')).workloadIndexFor(session, io) : undefined;
    const report = await scanAccount(session, io, {
      roleNames: options.roles,
      requiredTags,
      optIn,
      ...(workloadsOf ? { workloadsOf } : {}),
    });
    io.debug('SR_SCAN_D1003', `AWS calls: ${session.calls.commandTotal} commands, ${session.calls.requests} HTTP requests`, {
      commands: session.calls.commandTotal,
      requests: session.calls.requests,
    });
    if (options.sarif) await writeSarif(options.sarif, buildSarif({ findings: report.findings, rules: { requiredTags, optIn } }));
    if (options.history) await appendHistory(options.history, [historyEntry(report, new Date())]);
    io.result(options.json ? JSON.stringify({ ...report, awsCalls: session.calls.requests }, null, 2) : renderScanText(report));
    for (const role of report.unreadable) {
      io.warn('SR_SCAN_W1002', `could not read the trust policy of ${role.roleName}: ${role.reason}`, {
        role: role.roleName,
        reason: role.reason,
      });
    }
    return report.findings.length > 0 ? ExitCode.findings : ExitCode.ok;
  } finally {
    provider.destroy();
  }
}

async function runOrgScan(
  provider: SessionProvider,
  options: ScanCommandOptions,
  { concurrency, allowUnreachable, requiredTags }: { concurrency: number; allowUnreachable: number; requiredTags: string[] },
  io: IoHost,
): Promise<number> {
  const accounts: AccountRef[] = options.org
    ? await listActiveAccounts(await provider.home.organizations())
    : [...new Set(options.accounts)].map((id) => ({ id }));
  io.progress('SR_SCAN_P1005', `scanning ${accounts.length} accounts, ${concurrency} at a time…`, {
    accounts: accounts.length,
    concurrency,
  });
  const report = await scanAccounts(provider, accounts, io, { roleNames: options.roles, requiredTags, concurrency });
  io.debug('SR_SCAN_D1003', `AWS calls: ${provider.calls.commandTotal} commands, ${provider.calls.requests} HTTP requests`, {
    commands: provider.calls.commandTotal,
    requests: provider.calls.requests,
  });
  if (options.sarif) {
    const scanned = report.accounts.flatMap((a) => (a.status === 'scanned' ? [a.report] : []));
    const accountOf = new Map<object, string>(scanned.flatMap((r) => r.findings.map((f) => [f, r.account] as const)));
    // Why a notification per unread account: a dashboard must not show a partial run as a complete, clean one.
    const notifications = report.accounts.flatMap((a) =>
      a.status === 'unreachable' ? [{ message: `account ${a.account}${a.name ? ` (${a.name})` : ''} was not scanned: ${a.reason}` }] : [],
    );
    await writeSarif(
      options.sarif,
      buildSarif({
        findings: scanned.flatMap((r) => r.findings),
        rules: { requiredTags },
        notifications,
        accountOf: (f) => accountOf.get(f),
      }),
    );
  }
  if (options.history) {
    const at = new Date();
    await appendHistory(
      options.history,
      report.accounts.flatMap((a) => (a.status === 'scanned' ? [historyEntry(a.report, at)] : [])),
    );
  }
  if (options.json) {
    const accountsJson = report.accounts.map((a) =>
      a.status === 'scanned'
        ? {
            account: a.account,
            ...(a.name ? { name: a.name } : {}),
            status: a.status,
            summary: a.report.summary,
            findings: a.report.findings,
            unreadable: a.report.unreadable,
          }
        : {
            account: a.account,
            ...(a.name ? { name: a.name } : {}),
            status: a.status,
            reason: a.reason,
            summary: null,
            findings: [],
            unreadable: [],
          },
    );
    io.result(JSON.stringify({ accounts: accountsJson, summary: report.summary, awsCalls: provider.calls.requests }, null, 2));
  } else {
    io.result(renderOrgScanText(report));
  }
  for (const a of report.accounts) {
    if (a.status === 'unreachable')
      io.warn('SR_SCAN_W1007', `account ${a.account} unreachable: ${a.reason}`, { account: a.account, reason: a.reason });
  }
  if (report.summary.scanned === 0) {
    throw new SplitRoleError(
      'NoAccountScanned',
      `none of the ${accounts.length} accounts could be scanned`,
      'check --assume-role and that the role is deployed (docs/many-accounts.md)',
    );
  }
  // Why 3 beats 1: findings over part of the organization say nothing of the accounts nobody read.
  if (report.summary.unreachable > allowUnreachable) {
    io.warn(
      'SR_SCAN_W1008',
      `${report.summary.unreachable} of ${accounts.length} accounts unread (${allowUnreachable} allowed): exit 3 (pass --allow-unreachable N for accounts known to be closed)`,
      { unreachable: report.summary.unreachable, allowed: allowUnreachable },
    );
    return ExitCode.unreadAccounts;
  }
  return report.summary.findings > 0 ? ExitCode.findings : ExitCode.ok;
}

/** The multi-account flags, checked before any AWS call; undefined for a one-account scan. */
function manyAccounts(options: ScanCommandOptions): { concurrency: number; allowUnreachable: number } | undefined {
  if (options.org && options.accounts?.length) throw usageError('--org and --accounts are exclusive', 'pass one of them');
  const concurrency = options.concurrency === undefined ? 8 : Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw usageError(`--concurrency must be a whole number from 1 to 64, not ${JSON.stringify(options.concurrency)}`);
  const allowUnreachable = options.allowUnreachable === undefined ? 0 : Number(options.allowUnreachable);
  if (!/^\d+$/.test(options.allowUnreachable ?? '0'))
    throw usageError(`--allow-unreachable must be a whole number of accounts, not ${JSON.stringify(options.allowUnreachable)}`);
  if (!options.org && !options.accounts?.length) {
    if (options.concurrency !== undefined) throw usageError('--concurrency needs --org or --accounts');
    if (options.allowUnreachable !== undefined) throw usageError('--allow-unreachable needs --org or --accounts');
    return undefined;
  }
  for (const id of options.accounts ?? []) validateAccountId(id);
  return { concurrency, allowUnreachable };
}

async function appendHistory(file: string, entries: readonly HistoryEntry[]): Promise<void> {
  try {
    await appendFile(file, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  } catch (error) {
    throw new SplitRoleError(
      'WriteFailed',
      `cannot append to ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
