/**
 * The question checks after cutover ask (apply's retire gate, `verify`), as
 * SQL for the engines that hold the organization trail (Athena, CloudTrail
 * Lake): the calls of given roles in a window, counted per (role, session,
 * event, error code) with first and last time, so only aggregates come back
 * however busy a new role is over a soak. The role of a record and its
 * session name follow roleOf() and sessionNameOf() in role-records.ts
 * rule for rule: an AssumeRole event is the role it assumes; any other call
 * is its session issuer's, else the role its assumed-role ARN names.
 *
 * Values from outside (role ARNs and names, dates, the account) go through
 * the same marks as usage-sql.ts and are bound by `bindUsageSql`.
 */
import { ACCESS_DENIED_NAMES } from '../core/aws-error-names.js';
import { noteReach, type EvidenceReach } from './evidence-reach.js';
import { holdValue, type UsageSql, type UsageSqlDialect } from './usage-sql.js';

/** Calls of one role with one event and outcome, from one session name, in the window. */
export interface RoleCall {
  roleArn: string;
  sessionName: string;
  eventSource: string;
  eventName: string;
  /** "" when the call succeeded. */
  errorCode: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
}

/** A role asked about: every call (the shared role) or only refused ones (a new role). */
export interface RoleCallsRole {
  arn: string;
  name: string;
  calls: 'all' | 'refused';
}

/** What to ask: roles of one account, over a window. */
export interface RoleCallsQuestion {
  roles: readonly RoleCallsRole[];
  window: { start: Date; end: Date };
}

/** The result columns, in order. */
export const ROLE_CALL_COLUMNS = [
  'role_arn',
  'session_name',
  'event_source',
  'event_name',
  'error_code',
  'calls',
  'first_seen',
  'last_seen',
] as const;

/** The after-cutover query: one row per (role, session name, event source, event name, error code). */
export function roleCallsSql(d: UsageSqlDialect, q: RoleCallsQuestion): UsageSql {
  const values: string[] = [];
  const value = (text: string) => holdValue(values, text);
  const account = q.roles[0]?.arn.split(':')[4] ?? '';
  const where = [
    ...d.scope({ ...q.window, account }, value),
    `eventtime >= ${value(d.time(q.window.start))}`,
    `eventtime <= ${value(d.time(q.window.end))}`,
  ];
  const callerArn = `coalesce(useridentity.arn, '')`;
  const issuer = 'useridentity.sessioncontext.sessionissuer.arn';
  // roleOf: the first role whose session ARN (its partition, account and name) the caller's is, when the record names no issuer.
  const byName = q.roles.map((r) => `WHEN starts_with(${callerArn}, ${value(sessionArnPrefix(r.arn, r.name))}) THEN ${value(r.arn)}`);
  // Constants of ours, not values from outside: written into the text.
  const refused = [...ACCESS_DENIED_NAMES].map((code) => `'${code}'`).join(', ');
  const wanted = q.roles.map((r) =>
    r.calls === 'all' ? `role_arn = ${value(r.arn)}` : `(role_arn = ${value(r.arn)} AND error_code IN (${refused}))`,
  );
  const text = `WITH tagged AS (
  SELECT CASE WHEN eventsource = 'sts.amazonaws.com' AND starts_with(eventname, 'AssumeRole') THEN ${d.requestParameter('roleArn')}
              WHEN coalesce(${issuer}, '') <> '' THEN ${issuer}
              ${byName.length > 0 ? `ELSE CASE ${byName.join(' ')} END` : ''}
         END AS role_arn,
         CASE WHEN starts_with(eventname, 'AssumeRole') THEN coalesce(${d.requestParameter('roleSessionName')}, '')
              WHEN strpos(${callerArn}, ':assumed-role/') > 0 THEN regexp_extract(useridentity.arn, '[^/]*$')
              ELSE ${callerArn} END AS session_name,
         eventsource, eventname, coalesce(errorcode, '') AS error_code, eventtime
  FROM ${d.table}
  WHERE ${where.join(' AND ')}
)
SELECT role_arn, session_name, eventsource AS event_source, eventname AS event_name, error_code,
       count(*) AS calls, min(eventtime) AS first_seen, max(eventtime) AS last_seen
FROM tagged
WHERE ${wanted.length > 0 ? wanted.join(' OR ') : 'FALSE'}
GROUP BY role_arn, session_name, eventsource, eventname, error_code
UNION ALL
SELECT '' AS role_arn, '${REACH_ROW}' AS session_name, '' AS event_source, '' AS event_name, '' AS error_code,
       count(*) AS calls, min(eventtime) AS first_seen, max(eventtime) AS last_seen
FROM ${d.table}
WHERE ${where.join(' AND ')}`;
  return { text, values };
}

/**
 * The session name of the one row that is no role's: every record of the
 * account in the window, counted, with the latest event time. Why: no calls
 * means "unused" only if the evidence reaches past cutover (evidence-reach.ts).
 */
export const REACH_ROW = '#all-records';

/** arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/: what every session ARN of the role starts with. */
export function sessionArnPrefix(roleArn: string, roleName: string): string {
  const [, partition = 'aws', , , account = ''] = roleArn.split(':');
  return `arn:${partition}:sts::${account}:assumed-role/${roleName}/`;
}

/** The reach row's count and latest time (as CloudTrail's), noted in `reach`; times after `end` are ignored. */
export function reachFromRows(
  rows: Iterable<RoleCallRow>,
  reach: EvidenceReach,
  end: Date,
  normaliseTime: (engineTime: string) => string = (time) => time,
): void {
  for (const row of rows) {
    if (row.role_arn || row.session_name !== REACH_ROW) continue;
    const count = Number(row.calls ?? 0);
    if (Number.isSafeInteger(count) && count > 0) reach.records += count;
    if (row.last_seen) noteReach(reach, normaliseTime(row.last_seen), end);
  }
}

/** One result row by column name, as text (NULL as undefined), the way Athena and Lake return them. */
export type RoleCallRow = Partial<Record<(typeof ROLE_CALL_COLUMNS)[number], string>>;

/** The query's rows as calls; `normaliseTime` reads an engine's time back as CloudTrail's. */
export function roleCallsFromRows(rows: Iterable<RoleCallRow>, normaliseTime: (engineTime: string) => string = (time) => time): RoleCall[] {
  const calls: RoleCall[] = [];
  for (const row of rows) {
    const count = Number(row.calls ?? 0);
    if (!row.role_arn || !Number.isSafeInteger(count) || count <= 0) continue;
    calls.push({
      roleArn: row.role_arn,
      sessionName: row.session_name ?? '',
      eventSource: row.event_source ?? '',
      eventName: row.event_name ?? '',
      errorCode: row.error_code ?? '',
      count,
      firstSeen: normaliseTime(row.first_seen ?? ''),
      lastSeen: normaliseTime(row.last_seen ?? ''),
    });
  }
  return calls;
}
