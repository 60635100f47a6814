/**
 * The after-cutover question (role-calls-sql.ts) run for real on DuckDB over
 * trail files, exposed as AWS's documented Athena table and as a CloudTrail
 * Lake store: the counted calls must equal what the trail-file path counts
 * from the same files and window (countRoleCalls over the records), so
 * `verify` and apply's retire gate conclude the same from either.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countRoleCalls } from '../../src/evidence/role-records.js';
import { athenaDialect, athenaTable, COLUMNS_SQL, tableShape } from '../../src/evidence/athena-source.js';
import { lakeDialect, lakeTime } from '../../src/evidence/lake-source.js';
import { readTrailRecords } from '../../src/evidence/log-files.js';
import { deliveredAt, emptyReach, noteReach, reaches } from '../../src/evidence/evidence-reach.js';
import { reachFromRows, roleCallsFromRows, roleCallsSql, type RoleCall, type RoleCallsRole } from '../../src/evidence/role-calls-sql.js';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import { bindUsageSql } from '../../src/evidence/usage-sql.js';
import { openTrailDb, type Partitioning, type TrailDb } from '../support/duckdb-trail.js';
import { sessionIdentity } from '../support/trail-records.js';

const ACCOUNT = '123456789012';
const SHARED = { arn: `arn:aws:iam::${ACCOUNT}:role/app/orders`, name: 'orders' };
const LAMBDA = { arn: `arn:aws:iam::${ACCOUNT}:role/orders-lambda`, name: 'orders-lambda' };
const EC2 = { arn: `arn:aws:iam::${ACCOUNT}:role/orders-ec2`, name: 'orders-ec2' };
const ROLES: RoleCallsRole[] = [
  { ...SHARED, calls: 'all' },
  { ...LAMBDA, calls: 'refused' },
  { ...EC2, calls: 'refused' },
];
const INSTANCE = 'i-0abc1234def567890';
// Cutover at 10:00 on the 5th; checked at noon on the 6th.
const WINDOW = { start: new Date('2024-03-05T10:00:00Z'), end: new Date('2024-03-06T12:00:00Z') };
const STORE = 'EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE';

let root: string;
let db: TrailDb | undefined;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'split-role-calls-'));
});
afterEach(async () => {
  db?.close();
  db = undefined;
  await rm(root, { recursive: true, force: true });
});

function call(
  role: { arn: string; name: string },
  session: string,
  source: string,
  name: string,
  time: string,
  extra: Partial<CloudTrailRecord> = {},
): CloudTrailRecord {
  return {
    eventTime: time,
    eventSource: source,
    eventName: name,
    eventType: 'AwsApiCall',
    userIdentity: sessionIdentity(role, session, `ASIA${session.length}`),
    ...extra,
  };
}
function assume(
  roleArn: string,
  session: string,
  time: string,
  by = 'ec2.amazonaws.com',
  extra: Partial<CloudTrailRecord> = {},
): CloudTrailRecord {
  return {
    eventTime: time,
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    eventType: 'AwsApiCall',
    userIdentity: { type: 'AWSService', invokedBy: by },
    sourceIPAddress: by,
    requestParameters: { roleArn, roleSessionName: session },
    responseElements: { credentials: { accessKeyId: 'ASIAKEY' } },
    ...extra,
  };
}

/** Before and after cutover: refused and allowed calls of the new roles, the shared role still in use, and records of no role asked about. */
function records(): CloudTrailRecord[] {
  const other = { arn: `arn:aws:iam::${ACCOUNT}:role/orders-v2`, name: 'orders-v2' };
  return [
    // Before cutover: none of it counts.
    call(SHARED, INSTANCE, 's3.amazonaws.com', 'GetObject', '2024-03-05T09:59:59Z'),
    call(LAMBDA, 'orders-api', 's3.amazonaws.com', 'PutObject', '2024-03-05T09:00:00Z', { errorCode: 'AccessDenied' }),
    // New roles refused (AccessDenied twice, counted once with the last time), and allowed (not asked for).
    call(LAMBDA, 'orders-api', 's3.amazonaws.com', 'PutObject', '2024-03-05T10:01:00Z', { errorCode: 'AccessDenied' }),
    call(LAMBDA, 'orders-api', 's3.amazonaws.com', 'PutObject', '2024-03-06T11:00:00Z', { errorCode: 'AccessDenied' }),
    call(LAMBDA, 'orders-api', 'dynamodb.amazonaws.com', 'GetItem', '2024-03-05T10:02:00Z', { errorCode: 'AccessDeniedException' }),
    call(LAMBDA, 'orders-api', 'dynamodb.amazonaws.com', 'GetItem', '2024-03-05T10:03:00Z'),
    call(EC2, INSTANCE, 'ec2.amazonaws.com', 'DescribeTags', '2024-03-05T10:04:00Z', { errorCode: 'Client.UnauthorizedOperation' }),
    call(EC2, INSTANCE, 'ssm.amazonaws.com', 'GetParameter', '2024-03-05T10:05:00Z', { errorCode: 'ParameterNotFound' }),
    // A new role's session without its issuer: the assumed-role ARN names it.
    {
      ...call(EC2, INSTANCE, 'kms.amazonaws.com', 'Decrypt', '2024-03-05T10:06:00Z', { errorCode: 'AccessDenied' }),
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/orders-ec2/${INSTANCE}` },
    },
    // Another account's role of the same name, refused, without its issuer: not ours (issue 21 item 13).
    {
      ...call(LAMBDA, 'orders-api', 'ssm.amazonaws.com', 'GetParameter', '2024-03-05T10:07:00Z', { errorCode: 'AccessDenied' }),
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::999999999999:assumed-role/orders-lambda/orders-api' },
    },
    {
      ...call(SHARED, INSTANCE, 's3.amazonaws.com', 'GetObject', '2024-03-05T10:08:00Z'),
      userIdentity: { type: 'AssumedRole', arn: `arn:aws-cn:sts::${ACCOUNT}:assumed-role/orders/${INSTANCE}` },
    },
    // The shared role after cutover: calls, a refused call, a call without issuer, and an AssumeRole of it.
    call(SHARED, INSTANCE, 's3.amazonaws.com', 'GetObject', '2024-03-05T10:10:00Z'),
    call(SHARED, INSTANCE, 's3.amazonaws.com', 'GetObject', '2024-03-05T18:10:00Z'),
    call(SHARED, INSTANCE, 'sqs.amazonaws.com', 'SendMessage', '2024-03-06T01:00:00Z', { errorCode: 'AccessDenied' }),
    {
      ...call(SHARED, 'orders-api', 'logs.amazonaws.com', 'PutLogEvents', '2024-03-05T11:00:00Z'),
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/orders/orders-api` },
    },
    assume(SHARED.arn, 'i-0fff1234def567890', '2024-03-05T12:00:00Z'),
    assume(SHARED.arn, 'build-7', '2024-03-05T12:30:00Z', 'codebuild.amazonaws.com', { errorCode: 'AccessDenied' }),
    // The shared role's session assuming another role is the other role's AssumeRole, not a call of the shared role.
    { ...assume(other.arn, 'chained', '2024-03-05T13:00:00Z'), userIdentity: sessionIdentity(SHARED, INSTANCE, 'ASIACHAIN') },
    // Another role with a name the shared role's is part of, and a record whose issuer is another role.
    call(other, INSTANCE, 's3.amazonaws.com', 'DeleteBucket', '2024-03-05T13:01:00Z', { errorCode: 'AccessDenied' }),
    {
      ...call(other, INSTANCE, 's3.amazonaws.com', 'DeleteObject', '2024-03-05T13:02:00Z'),
      userIdentity: { ...sessionIdentity(other, INSTANCE, 'ASIAX'), arn: `arn:aws:sts::${ACCOUNT}:assumed-role/orders/${INSTANCE}` },
    },
    // No identity at all, and AWS's own events.
    { eventTime: '2024-03-05T14:00:00Z', eventSource: 'health.amazonaws.com', eventName: 'Notify', eventType: 'AwsServiceEvent' },
    // After the check.
    call(SHARED, INSTANCE, 's3.amazonaws.com', 'PutObject', '2024-03-06T12:00:01Z'),
  ];
}

/** Writes records into day folders as a trail does. */
async function writeTrail(all: readonly CloudTrailRecord[]): Promise<void> {
  const byDay = new Map<string, CloudTrailRecord[]>();
  for (const r of all) byDay.set(r.eventTime.slice(0, 10), [...(byDay.get(r.eventTime.slice(0, 10)) ?? []), r]);
  for (const [day, dayRecords] of byDay) {
    const path = join(
      root,
      'AWSLogs',
      ACCOUNT,
      'CloudTrail',
      'us-east-1',
      ...day.split('-'),
      `${ACCOUNT}_CloudTrail_us-east-1_${day}.json.gz`,
    );
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, gzipSync(JSON.stringify({ Records: dayRecords })));
  }
}

/** In one order, whatever order the rows came in. */
function sorted(calls: readonly RoleCall[]): RoleCall[] {
  const key = (c: RoleCall) => [c.roleArn, c.sessionName, c.eventSource, c.eventName, c.errorCode].join('|');
  return [...calls].sort((a, b) => key(a).localeCompare(key(b)));
}

/** What the trail-file path counts from the same files. */
async function fromFiles(roles = ROLES): Promise<RoleCall[]> {
  return sorted(await countRoleCalls(readTrailRecords(root, {}), roles, WINDOW));
}

async function viaAthena(trail: TrailDb, roles = ROLES) {
  const { database, table } = athenaTable({ table: 'cloudtrail.logs' });
  const columns = await trail.query(COLUMNS_SQL, [database, table]);
  const shape = tableShape(
    `${database}.${table}`,
    columns.map((c) => ({ name: c.column_name ?? '', type: c.data_type ?? '' })),
  );
  const bound = bindUsageSql(roleCallsSql(athenaDialect(database, table, shape), { roles, window: WINDOW }), 'parameters');
  return { calls: sorted(roleCallsFromRows(await trail.query(bound.sql, bound.parameters))), bound };
}

async function viaLake(trail: TrailDb, roles = ROLES) {
  const bound = bindUsageSql(roleCallsSql(lakeDialect(STORE), { roles, window: WINDOW }), 'literals');
  // Lake names the store unquoted; DuckDB needs it quoted (as the Lake fake does).
  const rows = await trail.query(bound.sql.replaceAll(`FROM ${STORE}`, `FROM "${STORE}"`));
  return { calls: sorted(roleCallsFromRows(rows, lakeTime)), bound };
}

describe('the after-cutover SQL on DuckDB counts what the trail-file path counts', () => {
  it.each<[Partitioning, boolean]>([
    ['projection', false],
    ['ymd', false],
    ['projection', true],
  ])('Athena table, partitioning %s (account partition: %s)', async (partitioning, orgAccountPartition) => {
    await writeTrail(records());
    db = await openTrailDb(root, { partitioning, orgAccountPartition });
    const { calls, bound } = await viaAthena(db);
    const want = await fromFiles();
    expect(calls).toEqual(want);
    // The cases landed where they should: refused calls of the new roles only, every call of the shared role.
    const of = (role: { arn: string }) =>
      want.filter((c) => c.roleArn === role.arn).map((c) => `${c.sessionName} ${c.eventName} ${c.errorCode} ${c.count} ${c.lastSeen}`);
    expect(of(LAMBDA)).toEqual([
      'orders-api GetItem AccessDeniedException 1 2024-03-05T10:02:00Z',
      'orders-api PutObject AccessDenied 2 2024-03-06T11:00:00Z',
    ]);
    expect(of(EC2)).toEqual([
      `${INSTANCE} DescribeTags Client.UnauthorizedOperation 1 2024-03-05T10:04:00Z`,
      `${INSTANCE} Decrypt AccessDenied 1 2024-03-05T10:06:00Z`,
    ]);
    expect(of(SHARED)).toEqual([
      'build-7 AssumeRole AccessDenied 1 2024-03-05T12:30:00Z',
      `${INSTANCE} GetObject  2 2024-03-05T18:10:00Z`,
      `${INSTANCE} SendMessage AccessDenied 1 2024-03-06T01:00:00Z`,
      'i-0fff1234def567890 AssumeRole  1 2024-03-05T12:00:00Z',
      'orders-api PutLogEvents  1 2024-03-05T11:00:00Z',
    ]);
    expect(want.find((c) => c.eventName === 'GetObject')?.firstSeen).toBe('2024-03-05T10:10:00Z');
    // Pruned to the window's partitions (and the account), with every value bound, never in the text.
    expect(bound.sql).toMatch(partitioning === 'ymd' ? /"year" BETWEEN \? AND \?/ : /"timestamp" BETWEEN \? AND \?/);
    if (orgAccountPartition) expect(bound.sql).toMatch(/"accountid" = \?/);
    for (const role of ROLES) {
      expect(bound.sql).not.toContain(role.arn);
      expect(bound.parameters).toContain(role.arn);
    }
    expect(bound.parameters).toEqual(
      expect.arrayContaining(['2024/03/05', '2024/03/06', '2024-03-05T10:00:00Z', `arn:aws:sts::${ACCOUNT}:assumed-role/orders/`]),
    );
  });

  it('Lake store: the same counts, values written as escaped literals, times read back as CloudTrail’s', async () => {
    await writeTrail(records());
    db = await openTrailDb(root, { lakeStoreId: STORE });
    const { calls, bound } = await viaLake(db);
    expect(calls).toEqual(await fromFiles());
    expect(calls.some((c) => c.errorCode === 'AccessDenied' && c.roleArn === LAMBDA.arn)).toBe(true);
    expect(bound.parameters).toEqual([]);
    expect(bound.sql).toContain(`recipientaccountid = '${ACCOUNT}'`);
    expect(bound.sql).toContain(`'${SHARED.arn}'`);
    expect(bound.sql.length).toBeLessThan(10_000);
  });

  it('a busy role comes back as one row per session and event, not per call', async () => {
    const busy = Array.from({ length: 3000 }, (_, i) =>
      call(
        SHARED,
        INSTANCE,
        's3.amazonaws.com',
        'GetObject',
        new Date(WINDOW.start.getTime() + 1000 + i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ),
    );
    await writeTrail(busy);
    db = await openTrailDb(root);
    const rows = await db.query(
      ...(({ sql, parameters }) => [sql, parameters] as const)(
        bindUsageSql(
          roleCallsSql(athenaDialect('cloudtrail', 'logs', { date: 'timestamp', account: undefined }), { roles: ROLES, window: WINDOW }),
          'parameters',
        ),
      ),
    );
    // One row for the calls, and the one row that counts every record of the account in the window.
    expect(rows).toHaveLength(2);
    expect(roleCallsFromRows(rows)).toHaveLength(1);
    expect(roleCallsFromRows(rows)[0]).toMatchObject({ count: 3000, firstSeen: '2024-03-05T10:00:01Z', lastSeen: '2024-03-05T10:50:00Z' });
  });
});

describe('how far the evidence reaches (issue 21 item 3)', () => {
  const inWindow = () => records().filter((r) => r.eventTime >= '2024-03-05T10:00:00Z' && r.eventTime <= '2024-03-06T12:00:00Z');

  it('Athena and Lake: the reach row counts every record of the account in the window and gives the latest event', async () => {
    await writeTrail(records());
    db = await openTrailDb(root, { partitioning: 'projection', orgAccountPartition: true });
    const { bound } = await viaAthena(db);
    const athena = emptyReach();
    reachFromRows(await db.query(bound.sql, bound.parameters), athena, WINDOW.end);
    expect(athena).toEqual({ records: inWindow().length, latest: '2024-03-06T11:00:00Z' });
    db.close();
    db = await openTrailDb(root, { lakeStoreId: STORE });
    const lake = bindUsageSql(roleCallsSql(lakeDialect(STORE), { roles: ROLES, window: WINDOW }), 'literals');
    const reach = emptyReach();
    reachFromRows(await db.query(lake.sql.replaceAll(`FROM ${STORE}`, `FROM "${STORE}"`)), reach, WINDOW.end, lakeTime);
    expect(reach).toEqual({ records: inWindow().length, latest: '2024-03-06T11:00:00Z' });
  });

  it('a trail with nothing after cutover reaches nowhere: zero records, no latest event', async () => {
    await writeTrail(records().filter((r) => r.eventTime < '2024-03-05T10:00:00Z'));
    db = await openTrailDb(root);
    const { bound } = await viaAthena(db);
    const reach = emptyReach();
    reachFromRows(await db.query(bound.sql, bound.parameters), reach, WINDOW.end);
    expect(reach).toEqual({ records: 0 });
    expect(reaches(reach, WINDOW.start)).toBe(false);
  });

  it('a time after the window’s end, or a file named as delivered then, proves nothing', () => {
    const reach = emptyReach();
    noteReach(reach, '2024-03-06T12:00:01Z', WINDOW.end);
    noteReach(reach, deliveredAt(`${ACCOUNT}_CloudTrail_us-east-1_20240306T1300Z_abc.json.gz`), WINDOW.end);
    expect(reach.latest).toBeUndefined();
    noteReach(reach, deliveredAt(`x/${ACCOUNT}_CloudTrail_us-east-1_20240305T1015Z_Mu0KsOhtH1ar15ZZ.json.gz`), WINDOW.end);
    expect(reach.latest).toBe('2024-03-05T10:15:00Z');
    expect(deliveredAt(`${ACCOUNT}_CloudTrail_us-east-1_2024-03-05.json.gz`)).toBeUndefined();
    // Compared in CloudTrail's whole seconds: an event in the second cutover falls in reaches it.
    expect(reaches({ records: 1, latest: '2024-03-05T10:00:00Z' }, new Date('2024-03-05T10:00:00.800Z'))).toBe(true);
    expect(reaches({ records: 1, latest: '2024-03-05T09:59:59Z' }, new Date('2024-03-05T10:00:00.000Z'))).toBe(false);
  });
});

describe('role names and ARNs with quotes cannot break the SQL', () => {
  const quoted = { arn: `arn:aws:iam::${ACCOUNT}:role/o'brien`, name: "o'brien" };
  const hostile = { arn: `arn:aws:iam::${ACCOUNT}:role/x' OR '1'='1`, name: `x' OR '1'='1` };
  const roles: RoleCallsRole[] = [
    { ...quoted, calls: 'all' },
    { ...hostile, calls: 'refused' },
  ];
  const quotedRecords = () => [
    call(quoted, 'job', 's3.amazonaws.com', 'GetObject', '2024-03-05T11:00:00Z'),
    {
      ...call(quoted, 'job', 's3.amazonaws.com', 'PutObject', '2024-03-05T11:01:00Z'),
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/o'brien/job` },
    },
    assume(quoted.arn, 'job', '2024-03-05T10:59:00Z'),
    ...records(),
  ];

  it('Athena parameters: a quoted name matches its own records and nothing else', async () => {
    await writeTrail(quotedRecords());
    db = await openTrailDb(root);
    const { calls, bound } = await viaAthena(db, roles);
    expect(calls).toEqual(await fromFiles(roles));
    expect(calls.map((c) => `${c.roleArn} ${c.eventName}`)).toEqual([
      `${quoted.arn} GetObject`,
      `${quoted.arn} PutObject`,
      `${quoted.arn} AssumeRole`,
    ]);
    expect(bound.sql).not.toContain("o'brien");
    expect(bound.sql).not.toContain("OR '1'");
  });

  it('Lake literals: the quote is doubled, and the same calls come back', async () => {
    await writeTrail(quotedRecords());
    db = await openTrailDb(root, { lakeStoreId: STORE });
    const { calls, bound } = await viaLake(db, roles);
    expect(calls).toEqual(await fromFiles(roles));
    expect(calls).toHaveLength(3);
    expect(bound.sql).toContain(`'arn:aws:iam::${ACCOUNT}:role/o''brien'`);
    expect(bound.sql).toContain(`'arn:aws:iam::${ACCOUNT}:role/x'' OR ''1''=''1'`);
  });
});
