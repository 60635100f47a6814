/**
 * Reads a trail's log files — {"Records":[…]} objects, listed by
 * trail-listing.ts from a local folder or s3://bucket/prefix — and yields
 * their records. A few files are in flight at once (fetched, then inflated
 * off the main thread while the previous one is parsed), so memory stays
 * bounded by a handful of files whatever the corpus size; a very large file
 * is streamed record by record.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { pipeline } from 'node:stream';
import { createGunzip, gunzip } from 'node:zlib';
import { recordsNaming, recordTextMayMatter, roleNeedles, type RoleNeedles } from './byte-filter.js';
import { CorruptLogFile, RecordSplitter } from './record-splitter.js';
import { openSource, type LogFile } from './trail-listing.js';
import type { CloudTrailRecord } from './types.js';

/** Counts from one read of a trail's log files. */
export interface LogReadStats {
  /** Log files opened, corrupt ones included. */
  files: number;
  /** Files skipped because they were not valid gzip, JSON, or a {"Records":[…]} object. */
  corruptFiles: number;
  /** Records in the files read: those yielded, and those the byte filter counted and left unparsed. */
  records: number;
  /** Records the byte filter left unparsed because they named neither the role nor its sessions. */
  skippedRecords: number;
  /** Bytes of the files as stored. */
  compressedBytes: number;
  /** Bytes after gunzip (equal to the stored size for plain .json). */
  uncompressedBytes: number;
}

/** Options for readTrailRecords. */
export interface ReadTrailOptions {
  /**
   * Skip files in date folders before this day. Files of the day before are
   * still read, for the AssumeRole of sessions open at `since`; records are
   * not filtered by time (the caller's window decides).
   */
  since?: Date;
  onWarning?: (message: string) => void;
  onProgress?: (filesDone: number, recordsRead: number) => void;
  /** Filled in as the read goes, for callers that consume the generator with for-await. */
  stats?: LogReadStats;
  /** Files larger than this as stored are streamed record by record (default 8 MiB). */
  streamAboveBytes?: number;
  /**
   * Read only this account's files: under an organization trail's
   * o-xxxx/AWSLogs/ (or a trail's AWSLogs/), other accounts' folders are
   * neither listed nor read.
   */
  account?: string;
  /**
   * Yield only records whose bytes name this role (its ARN, or its session
   * ARNs), or whose userIdentity is not plainly someone's, found by a byte
   * search before any parsing. Every record the Attributor could use for the
   * role, or list as unreadable, still comes through (byte-filter.ts).
   */
  role?: { arn: string; name: string };
}

type Loaded =
  | { kind: 'json'; text: Buffer; stored: number }
  | { kind: 'stream'; stored: number }
  | { kind: 'corrupt'; reason: string; stored: number }
  | { kind: 'fatal'; error: unknown };

/** A file bigger than this (as stored) is streamed record by record instead of parsed whole. */
const DEFAULT_STREAM_ABOVE_BYTES = 8 * 1024 * 1024;
/** Inflating past this falls back to streaming, so a gzip bomb cannot blow the heap. */
const MAX_WHOLE_BYTES = 48 * 1024 * 1024;
/** Files inflated ahead of the parser: zlib runs on libuv's pool while the main thread parses. */
const INFLATE_AHEAD = 2;
/** Longest role session a workload service opens (Lambda's 12 h), rounded up to a day. */
const ASSUME_ROLE_LOOKBACK_MS = 24 * 60 * 60 * 1000;

const EMPTY = Buffer.alloc(0);

/** An empty LogReadStats. */
export function emptyLogReadStats(): LogReadStats {
  return { files: 0, corruptFiles: 0, records: 0, skippedRecords: 0, compressedBytes: 0, uncompressedBytes: 0 };
}

/**
 * Yields every record of the trail's log files under `location` (a local
 * folder or file, or s3://bucket/prefix). Corrupt files are skipped and
 * reported in one warning that counts them; the generator returns the stats.
 */
export async function* readTrailRecords(
  location: string,
  deps: { s3?: () => Promise<S3Client> },
  options: ReadTrailOptions = {},
): AsyncGenerator<CloudTrailRecord, LogReadStats> {
  const stats = options.stats ?? emptyLogReadStats();
  // Keep the day before `since`: a session still open at `since` was opened then, and its AssumeRole is the best join.
  const since = options.since && new Date(options.since.getTime() - ASSUME_ROLE_LOOKBACK_MS);
  const streamAbove = options.streamAboveBytes ?? DEFAULT_STREAM_ABOVE_BYTES;
  const needles = options.role && roleNeedles(options.role);
  const source = await openSource(location, deps, { since, account: options.account });
  const listing = source.files[Symbol.asyncIterator]();
  const pending: Array<{ file: LogFile; fetched: Promise<Loaded>; inflated?: Promise<Loaded> }> = [];
  const corrupt: string[] = [];
  let listed = false;
  try {
    for (;;) {
      while (!listed && pending.length < source.prefetch) {
        const next = await listing.next();
        if (next.done) listed = true;
        else pending.push({ file: next.value, fetched: fetchFile(next.value, streamAbove) });
      }
      for (const slot of pending.slice(0, INFLATE_AHEAD)) slot.inflated ??= slot.fetched.then(inflate);
      const slot = pending.shift();
      if (!slot) break;
      const loaded = await (slot.inflated ?? slot.fetched.then(inflate));
      if (loaded.kind === 'fatal') throw loaded.error;
      stats.files += 1;
      stats.compressedBytes += loaded.stored;
      try {
        if (loaded.kind === 'corrupt') throw new CorruptLogFile(loaded.reason);
        if (loaded.kind === 'json') {
          stats.uncompressedBytes += loaded.text.length;
          const filtered = needles && recordsNaming(loaded.text, needles);
          if (filtered) {
            stats.records += filtered.skipped;
            stats.skippedRecords += filtered.skipped;
          }
          // A plain loop over the parsed array: for-await over a sync iterable would cost a promise per record.
          const records = filtered ? filtered.records : parseWhole(loaded.text);
          // Let the inflated bytes go while the records are consumed.
          loaded.text = EMPTY;
          for (const record of records) {
            stats.records += 1;
            yield record;
          }
        } else {
          for await (const record of streamRecords(slot.file, stats, needles)) {
            stats.records += 1;
            yield record;
          }
        }
      } catch (error) {
        if (!(error instanceof CorruptLogFile)) throw error;
        stats.corruptFiles += 1;
        corrupt.push(`${slot.file.name} (${error.message})`);
      }
      options.onProgress?.(stats.files, stats.records);
    }
  } finally {
    // Stops an S3 listing early when the consumer stops early.
    if (!listed) await listing.return?.(undefined);
    if (corrupt.length > 0) options.onWarning?.(corruptWarning(corrupt));
  }
  return stats;
}

function corruptWarning(corrupt: readonly string[]): string {
  const shown = corrupt.slice(0, 3).join('; ');
  const more = corrupt.length > 3 ? `; and ${corrupt.length - 3} more` : '';
  return `skipped ${corrupt.length} corrupt CloudTrail log file${corrupt.length === 1 ? '' : 's'}: ${shown}${more}`;
}

/** Parses a whole file. One JSON.parse of the file beats any streaming parser by far. */
function parseWhole(text: Buffer): CloudTrailRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.toString('utf8'));
  } catch (error) {
    throw new CorruptLogFile(`not valid JSON: ${(error as Error).message}`);
  }
  const records = typeof parsed === 'object' && parsed !== null ? (parsed as { Records?: unknown }).Records : undefined;
  if (!Array.isArray(records)) throw new CorruptLogFile('no Records array');
  return (records as unknown[]).filter((record) => typeof record === 'object' && record !== null) as CloudTrailRecord[];
}

/**
 * Streams a large file through gunzip and the record splitter: memory stays at
 * one record. With needles, a record whose text names neither, and whose
 * identity is plainly someone's, is counted and not parsed (unless an escape
 * could spell the role otherwise).
 */
async function* streamRecords(file: LogFile, stats: LogReadStats, needles: RoleNeedles | undefined): AsyncGenerator<CloudTrailRecord> {
  const raw = await file.open();
  const input = /\.gz$/i.test(file.name) ? pipeline(raw, createGunzip(), () => undefined) : raw;
  const splitter = new RecordSplitter();
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      stats.uncompressedBytes += chunk.length;
      for (const text of splitter.push(chunk)) {
        if (needles && !recordTextMayMatter(text, needles)) {
          stats.records += 1;
          stats.skippedRecords += 1;
        } else yield JSON.parse(text) as CloudTrailRecord;
      }
    }
    splitter.finish();
  } catch (error) {
    if (error instanceof CorruptLogFile) throw error;
    throw new CorruptLogFile((error as Error).message);
  } finally {
    raw.destroy();
    input.destroy();
  }
}

/** Reads a file into memory unless it is large enough to stream. Never rejects. */
async function fetchFile(file: LogFile, streamAbove: number): Promise<Loaded> {
  const stored = file.size ?? 0;
  if (stored > streamAbove) return { kind: 'stream', stored };
  try {
    const text = await file.read(streamAbove);
    return text ? { kind: 'json', text, stored: text.length } : { kind: 'stream', stored };
  } catch (error) {
    if (error instanceof CorruptLogFile) return { kind: 'corrupt', reason: error.message, stored };
    return { kind: 'fatal', error };
  }
}

/** Gunzips fetched bytes when they carry the gzip magic; never rejects. */
function inflate(loaded: Loaded): Promise<Loaded> {
  if (loaded.kind !== 'json') return Promise.resolve(loaded);
  const { text, stored } = loaded;
  if (!(text[0] === 0x1f && text[1] === 0x8b)) {
    return Promise.resolve(text.length > MAX_WHOLE_BYTES ? { kind: 'stream', stored } : loaded);
  }
  // zlib hands each output chunk back to the main thread; sizing the chunk from the gzip
  // trailer (ISIZE: inflated size mod 2^32) makes it one round trip instead of thousands.
  const isize = text.length >= 18 ? text.readUInt32LE(text.length - 4) : 0;
  const chunkSize = Math.min(Math.max(isize + 1, 64 * 1024), MAX_WHOLE_BYTES);
  return new Promise((resolve) => {
    gunzip(text, { maxOutputLength: MAX_WHOLE_BYTES, chunkSize }, (error, inflated) => {
      if (!error) resolve({ kind: 'json', text: inflated, stored });
      else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') resolve({ kind: 'stream', stored });
      else resolve({ kind: 'corrupt', reason: `not valid gzip: ${error.message}`, stored });
    });
  });
}
