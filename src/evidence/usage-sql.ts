/**
 * The usage question as SQL, for engines that hold the organization trail
 * (Athena over the trail's files, CloudTrail Lake). The engine does the
 * attribution join — the role's AssumeRole events, invoked by each service,
 * give the sessions' access keys; the calls made with those keys are that
 * service's — and the aggregation, so only one row per (service, event,
 * resource, error code) comes back. The SQL mirrors the Attributor
 * (attribution.ts) rule for rule, so a plan from an engine and a plan from
 * the same records as files agree.
 *
 * Every value from outside (role ARN, dates, account) is held apart from the
 * text and bound at the end (`bindUsageSql`): as execution parameters where
 * the engine takes them, else as escaped literals. Nothing is concatenated raw.
 */
import { ACCESS_DENIED_NAMES } from '../core/aws-error-names.js';
import { RESOURCE_PARAMETERS } from './record-resources.js';

/** How one engine spells the parts that differ (Athena's documented table, Lake's event data store). */
export interface UsageSqlDialect {
  /** The FROM target, already validated and quoted. */
  table: string;
  /** A top-level key of requestParameters, as text (NULL when absent). */
  requestParameter(key: string): string;
  /** The access key an AssumeRole issued (responseElements.credentials.accessKeyId). */
  issuedAccessKey: string;
  /** The whole request as JSON text, for the few events whose action depends on it; "NULL" when the engine cannot give it. */
  requestJson: string;
  /** An instant as eventTime compares in this engine. */
  time(date: Date): string;
  /** Conditions that prune partitions (or the store) to the role's account and the read window; values go through `value`. */
  scope(read: { start: Date; end: Date; account: string }, value: (text: string) => string): string[];
}

/** A query whose values are held apart from its text. */
export interface UsageSql {
  /** The SQL, each value marked where it goes. */
  text: string;
  values: string[];
}

/** A query ready for an engine: `?` placeholders with their values in order, or (without parameters) escaped literals. */
export interface BoundSql {
  sql: string;
  parameters: string[];
}

/** What to ask: one role, over a window. */
export interface UsageQuestion {
  role: { arn: string; name: string };
  window: { start: Date; end: Date };
}

/** Errors that mean the call was refused (as attribution.ts): the workload holds no such permission to keep. */
const DENIED = [...ACCESS_DENIED_NAMES];
/** DynamoDB events whose actions depend on the request (event-action.ts). */
const REQUEST_DEPENDENT = ['ExecuteStatement', 'BatchExecuteStatement', 'ExecuteTransaction', 'TransactWriteItems'];
/**
 * The resource a call named: the last ARN of the documented `resources` array
 * (Athena's array of row(arn, accountid, type), Lake's of row(accountid, type,
 * arn, arnprefix)). CloudTrail lists an S3 object before its bucket, so S3 data
 * events aggregate per bucket, not per object, and the result stays small.
 */
const RESOURCE_ARN = 'element_at(resources, -1).arn';
/** As record-resources.ts: S3 object ARNs are no resource policy's. */
const S3_OBJECT_ARN_LIKE = 'arn:%:s3:::%/%';
/** Longest role session a workload service opens, rounded up to a day (as the log reader's lookback). */
const ASSUME_ROLE_LOOKBACK_MS = 24 * 60 * 60 * 1000;

/** The origin of a session a person or another non-service principal opened; no service principal looks like it. */
export const NON_SERVICE_ORIGIN = '(non-service)';

/** The result columns, in order. */
export const USAGE_COLUMNS = [
  'kind',
  'origin',
  'session_name',
  'event_source',
  'event_name',
  'request',
  'resource_arn',
  'error_code',
  'events',
  'sessions',
  'data_events',
  'first_seen',
  'last_seen',
] as const;

/**
 * The usage query. Rows of kind "calls" give an event's count, first and last
 * time per origin, resource and error code; "sessions" the distinct sessions
 * per origin; "idle" sessions opened in the window that made no call;
 * "resources" (in `resource_arn`) every name of a resource a resource policy
 * could sit on that the origin's calls carried (record-resources.ts).
 * `origin` is the service that opened the session, NON_SERVICE_ORIGIN for a
 * person or other principal, NULL when no AssumeRole of the session was seen
 * (then `session_name` is given, for the name-shape fallback). Engines that
 * return NULL as "" lose nothing: "" is never an origin.
 */
export function usageSql(d: UsageSqlDialect, q: UsageQuestion): UsageSql {
  const values: string[] = [];
  const value = (text: string) => `${MARK}${values.push(text) - 1}${MARK}`;
  const account = q.role.arn.split(':')[4] ?? '';
  const partition = q.role.arn.split(':')[1] ?? 'aws';
  const prefix = `arn:${partition}:sts::${account}:assumed-role/${q.role.name}/`;
  const lookback = new Date(q.window.start.getTime() - ASSUME_ROLE_LOOKBACK_MS);
  const scope = [
    ...d.scope({ start: lookback, end: q.window.end, account }, value),
    `eventtime >= ${value(d.time(lookback))}`,
    `eventtime <= ${value(d.time(q.window.end))}`,
  ];
  const inWindow = `eventtime >= ${value(d.time(q.window.start))}`;
  const list = (items: readonly string[]) => items.map((item) => `'${item}'`).join(', ');
  const roleArnOf = d.requestParameter('roleArn');
  const assumes = `
  assumes AS (
    SELECT ${d.issuedAccessKey} AS access_key,
           coalesce(${d.requestParameter('roleSessionName')}, '') AS session_name,
           CASE WHEN useridentity IS NULL OR (useridentity.type IS NOT NULL AND useridentity.type <> 'AWSService') THEN '${NON_SERVICE_ORIGIN}'
                ELSE coalesce(useridentity.invokedby, sourceipaddress, '${NON_SERVICE_ORIGIN}') END AS origin,
           CASE WHEN ${inWindow} THEN 1 ELSE 0 END AS in_window
    FROM ${d.table}
    WHERE ${scope.join(' AND ')}
      AND eventsource = 'sts.amazonaws.com' AND eventname = 'AssumeRole' AND coalesce(errorcode, '') = ''
      AND ${roleArnOf} = ${value(q.role.arn)}
  )`;
  const callScope = [
    ...d.scope({ start: q.window.start, end: q.window.end, account }, value),
    `eventtime >= ${value(d.time(q.window.start))}`,
    `eventtime <= ${value(d.time(q.window.end))}`,
  ];
  const calls = `
  calls AS (
    SELECT coalesce(useridentity.accesskeyid, '') AS access_key,
           CASE WHEN starts_with(coalesce(useridentity.arn, ''), ${value(prefix)}) THEN substr(useridentity.arn, ${prefix.length + 1})
                WHEN useridentity.arn IS NULL THEN ''
                ELSE regexp_extract(useridentity.arn, '[^/]*$') END AS session_name,
           eventsource, eventname, eventcategory, eventtime,
           ${RESOURCE_ARN} AS resource_arn, nullif(errorcode, '') AS error_code,
           concat(coalesce(transform(resources, r -> r.arn), ARRAY[]), ARRAY[${RESOURCE_PARAMETERS.map((key) => d.requestParameter(key)).join(', ')}]) AS names,
           CASE WHEN eventsource = 'dynamodb.amazonaws.com' AND eventname IN (${list(REQUEST_DEPENDENT)}) THEN ${d.requestJson} END AS request
    FROM ${d.table}
    WHERE ${callScope.join(' AND ')}
      AND NOT (eventsource = 'sts.amazonaws.com' AND eventname = 'AssumeRole' AND coalesce(${roleArnOf}, '') = ${value(q.role.arn)})
      AND coalesce(eventtype, '') <> 'AwsServiceEvent'
      AND useridentity IS NOT NULL AND coalesce(useridentity.type, '') <> 'AWSService'
      AND strpos(coalesce(useridentity.arn, ''), ':assumed-role/aws:ec2-instance/') = 0
      AND (useridentity.sessioncontext.sessionissuer.arn = ${value(q.role.arn)}
           OR (useridentity.sessioncontext.sessionissuer.arn IS NULL AND starts_with(coalesce(useridentity.arn, ''), ${value(prefix)})))
      AND coalesce(errorcode, '') NOT IN (${list(DENIED)})
  )`;
  const text = `WITH${assumes},${calls},
  keys AS (
    SELECT access_key, max(origin) AS origin, max(session_name) AS session_name, max(in_window) AS in_window
    FROM assumes WHERE access_key IS NOT NULL GROUP BY access_key
  ),
  names AS (
    SELECT session_name, CASE WHEN count(DISTINCT origin) = 1 THEN max(origin) END AS origin
    FROM assumes GROUP BY session_name
  ),
  resolved AS (
    SELECT c.access_key, c.session_name, c.eventsource, c.eventname, c.eventcategory, c.eventtime, c.request, c.resource_arn, c.error_code, c.names,
           CASE WHEN k.access_key IS NOT NULL THEN k.origin ELSE n.origin END AS origin,
           CASE WHEN k.access_key IS NULL AND n.origin IS NULL THEN c.session_name END AS unresolved
    FROM calls c
    LEFT JOIN keys k ON c.access_key <> '' AND k.access_key = c.access_key
    LEFT JOIN names n ON n.session_name = c.session_name
  ),
  named AS (
    SELECT DISTINCT r.origin, r.unresolved, u.name
    FROM resolved r CROSS JOIN UNNEST(r.names) AS u(name)
    WHERE u.name IS NOT NULL AND u.name <> '' AND u.name NOT LIKE '${S3_OBJECT_ARN_LIKE}'
  )
SELECT 'calls' AS kind, origin, unresolved AS session_name, eventsource AS event_source, eventname AS event_name, request, resource_arn, error_code,
       count(*) AS events, 0 AS sessions, max(CASE WHEN eventcategory = 'Data' THEN 1 ELSE 0 END) AS data_events,
       min(eventtime) AS first_seen, max(eventtime) AS last_seen
FROM resolved GROUP BY origin, unresolved, eventsource, eventname, request, resource_arn, error_code
UNION ALL
SELECT 'sessions', origin, unresolved, NULL, NULL, NULL, NULL, NULL, 0, count(DISTINCT access_key || ' ' || session_name), 0, NULL, NULL
FROM resolved GROUP BY origin, unresolved
UNION ALL
SELECT 'idle', k.origin, NULL, NULL, NULL, NULL, NULL, NULL, 0, count(*), 0, NULL, NULL
FROM keys k
WHERE k.in_window = 1 AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.access_key = k.access_key AND c.session_name = k.session_name)
GROUP BY k.origin
UNION ALL
SELECT 'resources', origin, unresolved, NULL, NULL, NULL, name, NULL, 0, 0, 0, NULL, NULL
FROM named`;
  return { text, values };
}

/** Marks a value's place in the text; validated names and constants never contain it. */
const MARK = '\uE000';
const MARKED = /\uE000(\d+)\uE000/g;

/**
 * Binds the values: as `?` parameters in the order they appear in the text,
 * or, for an engine without parameters, as escaped string literals.
 */
export function bindUsageSql(query: UsageSql, mode: 'parameters' | 'literals'): BoundSql {
  const parameters: string[] = [];
  const sql = query.text.replace(MARKED, (_, index: string) => {
    const text = query.values[Number(index)]!;
    if (mode === 'literals') return sqlLiteral(text);
    parameters.push(text);
    return '?';
  });
  return { sql, parameters };
}

/** Quotes a text value as a SQL string literal: the one escape a literal needs is a doubled quote. */
export function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Holds a value apart from a query's text (pushed onto `values`): its mark, bound later by `bindUsageSql`. */
export function holdValue(values: string[], text: string): string {
  return `${MARK}${values.push(text) - 1}${MARK}`;
}
