/**
 * CloudTrail Lake adapter: StartQuery, then GetQueryResults until the query
 * has finished, then every page of its rows. Lake takes no parameters for a
 * free-form query, so the caller passes SQL whose values are already escaped.
 */
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { SplitRoleError } from '../core/errors.js';
import { delay, poll } from '../core/timing.js';
import { loadSdk } from './sdk-modules.js';

// Command classes load on first use: the SDK's service modules are most of the CLI's start-up time.
const sdk = () => loadSdk('client-cloudtrail');

/** A finished Lake query's rows (column → text) and what it cost. */
export interface LakeResult {
  queryId: string;
  rows: Array<Record<string, string>>;
  scannedBytes: number;
}

/** How often to ask whether a query has finished, and for how long (Lake stops a query after an hour). */
const POLL = { intervalMs: 1000, timeoutMs: 65 * 60_000 };
const PAGE_SIZE = 1000;

/**
 * Runs one Lake query to the end. A failed, cancelled or timed-out query is
 * one error line with the query id and Lake's reason.
 */
export async function runLakeQuery(
  client: CloudTrailClient,
  sql: string,
  onProgress: (queryId: string, state: string) => void = () => undefined,
  sleep: (ms: number) => Promise<void> = delay,
): Promise<LakeResult> {
  const { GetQueryResultsCommand, StartQueryCommand } = await sdk();
  const started = await client.send(new StartQueryCommand({ QueryStatement: sql }));
  const queryId = started.QueryId;
  if (!queryId) throw new SplitRoleError('QueryFailed', 'CloudTrail Lake started a query but returned no query id');
  const page = (NextToken?: string) =>
    client.send(new GetQueryResultsCommand({ QueryId: queryId, MaxQueryResults: PAGE_SIZE, ...(NextToken ? { NextToken } : {}) }));
  let current = await poll(
    async () => {
      const first = await page();
      const state = first.QueryStatus ?? 'UNKNOWN';
      if (state === 'FINISHED') return first;
      if (state === 'FAILED' || state === 'CANCELLED' || state === 'TIMED_OUT') {
        throw new SplitRoleError(
          'QueryFailed',
          `CloudTrail Lake query ${queryId} ${state.toLowerCase().replace('_', ' ')}: ${first.ErrorMessage ?? 'no reason given'}`,
        );
      }
      onProgress(queryId, state);
      return undefined;
    },
    { intervalMs: POLL.intervalMs, deadline: Date.now() + POLL.timeoutMs, sleep },
    () => {
      throw new SplitRoleError('WaitTimeout', `CloudTrail Lake query ${queryId} had not finished after ${POLL.timeoutMs / 60_000} minutes`);
    },
  );
  const scannedBytes = current.QueryStatistics?.BytesScanned ?? 0;
  const rows: LakeResult['rows'] = [];
  for (;;) {
    // Each row is a list of one-entry maps, one per column.
    for (const row of current.QueryResultRows ?? []) rows.push(Object.assign({}, ...row) as Record<string, string>);
    if (!current.NextToken) break;
    current = await page(current.NextToken);
  }
  return { queryId, rows, scannedBytes };
}
