/**
 * readTrailRecords against moto's S3: log files uploaded with the real SDK,
 * read back through an AwsSession as `plan --cloudtrail-logs s3://…` does.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/cloudtrail-corpus.js';
import { openAwsSession, type AwsSession } from '../../src/aws/session.js';
import { Attributor } from '../../src/evidence/attribution.js';
import { emptyLogReadStats, readTrailRecords, type ReadTrailOptions } from '../../src/evidence/log-files.js';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { resetMoto } from '../support/moto-server.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { useFakeCredentialsInProcess } from '../support/process-credentials.js';
import { hintsOf } from '../support/cloudtrail-corpus.js';

const endpoint = workerMotoEndpoint();
const BUCKET = 'org-trail-logs';
const ACCOUNT = '123456789012';

function rec(eventName: string): CloudTrailRecord {
  return { eventTime: '2024-03-05T10:00:00Z', eventSource: 'ec2.amazonaws.com', eventName };
}

function logKey(date: string, name: string, region = 'us-east-1'): string {
  return `AWSLogs/${ACCOUNT}/CloudTrail/${region}/${date.replaceAll('-', '/')}/${name}`;
}

describe.skipIf(!endpoint)('readTrailRecords from S3 (moto)', () => {
  const motoEndpoint = endpoint as string;
  let s3: S3Client;
  let session: AwsSession;

  const upload = (key: string, body: string | Buffer, gz = key.endsWith('.gz')) =>
    s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: gz ? gzipSync(body) : body }));

  async function readAll(location: string, options: ReadTrailOptions = {}) {
    const stats = emptyLogReadStats();
    const warnings: string[] = [];
    const records: CloudTrailRecord[] = [];
    const reader = readTrailRecords(location, { s3: () => session.s3() }, { ...options, stats, onWarning: (w) => warnings.push(w) });
    for await (const record of reader) records.push(record);
    return { names: records.map((r) => r.eventName), records, stats, warnings };
  }

  useFakeCredentialsInProcess();

  beforeEach(async () => {
    await resetMoto(motoEndpoint);
    s3 = new S3Client({ endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    session = await openAwsSession({ region: TEST_REGION, endpointUrl: motoEndpoint });
  });
  afterEach(() => {
    session.destroy();
    s3.destroy();
  });

  it('reads .json.gz and .json objects in the AWSLogs layout, skipping corrupt ones and digests', async () => {
    await upload(logKey('2024-03-05', 'a.json.gz'), JSON.stringify({ Records: [rec('A1'), rec('A2')] }));
    await upload(logKey('2024-03-05', 'b.json', 'eu-west-1'), JSON.stringify({ Records: [rec('B')] }));
    await upload(logKey('2024-03-06', 'c.json.gz'), JSON.stringify({ Records: [rec('C')] }));
    await upload(logKey('2024-03-06', 'broken.json.gz'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]), false);
    await upload(logKey('2024-03-06', 'not-json.json.gz'), '{"Records": [');
    await upload(`AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2024/03/05/digest.json.gz`, '{"digestStartTime":"x"}');

    const { names, stats, warnings } = await readAll(`s3://${BUCKET}/AWSLogs/`);
    expect(names).toEqual(['B', 'A1', 'A2', 'C']);
    expect(stats).toMatchObject({ files: 5, corruptFiles: 2, records: 4 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^skipped 2 corrupt CloudTrail log files: s3:\/\/org-trail-logs\/AWSLogs\//);
    expect(session.calls.commands.get('GetObjectCommand')).toBe(5);
  });

  it('with `since`, lists folder by folder and never reads days before it', async () => {
    await upload(logKey('2023-12-30', 'old.json.gz'), JSON.stringify({ Records: [rec('Old')] }));
    await upload(logKey('2024-03-01', 'older.json.gz'), JSON.stringify({ Records: [rec('Older')] }));
    await upload(logKey('2024-03-04', 'day-before.json.gz'), JSON.stringify({ Records: [rec('DayBefore')] }));
    await upload(logKey('2024-03-05', 'new.json.gz'), JSON.stringify({ Records: [rec('New')] }));

    const { names } = await readAll(`s3://${BUCKET}`, { since: new Date('2024-03-05T08:00:00Z') });
    expect(names).toEqual(['DayBefore', 'New']);
    expect(session.calls.commands.get('GetObjectCommand')).toBe(2);
  });

  it('reads one account of an organization trail, never listing the other accounts’ folders', async () => {
    const orgKey = (account: string, name: string) => `trail/AWSLogs/o-abcde12345/${account}/CloudTrail/us-east-1/2024/03/05/${name}`;
    await upload(orgKey(ACCOUNT, 'mine.json.gz'), JSON.stringify({ Records: [rec('Mine')] }));
    await upload(orgKey('210987654321', 'theirs.json.gz'), JSON.stringify({ Records: [rec('Theirs')] }));
    await upload(`trail/AWSLogs/210987654321/CloudTrail/us-east-1/2024/03/05/plain.json`, JSON.stringify({ Records: [rec('TheirsToo')] }));
    const prefixes: string[] = [];
    const s3Client = await session.s3();
    s3Client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ListObjectsV2Command') prefixes.push(String((args.input as { Prefix?: string }).Prefix));
        return next(args);
      },
      { step: 'initialize', name: 'recordPrefixes' },
    );
    const { names } = await readAll(`s3://${BUCKET}/trail/`, { account: ACCOUNT });
    expect(names).toEqual(['Mine']);
    expect(prefixes.some((p) => p.includes('210987654321'))).toBe(false);
    expect(prefixes).toContain(`trail/AWSLogs/o-abcde12345/${ACCOUNT}/`);
  });

  it('pages through more objects than one ListObjectsV2 page holds', async () => {
    const keys = Array.from({ length: 1010 }, (_, i) => logKey('2024-03-05', `f${String(i).padStart(4, '0')}.json`));
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key, j) => upload(key, JSON.stringify({ Records: [rec(`E${i + j}`)] }))));
    }
    const { stats, names } = await readAll(`s3://${BUCKET}/AWSLogs/${ACCOUNT}/`);
    expect(stats).toMatchObject({ files: 1010, records: 1010, corruptFiles: 0 });
    expect(names[1009]).toBe('E1009');
    expect(session.calls.commands.get('ListObjectsV2Command')).toBe(2);
  });

  it('streams large objects record by record', async () => {
    const records = Array.from({ length: 500 }, (_, i) => ({ ...rec(`E${i}`), requestParameters: { pad: 'y'.repeat(500) } }));
    await upload(logKey('2024-03-05', 'big.json.gz'), JSON.stringify({ Records: records }));
    const { stats, records: read } = await readAll(`s3://${BUCKET}/AWSLogs/`, { streamAboveBytes: 64 });
    expect(stats).toMatchObject({ files: 1, records: 500, corruptFiles: 0 });
    expect(read[499]).toEqual(records[499]);
  });

  it('attributes a generated corpus read from S3 exactly as planted: parsed whole, byte-filtered, and byte-filtered in worker threads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'split-role-s3-corpus-'));
    try {
      const manifest = await generateCorpus({ dir, records: 3000, recordsPerFile: 300, seed: 11, plainEvery: 3 });
      const files: string[] = [];
      const walk = (folder: string) => {
        for (const entry of readdirSync(folder, { withFileTypes: true })) {
          if (entry.isDirectory()) walk(join(folder, entry.name));
          else files.push(join(folder, entry.name));
        }
      };
      walk(join(dir, 'AWSLogs'));
      await Promise.all(files.map(async (file) => upload(relative(dir, file), await readFile(file), false)));
      await upload(logKey('2024-03-02', 'broken.json.gz'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]), false);

      const hints = hintsOf({ ec2: manifest.hints.ec2InstanceIds, lambda: manifest.hints.lambdaFunctionNames });
      for (const options of [{}, { role: manifest.role, workers: 0 }, { role: manifest.role, workers: 2 }]) {
        const attributor = new Attributor(manifest.role, manifest.services, hints);
        const { records, stats, warnings } = await readAll(`s3://${BUCKET}/AWSLogs/`, options);
        for (const record of records) attributor.add(record);
        const evidence = attributor.result({ source: 'logs', window: { start: '', end: '' }, warnings: [] });
        expect(stats).toMatchObject({ files: manifest.files + 1, records: manifest.records, corruptFiles: 1 });
        expect(stats.filesInWorkers).toBe(options.workers ? manifest.files + 1 - stats.corruptFiles : 0);
        expect(warnings).toEqual([
          expect.stringMatching(/^skipped 1 corrupt CloudTrail log file: s3:\/\/org-trail-logs\/.*broken\.json\.gz \(not valid gzip/),
        ]);
        expect(Object.fromEntries([...evidence.byService].map(([service, usage]) => [service, usage.events]))).toEqual(
          manifest.expected.byService,
        );
        expect(evidence.unattributed.events).toBe(manifest.expected.unattributed);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with a clear error when the bucket does not exist', async () => {
    await expect(readAll('s3://no-such-bucket-here/AWSLogs/')).rejects.toMatchObject({
      name: 'SplitRoleError',
      code: 'NotFound',
      awsName: 'NoSuchBucket',
    });
  });
});
