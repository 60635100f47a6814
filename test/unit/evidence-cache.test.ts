/**
 * The evidence cache store (src/evidence/evidence-cache.ts) and a LookupEvents
 * query through it (cached-lookup.ts): what a second run asks, what it is
 * handed, and what it refuses to trust.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LookupRecord } from '../../src/aws/cloudtrail.js';
import { cachedLookupEvents, DELIVERY_LAG_MS } from '../../src/evidence/cached-lookup.js';
import { emptyLogReadStats, readTrailRecords } from '../../src/evidence/log-files.js';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import { writeTrailFiles } from '../support/trail-files.js';
import { sessionIdentity } from '../support/trail-records.js';
import {
  EVIDENCE_CACHE_VERSION,
  EvidenceCache,
  evidenceCacheDir,
  missingSpans,
  type IdentifiedRecord,
  type LookupQueryKey,
} from '../../src/evidence/evidence-cache.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-12-06T12:00:00Z');
const KEY: LookupQueryKey = {
  account: '123456789012',
  region: 'us-east-1',
  attribute: { key: 'ResourceName', value: 'arn:aws:iam::123456789012:role/shared' },
};

let dir: string;
let warnings: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'evidence-cache-'));
  warnings = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = () => new EvidenceCache(dir, (message) => warnings.push(message));
const record = (id: string, time: number): IdentifiedRecord => ({
  eventID: id,
  eventTime: new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  eventSource: 'sts.amazonaws.com',
  eventName: 'AssumeRole',
});
const window = (start: number, end: number) => ({ start: new Date(start), end: new Date(end) });

/** A LookupEvents stand-in over `events`: newest first, the window's only, every span it was asked for noted. */
function lookup(events: readonly IdentifiedRecord[]) {
  const asked: Array<{ start: number; end: number }> = [];
  const read = async function* (w: { start: Date; end: Date }): AsyncGenerator<LookupRecord> {
    asked.push({ start: w.start.getTime(), end: w.end.getTime() });
    const inside = events.filter((e) => Date.parse(e.eventTime) >= w.start.getTime() && Date.parse(e.eventTime) <= w.end.getTime());
    yield* [...inside].sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime));
  };
  return { asked, read };
}

async function collect(iterable: AsyncIterable<LookupRecord>, stopAfter = Infinity): Promise<string[]> {
  const ids: string[] = [];
  for await (const r of iterable) {
    ids.push(r.eventID!);
    if (ids.length >= stopAfter) break;
  }
  return ids.sort();
}

const EVENTS = [record('a', NOW - 30 * HOUR), record('b', NOW - 20 * HOUR), record('c', NOW - 10 * HOUR), record('d', NOW - 2 * HOUR)];

describe('a LookupEvents query through the cache', () => {
  it('a second run over the same window asks only the part too new to be complete, and gets the rest from the cache', async () => {
    const first = lookup(EVENTS);
    const cache = open();
    const w = window(NOW - 48 * HOUR, NOW);
    expect(await collect(cachedLookupEvents(cache.query(KEY), w, first.read, NOW))).toEqual(['a', 'b', 'c', 'd']);
    expect(first.asked).toEqual([{ start: w.start.getTime(), end: NOW }]);
    cache.flush();

    const second = lookup(EVENTS);
    const again = open();
    const ids = await collect(cachedLookupEvents(again.query(KEY), w, second.read, NOW + HOUR));
    expect(ids).toEqual(['a', 'b', 'c', 'd']);
    // Only the last 15 minutes before the first run were not taken as read whole.
    expect(second.asked).toEqual([{ start: NOW - DELIVERY_LAG_MS + 1, end: NOW }]);
    expect(warnings).toEqual([]);
  });

  it('a later, partly overlapping window asks only its uncovered ends, and never hands out cached records outside it', async () => {
    const cache = open();
    await collect(cachedLookupEvents(cache.query(KEY), window(NOW - 25 * HOUR, NOW - 5 * HOUR), lookup(EVENTS).read, NOW));
    cache.flush();

    const next = lookup(EVENTS);
    const again = open();
    const query = again.query(KEY);
    const ids = await collect(cachedLookupEvents(query, window(NOW - 15 * HOUR, NOW), next.read, NOW));
    // b (20 h ago) is in the cache but outside this window; c came from the cache, d from the new span.
    expect(ids).toEqual(['c', 'd']);
    expect(next.asked).toEqual([{ start: NOW - 5 * HOUR + 1, end: NOW }]);
    expect(again.served(EVENTS[2]!)).toBe(false); // the cache hands out its own copies, counted as served
    expect(
      query
        .recordsIn({ start: NOW - 15 * HOUR, end: NOW })
        .map((r) => r.eventID)
        .sort(),
    ).toEqual(['c', 'd']);
  });

  it('a read stopped part-way keeps what it finished: the next run asks only the older part, then the newest minutes', async () => {
    const cache = open();
    const w = window(NOW - 48 * HOUR, NOW);
    // Newest first: d and c are read, then the run stops (Ctrl-C).
    expect(await collect(cachedLookupEvents(cache.query(KEY), w, lookup(EVENTS).read, NOW), 2)).toEqual(['c', 'd']);
    cache.flush();

    const next = lookup(EVENTS);
    expect(await collect(cachedLookupEvents(open().query(KEY), w, next.read, NOW))).toEqual(['a', 'b', 'c', 'c', 'd']);
    // Everything after c's second was read whole (but the newest 15 minutes); c itself is asked again and deduped by its caller.
    expect(next.asked).toEqual([
      { start: w.start.getTime(), end: NOW - 10 * HOUR + 999 },
      { start: NOW - DELIVERY_LAG_MS + 1, end: NOW },
    ]);
  });
});

describe('cache files from outside', () => {
  /** The one file a flushed lookup entry is in. */
  async function writtenEntry(): Promise<string> {
    const cache = open();
    await collect(cachedLookupEvents(cache.query(KEY), window(NOW - 48 * HOUR, NOW), lookup(EVENTS).read, NOW));
    cache.flush();
    const [name] = readdirSync(join(dir, 'lookup-events'));
    return join(dir, 'lookup-events', name!);
  }

  it('a corrupt file is ignored with a warning, and the whole window is read again', async () => {
    const path = await writtenEntry();
    writeFileSync(path, '{"version":1,"kind":"lookup-eve');
    const next = lookup(EVENTS);
    expect(await collect(cachedLookupEvents(open().query(KEY), window(NOW - 48 * HOUR, NOW), next.read, NOW))).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(next.asked).toHaveLength(1);
    expect(next.asked[0]!.start).toBe(NOW - 48 * HOUR);
    expect(warnings).toEqual([`ignored evidence cache file ${path}: not valid JSON`]);
  });

  it('a valid-looking file with a forged record (no time) or another version is not trusted', async () => {
    const path = await writtenEntry();
    const content = JSON.parse(readFileSync(path, 'utf8')) as { records: unknown[] };
    writeFileSync(path, JSON.stringify({ ...content, records: [...content.records, { eventID: 'x', eventSource: 's', eventName: 'n' }] }));
    expect(
      open()
        .query(KEY)
        .missing({ start: NOW - HOUR, end: NOW - HOUR / 2 }),
    ).toHaveLength(1);
    expect(warnings[0]).toMatch(/^ignored evidence cache file .*: records\.4\.eventTime: /);

    writeFileSync(path, JSON.stringify({ ...content, version: EVIDENCE_CACHE_VERSION + 1, covered: [{ start: 0, end: NOW }] }));
    const next = lookup(EVENTS);
    await collect(cachedLookupEvents(open().query(KEY), window(NOW - 48 * HOUR, NOW), next.read, NOW));
    expect(next.asked).toEqual([{ start: NOW - 48 * HOUR, end: NOW }]);
    expect(warnings[1]).toBe(`ignored evidence cache file ${path}: format version 2, this split-role reads 1`);
  });

  it('a file copied over another query’s entry is ignored: its key is checked, not only its name', async () => {
    const path = await writtenEntry();
    const content: unknown = JSON.parse(readFileSync(path, 'utf8'));
    const other = { ...KEY, region: 'eu-west-1' };
    const cache = open();
    cache.query(other).add([], { start: 0, end: 1 });
    cache.flush();
    const otherPath = readdirSync(join(dir, 'lookup-events'))
      .map((name) => join(dir, 'lookup-events', name))
      .find((p) => p !== path)!;
    writeFileSync(otherPath, JSON.stringify(content));
    expect(open().query(other).recordsIn({ start: 0, end: NOW })).toEqual([]);
    expect(warnings).toEqual([`ignored evidence cache file ${otherPath}: it belongs to another query`]);
  });
});

describe('trail files in the cache', () => {
  const scope = { location: 's3://trail/logs/', account: '123456789012', role: KEY.attribute.value };

  it('an unchanged file (name, size, ETag) is a hit; a rewritten one, or one without a tag, is read again', () => {
    const file = { name: 's3://trail/logs/a.json.gz', size: 120, tag: '"etag-1"' };
    const cache = open();
    cache.trailFiles(scope).put(file, { records: [record('a', NOW - HOUR)], skipped: 7, uncompressedBytes: 900 });
    cache.flush();
    const again = open();
    const files = again.trailFiles(scope);
    const hit = files.get(file);
    expect(hit?.records.map((r) => r.eventTime)).toEqual([record('a', NOW - HOUR).eventTime]);
    expect(again.served(hit!.records[0]!)).toBe(true);
    expect(again.unparsedServed).toBe(7);
    expect(files.get({ ...file, tag: '"etag-2"' })).toBeUndefined();
    expect(files.get({ ...file, size: 121 })).toBeUndefined();
    expect(files.get({ ...file, tag: undefined })).toBeUndefined();
    expect(again.trailFiles({ ...scope, role: 'arn:aws:iam::123456789012:role/other' }).get(file)).toBeUndefined();
  });
});

describe('trail files read through the cache', () => {
  const role = { arn: 'arn:aws:iam::123456789012:role/shared', name: 'shared' };
  const where = { account: '123456789012', region: 'us-east-1' };
  const call = (i: number, who = role): CloudTrailRecord => ({
    eventTime: new Date(NOW - i * HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    userIdentity: sessionIdentity(who, 'i-0abc', 'ASIAEXAMPLE'),
  });

  async function read(root: string, cache: EvidenceCache) {
    const stats = emptyLogReadStats();
    const files = cache.trailFiles({ location: root, account: where.account, role: role.arn });
    const records: CloudTrailRecord[] = [];
    for await (const r of readTrailRecords(root, {}, { role, stats, cache: files, workers: 0, onWarning: (w) => warnings.push(w) }))
      records.push(r);
    return { records, stats };
  }

  it('a second read takes unchanged files from the cache with the same records and counts; a file with a new mtime is read again', async () => {
    const root = join(dir, 'trail');
    const other = { arn: 'arn:aws:iam::123456789012:role/other', name: 'other' };
    const [first] = await writeTrailFiles(root, [call(1), call(2), call(3, other)], where);
    // A whole second: utimes takes seconds as a float, and only a whole one comes back as the same mtime.
    const path = join(root, first!);
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000);
    utimesSync(path, mtime, mtime);
    const cache = open();
    const fresh = await read(root, cache);
    expect(fresh.records.length).toBeGreaterThanOrEqual(2);
    cache.flush();

    // Same size, same mtime, other bytes: only a cache hit still gives the original records.
    const { size } = statSync(path);
    writeFileSync(path, Buffer.alloc(size, 0x20));
    utimesSync(path, mtime, mtime);
    const again = open();
    const cached = await read(root, again);
    expect(cached.records.map((r) => r.eventTime)).toEqual(fresh.records.map((r) => r.eventTime));
    const counts = ({ files, records, skippedRecords, corruptFiles, compressedBytes, uncompressedBytes }: typeof fresh.stats) => ({
      files,
      records,
      skippedRecords,
      corruptFiles,
      compressedBytes,
      uncompressedBytes,
    });
    expect(counts(cached.stats)).toEqual(counts(fresh.stats));
    expect(cached.records.every((r) => again.served(r))).toBe(true);

    // A new mtime is a new file: read again (and found corrupt now).
    utimesSync(path, mtime, new Date(mtime.getTime() + 1000));
    const changed = await read(root, open());
    expect(changed.records).toEqual([]);
    expect(changed.stats.corruptFiles).toBe(1);
  });
});

describe('where the cache is', () => {
  const env = { XDG_CACHE_HOME: '/xdg' };
  const home = () => '/home/u';
  it('at a terminal: XDG_CACHE_HOME, else ~/.cache; unattended: only when told where; --no-evidence-cache: never', () => {
    expect(evidenceCacheDir(undefined, true, env, home)).toBe('/xdg/split-role/evidence');
    expect(evidenceCacheDir(undefined, true, { XDG_CACHE_HOME: 'relative' }, home)).toBe('/home/u/.cache/split-role/evidence');
    expect(evidenceCacheDir(undefined, false, env, home)).toBeUndefined();
    expect(evidenceCacheDir(undefined, false, { SPLIT_ROLE_EVIDENCE_CACHE: '/c' }, home)).toBe('/c');
    expect(evidenceCacheDir(undefined, true, { SPLIT_ROLE_EVIDENCE_CACHE: 'off' }, home)).toBeUndefined();
    expect(evidenceCacheDir('/d', false, env, home)).toBe('/d');
    expect(evidenceCacheDir(false, true, { SPLIT_ROLE_EVIDENCE_CACHE: '/c' }, home)).toBeUndefined();
  });

  it('missing spans of a window around two covered ones', () => {
    expect(
      missingSpans(
        [
          { start: 10, end: 20 },
          { start: 21, end: 30 },
          { start: 50, end: 60 },
        ],
        { start: 0, end: 100 },
      ),
    ).toEqual([
      { start: 0, end: 9 },
      { start: 31, end: 49 },
      { start: 61, end: 100 },
    ]);
  });
});
