import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/cloudtrail-corpus.js';
import { Attributor } from '../../src/evidence/attribution.js';
import { emptyLogReadStats, readTrailRecords, type ReadTrailOptions } from '../../src/evidence/log-files.js';
import { RecordSplitter } from '../../src/evidence/record-splitter.js';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import { hintsOf } from '../support/cloudtrail-corpus.js';

const ACCOUNT = '123456789012';
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'split-role-logs-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function rec(eventName: string, eventTime = '2024-03-05T10:00:00Z'): CloudTrailRecord {
  return { eventTime, eventSource: 'ec2.amazonaws.com', eventName };
}

/** Writes a file under AWSLogs/<account>/CloudTrail/<region>/<date>/ and returns its path. */
async function put(region: string, date: string, name: string, content: string | Buffer, gz = name.endsWith('.gz')): Promise<string> {
  const path = join(root, 'AWSLogs', ACCOUNT, 'CloudTrail', region, ...date.split('-'), name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, gz ? gzipSync(content) : content);
  return path;
}

function logText(...records: CloudTrailRecord[]): string {
  return JSON.stringify({ Records: records });
}

async function readAll(location: string, options: ReadTrailOptions = {}) {
  const stats = emptyLogReadStats();
  const warnings: string[] = [];
  const records: CloudTrailRecord[] = [];
  for await (const record of readTrailRecords(location, {}, { ...options, stats, onWarning: (w) => warnings.push(w) }))
    records.push(record);
  return { records, stats, warnings, names: records.map((r) => r.eventName) };
}

describe('readTrailRecords: local folders', () => {
  it('walks the nested AWSLogs layout in day order, reading .json.gz and .json', async () => {
    await put('us-east-1', '2024-03-06', `${ACCOUNT}_CloudTrail_us-east-1_20240306T0000Z_b.json.gz`, logText(rec('C'), rec('D')));
    await put('us-east-1', '2024-03-05', `${ACCOUNT}_CloudTrail_us-east-1_20240305T0000Z_a.json.gz`, logText(rec('A')));
    await put('eu-west-1', '2024-03-05', `${ACCOUNT}_CloudTrail_eu-west-1_20240305T0000Z_c.json`, logText(rec('B')));
    const { names, stats, warnings } = await readAll(root);
    expect(names).toEqual(['B', 'A', 'C', 'D']);
    expect(stats).toMatchObject({ files: 3, corruptFiles: 0, records: 4 });
    expect(stats.uncompressedBytes).toBeGreaterThan(stats.compressedBytes - 100);
    expect(warnings).toEqual([]);
  });

  it('skips corrupt files with one warning that counts them, and reads the rest', async () => {
    await put('us-east-1', '2024-03-05', 'good.json.gz', logText(rec('Good1'), rec('Good2')));
    await put(
      'us-east-1',
      '2024-03-05',
      'bad-gzip.json.gz',
      Buffer.concat([gzipSync(logText(rec('X'))).subarray(0, 30), Buffer.from('garbage')]),
      false,
    );
    await put('us-east-1', '2024-03-05', 'bad-json.json.gz', '{"Records":[{"eventName":');
    await put('us-east-1', '2024-03-05', 'no-records.json', '{"Other":[]}');
    await put('us-east-1', '2024-03-05', 'records-not-array.json', '{"Records":{}}');
    await put('us-east-1', '2024-03-06', 'later.json.gz', logText(rec('Good3')));
    const { names, stats, warnings } = await readAll(root);
    expect(names).toEqual(['Good1', 'Good2', 'Good3']);
    // no-records.json is other JSON, not a damaged log: checks after cutover do not count it as unread.
    expect(stats).toMatchObject({ files: 6, corruptFiles: 4, notTrailFiles: 1, records: 3 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^skipped 4 corrupt CloudTrail log files: /);
    expect(warnings[0]).toMatch(/bad-gzip\.json\.gz \(not valid gzip/);
    expect(warnings[0]).toMatch(/and 1 more/);
  });

  it('ignores digest and insight folders and files that are not .json or .json.gz', async () => {
    await put('us-east-1', '2024-03-05', 'log.json.gz', logText(rec('Kept')));
    await put('us-east-1', '2024-03-05', 'notes.txt', 'hello');
    const digest = join(root, 'AWSLogs', ACCOUNT, 'CloudTrail-Digest', 'us-east-1', '2024', '03', '05', 'digest.json.gz');
    await mkdir(dirname(digest), { recursive: true });
    await writeFile(digest, gzipSync('{"awsAccountId":"x"}'));
    const { names, stats } = await readAll(root);
    expect(names).toEqual(['Kept']);
    expect(stats.corruptFiles).toBe(0);
  });

  it('skips date folders before `since`, keeping the day before for AssumeRoles, and undated files', async () => {
    await put('us-east-1', '2023-12-31', 'old-year.json.gz', logText(rec('OldYear')));
    await put('us-east-1', '2024-02-28', 'old-month.json.gz', logText(rec('OldMonth')));
    await put('us-east-1', '2024-03-03', 'old-day.json.gz', logText(rec('OldDay')));
    await put('us-east-1', '2024-03-04', 'day-before.json.gz', logText(rec('DayBefore')));
    await put('us-east-1', '2024-03-05', 'same-day.json.gz', logText(rec('SameDay')));
    await put('us-east-1', '2024-04-01', 'later.json.gz', logText(rec('Later')));
    await writeFile(join(root, 'loose.json'), logText(rec('Undated')));
    const { names } = await readAll(root, { since: new Date('2024-03-05T12:00:00Z') });
    expect(names).toEqual(['DayBefore', 'SameDay', 'Later', 'Undated']);
  });

  it('reads a single file, reports progress per file, and rejects a missing path', async () => {
    const path = await put('us-east-1', '2024-03-05', 'one.json.gz', logText(rec('A'), rec('B')));
    const progress: Array<[number, number]> = [];
    const { names } = await readAll(path, { onProgress: (files, records) => progress.push([files, records]) });
    expect(names).toEqual(['A', 'B']);
    expect(progress).toEqual([[1, 2]]);
    await expect(readAll(join(root, 'missing'))).rejects.toThrow(/no such file or folder/);
    await expect(readAll('s3://bucket/prefix')).rejects.toThrow(/no S3 client/);
  });

  it('streams files above the threshold, plain or gzip, and keeps what it read before a truncation', async () => {
    const padding = 'x'.repeat(300);
    const records = Array.from({ length: 2000 }, (_, i) => ({ ...rec(`E${i}`), requestParameters: { padding, quote: 'a "}]' } }));
    const text = logText(...records);
    const options = { streamAboveBytes: 1024 };
    await put('us-east-1', '2024-03-05', 'big.json', text);
    await put('us-east-1', '2024-03-05', 'big2.json.gz', text);
    const whole = await readAll(root, options);
    expect(whole.stats).toMatchObject({ files: 2, corruptFiles: 0, records: 4000 });
    expect(whole.stats.uncompressedBytes).toBe(2 * Buffer.byteLength(text));
    expect(whole.records[3999]).toEqual(records[1999]);

    await rm(join(root, 'AWSLogs'), { recursive: true });
    await put('us-east-1', '2024-03-05', 'cut.json', text.slice(0, Math.floor(text.length / 2)));
    const gz = gzipSync(text);
    await put('us-east-1', '2024-03-05', 'cut2.json.gz', gz.subarray(0, Math.floor(gz.length / 2)), false);
    const cut = await readAll(root, options);
    expect(cut.stats.corruptFiles).toBe(2);
    expect(cut.records.length).toBeGreaterThan(1000);
    expect(cut.records.length).toBeLessThan(4000);
    expect(cut.warnings[0]).toMatch(/^skipped 2 corrupt .*truncated JSON/);
  });

  it('stops cleanly when the consumer stops early', async () => {
    for (const day of ['2024-03-05', '2024-03-06', '2024-03-07']) await put('us-east-1', day, 'log.json.gz', logText(rec(day), rec(day)));
    const stats = emptyLogReadStats();
    const seen: string[] = [];
    for await (const record of readTrailRecords(root, {}, { stats })) {
      seen.push(record.eventName);
      break;
    }
    expect(seen).toEqual(['2024-03-05']);
    expect(stats).toMatchObject({ files: 1, records: 1 });
  });

  it('parses a file whole under the default threshold', async () => {
    await put('us-east-1', '2024-03-05', 'cut.json', logText(rec('A'), rec('B')).slice(0, 40));
    const { records, stats, warnings } = await readAll(root);
    // Parsed whole, a corrupt file yields nothing at all.
    expect(records).toEqual([]);
    expect(stats.corruptFiles).toBe(1);
    expect(warnings[0]).toMatch(/not valid JSON/);
  });
});

describe('RecordSplitter', () => {
  const records = [
    { eventName: 'A', note: 'braces } ] { [ and "quotes" and \\ backslashes', nested: { Records: [1, 2], list: [{ a: 1 }] } },
    { eventName: 'B', unicode: 'é – 日本 😀' },
  ];
  const text = `{"Other":{"Records":"decoy"},"Records" : [ ${records.map((r) => JSON.stringify(r)).join(' ,\n')} ],"Tail":[{}]}`;

  it('finds every record whatever the chunk boundaries', () => {
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const splitter = new RecordSplitter();
      const texts = [...splitter.push(bytes.subarray(0, cut)), ...splitter.push(bytes.subarray(cut))];
      splitter.finish();
      expect(texts.map((t): unknown => JSON.parse(t))).toEqual(records);
    }
  });

  it('rejects input without a Records array, or cut short', () => {
    const none = new RecordSplitter();
    none.push(Buffer.from('{"Other":[{"a":1}]}'));
    expect(() => none.finish()).toThrow(/no Records array/);
    const cut = new RecordSplitter();
    cut.push(Buffer.from(text.slice(0, 80)));
    expect(() => cut.finish()).toThrow(/truncated/);
  });
});

describe('readTrailRecords + Attributor on a generated corpus', () => {
  it('finds exactly what the generator planted', async () => {
    const manifest = await generateCorpus({ dir: root, records: 6000, recordsPerFile: 400, seed: 7, plainEvery: 4 });
    const hints = hintsOf({ ec2: manifest.hints.ec2InstanceIds, lambda: manifest.hints.lambdaFunctionNames });
    const attributor = new Attributor(manifest.role, manifest.services, hints);
    const stats = emptyLogReadStats();
    for await (const record of readTrailRecords(join(root, 'AWSLogs'), {}, { stats })) attributor.add(record);
    const evidence = attributor.result({ source: 'logs', window: { start: '', end: '' }, warnings: [] });
    expect(stats).toMatchObject({ files: manifest.files, records: manifest.records, corruptFiles: 0 });
    expect(Object.fromEntries([...evidence.byService].map(([service, usage]) => [service, usage.events]))).toEqual(
      manifest.expected.byService,
    );
    expect(evidence.unattributed.events).toBe(manifest.expected.unattributed);
    expect(evidence.nonService?.events ?? 0).toBe(manifest.expected.nonService);
    expect(evidence.dataEventSources).toEqual(new Set(['s3.amazonaws.com', 'dynamodb.amazonaws.com']));
  });
});

describe('readTrailRecords: S3', () => {
  /** An S3 client whose one object's body breaks off after `cut` bytes (a reset connection), over a real SDK client and a stub HTTP handler. */
  async function s3WithBrokenBody(body: Buffer, cut: number, breakWith: Error) {
    const { S3Client } = await import('@aws-sdk/client-s3');
    const key = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2024/03/05/big.json.gz`;
    const handler = {
      handle: (request: { query?: Record<string, unknown> }) => {
        if (request.query?.['list-type'] === '2') {
          const xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>trail</Name><Prefix></Prefix><KeyCount>1</KeyCount><IsTruncated>false</IsTruncated><Contents><Key>${key}</Key><Size>${body.length}</Size></Contents></ListBucketResult>`;
          return Promise.resolve({
            response: { statusCode: 200, headers: { 'content-type': 'application/xml' }, body: Readable.from([Buffer.from(xml)]) },
          });
        }
        const stream = new Readable({ read() {} });
        stream.push(body.subarray(0, cut));
        setImmediate(() => stream.destroy(breakWith));
        return Promise.resolve({ response: { statusCode: 200, headers: { 'content-length': String(body.length) }, body: stream } });
      },
    };
    return new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      requestHandler: handler,
      forcePathStyle: true,
      maxAttempts: 1,
    });
  }

  it('a body that breaks off mid-file is an error, not a corrupt file to skip', async () => {
    const gz = gzipSync(
      logText(...Array.from({ length: 2000 }, (_, i) => ({ ...rec(`E${i}`), requestParameters: { padding: 'x'.repeat(300) } }))),
    );
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const client = await s3WithBrokenBody(gz, Math.floor(gz.length / 2), reset);
    const stats = emptyLogReadStats();
    const warnings: string[] = [];
    const read = async () => {
      for await (const record of readTrailRecords(
        's3://trail/',
        { s3: () => Promise.resolve(client) },
        { stats, streamAboveBytes: 1024, workers: 0, onWarning: (w) => warnings.push(w) },
      ))
        void record;
    };
    await expect(read()).rejects.toThrow(/big\.json\.gz broke off: read ECONNRESET/);
    expect(stats.corruptFiles).toBe(0);
    expect(warnings).toEqual([]);
  });
});
