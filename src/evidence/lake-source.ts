/**
 * `--evidence cloudtrail-lake --event-data-store ID`: the usage question
 * (usage-sql.ts) runs in CloudTrail Lake over an event data store that
 * collects the trail's events (an organization store holds every account's),
 * through StartQuery and GetQueryResults. Lake takes no parameters for a
 * free-form query, so every value is written as an escaped SQL literal, and
 * the store id — the one name in the query — is validated first.
 */
import { z } from 'zod';
import { runLakeQuery } from '../aws/cloudtrail-lake.js';
import { usageError } from '../core/errors.js';
import { reachFromRows, roleCallsFromRows, roleCallsSql } from './role-calls-sql.js';
import { textOption, type EvidenceContext, type UsageSource } from './source.js';
import { engineUsage } from './usage-rows.js';
import { bindUsageSql, usageSql, type UsageSqlDialect } from './usage-sql.js';

const STORE_ID = /^[A-Za-z0-9][A-Za-z0-9-]{2,63}$/;
const STORE_ARN = /^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:eventdatastore\/([A-Za-z0-9][A-Za-z0-9-]{2,63})$/;

/** The settings of `--evidence cloudtrail-lake`: the event data store, as given (an id or an ARN). */
const lakeSchema = z.strictObject({
  eventDataStore: z.string().refine((given) => storeIdOf(given) !== undefined, 'not an event data store id or ARN'),
});

/** The settings of `--evidence cloudtrail-lake`. */
export type LakeConfig = z.infer<typeof lakeSchema>;

function storeIdOf(given: string): string | undefined {
  return STORE_ARN.exec(given)?.[1] ?? (STORE_ID.test(given) ? given : undefined);
}

/** The event data store id from --event-data-store (an id or an ARN); refuses anything else. */
export function eventDataStoreId(given: string | undefined): string {
  if (!given) throw usageError('--evidence cloudtrail-lake needs an event data store', 'pass --event-data-store ID (or its ARN)');
  const id = storeIdOf(given);
  if (!id) throw usageError(`--event-data-store must be an event data store id or ARN, not ${JSON.stringify(given)}`);
  return id;
}

/**
 * How CloudTrail Lake spells the usage query: its documented schema (lower
 * case, eventtime a timestamp, requestparameters and responseelements maps
 * of text, nested values as JSON text), the store id as the table.
 */
export function lakeDialect(storeId: string): UsageSqlDialect {
  return {
    table: storeId,
    requestParameter: (key) => `element_at(requestparameters, '${key}')`,
    issuedAccessKey: `json_extract_scalar(element_at(responseelements, 'credentials'), '$.accessKeyId')`,
    // Lake flattens the request into a map of text: the items of a DynamoDB transaction are not readable as a list.
    requestJson: 'NULL',
    time: (date) => date.toISOString().slice(0, 19).replace('T', ' '),
    // An organization store holds every account's events: keep the role's account's.
    scope: (read, value) => [`recipientaccountid = ${value(read.account)}`],
  };
}

/** Lake's `2024-03-05 10:00:00.000` as CloudTrail's `2024-03-05T10:00:00Z`. */
export function lakeTime(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})/.exec(text);
  return match ? `${match[1]}T${match[2]}Z` : text;
}

/** Runs one query in the caller's account, progress and bytes scanned reported; returns its rows. */
async function runLake(ctx: Pick<EvidenceContext, 'session' | 'io'>, sql: string) {
  const result = await runLakeQuery(await ctx.session.caller.cloudTrail(), sql, (id, state) =>
    ctx.io.progress('SR_EVID_P3010', `CloudTrail Lake query ${id}: ${state.toLowerCase()}…`, { queryId: id, state }),
  );
  ctx.io.info('SR_EVID_I3011', `CloudTrail Lake query ${result.queryId} scanned ${result.scannedBytes.toLocaleString('en-US')} bytes.`, {
    queryId: result.queryId,
    scannedBytes: result.scannedBytes,
  });
  return result.rows;
}

/** `--evidence cloudtrail-lake`. */
export const lakeSource: UsageSource<LakeConfig> = {
  name: 'cloudtrail-lake',
  visibility: { managementEvents: true, dataEvents: true, serverSideFiltering: true },
  noEvidenceHint: 'widen --since, or check that the event data store collects this account’s events',
  flags: [{ flags: '--event-data-store <id>', description: 'CloudTrail Lake event data store id or ARN' }],
  configSchema: lakeSchema,
  fromOptions(options, { base }) {
    const eventDataStore = textOption(options, 'eventDataStore') ?? base?.eventDataStore;
    eventDataStoreId(eventDataStore);
    return { eventDataStore: eventDataStore as string };
  },
  legacyConfig: (evidence) => ({ eventDataStore: evidence.eventDataStore as string }),
  describe: (config) => `cloudtrail-lake ${config.eventDataStore}`,
  async usage(ctx) {
    const query = bindUsageSql(
      usageSql(lakeDialect(eventDataStoreId(ctx.request.config.eventDataStore)), { role: ctx.subject.role, window: ctx.request.window }),
      'literals',
    );
    return engineUsage(ctx, await runLake(ctx, query.sql), lakeTime);
  },
  async roleCalls(ctx) {
    const query = bindUsageSql(
      roleCallsSql(lakeDialect(eventDataStoreId(ctx.request.config.eventDataStore)), { roles: ctx.roles, window: ctx.request.window }),
      'literals',
    );
    const rows = await runLake(ctx, query.sql);
    reachFromRows(rows, ctx.reach, ctx.request.window.end, lakeTime);
    return roleCallsFromRows(rows, lakeTime);
  },
};
