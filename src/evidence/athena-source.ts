/**
 * `--evidence athena`: the usage question runs as SQL in Athena over the
 * (organization) trail's table — the documented CloudTrail table, partitioned
 * by region and date or with partition projection — and only aggregates come
 * back. Before the usage query, one information_schema query checks that the
 * table has the CloudTrail columns the SQL reads and finds its partition
 * columns, so the usage query prunes partitions to the window and account.
 */
import { z } from 'zod';
import { runAthenaQuery, type AthenaResult } from '../aws/athena.js';
import { SplitRoleError, usageError } from '../core/errors.js';
import { reachFromRows, roleCallsFromRows, roleCallsSql } from './role-calls-sql.js';
import { textOption, type EvidenceContext, type UsageSource } from './source.js';
import { engineUsage } from './usage-rows.js';
import { bindUsageSql, sqlLiteral, usageSql, type UsageSqlDialect } from './usage-sql.js';

/** The table's partition columns the usage query prunes with. */
export interface TableShape {
  /** "timestamp" (projection, yyyy/MM/dd), "ymd" (year, month, day), or none. */
  date: 'timestamp' | 'ymd' | undefined;
  /** A partition column holding the account id (organization trails), if any. */
  account: string | undefined;
}

const TABLE = /^([A-Za-z0-9_]{1,255})\.([A-Za-z0-9_]{1,255})$/;
const WORKGROUP = /^[A-Za-z0-9._-]{1,128}$/;
const OUTPUT = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](?:\/[A-Za-z0-9!_.*()/=-]*)?$/;
/** Top-level columns the usage SQL reads, and the userIdentity fields under them. */
const REQUIRED_COLUMNS = [
  'eventtime',
  'eventsource',
  'eventname',
  'errorcode',
  'eventtype',
  'eventcategory',
  'sourceipaddress',
  'useridentity',
  'requestparameters',
  'responseelements',
  'resources',
];
const REQUIRED_IDENTITY_FIELDS = ['type', 'arn', 'invokedby', 'accesskeyid', 'sessioncontext', 'sessionissuer'];
const ACCOUNT_COLUMNS = ['accountid', 'account_id', 'account'];

/** The settings of `--evidence athena`: the trail's table, and where the queries run. */
const athenaSchema = z.strictObject({
  table: z.string().regex(TABLE),
  workgroup: z.string().regex(WORKGROUP).optional(),
  output: z.string().regex(OUTPUT).optional(),
});

/** The settings of `--evidence athena`. */
export type AthenaConfig = z.infer<typeof athenaSchema>;

/** The information_schema query: the table's columns and their types. */
export const COLUMNS_SQL = 'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ?';

/**
 * Checks the Athena settings (`given`: what the flags and the plan say),
 * each bad one named in a usage error.
 */
export function athenaConfig(given: { table?: string; workgroup?: string; output?: string }): AthenaConfig {
  const { table, workgroup, output } = given;
  if (!table)
    throw usageError(
      '--evidence athena needs the trail’s Athena table',
      'pass --athena-table DATABASE.TABLE (docs/evidence.md › Athena and CloudTrail Lake)',
    );
  if (!TABLE.test(table))
    throw usageError(`--athena-table must be DATABASE.TABLE in letters, digits and underscores, not ${JSON.stringify(table)}`);
  if (workgroup !== undefined && !WORKGROUP.test(workgroup)) {
    throw usageError(`--athena-workgroup must be 1–128 letters, digits, ".", "_" or "-", not ${JSON.stringify(workgroup)}`);
  }
  if (output !== undefined && !OUTPUT.test(output)) {
    throw usageError(`--athena-output must be s3://bucket/prefix/, not ${JSON.stringify(output)}`);
  }
  return { table, ...(workgroup !== undefined ? { workgroup } : {}), ...(output !== undefined ? { output } : {}) };
}

/** The database and table names (lower case, as the catalog keeps them). */
export function athenaTable(config: Pick<AthenaConfig, 'table'>): { database: string; table: string } {
  const match = TABLE.exec(config.table);
  if (!match)
    throw usageError(`--athena-table must be DATABASE.TABLE in letters, digits and underscores, not ${JSON.stringify(config.table)}`);
  return { database: match[1]!.toLowerCase(), table: match[2]!.toLowerCase() };
}

/**
 * Checks the table's columns against what the usage SQL reads and finds its
 * partition columns. A missing column is named in one clear error.
 */
export function tableShape(name: string, columns: ReadonlyArray<{ name: string; type: string }>): TableShape {
  const types = new Map(columns.map((c) => [c.name.toLowerCase(), c.type.toLowerCase()]));
  if (types.size === 0)
    throw new SplitRoleError(
      'TableNotCloudTrail',
      `Athena table ${name} does not exist or has no columns`,
      'check --athena-table and the workgroup’s catalog',
    );
  const hint = 'create the table with AWS’s documented CloudTrail DDL (docs/evidence.md › Athena and CloudTrail Lake)';
  for (const column of REQUIRED_COLUMNS) {
    if (!types.has(column))
      throw new SplitRoleError('TableNotCloudTrail', `Athena table ${name} has no column ${column}, which the CloudTrail table has`, hint);
  }
  const identity = types.get('useridentity')!;
  for (const field of REQUIRED_IDENTITY_FIELDS) {
    if (!new RegExp(`\\b${field}\\b`).test(identity)) {
      throw new SplitRoleError(
        'TableNotCloudTrail',
        `Athena table ${name}: column useridentity has no field ${field}, which the CloudTrail table has`,
        hint,
      );
    }
  }
  const date = types.has('timestamp') ? 'timestamp' : ['year', 'month', 'day'].every((c) => types.has(c)) ? 'ymd' : undefined;
  return { date, account: ACCOUNT_COLUMNS.find((c) => types.has(c)) };
}

/** How the documented Athena CloudTrail table spells the usage query. */
export function athenaDialect(database: string, table: string, shape: TableShape): UsageSqlDialect {
  const day = (date: Date) => date.toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    table: `"${database}"."${table}"`,
    requestParameter: (key) => `json_extract_scalar(requestparameters, '$.${key}')`,
    issuedAccessKey: `json_extract_scalar(responseelements, '$.credentials.accessKeyId')`,
    requestJson: 'requestparameters',
    // CloudTrail's eventTime: ISO-8601 to the second, in UTC.
    time: (date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    scope: (read, value) => {
      const out: string[] = [];
      if (shape.account) out.push(`"${shape.account}" = ${value(read.account)}`);
      if (shape.date === 'timestamp') out.push(`"timestamp" BETWEEN ${value(day(read.start))} AND ${value(day(read.end))}`);
      if (shape.date === 'ymd') {
        // The year range alone is a plain partition-key range; the full date narrows it to days.
        out.push(`"year" BETWEEN ${value(day(read.start).slice(0, 4))} AND ${value(day(read.end).slice(0, 4))}`);
        out.push(`concat("year", '/', "month", '/', "day") BETWEEN ${value(day(read.start))} AND ${value(day(read.end))}`);
      }
      return out;
    },
  };
}

/** Rows as objects keyed by column name. */
export function rowObjects(result: Pick<AthenaResult, 'columns' | 'rows'>): Array<Partial<Record<string, string>>> {
  return result.rows.map((values) => Object.fromEntries(result.columns.map((column, i) => [column, values[i] ?? undefined])));
}

/**
 * Queries in the request's table, each reported with its id and bytes
 * scanned: checks the table's columns first, then runs what `dialect` spells.
 */
async function athenaQueries(ctx: Pick<EvidenceContext<AthenaConfig>, 'session' | 'io' | 'request'>) {
  const { config } = ctx.request;
  const { database, table } = athenaTable(config);
  // With --account, the organization's table is still queried from the caller's own account.
  const client = await ctx.session.caller.athena();
  const run = async (sql: string, values: string[], what: string) => {
    const result = await runAthenaQuery(
      client,
      { sql, parameters: values.map(sqlLiteral), database, workgroup: config.workgroup, output: config.output },
      (id, state) =>
        ctx.io.progress('SR_EVID_P3008', `Athena ${what} query ${id}: ${state.toLowerCase()}…`, { query: what, queryId: id, state }),
    );
    ctx.io.info('SR_EVID_I3009', `Athena ${what} query ${result.queryId} scanned ${result.scannedBytes.toLocaleString('en-US')} bytes.`, {
      query: what,
      queryId: result.queryId,
      scannedBytes: result.scannedBytes,
    });
    return result;
  };
  const columns = await run(COLUMNS_SQL, [database, table], 'columns');
  const shape = tableShape(
    `${database}.${table}`,
    columns.rows.map((values) => ({ name: values[0] ?? '', type: values[1] ?? '' })),
  );
  return { dialect: athenaDialect(database, table, shape), run };
}

/** `--evidence athena`. */
export const athenaSource: UsageSource<AthenaConfig> = {
  name: 'athena',
  visibility: { managementEvents: true, dataEvents: true, serverSideFiltering: true },
  noEvidenceHint: 'widen --since, or check that the table covers this account and window (partitions added or projected)',
  flags: [
    { flags: '--athena-table <db.table>', description: 'the trail’s Athena table, DATABASE.TABLE' },
    { flags: '--athena-workgroup <name>', description: 'Athena workgroup to run the queries in' },
    { flags: '--athena-output <s3-uri>', description: 's3://bucket/prefix/ for query results, unless the workgroup sets one' },
  ],
  configSchema: athenaSchema,
  fromOptions: (options, { base }) =>
    athenaConfig({
      table: textOption(options, 'athenaTable') ?? base?.table,
      workgroup: textOption(options, 'athenaWorkgroup') ?? base?.workgroup,
      output: textOption(options, 'athenaOutput') ?? base?.output,
    }),
  legacyConfig: (evidence) => evidence.athena as AthenaConfig,
  describe: (config) => `athena ${config.table}`,
  async usage(ctx) {
    const { dialect, run } = await athenaQueries(ctx);
    const query = bindUsageSql(usageSql(dialect, { role: ctx.subject.role, window: ctx.request.window }), 'parameters');
    return engineUsage(ctx, rowObjects(await run(query.sql, query.parameters, 'usage')));
  },
  async roleCalls(ctx) {
    const { dialect, run } = await athenaQueries(ctx);
    const query = bindUsageSql(roleCallsSql(dialect, { roles: ctx.roles, window: ctx.request.window }), 'parameters');
    const rows = rowObjects(await run(query.sql, query.parameters, 'calls'));
    reachFromRows(rows, ctx.reach, ctx.request.window.end);
    return roleCallsFromRows(rows);
  },
};
