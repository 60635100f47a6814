/**
 * The byte filter never drops a record the full parse would have used: for
 * every corpus below, attribution over the filtered read equals attribution
 * over the full parse (AssumeRole, session calls, forward-access calls, role
 * ARNs with paths, look-alike names, escapes, odd shapes, streamed files).
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/cloudtrail-corpus.js';
import { Attributor } from '../../src/evidence/attribution.js';
import { recordsNaming, roleNeedles } from '../../src/evidence/byte-filter.js';
import { emptyLogReadStats, readTrailRecords, type ReadTrailOptions } from '../../src/evidence/log-files.js';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import { comparableEvidence } from '../support/evidence-compare.js';
import { sessionIdentity } from '../support/trail-records.js';

const ACCOUNT = '123456789012';
const ROLE = { arn: `arn:aws:iam::${ACCOUNT}:role/app/team/shared`, name: 'shared' };
const SERVICES = ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'];
const NO_HINTS = { ec2InstanceIds: new Set<string>(), lambdaFunctionNames: new Set<string>() };
const DOCS = new URL('../fixtures/cloudtrail/', import.meta.url).pathname;

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'split-role-filter-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A record as CloudTrail writes it: eventVersion first. */
function record(fields: Partial<CloudTrailRecord> & Record<string, unknown>): CloudTrailRecord {
  return { eventVersion: '1.09', eventTime: '2024-03-05T10:00:00Z', eventSource: 'ec2.amazonaws.com', eventName: 'DescribeTags', ...fields } as CloudTrailRecord;
}

function assume(roleArn: string, session: string, key: string, by = 'ec2.amazonaws.com'): CloudTrailRecord {
  return record({
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    userIdentity: { type: 'AWSService', invokedBy: by },
    requestParameters: { roleArn, roleSessionName: session },
    responseElements: { credentials: { accessKeyId: key } },
  });
}

function call(role: { arn: string; name: string }, session: string, key: string, eventName: string, extra: Partial<CloudTrailRecord['userIdentity']> = {}): CloudTrailRecord {
  return record({ eventSource: 's3.amazonaws.com', eventName, userIdentity: { ...sessionIdentity(role, session, key), ...extra } });
}

/** The role's own traffic, and look-alikes that must stay out. */
function mixed(): CloudTrailRecord[] {
  const v2 = { arn: `arn:aws:iam::${ACCOUNT}:role/app/team/shared-v2`, name: 'shared-v2' };
  const elsewhere = { arn: 'arn:aws:iam::999988887777:role/app/team/shared', name: 'shared' };
  return [
    assume(ROLE.arn, 'i-0abc1234def567890', 'ASIAEC2'),
    call(ROLE, 'i-0abc1234def567890', 'ASIAEC2', 'GetObject'),
    assume(ROLE.arn, 'orders-api', 'ASIALAMBDA', 'lambda.amazonaws.com'),
    call(ROLE, 'orders-api', 'ASIALAMBDA', 'PutObject'),
    // Forward access: KMS called by S3 for the session; only the session ARN names the role.
    record({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/shared/orders-api`, accessKeyId: 'ASIALAMBDA', invokedBy: 's3.amazonaws.com' } }),
    // A session whose AssumeRole is outside the files: attributed by name shape.
    call(ROLE, '0123456789abcdef0123456789abcdef', 'ASIAECS', 'ListBucket'),
    assume(v2.arn, 'i-0abc1234def567890', 'ASIAV2'),
    call(v2, 'i-0abc1234def567890', 'ASIAV2', 'DeleteObject'),
    assume(elsewhere.arn, 'i-0abc1234def567890', 'ASIAOTHER'),
    call(elsewhere, 'i-0abc1234def567890', 'ASIAOTHER', 'DeleteBucket'),
    record({ eventName: 'RunInstances', userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/bob` } }),
    // A person's session of the role.
    assume(ROLE.arn, 'alice', 'ASIAALICE', 'x'),
    call(ROLE, 'alice', 'ASIAALICE', 'GetBucketPolicy'),
  ].map((r, i) => (r.eventName === 'AssumeRole' && r.requestParameters?.roleSessionName === 'alice' ? { ...r, userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice` } } : { ...r, eventTime: `2024-03-05T10:${String(i).padStart(2, '0')}:00Z` }));
}

async function put(name: string, content: string | Buffer): Promise<void> {
  const path = join(root, 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-east-1', '2024', '03', '05', name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, name.endsWith('.gz') ? gzipSync(content) : content);
}

/** Attribution of `role` over the files under `dir`, read with or without the byte filter. */
async function attributed(dir: string, role: { arn: string; name: string }, filter: boolean, options: ReadTrailOptions = {}) {
  const stats = emptyLogReadStats();
  const attributor = new Attributor(role, SERVICES, NO_HINTS);
  for await (const r of readTrailRecords(dir, {}, { ...options, stats, ...(filter ? { role } : {}) })) attributor.add(r);
  const evidence = attributor.result({ source: 'logs', window: { start: '', end: '' }, warnings: [] });
  return { usage: comparableEvidence(evidence), read: evidence.recordsRead + stats.skippedRecords, stats };
}

async function expectSameAttribution(role = ROLE, options: ReadTrailOptions = {}) {
  const full = await attributed(root, role, false, options);
  const filtered = await attributed(root, role, true, options);
  expect(filtered.usage).toEqual(full.usage);
  expect(filtered.read).toBe(full.read);
  return { full, filtered };
}

describe('byte filter: never drops a record the full parse uses', () => {
  it('keeps AssumeRole, session and forward-access records of a role with a path, and skips look-alikes unparsed', async () => {
    await put('a.json.gz', JSON.stringify({ Records: mixed() }));
    const { full, filtered } = await expectSameAttribution();
    expect(full.usage.byService['ec2.amazonaws.com']?.actions).toHaveProperty('s3:GetObject');
    expect(full.usage.byService['lambda.amazonaws.com']?.actions).toHaveProperty(['kms:Decrypt']);
    expect(full.usage.byService['ecs-tasks.amazonaws.com']?.actions).toHaveProperty(['s3:ListBucket']);
    expect(full.usage.nonService?.events).toBe(1);
    // The look-alikes (shared-v2, the other account's "shared", bob) were counted, not parsed.
    expect(filtered.stats.skippedRecords).toBe(5);
  });

  it.each([
    ['slashes escaped as \\/', (text: string) => text.replaceAll('/', '\\/')],
    ['the role name spelled with \\u escapes', (text: string) => text.replaceAll('shared/', '\\u0073hared/')],
    ['records without eventVersion first', (text: string) => text.replaceAll('"eventVersion":"1.09",', '')],
    ['pretty-printed', (text: string) => JSON.stringify(JSON.parse(text), null, 2)],
    ['a nested object starting with eventVersion', (text: string) => text.replace('"requestParameters":{', '"requestParameters":{"x":{"eventVersion":"1"},')],
    ['records that are not objects', (text: string) => text.replace('"Records":[', '"Records":[7,null,')],
  ])('%s', async (_, rewrite) => {
    await put('a.json', rewrite(JSON.stringify({ Records: mixed() })));
    await expectSameAttribution();
  });

  it('reads streamed (large) files the same way', async () => {
    await put('a.json.gz', JSON.stringify({ Records: mixed() }));
    await put('b.json', JSON.stringify({ Records: mixed() }).replaceAll('/', '\\/'));
    await expectSameAttribution(ROLE, { streamAboveBytes: 10 });
  });

  it('keeps every record AWS documentation shows, for every role in it', async () => {
    const records = (await readdir(DOCS))
      .filter((file) => file.endsWith('.json'))
      .flatMap((file) => (JSON.parse(readFileSync(join(DOCS, file), 'utf8')) as { records: Array<{ record: CloudTrailRecord }> }).records.map((r) => r.record));
    await put('docs.json.gz', JSON.stringify({ Records: records.map((r) => ({ eventVersion: '1.08', ...r })) }));
    const roles = new Set(
      records.flatMap((r) => [r.userIdentity?.sessionContext?.sessionIssuer?.arn, r.requestParameters?.roleArn].filter((a): a is string => typeof a === 'string')),
    );
    expect(roles.size).toBeGreaterThan(2);
    for (const arn of roles) await expectSameAttribution({ arn, name: arn.split('/').pop()! });
  });

  it('matches the full parse on a generated trail of 20,000 records, parsing a fraction of them', async () => {
    const corpus = await generateCorpus({ dir: root, records: 20_000, recordsPerFile: 700, seed: 7 });
    const { filtered } = await expectSameAttribution(corpus.role);
    expect(filtered.stats.records).toBe(20_000);
    expect(filtered.stats.skippedRecords).toBeGreaterThan(20_000 * 0.85);
  });
});

describe('recordsNaming', () => {
  const needles = roleNeedles(ROLE);
  const text = (records: unknown[]) => Buffer.from(JSON.stringify({ Records: records }));

  it('cuts out the records naming the role and counts the rest', () => {
    const result = recordsNaming(text(mixed()), needles);
    expect(result?.records.map((r) => r.eventName)).toEqual(['AssumeRole', 'GetObject', 'AssumeRole', 'PutObject', 'Decrypt', 'ListBucket', 'AssumeRole', 'GetBucketPolicy']);
    expect(result?.skipped).toBe(5);
    expect(recordsNaming(Buffer.from(' {"Records" : [ ] }\n'), needles)).toEqual({ records: [], skipped: 0 });
  });

  it.each([
    ['an escape', '{"Records":[{"eventVersion":"1","a":"\\/"}]}'],
    ['no Records array first', '{"Other":1,"Records":[]}'],
    ['a truncated file', '{"Records":[{"eventVersion":"1"}'],
    ['a record without eventVersion first', '{"Records":[{"eventTime":"x","eventVersion":"1"}]}'],
    ['a cut that does not parse', `{"Records":[{"eventVersion":"1","a":{"eventVersion":"2","b":"${ROLE.arn}"}}]}`],
  ])('sends a file with %s to the full parse', (_, body) => {
    expect(recordsNaming(Buffer.from(body), needles)).toBeUndefined();
  });
});

