/**
 * Athena adapter: run one query to the end and read its rows. Values reach
 * Athena as execution parameters (each an escaped SQL literal, as Athena
 * reads them), never inside the query text.
 */
import type { AthenaClient } from '@aws-sdk/client-athena';
import { SplitRoleError } from '../core/errors.js';
import { delay, poll } from '../core/timing.js';
import { loadSdk } from './sdk-modules.js';

// Command classes load on first use: the SDK's service modules are most of the CLI's start-up time.
const sdk = () => loadSdk('client-athena');

/** Where and how a query runs. */
export interface AthenaQuery {
  sql: string;
  /** Values for the query's `?` placeholders, in order, as SQL literals. */
  parameters: string[];
  database: string;
  workgroup?: string;
  /** s3:// location for results; needed unless the workgroup sets one. */
  output?: string;
}

/** A finished query's rows (header row dropped) and what it cost. */
export interface AthenaResult {
  queryId: string;
  columns: string[];
  rows: Array<Array<string | undefined>>;
  scannedBytes: number;
}

/** How often to ask whether a query has finished, and for how long (Athena's own DML timeout is 30 minutes). */
const POLL = { intervalMs: 1000, timeoutMs: 35 * 60_000 };

/**
 * Starts the query, waits for it, and reads every row. A failed or cancelled
 * query is one error line with the query id and Athena's reason.
 */
export async function runAthenaQuery(
  client: AthenaClient,
  query: AthenaQuery,
  onProgress: (queryId: string, state: string) => void = () => undefined,
  sleep: (ms: number) => Promise<void> = delay,
): Promise<AthenaResult> {
  const { GetQueryExecutionCommand, paginateGetQueryResults, StartQueryExecutionCommand } = await sdk();
  const started = await client.send(
    new StartQueryExecutionCommand({
      QueryString: query.sql,
      ...(query.parameters.length > 0 ? { ExecutionParameters: query.parameters } : {}),
      QueryExecutionContext: { Database: query.database },
      ...(query.workgroup ? { WorkGroup: query.workgroup } : {}),
      ...(query.output ? { ResultConfiguration: { OutputLocation: query.output } } : {}),
    }),
  );
  const queryId = started.QueryExecutionId;
  if (!queryId) throw new SplitRoleError('QueryFailed', 'Athena started a query but returned no query id');
  const scannedBytes = await poll(
    async () => {
      const { QueryExecution: execution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId }));
      const state = execution?.Status?.State ?? 'UNKNOWN';
      if (state === 'SUCCEEDED') return execution?.Statistics?.DataScannedInBytes ?? 0;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage ?? 'no reason given';
        throw new SplitRoleError('QueryFailed', `Athena query ${queryId} ${state.toLowerCase()}: ${reason}`);
      }
      onProgress(queryId, state);
      return undefined;
    },
    { intervalMs: POLL.intervalMs, deadline: Date.now() + POLL.timeoutMs, sleep },
    () => {
      throw new SplitRoleError('WaitTimeout', `Athena query ${queryId} had not finished after ${POLL.timeoutMs / 60_000} minutes`);
    },
  );
  let columns: string[] = [];
  const rows: AthenaResult['rows'] = [];
  let first = true;
  for await (const page of paginateGetQueryResults({ client }, { QueryExecutionId: queryId })) {
    const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo;
    if (info && columns.length === 0) columns = info.map((c) => c.Name ?? '');
    for (const row of page.ResultSet?.Rows ?? []) {
      const values = (row.Data ?? []).map((d) => d.VarCharValue);
      // A SELECT's first row repeats the column names.
      if (first) {
        first = false;
        if (columns.length === 0 || values.every((v, i) => v === columns[i])) {
          if (columns.length === 0) columns = values.map((v) => v ?? '');
          continue;
        }
      }
      rows.push(values);
    }
  }
  return { queryId, columns, rows, scannedBytes };
}
