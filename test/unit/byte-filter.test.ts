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
import { candidateSpans, needleHits, pickRecords, roleNeedles, type RoleNeedles } from '../../src/evidence/byte-filter.js';
import { emptyLogReadStats, readTrailRecords, type ReadTrailOptions } from '../../src/evidence/log-files.js';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import { comparableEvidence } from '../support/evidence-compare.js';
import { sessionIdentity } from '../support/trail-records.js';
import { NO_HINTS } from '../support/cloudtrail-corpus.js';

const ACCOUNT = '123456789012';
const ROLE = { arn: `arn:aws:iam::${ACCOUNT}:role/app/team/shared`, name: 'shared' };
const SERVICES = ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'];
const DOCS = new URL('../fixtures/cloudtrail/', import.meta.url).pathname;

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'split-role-filter-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A record as CloudTrail writes it: eventVersion first, then userIdentity (when there is one). */
function record(fields: Partial<Omit<CloudTrailRecord, 'userIdentity'>> & Record<string, unknown>): CloudTrailRecord {
  const identity = 'userIdentity' in fields ? { userIdentity: fields.userIdentity } : {};
  return {
    eventVersion: '1.09',
    ...identity,
    eventTime: '2024-03-05T10:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeTags',
    ...fields,
  } as unknown as CloudTrailRecord;
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

function call(
  role: { arn: string; name: string },
  session: string,
  key: string,
  eventName: string,
  extra: Partial<CloudTrailRecord['userIdentity']> = {},
): CloudTrailRecord {
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
    record({
      eventSource: 'kms.amazonaws.com',
      eventName: 'Decrypt',
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/shared/orders-api`,
        accessKeyId: 'ASIALAMBDA',
        invokedBy: 's3.amazonaws.com',
      },
    }),
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
  ].map((r, i) =>
    r.eventName === 'AssumeRole' && r.requestParameters?.roleSessionName === 'alice'
      ? { ...r, userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice` } }
      : { ...r, eventTime: `2024-03-05T10:${String(i).padStart(2, '0')}:00Z` },
  );
}

/** A record of another principal, or of none, naming no role: `userIdentity` as given (undefined: no key at all). */
function stranger(eventName: string, userIdentity?: unknown): CloudTrailRecord {
  return record({ eventSource: 's3.amazonaws.com', eventName, ...(userIdentity === undefined ? {} : { userIdentity }) });
}

/**
 * Records whose userIdentity is missing, not an object, or odd, and which
 * name no role: attribution lists most of them as unreadable, and the filter
 * must hand every one of those to it (issue 12, "Bad input").
 */
function oddIdentities(): CloudTrailRecord[] {
  return [
    stranger('NoIdentity'),
    stranger('NullIdentity', null),
    stranger('TextIdentity', 'alice'),
    stranger('NumberIdentity', 7),
    stranger('ArrayIdentity', []),
    stranger('NoTypeNoArn', { principalId: 'AIDAEXAMPLE', accountId: ACCOUNT }),
    stranger('AssumedRoleNoArn', { type: 'AssumedRole', principalId: 'AROAEXAMPLE:someone', accountId: ACCOUNT }),
    stranger('AssumedRoleEmptyArn', { type: 'AssumedRole', arn: '' }),
    stranger('AssumedRoleNullArn', { type: 'AssumedRole', principalId: 'AROAEXAMPLE:someone', arn: null }),
    stranger('NumberArn', { type: 'IAMUser', arn: 42 }),
    stranger('NullArn', { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: null, accountId: ACCOUNT }),
    stranger('ObjectArn', { type: 'Root', arn: { at: 'x' } }),
    stranger('ArnFirst', { arn: null, type: 'IAMUser' }),
    stranger('NumberType', { type: 7 }),
    stranger('NullType', { type: null, arn: 'arn:aws:iam::123456789012:user/carol' }),
    stranger('UnknownType', { type: 'Unknown', principalId: 'EXAMPLE', accountId: ACCOUNT }),
    stranger('NewType', { type: 'SomethingNew' }),
    stranger('IssuerOnly', {
      type: 'AssumedRole',
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/other` } },
    }),
  ];
}

/** The same, spelled in ways JSON.stringify never writes: repeated identity keys, spaces around a colon, an identity nested elsewhere. */
const ODD_SPELLINGS = [
  '{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","type":"AssumedRole"},"eventSource":"s3.amazonaws.com","eventName":"DuplicateType"}',
  '{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn" : null},"eventSource":"s3.amazonaws.com","eventName":"SpacedArn"}',
  '{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","arn":"x","arn":""},"eventSource":"s3.amazonaws.com","eventName":"DuplicateArn"}',
  '{"eventVersion":"1.09","requestParameters":{"userIdentity":{"type":"IAMUser"}},"eventSource":"s3.amazonaws.com","eventName":"NestedIdentity"}',
];

/** A trail file of `records`, with the raw `spellings` spliced in after the first record. */
function trailText(records: CloudTrailRecord[], spellings: readonly string[] = []): string {
  const text = JSON.stringify({ Records: records });
  if (spellings.length === 0) return text;
  const cut = text.indexOf(',{"eventVersion"');
  return `${text.slice(0, cut)},${spellings.join(',')}${text.slice(cut)}`;
}

async function put(name: string, content: string | Buffer): Promise<void> {
  const path = join(root, 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-east-1', '2024', '03', '05', name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, name.endsWith('.gz') ? gzipSync(content) : content);
}

/** Attribution of `role` over the files under `dir`, read with or without the byte filter. */
async function attributed(dir: string, role: { arn: string; name: string }, filter: boolean, options: ReadTrailOptions = {}) {
  const stats = emptyLogReadStats();
  const warnings: string[] = [];
  const attributor = new Attributor(role, SERVICES, NO_HINTS);
  for await (const r of readTrailRecords(dir, {}, { ...options, stats, onWarning: (w) => warnings.push(w), ...(filter ? { role } : {}) }))
    attributor.add(r);
  const evidence = attributor.result({ source: 'logs', window: { start: '', end: '' }, warnings: [] });
  return {
    usage: comparableEvidence(evidence),
    unreadable: evidence.unreadableIdentities,
    read: evidence.recordsRead + stats.skippedRecords,
    stats,
    warnings,
  };
}

/** Attribution with the full parse, and with the byte filter on the main thread and in worker threads: all must agree. */
async function expectSameAttribution(role = ROLE, options: ReadTrailOptions = {}) {
  const full = await attributed(root, role, false, options);
  const filtered = await attributed(root, role, true, { ...options, workers: 0 });
  const inWorkers = await attributed(root, role, true, { ...options, workers: 2 });
  for (const read of [filtered, inWorkers]) {
    expect(read.usage).toEqual(full.usage);
    expect(read.unreadable).toEqual(full.unreadable);
    expect(read.read).toBe(full.read);
    expect(read.warnings).toEqual(full.warnings);
  }
  expect({ ...inWorkers.stats, filesInWorkers: 0 }).toEqual(filtered.stats);
  // Every readable file went through a worker; files streamed for their size stay on the main thread.
  const { files, corruptFiles, filesInWorkers } = inWorkers.stats;
  if (options.streamAboveBytes) expect(filesInWorkers).toBe(0);
  else expect(filesInWorkers).toBeGreaterThanOrEqual(files - corruptFiles);
  return { full, filtered };
}

// Each case reads three times, once through freshly started worker threads: room for a loaded machine.
describe('byte filter: never drops a record the full parse uses', { timeout: 60_000 }, () => {
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
    [
      'a nested object starting with eventVersion',
      (text: string) => text.replace('"requestParameters":{', '"requestParameters":{"x":{"eventVersion":"1"},'),
    ],
    ['records that are not objects', (text: string) => text.replace('"Records":[', '"Records":[7,null,')],
    // Cut after the comma before the nested marker: neither piece parses, and a worker sent only the pieces.
    [
      'a nested object starting with eventVersion in an array',
      (text: string) => text.replace('"requestParameters":{', '"requestParameters":{"x":[1,{"eventVersion":"1"}],'),
    ],
  ])('%s', async (_, rewrite) => {
    await put('a.json', rewrite(JSON.stringify({ Records: mixed() })));
    await expectSameAttribution();
  });

  it.each([
    ['whole files', {}],
    ['streamed files', { streamAboveBytes: 10 }],
  ])(
    'hands every record with a missing or odd userIdentity to attribution, and still skips ordinary strangers unparsed (%s)',
    async (_, options: ReadTrailOptions) => {
      const odd = oddIdentities();
      await put('a.json.gz', trailText([...mixed(), ...odd], ODD_SPELLINGS));
      await put('b.json', trailText([...odd, ...mixed()]));
      const { full, filtered } = await expectSameAttribution(ROLE, options);
      const listed = (full.unreadable ?? []).reduce((sum, row) => sum + row.count, 0);
      // Each odd record in both files, but the five attribution reads as someone else's (a number, null, unknown or
      // new type, an issuer without a session ARN), and the five spellings.
      expect(listed).toBe(2 * (odd.length - 5) + ODD_SPELLINGS.length);
      expect(full.unreadable?.map((row) => row.eventName)).toEqual(
        expect.arrayContaining(['NoIdentity', 'NullArn', 'DuplicateType', 'SpacedArn', 'DuplicateArn', 'NestedIdentity']),
      );
      // The ordinary strangers (shared-v2, the other account's "shared", bob) were still counted without a parse, and
      // so were the two with a plain identity of a type attribution does not know (Unknown, SomethingNew).
      expect(filtered.stats.skippedRecords).toBe(2 * 5 + 2 * 2);
    },
  );

  it('skips corrupt and unreadable files the same way', async () => {
    await put('a.json.gz', JSON.stringify({ Records: mixed() }));
    await put('b.json', '{"Records":[{"eventVersion":"1.09"');
    await put('c.json.gz', 'not JSON');
    await put('d.json', JSON.stringify({ Records: mixed() }));
    await writeFile(
      join(root, 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-east-1', '2024', '03', '05', 'e.json.gz'),
      Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]),
    );
    const { full } = await expectSameAttribution();
    expect(full.stats.corruptFiles).toBe(3);
    expect(full.warnings).toEqual([
      expect.stringMatching(
        /^skipped 3 corrupt CloudTrail log files: .*b\.json \(not valid JSON.*c\.json\.gz \(not valid JSON.*e\.json\.gz \(not valid gzip/,
      ),
    ]);
  });

  it('reads streamed (large) files the same way', async () => {
    await put('a.json.gz', JSON.stringify({ Records: mixed() }));
    await put('b.json', JSON.stringify({ Records: mixed() }).replaceAll('/', '\\/'));
    await expectSameAttribution(ROLE, { streamAboveBytes: 10 });
  });

  it('keeps every record AWS documentation shows, for every role in it', async () => {
    const records = (await readdir(DOCS))
      .filter((file) => file.endsWith('.json'))
      .flatMap((file) =>
        (JSON.parse(readFileSync(join(DOCS, file), 'utf8')) as { records: Array<{ record: CloudTrailRecord }> }).records.map(
          (r) => r.record,
        ),
      );
    await put('docs.json.gz', JSON.stringify({ Records: records.map((r) => ({ eventVersion: '1.08', ...r })) }));
    const roles = new Set(
      records.flatMap((r) =>
        [r.userIdentity?.sessionContext?.sessionIssuer?.arn, r.requestParameters?.roleArn].filter(
          (a): a is string => typeof a === 'string',
        ),
      ),
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

/** The byte search and the parse of what it found, as the reader runs them on one thread. */
function recordsNaming(text: Buffer, needles: RoleNeedles) {
  return pickRecords(text, candidateSpans(text, needles));
}

describe('recordsNaming', () => {
  const needles = roleNeedles(ROLE);
  const text = (records: unknown[]) => Buffer.from(JSON.stringify({ Records: records }));

  it('cuts out the records naming the role and counts the rest', () => {
    const result = recordsNaming(text(mixed()), needles);
    expect(result?.records.map((r) => r.eventName)).toEqual([
      'AssumeRole',
      'GetObject',
      'AssumeRole',
      'PutObject',
      'Decrypt',
      'ListBucket',
      'AssumeRole',
      'GetBucketPolicy',
    ]);
    expect(result?.skipped).toBe(5);
    expect(recordsNaming(Buffer.from(' {"Records" : [ ] }\n'), needles)).toEqual({ records: [], skipped: 0 });
  });

  it('skips strangers of each identity type CloudTrail documents unparsed, but not an AssumedRole without its session ARN', () => {
    const identities = [
      { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT },
      { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:user/bob`, accountId: ACCOUNT, userName: 'bob' },
      sessionIdentity({ arn: `arn:aws:iam::${ACCOUNT}:role/other`, name: 'other' }, 'i-0abc1234def567890', 'ASIAOTHER'),
      { type: 'AssumedRole', principalId: 'AROAEXAMPLE:s', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/other/s`, accountId: ACCOUNT },
      { type: 'FederatedUser', principalId: `${ACCOUNT}:carol`, arn: `arn:aws:sts::${ACCOUNT}:federated-user/carol`, accountId: ACCOUNT },
      { type: 'AWSAccount', principalId: 'AIDAEXAMPLE', accountId: '999988887777' },
      { type: 'AWSService', invokedBy: 's3.amazonaws.com' },
      {
        type: 'IdentityCenterUser',
        accountId: ACCOUNT,
        onBehalfOf: { userId: 'u', identityStoreArn: 'arn:aws:identitystore::123456789012:identitystore/d-1' },
      },
      { type: 'Unknown', principalId: 'EXAMPLE', accountId: ACCOUNT, userName: 'dave' },
      { type: 'AssumedRole', principalId: 'AROAEXAMPLE:s', accountId: ACCOUNT },
    ];
    const result = recordsNaming(text(identities.map((userIdentity, i) => record({ eventName: `Op${i}`, userIdentity }))), needles);
    expect(result?.records.map((r) => r.eventName)).toEqual([`Op${identities.length - 1}`]);
    expect(result?.skipped).toBe(identities.length - 1);
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

describe('needleHits', () => {
  /** Every start of either needle, by brute force. */
  const everyStart = (text: Buffer, needles: RoleNeedles, from: number) => {
    const starts: number[] = [];
    for (let at = from; at < text.length; at++)
      if (
        text.subarray(at).subarray(0, needles.roleArn.length).equals(needles.roleArn) ||
        text.subarray(at).subarray(0, needles.sessionPrefix.length).equals(needles.sessionPrefix)
      )
        starts.push(at);
    return starts;
  };

  it.each([
    ['a role with a path (searched by its /NAME anchor)', ROLE, true],
    ['a short name (searched as the two needles)', { arn: `arn:aws:iam::${ACCOUNT}:role/db`, name: 'db' }, false],
    ['an ARN that does not end with the name', { arn: `arn:aws:iam::${ACCOUNT}:role/other`, name: 'shared' }, false],
  ])('finds where either needle starts, in order, for %s', (_, role, anchored) => {
    const needles = roleNeedles(role);
    expect(needles.anchor !== undefined).toBe(anchored);
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/${role.name}/`;
    const text = Buffer.from(
      JSON.stringify({
        Records: [
          { a: role.arn, b: `${session}s1`, c: `${role.arn}-v2`, d: `arn:aws:iam::999988887777:role/${role.name}` },
          { e: `${session}${role.name}`, f: `x/${role.name}/${role.name}"`, g: role.arn },
        ],
      }),
    );
    const hits = needleHits(text, needles, 0);
    expect(hits).toEqual(everyStart(text, needles, 0));
    expect(hits.length).toBe(4);
    expect(needleHits(text, needles, hits[1]! + 1)).toEqual(hits.slice(2));
  });
});
