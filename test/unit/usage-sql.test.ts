/**
 * The usage SQL run for real on DuckDB over trail files exposed as AWS's
 * documented Athena CloudTrail table: what it concludes must equal what the
 * Attributor concludes from the same records as files.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/cloudtrail-corpus.js';
import { athenaConfig, athenaDialect, athenaTable, COLUMNS_SQL, tableShape } from '../../src/evidence/athena-source.js';
import { Attributor } from '../../src/evidence/attribution.js';
import type { CloudTrailRecord, SessionHints } from '../../src/evidence/types.js';
import { lakeDialect, lakeTime } from '../../src/evidence/lake-source.js';
import { usageFromRows } from '../../src/evidence/usage-rows.js';
import { bindUsageSql, sqlLiteral, USAGE_COLUMNS, usageSql } from '../../src/evidence/usage-sql.js';
import { openTrailDb, type Partitioning, type TrailDb } from '../support/duckdb-trail.js';
import { hintsOf, loadCorpus, NO_HINTS } from '../support/cloudtrail-corpus.js';
import { comparableEvidence } from '../support/evidence-compare.js';
import { sessionIdentity } from '../support/trail-records.js';

const ACCOUNT = '123456789012';
const ROLE = { arn: `arn:aws:iam::${ACCOUNT}:role/app/team/shared`, name: 'shared' };
const SERVICES = ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com', 'codebuild.amazonaws.com'];
const INSTANCE = 'i-0abc1234def567890';
const HINTS: SessionHints = hintsOf({ ec2: [INSTANCE], lambda: ['orders-api'] });
const WINDOW = { start: new Date('2024-03-05T00:00:00Z'), end: new Date('2024-03-07T00:00:00Z') };

let root: string;
let db: TrailDb | undefined;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'split-role-sql-'));
});
afterEach(async () => {
  db?.close();
  db = undefined;
  await rm(root, { recursive: true, force: true });
});

const at = (time: string) => ({ eventVersion: '1.09', eventTime: time });
/** An S3 object data event's resources, as CloudTrail lists them: the object, then its bucket. */
const s3Object = (bucket: string, key: string) => [
  { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
  { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
];
function assume(
  by: string | NonNullable<CloudTrailRecord['userIdentity']>,
  session: string,
  key: string,
  time: string,
  roleArn = ROLE.arn,
  extra: Partial<CloudTrailRecord> = {},
): CloudTrailRecord {
  return {
    ...at(time),
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    userIdentity: typeof by === 'string' ? { type: 'AWSService', invokedBy: by } : by,
    ...(typeof by === 'string' ? { sourceIPAddress: by } : {}),
    requestParameters: { roleArn, roleSessionName: session },
    responseElements: { credentials: { accessKeyId: key } },
    ...extra,
  };
}
function call(
  session: string,
  key: string,
  source: string,
  name: string,
  time: string,
  extra: Partial<CloudTrailRecord> = {},
  role = ROLE,
): CloudTrailRecord {
  return {
    ...at(time),
    eventSource: source,
    eventName: name,
    eventType: 'AwsApiCall',
    userIdentity: sessionIdentity(role, session, key),
    ...extra,
  };
}

/** Every rule of attribution, on both sides of the window. */
function records(): CloudTrailRecord[] {
  const other = { arn: `arn:aws:iam::${ACCOUNT}:role/shared-v2`, name: 'shared-v2' };
  return [
    // EC2, opened the evening before the window: joined by key.
    assume('ec2.amazonaws.com', INSTANCE, 'ASIAEC2', '2024-03-04T22:00:00Z'),
    call(INSTANCE, 'ASIAEC2', 's3.amazonaws.com', 'GetObject', '2024-03-04T23:00:00Z', {
      eventCategory: 'Data',
      resources: s3Object('orders', 'a.json'),
    }),
    call(INSTANCE, 'ASIAEC2', 's3.amazonaws.com', 'GetObject', '2024-03-05T01:00:00Z', {
      eventCategory: 'Data',
      resources: s3Object('orders', 'b.json'),
    }),
    call(INSTANCE, 'ASIAEC2', 's3.amazonaws.com', 'GetObject', '2024-03-05T01:30:00Z', {
      eventCategory: 'Data',
      resources: s3Object('invoices', 'c.json'),
    }),
    call(INSTANCE, 'ASIAEC2', 's3.amazonaws.com', 'PutObject', '2024-03-05T02:00:00Z', {
      eventCategory: 'Data',
      resources: s3Object('orders', 'd.json'),
    }),
    // A listing names the prefix (no ARN) and then the bucket.
    call(INSTANCE, 'ASIAEC2', 's3.amazonaws.com', 'ListObjects', '2024-03-05T02:00:03Z', {
      eventCategory: 'Data',
      resources: [
        { type: 'AWS::S3::Object', ARNPrefix: 'arn:aws:s3:::orders/2024/' } as { type: string },
        { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::orders' },
      ],
    }),
    // A resource list whose last entry has no ARN names no resource.
    call(INSTANCE, 'ASIAEC2', 's3.amazonaws.com', 'ListObjects', '2024-03-05T02:00:04Z', {
      eventCategory: 'Data',
      resources: [{ type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::orders' }, { type: 'AWS::S3::Object' }],
    }),
    call(INSTANCE, 'ASIAEC2', 'ec2.amazonaws.com', 'DescribeTags', '2024-03-05T02:00:01Z', { errorCode: 'AccessDenied' }),
    call(INSTANCE, 'ASIAEC2', 'ssm.amazonaws.com', 'GetParameter', '2024-03-05T02:00:02Z', { errorCode: 'ParameterNotFound' }),
    call(INSTANCE, 'ASIAEC2', 'ssm.amazonaws.com', 'GetParameter', '2024-03-05T02:00:05Z', { errorCode: '' }),
    // Lambda, with a forward-access KMS call made by S3 for it, and a DynamoDB transaction.
    assume('lambda.amazonaws.com', 'orders-api', 'ASIALAMBDA', '2024-03-05T03:00:00Z'),
    call('orders-api', 'ASIALAMBDA', 'dynamodb.amazonaws.com', 'TransactWriteItems', '2024-03-05T03:01:00Z', {
      eventCategory: 'Data',
      requestParameters: {
        requestItems: [
          { operation: 'Put', tableName: 'orders' },
          { operation: 'ConditionCheck', tableName: 'orders' },
        ],
      },
      resources: [{ accountId: ACCOUNT, type: 'AWS::DynamoDB::Table', ARN: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders` }],
    }),
    call('orders-api', 'ASIALAMBDA', 'dynamodb.amazonaws.com', 'PutItem', '2024-03-05T03:01:30Z', {
      eventCategory: 'Data',
      errorCode: 'ConditionalCheckFailedException',
      resources: [{ accountId: ACCOUNT, type: 'AWS::DynamoDB::Table', ARN: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders` }],
    }),
    {
      ...at('2024-03-05T03:02:00Z'),
      eventSource: 'kms.amazonaws.com',
      eventName: 'Decrypt',
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/shared/orders-api`,
        accessKeyId: 'ASIALAMBDA',
        invokedBy: 's3.amazonaws.com',
      },
      requestParameters: {
        keyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd`,
        encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::orders/a.json' },
      },
    },
    // ECS task whose AssumeRole is not in the files: the name's shape decides.
    call('0123456789abcdef0123456789abcdef', 'ASIAECS', 'sns.amazonaws.com', 'Publish', '2024-03-05T04:00:00Z'),
    // CodeBuild: AssumeRole seen with another key; joined by session name.
    assume('codebuild.amazonaws.com', 'AWSCodeBuild-build1', 'ASIACB1', '2024-03-05T05:00:00Z'),
    call('AWSCodeBuild-build1', 'ASIACB2', 'logs.amazonaws.com', 'CreateLogStream', '2024-03-05T05:01:00Z'),
    // A session name two services opened: the name cannot decide, so the shape does (none: unattributed).
    assume('ec2.amazonaws.com', 'worker', 'ASIAW1', '2024-03-05T06:00:00Z'),
    assume('lambda.amazonaws.com', 'worker', 'ASIAW2', '2024-03-05T06:00:00Z'),
    call('worker', 'ASIAW3', 'sqs.amazonaws.com', 'SendMessage', '2024-03-05T06:01:00Z'),
    // A person's session.
    assume(
      { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, invokedBy: 'signin.amazonaws.com' },
      'alice',
      'ASIAALICE',
      '2024-03-05T07:00:00Z',
    ),
    call('alice', 'ASIAALICE', 'iam.amazonaws.com', 'ListRoles', '2024-03-05T07:01:00Z'),
    // Opened in the window, never used: a session all the same. A failed AssumeRole issues nothing.
    assume('ec2.amazonaws.com', 'i-0fff1234def567890', 'ASIAIDLE', '2024-03-05T08:00:00Z'),
    assume('ec2.amazonaws.com', 'i-0eee1234def567890', 'ASIAFAIL', '2024-03-05T08:00:00Z', ROLE.arn, { errorCode: 'AccessDenied' }),
    // A service the role does not trust.
    assume('glue.amazonaws.com', 'glue-job', 'ASIAGLUE', '2024-03-05T09:00:00Z'),
    call('glue-job', 'ASIAGLUE', 's3.amazonaws.com', 'ListBucket', '2024-03-05T09:01:00Z'),
    // Never the role's: another role, the instance identity, AWS itself, service events.
    assume('ec2.amazonaws.com', INSTANCE, 'ASIAOTHER', '2024-03-05T10:00:00Z', other.arn),
    call(INSTANCE, 'ASIAOTHER', 's3.amazonaws.com', 'DeleteBucket', '2024-03-05T10:01:00Z', {}, other),
    {
      ...at('2024-03-05T10:02:00Z'),
      eventSource: 'ssm.amazonaws.com',
      eventName: 'UpdateInstanceInformation',
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/aws:ec2-instance/${INSTANCE}`,
        accessKeyId: 'ASIAEC2',
      },
    },
    {
      ...at('2024-03-05T10:03:00Z'),
      eventSource: 'kms.amazonaws.com',
      eventName: 'Decrypt',
      userIdentity: { type: 'AWSService', invokedBy: 's3.amazonaws.com' },
    },
    {
      ...at('2024-03-05T10:04:00Z'),
      eventSource: 'health.amazonaws.com',
      eventName: 'Notify',
      eventType: 'AwsServiceEvent',
      userIdentity: { invokedBy: 'health.amazonaws.com' },
    },
    // After the window.
    call(INSTANCE, 'ASIAEC2', 's3.amazonaws.com', 'DeleteObject', '2024-03-08T01:00:00Z'),
  ];
}

/** Writes records into day folders as a trail does. */
async function writeTrail(
  all: readonly CloudTrailRecord[],
  folderDay: (r: CloudTrailRecord) => string = (r) => r.eventTime.slice(0, 10),
): Promise<void> {
  const byDay = new Map<string, CloudTrailRecord[]>();
  for (const r of all) byDay.set(folderDay(r), [...(byDay.get(folderDay(r)) ?? []), r]);
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

function expected(all: readonly CloudTrailRecord[], role = ROLE, services = SERVICES, hints = HINTS, window = WINDOW) {
  const attributor = new Attributor(role, services, hints, { window });
  for (const r of all) attributor.add(r);
  return comparableEvidence(attributor.result({ source: 'logs', window: { start: '', end: '' }, warnings: [] }));
}

/** Runs the Athena usage SQL on the DuckDB table, as the Athena source would, and builds the evidence. */
async function viaSql(trail: TrailDb, role = ROLE, services = SERVICES, hints = HINTS, window = WINDOW) {
  const { database, table } = athenaTable({ table: 'cloudtrail.logs' });
  const columns = await trail.query(COLUMNS_SQL, [database, table]);
  const shape = tableShape(
    `${database}.${table}`,
    columns.map((c) => ({ name: c.column_name ?? '', type: c.data_type ?? '' })),
  );
  const bound = bindUsageSql(usageSql(athenaDialect(database, table, shape), { role, window }), 'parameters');
  const rows = await trail.query(bound.sql, bound.parameters);
  const evidence = usageFromRows(rows, { role, services, hints }, { source: 'athena', window: { start: '', end: '' }, warnings: [] });
  return { evidence: comparableEvidence(evidence), bound, shape, rows };
}

describe('usage SQL on DuckDB agrees with attribution over the same files', () => {
  it.each<[Partitioning, boolean]>([
    ['projection', false],
    ['ymd', false],
    ['projection', true],
  ])('partitioning %s (account partition: %s)', async (partitioning, orgAccountPartition) => {
    const all = records();
    await writeTrail(all);
    db = await openTrailDb(root, { partitioning, orgAccountPartition });
    const { evidence, bound, shape } = await viaSql(db);
    const want = expected(all);
    expect(evidence).toEqual(want);
    // The cases above each landed where they should.
    // Three EC2 sessions: the used one, the idle one, and the "worker" session ASIAW1 opened and never used.
    expect(want.byService['ec2.amazonaws.com']).toMatchObject({ sessions: 3, events: 7 });
    expect(Object.keys(want.byService['lambda.amazonaws.com']!.actions)).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:PutItem',
      'kms:Decrypt',
    ]);
    expect(Object.keys(want.byService['ecs-tasks.amazonaws.com']!.actions)).toEqual(['sns:Publish']);
    expect(Object.keys(want.byService['codebuild.amazonaws.com']!.actions)).toEqual(['logs:CreateLogStream']);
    expect(Object.keys(want.unattributed!.actions)).toEqual(['s3:ListBucket', 'sqs:SendMessage']);
    // The resources each service touched, for resource policies: buckets, tables, keys, never S3 objects.
    expect(want.byService['ec2.amazonaws.com']!.resources).toEqual(['arn:aws:s3:::invoices', 'arn:aws:s3:::orders']);
    expect(want.byService['lambda.amazonaws.com']!.resources).toEqual([
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`,
      `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd`,
    ]);
    // Resources, error codes and first use came through too (the equality above holds them; these say what they are).
    const ec2 = want.byService['ec2.amazonaws.com']!.actions;
    expect(ec2['s3:GetObject']).toEqual({
      count: 2,
      firstSeen: '2024-03-05T01:00:00Z',
      lastSeen: '2024-03-05T01:30:00Z',
      resources: ['arn:aws:s3:::invoices', 'arn:aws:s3:::orders'],
    });
    expect(ec2['s3:ListBucket']).toEqual({
      count: 2,
      firstSeen: '2024-03-05T02:00:03Z',
      lastSeen: '2024-03-05T02:00:04Z',
      resources: ['arn:aws:s3:::orders'],
    });
    expect(ec2['ssm:GetParameter']).toEqual({
      count: 2,
      firstSeen: '2024-03-05T02:00:02Z',
      lastSeen: '2024-03-05T02:00:05Z',
      errorCodes: ['ParameterNotFound'],
    });
    expect(want.byService['lambda.amazonaws.com']!.actions['dynamodb:PutItem']).toEqual({
      count: 2,
      firstSeen: '2024-03-05T03:01:00Z',
      lastSeen: '2024-03-05T03:01:30Z',
      resources: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`],
      errorCodes: ['ConditionalCheckFailedException'],
    });
    expect(want.nonService?.events).toBe(1);
    // Partitions are pruned to the window (and the account), with values bound, never in the text.
    expect(shape).toEqual({ date: partitioning === 'ymd' ? 'ymd' : 'timestamp', account: orgAccountPartition ? 'accountid' : undefined });
    expect(bound.sql).toMatch(partitioning === 'ymd' ? /"year" BETWEEN \? AND \?/ : /"timestamp" BETWEEN \? AND \?/);
    if (orgAccountPartition) expect(bound.sql).toMatch(/"accountid" = \?/);
    expect(bound.sql).not.toContain(ROLE.arn);
    expect(bound.parameters).toContain(ROLE.arn);
    expect(bound.parameters).toContain('2024/03/04');
  });

  it('returns resource ARN, error code, count, first and last seen per service and event, one row per bucket rather than per object', async () => {
    await writeTrail(records());
    db = await openTrailDb(root);
    const { rows } = await viaSql(db);
    const gets = rows.filter((r) => r.kind === 'calls' && r.event_name === 'GetObject');
    expect(gets.map((r) => [r.origin, r.resource_arn, r.error_code, r.events, r.first_seen, r.last_seen])).toEqual(
      expect.arrayContaining([
        ['ec2.amazonaws.com', 'arn:aws:s3:::orders', undefined, '1', '2024-03-05T01:00:00Z', '2024-03-05T01:00:00Z'],
        ['ec2.amazonaws.com', 'arn:aws:s3:::invoices', undefined, '1', '2024-03-05T01:30:00Z', '2024-03-05T01:30:00Z'],
      ]),
    );
    expect(gets).toHaveLength(2);
    const failed = rows.find((r) => r.kind === 'calls' && r.event_name === 'PutItem');
    expect(failed).toMatchObject({
      origin: 'lambda.amazonaws.com',
      error_code: 'ConditionalCheckFailedException',
      resource_arn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`,
    });
    // An empty errorCode is no error; a refused call is no row at all.
    expect(
      rows
        .filter((r) => r.event_name === 'GetParameter')
        .map((r) => r.error_code)
        .sort(),
    ).toEqual(['ParameterNotFound', undefined]);
    expect(rows.some((r) => r.event_name === 'DescribeTags')).toBe(false);
    expect(Object.keys(rows[0]!)).toEqual([...USAGE_COLUMNS]);
  });

  it('reads nothing outside the window’s partitions', async () => {
    // A record filed under a day long before the window (impossible for a real trail) proves the partition predicate applies.
    const stray = call(INSTANCE, 'ASIAEC2', 's3.amazonaws.com', 'DeleteObject', '2024-03-05T12:00:00Z');
    const all = records();
    await writeTrail([...all, stray], (r) => (r === stray ? '2024-01-01' : r.eventTime.slice(0, 10)));
    db = await openTrailDb(root);
    const { evidence } = await viaSql(db);
    expect(evidence).toEqual(expected(all));
  });

  it('matches attribution on a generated trail of 20,000 records', async () => {
    const corpus = await generateCorpus({ dir: root, records: 20_000, recordsPerFile: 2000, seed: 11, days: 2 });
    db = await openTrailDb(root);
    const window = { start: new Date('2024-03-01T00:00:00Z'), end: new Date('2024-03-03T00:00:00Z') };
    const hints = hintsOf({ ec2: corpus.hints.ec2InstanceIds, lambda: corpus.hints.lambdaFunctionNames });
    const all: CloudTrailRecord[] = [];
    for (const row of await db.query(`SELECT count(*) AS n FROM cloudtrail.logs`)) expect(Number(row.n)).toBe(20_000);
    const { readTrailRecords } = await import('../../src/evidence/log-files.js');
    for await (const r of readTrailRecords(root, {})) all.push(r);
    const { evidence } = await viaSql(db, corpus.role, corpus.services, hints, window);
    expect(evidence).toEqual(expected(all, corpus.role, corpus.services, hints, window));
    expect(evidence.byService['ec2.amazonaws.com']?.events).toBe(corpus.expected.byService['ec2.amazonaws.com']);
  });
});

describe('usage SQL on the published record corpora', () => {
  const corpus = [
    ...loadCorpus(new URL('../fixtures/cloudtrail/', import.meta.url).pathname),
    ...loadCorpus(new URL('../fixtures/cloudtrail-public/', import.meta.url).pathname),
  ].map((r) => r.record);
  const services = ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com', 'states.amazonaws.com'];
  const always = { start: new Date('2010-01-01T00:00:00Z'), end: new Date('2030-01-01T00:00:00Z') };

  it('agrees with attribution for every role the AWS documentation and published trails name', async () => {
    await writeTrail(corpus);
    db = await openTrailDb(root);
    const roles = [
      ...new Set(
        corpus
          .flatMap((r) => [r.userIdentity?.sessionContext?.sessionIssuer?.arn, r.requestParameters?.roleArn])
          .filter((a): a is string => typeof a === 'string'),
      ),
    ];
    expect(roles.length).toBeGreaterThan(8);
    let used = 0;
    for (const arn of roles) {
      const role = { arn, name: arn.split('/').pop()! };
      const { evidence } = await viaSql(db, role, services, NO_HINTS, always);
      expect(evidence, arn).toEqual(expected(corpus, role, services, NO_HINTS, always));
      used += Object.values(evidence.byService)
        .concat(evidence.unattributed)
        .reduce((n, u) => n + (u?.events ?? 0), 0);
    }
    expect(used).toBeGreaterThan(10);
  });
});

describe('the CloudTrail Lake spelling of the same SQL', () => {
  const STORE = 'EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE';
  // Lake keeps the request as a map of text, so a DynamoDB transaction's items are not readable there (all its actions are kept).
  const readable = () => records().filter((r) => r.eventName !== 'TransactWriteItems');

  async function viaLake(trail: TrailDb, role = ROLE, services = SERVICES, hints = HINTS, window = WINDOW) {
    const bound = bindUsageSql(usageSql(lakeDialect(STORE), { role, window }), 'literals');
    const rows = await trail.query(bound.sql.replaceAll(`FROM ${STORE}`, `FROM "${STORE}"`));
    return {
      evidence: comparableEvidence(
        usageFromRows(
          rows,
          { role, services, hints },
          { source: 'cloudtrail-lake', window: { start: '', end: '' }, warnings: [] },
          lakeTime,
        ),
      ),
      bound,
    };
  }

  it('agrees with attribution over the same records, values written as escaped literals', async () => {
    const all = readable();
    await writeTrail(all);
    db = await openTrailDb(root, { lakeStoreId: STORE });
    const { evidence, bound } = await viaLake(db);
    const want = expected(all);
    // Lake returns times as "2024-03-05 02:00:00.000": read back, they are CloudTrail's.
    expect(evidence).toEqual(want);
    expect(bound.parameters).toEqual([]);
    expect(bound.sql).toContain(`FROM ${STORE}`);
    expect(bound.sql).toContain(`= '${ROLE.arn}'`);
    expect(bound.sql).toContain(`recipientaccountid = '${ACCOUNT}'`);
    expect(bound.sql.length).toBeLessThan(10_000);
  });

  it('keeps every action a DynamoDB transaction may need, since Lake cannot show its items', async () => {
    await writeTrail(records());
    db = await openTrailDb(root, { lakeStoreId: STORE });
    const { evidence } = await viaLake(db);
    expect(Object.keys(evidence.byService['lambda.amazonaws.com']!.actions)).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem']),
    );
  });

  it('reads Lake times back as CloudTrail’s', () => {
    expect(lakeTime('2024-03-05 02:00:00.000')).toBe('2024-03-05T02:00:00Z');
    expect(lakeTime('2024-03-05T02:00:00Z')).toBe('2024-03-05T02:00:00Z');
  });
});

describe('values are bound or escaped, never concatenated', () => {
  it('binds hostile text as one value: literals double the quote, and nothing matches', async () => {
    await writeTrail(records());
    db = await openTrailDb(root);
    const hostile = { arn: `arn:aws:iam::${ACCOUNT}:role/x' OR '1'='1`, name: `x' OR '1'='1` };
    const sql = usageSql(athenaDialect('cloudtrail', 'logs', { date: 'timestamp', account: undefined }), { role: hostile, window: WINDOW });
    const literal = bindUsageSql(sql, 'literals');
    expect(literal.parameters).toEqual([]);
    expect(literal.sql).toContain(sqlLiteral(hostile.arn));
    expect(literal.sql).toContain(`'arn:aws:iam::${ACCOUNT}:role/x'' OR ''1''=''1'`);
    expect(await db.query(literal.sql)).toEqual([]);
    const bound = bindUsageSql(sql, 'parameters');
    expect(bound.sql).not.toContain("OR '1'");
    expect(await db.query(bound.sql, bound.parameters)).toEqual([]);
  });

  it.each([
    ['no dot', 'logs'],
    ['a quote', 'db.lo"gs'],
    ['a space', 'db.my logs'],
    ['SQL', 'db.t; DROP TABLE x'],
  ])('refuses a table name with %s', (_, table) => {
    expect(() => athenaConfig({ table })).toThrow(/--athena-table must be DATABASE\.TABLE/);
  });

  it('refuses odd workgroups and output locations', () => {
    expect(() => athenaConfig({ table: 'a.b', workgroup: "wg'" })).toThrow(/--athena-workgroup/);
    expect(() => athenaConfig({ table: 'a.b', output: 'https://x' })).toThrow(/--athena-output/);
    const config = athenaConfig({ table: 'CloudTrail.Org_Logs', workgroup: 'primary', output: 's3://results-bucket/split-role/' });
    expect(config).toEqual({ table: 'CloudTrail.Org_Logs', workgroup: 'primary', output: 's3://results-bucket/split-role/' });
    expect(athenaTable(config)).toEqual({ database: 'cloudtrail', table: 'org_logs' });
  });
});

describe('table shape', () => {
  it.each(['eventcategory', 'responseelements', 'resources'])('names a missing CloudTrail column (%s)', async (column) => {
    await writeTrail(records());
    db = await openTrailDb(root, { drop: [column] });
    await expect(viaSql(db)).rejects.toThrow(
      new RegExp(`Athena table cloudtrail\\.logs has no column ${column}, which the CloudTrail table has`),
    );
  });

  it('names a missing userIdentity field, and a missing table', () => {
    expect(() =>
      tableShape('db.t', [
        ...[
          'eventtime',
          'eventsource',
          'eventname',
          'errorcode',
          'eventtype',
          'eventcategory',
          'sourceipaddress',
          'requestparameters',
          'responseelements',
          'resources',
        ].map((name) => ({ name, type: 'varchar' })),
        {
          name: 'useridentity',
          type: 'row(type varchar, arn varchar, accesskeyid varchar, sessioncontext row(sessionissuer row(arn varchar)))',
        },
      ]),
    ).toThrow(/useridentity has no field invokedby/);
    expect(() => tableShape('db.t', [])).toThrow(/does not exist/);
  });
});
