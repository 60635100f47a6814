/**
 * The test trail as an Athena CloudTrail table, on DuckDB: the trail's files
 * under AWSLogs/ become rows shaped like AWS's documented Athena table
 * (lower-case columns, `useridentity` a struct, `requestparameters` and
 * `responseelements` JSON text, as Athena's JSON SerDe reads them), with the
 * partition columns the folder gives (region, and the date as projection's
 * `timestamp` or as year/month/day; the account for organization layouts).
 * The usage SQL then runs for real.
 *
 * With `lake`, the same rows are CloudTrail Lake's event data store instead
 * (its documented schema: `eventtime` a timestamp, `requestparameters` and
 * `responseelements` maps of text with nested values as JSON text,
 * `resources` rows with an `arnprefix`, `recipientaccountid` as delivered),
 * as a view named by the store id.
 *
 * Trino → DuckDB shims (the only differences the usage SQL meets):
 * - `json_extract_scalar(json, path)` is DuckDB's `json_extract_string`;
 * - `element_at(map, key)` and `element_at(array, index)` are DuckDB's `map[key]` and `list[index]`
 *   (DuckDB's own element_at returns a list; both count a negative index from the end);
 * - `transform(array, x -> …)` is DuckDB's `list_transform` (rewritten in the text: a macro cannot take a lambda);
 * - Athena takes `?` values as SQL literal text (`'…'`); DuckDB binds plain values;
 * - Lake names the store unquoted (`FROM EXAMPLE-f852-…`); DuckDB needs `"…"` (the Lake fake quotes it).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { readdir, readFile, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** How the table is partitioned. */
export type Partitioning = 'projection' | 'ymd';

/** A DuckDB holding the trail as `schema.table`. */
export interface TrailDb {
  connection: DuckDBConnection;
  /** Runs SQL with `?` values; returns rows as text (NULL as undefined), as Athena returns them. */
  query(sql: string, values?: readonly string[]): Promise<Array<Record<string, string | undefined>>>;
  close(): void;
}

const SCHEMA = `{
  eventversion: 'VARCHAR',
  useridentity: 'STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, invokedby VARCHAR, accesskeyid VARCHAR, username VARCHAR,
    sessioncontext STRUCT(attributes STRUCT(mfaauthenticated VARCHAR, creationdate VARCHAR),
      sessionissuer STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR)))',
  eventtime: 'VARCHAR', eventsource: 'VARCHAR', eventname: 'VARCHAR', awsregion: 'VARCHAR', sourceipaddress: 'VARCHAR',
  useragent: 'VARCHAR', errorcode: 'VARCHAR', errormessage: 'VARCHAR', requestparameters: 'VARCHAR', responseelements: 'VARCHAR',
  requestid: 'VARCHAR', eventid: 'VARCHAR', resources: 'STRUCT(arn VARCHAR, accountid VARCHAR, type VARCHAR)[]',
  eventtype: 'VARCHAR', recipientaccountid: 'VARCHAR', eventcategory: 'VARCHAR',
  region: 'VARCHAR', accountid: 'VARCHAR', ymd: 'VARCHAR'
}`;

/** Opens a DuckDB with the trail files under `root` as `schema.table`. */
export async function openTrailDb(
  root: string,
  options: {
    schema?: string;
    table?: string;
    partitioning?: Partitioning;
    orgAccountPartition?: boolean;
    drop?: string[];
    lakeStoreId?: string;
  } = {},
): Promise<TrailDb> {
  const lake = options.lakeStoreId !== undefined;
  const schema = options.schema ?? 'cloudtrail';
  const table = options.table ?? 'logs';
  const scratch = await mkdtemp(join(tmpdir(), 'split-role-duckdb-'));
  const rows: string[] = [];
  for (const file of await files(root)) {
    const raw = await readFile(file);
    const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
    const partition = partitionOf(relative(root, file).split(sep));
    for (const record of (JSON.parse(text.toString('utf8')) as { Records: Array<Record<string, unknown>> }).Records) {
      rows.push(JSON.stringify({ ...(lake ? lakeRow(record) : athenaRow(record)), ...partition }));
    }
  }
  const ndjson = join(scratch, 'rows.ndjson');
  await writeFile(ndjson, rows.join('\n'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)`);
  await connection.run(`CREATE MACRO element_at(m, k) AS m[k]`);
  const schemaText = lake
    ? SCHEMA.replaceAll(/(requestparameters|responseelements): 'VARCHAR'/g, "$1: 'MAP(VARCHAR, VARCHAR)'").replace(
        /resources: '[^']*'/,
        `resources: '${LAKE_RESOURCE}[]'`,
      )
    : SCHEMA;
  await connection.run(
    `CREATE TABLE trail_rows AS SELECT * FROM read_json('${ndjson}', format = 'newline_delimited', columns = ${schemaText})`,
  );
  await rm(scratch, { recursive: true, force: true });
  if (lake) {
    const columns = TRAIL_COLUMNS.map((c) =>
      c === 'eventtime'
        ? 'CAST(eventtime AS TIMESTAMP) AS eventtime'
        : c === 'recipientaccountid'
          ? 'coalesce(recipientaccountid, accountid) AS recipientaccountid'
          : c,
    );
    await connection.run(`CREATE VIEW "${options.lakeStoreId}" AS SELECT ${columns.join(', ')} FROM trail_rows`);
    return handle(connection);
  }
  const partitions = (options.orgAccountPartition ? ['accountid AS "accountid"'] : []).concat(
    ['region'],
    options.partitioning === 'ymd'
      ? [`split_part(ymd, '/', 1) AS "year"`, `split_part(ymd, '/', 2) AS "month"`, `split_part(ymd, '/', 3) AS "day"`]
      : [`ymd AS "timestamp"`],
  );
  const columns = TRAIL_COLUMNS.filter((c) => !options.drop?.includes(c));
  await connection.run(`CREATE SCHEMA ${schema}`);
  await connection.run(`CREATE VIEW ${schema}.${table} AS SELECT ${[...columns, ...partitions].join(', ')} FROM trail_rows`);
  return handle(connection);
}

function handle(connection: DuckDBConnection): TrailDb {
  return {
    connection,
    async query(sql, values = []) {
      // Trino's transform(array, lambda) is DuckDB's list_transform (a macro cannot take a lambda).
      const reader = await connection.runAndReadAll(sql.replaceAll(/\btransform\(/g, 'list_transform('), [...values]);
      return reader
        .getRowObjectsJson()
        .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null || v === undefined ? undefined : asText(v)])));
    },
    close: () => connection.closeSync(),
  };
}

/** CloudTrail's columns, as both the documented Athena table and a Lake event data store name them. */
const TRAIL_COLUMNS = [
  'eventversion',
  'useridentity',
  'eventtime',
  'eventsource',
  'eventname',
  'awsregion',
  'sourceipaddress',
  'useragent',
  'errorcode',
  'errormessage',
  'requestparameters',
  'responseelements',
  'requestid',
  'eventid',
  'resources',
  'eventtype',
  'recipientaccountid',
  'eventcategory',
];
/** Lake's documented element of `resources` (Athena's lacks arnprefix). */
const LAKE_RESOURCE = 'STRUCT(accountid VARCHAR, type VARCHAR, arn VARCHAR, arnprefix VARCHAR)';

/** A record as Lake keeps it: the Athena row, with the request and response as maps of text. */
function lakeRow(record: Record<string, unknown>): Record<string, unknown> {
  const row = athenaRow(record, ['accountid', 'type', 'arn', 'arnprefix']);
  for (const column of ['requestparameters', 'responseelements']) {
    const value = record[column === 'requestparameters' ? 'requestParameters' : 'responseElements'];
    row[column] =
      typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
        : null;
  }
  return row;
}

/** A value as a text column holds it: text as is, other scalars as written, objects and arrays as JSON. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}

/**
 * A record in the documented table's shape: lower-case keys, JSON text where
 * Athena keeps a string, `resources` an array of rows with the table's fields.
 */
function athenaRow(record: Record<string, unknown>, resourceFields = ['arn', 'accountid', 'type']): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const column = key.toLowerCase();
    if (column === 'requestparameters' || column === 'responseelements')
      row[column] = value === null || value === undefined ? null : JSON.stringify(value);
    else if (column === 'useridentity') row[column] = lowerKeys(value);
    else if (column === 'resources') row[column] = Array.isArray(value) ? value.map((r) => pick(lowerKeys(r), resourceFields)) : null;
    else row[column] = value === undefined ? null : asText(value);
  }
  return row;
}

function pick(value: unknown, fields: readonly string[]): Record<string, unknown> {
  const from = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return Object.fromEntries(fields.map((f) => [f, typeof from[f] === 'string' ? from[f] : null]));
}

function lowerKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)]));
}

/** AWSLogs/[o-…/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/file → the partition values. */
function partitionOf(segments: string[]): { region: string; accountid: string; ymd: string } {
  const at = segments.indexOf('CloudTrail');
  return { accountid: segments[at - 1] ?? '', region: segments[at + 1] ?? '', ymd: segments.slice(at + 2, at + 5).join('/') };
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(path)));
    else if (/\.json(\.gz)?$/.test(entry.name) && path.includes(`${sep}AWSLogs${sep}`)) out.push(path);
  }
  return out;
}
