/**
 * `scan --org` / `scan --accounts`: one scan per account, a few at a time,
 * each reached through the session provider. An account that cannot be
 * scanned is reported as unreachable with the reason and never stops the rest.
 */
import type { SessionProvider } from '../aws/session.js';
import { SplitRoleError } from '../core/errors.js';
import type { IoHost } from '../core/io-host.js';
import { mapLimit } from '../core/concurrency.js';
import { percent } from '../core/percent.js';
import type { ScanReport } from './report.js';
import { scanAccount, type ScanOptions } from './scan-account.js';

/** One account's outcome. */
export type AccountScan =
  | { account: string; name?: string; status: 'scanned'; report: ScanReport }
  | { account: string; name?: string; status: 'unreachable'; reason: string };

/** Totals over the organization; compliance is over the reachable accounts. */
export interface OrgSummary {
  accounts: number;
  scanned: number;
  unreachable: number;
  rolesScanned: number;
  rolesInScope: number;
  findings: number;
  compliantPercent: number;
}

/** Every account's outcome and the totals. */
export interface OrgScanReport {
  accounts: AccountScan[];
  summary: OrgSummary;
}

/** An account to scan. */
export interface AccountRef {
  id: string;
  name?: string;
}

/** Scans each account with at most `concurrency` in flight; progress goes to the IoHost. */
export async function scanAccounts(
  provider: SessionProvider,
  accounts: readonly AccountRef[],
  io: IoHost,
  options: ScanOptions & { concurrency: number },
): Promise<OrgScanReport> {
  let done = 0;
  const results = await mapLimit(accounts, options.concurrency, async (ref): Promise<AccountScan> => {
    const named = ref.name ? { name: ref.name } : {};
    let outcome: AccountScan;
    try {
      const session = await provider.forTarget({ account: ref.id });
      const report = await scanAccount(session, io, options);
      session.closeClients();
      outcome = { account: ref.id, ...named, status: 'scanned', report };
    } catch (error) {
      outcome = { account: ref.id, ...named, status: 'unreachable', reason: reasonOf(error) };
    }
    done += 1;
    io.progress('SR_SCAN_P1006', `scanned ${done}/${accounts.length} accounts (${ref.id}: ${outcome.status})`, {
      done,
      accounts: accounts.length,
      account: ref.id,
      status: outcome.status,
    });
    return outcome;
  });
  return { accounts: results, summary: summarise(results) };
}

/** The organization totals: compliance counts reachable accounts only. */
export function summarise(accounts: readonly AccountScan[]): OrgSummary {
  let rolesScanned = 0;
  let rolesInScope = 0;
  let findings = 0;
  let compliant = 0;
  let scanned = 0;
  for (const a of accounts) {
    if (a.status !== 'scanned') continue;
    const s = a.report.summary;
    scanned += 1;
    rolesScanned += s.rolesScanned;
    rolesInScope += s.rolesInScope;
    findings += s.findings;
    compliant += s.rolesInScope - s.findings - s.unreadable;
  }
  return {
    accounts: accounts.length,
    scanned,
    unreachable: accounts.length - scanned,
    rolesScanned,
    rolesInScope,
    findings,
    compliantPercent: percent(compliant, rolesInScope),
  };
}

function reasonOf(error: unknown): string {
  if (error instanceof SplitRoleError) return error.oneLine();
  return error instanceof Error ? error.message : String(error);
}
