/**
 * Athena answers for moto: moto's Athena accepts any query and hands each
 * new query execution the next result queued through its moto-api
 * (`POST /moto-api/static/athena/query-results`), or an empty one.
 */
import { TEST_REGION } from './aws-clients.js';

/** One queued result: its columns and its rows by column name (undefined is NULL). */
export interface QueuedResult {
  columns: readonly string[];
  rows: ReadonlyArray<Record<string, string | undefined>>;
}

/** Queues results in `account`'s Athena, as Athena returns them: a header row, then text cells. */
export async function queueAthenaResults(
  endpoint: string,
  account: string,
  results: readonly QueuedResult[],
  region = TEST_REGION,
): Promise<void> {
  const body = {
    account_id: account,
    region,
    results: results.map(({ columns, rows }) => ({
      column_info: columns.map((name) => ({ Name: name, Type: 'varchar' })),
      rows: [[...columns], ...rows.map((row) => columns.map((c) => row[c]))].map((cells) => ({
        Data: cells.map((v) => (v === undefined ? {} : { VarCharValue: v })),
      })),
    })),
  };
  const res = await fetch(`${endpoint}/moto-api/static/athena/query-results`, { method: 'POST', body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`moto-api refused the Athena results: ${res.status} ${await res.text()}`);
}
