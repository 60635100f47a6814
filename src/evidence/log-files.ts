/**
 * Reads a trail's log files — {"Records":[…]} objects, listed by
 * trail-listing.ts from a local folder or s3://bucket/prefix — and yields
 * their records. A few files are in flight at once (fetched, then inflated
 * off the main thread while the previous one is parsed; with worker threads,
 * also read and byte-searched there), so memory stays bounded by a handful
 * of files whatever the corpus size; a very large file is streamed record by
 * record.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ExitCode, SplitRoleError } from '../core/errors.js';
import { candidateSpans, pickRecords, recordTextMayMatter, roleNeedles, type RoleNeedles } from './byte-filter.js';
import { CorruptLogFile, NotATrailFile, RecordSplitter } from './record-splitter.js';
import { defaultFilterWorkers, TrailFilterPool } from './trail-filter-pool.js';
import { fetchFile, filterFetchedInPool, filterInPool, inflate, readWhole, type Loaded } from './trail-file-load.js';
import { openSource, type LogFile } from './trail-listing.js';
import type { CachedTrailFiles, TrailFileId } from './evidence-cache.js';
import type { CloudTrailRecord } from './types.js';

/** Counts from one read of a trail's log files. */
export interface LogReadStats {
  /** Log files opened, corrupt ones included. */
  files: number;
  /** Files skipped because they were not valid gzip, JSON, or a {"Records":[…]} object. */
  corruptFiles: number;
  /** Of the corrupt files, those that held no Records array at all: other JSON among the logs, not a damaged log file. */
  notTrailFiles: number;
  /** Records in the files read: those yielded, and those the byte filter counted and left unparsed. */
  records: number;
  /** Records the byte filter left unparsed because they named neither the role nor its sessions. */
  skippedRecords: number;
  /** Bytes of the files as stored. */
  compressedBytes: number;
  /** Bytes after gunzip (equal to the stored size for plain .json). */
  uncompressedBytes: number;
  /** Files inflated and byte-searched in worker threads. */
  filesInWorkers: number;
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
  /** Told the name of each file read whole (not one skipped as corrupt): its name carries its delivery time. */
  onFileRead?: (name: string) => void;
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
  /**
   * Worker threads that inflate and byte-search files beside the main thread
   * (with `role` only). Default: one per core (at most four, none on one
   * core), started once the read has 8 files in sight (WORKERS_FROM_FILES),
   * so small reads stay on the main thread; 0 keeps everything there.
   */
  workers?: number;
  /**
   * Files read whole before (same name, size and ETag or mtime) are taken
   * from here, and files read whole now are kept here: the records `role`'s
   * filter kept, and how many it left.
   */
  cache?: CachedTrailFiles;
}

/** A listed file on its way: fetched (unless a worker reads it), then inflated and maybe searched. */
interface Slot {
  file: LogFile;
  fetched?: Promise<Loaded>;
  inflated?: Promise<Loaded>;
  /** The file's identity, when a cache is in use. */
  id?: TrailFileId;
}

/** A file bigger than this (as stored) is streamed record by record instead of parsed whole. */
const DEFAULT_STREAM_ABOVE_BYTES = 8 * 1024 * 1024;
/** Files inflated ahead of the parser: zlib runs on libuv's pool while the main thread parses. */
const INFLATE_AHEAD = 2;
/** With this many files to read, filter workers pay for their start-up. */
const WORKERS_FROM_FILES = 8;
/** Longest role session a workload service opens (Lambda's 12 h), rounded up to a day. */
const ASSUME_ROLE_LOOKBACK_MS = 24 * 60 * 60 * 1000;

const EMPTY = Buffer.alloc(0);

/** An empty LogReadStats. */
export function emptyLogReadStats(): LogReadStats {
  return {
    files: 0,
    corruptFiles: 0,
    notTrailFiles: 0,
    records: 0,
    skippedRecords: 0,
    compressedBytes: 0,
    uncompressedBytes: 0,
    filesInWorkers: 0,
  };
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
  const workers = options.role ? (options.workers ?? defaultFilterWorkers()) : 0;
  let pool: TrailFilterPool | undefined;
  const listing = source.files[Symbol.asyncIterator]();
  const pending: Slot[] = [];
  const prepare = (slot: Slot): Promise<Loaded> => {
    // A local file a worker reads itself; one fetched already (before the workers started, or from S3) it gets the bytes of.
    if (pool && !slot.fetched && slot.file.path !== undefined) return filterInPool(pool, { path: slot.file.path, streamAbove });
    slot.fetched ??= fetchFile(slot.file, streamAbove);
    return slot.fetched.then((loaded) => (pool ? filterFetchedInPool(pool, loaded) : inflate(loaded)));
  };
  const corrupt: string[] = [];
  let listed = false;
  try {
    for (;;) {
      while (!listed && pending.length < Math.max(source.prefetch, workers + 1)) {
        const next = await listing.next();
        if (next.done) listed = true;
        else {
          const file = next.value;
          const id = options.cache && (await identify(file));
          // A file the cache holds unchanged is not fetched; one it does not is read, and kept under this identity.
          const read = id && options.cache?.get(id);
          pending.push(
            read
              ? { file, id, inflated: Promise.resolve({ kind: 'cached', stored: id.size ?? 0, read }) }
              : { file, ...(id ? { id } : {}), fetched: pool && file.path !== undefined ? undefined : fetchFile(file, streamAbove) },
          );
        }
      }
      if (!pool && options.role && workers > 0 && (options.workers !== undefined || stats.files + pending.length >= WORKERS_FROM_FILES)) {
        pool = new TrailFilterPool(options.role, workers);
      }
      // With workers, each has a file in hand and one queued while the main thread parses.
      for (const slot of pending.slice(0, pool ? workers * 2 : INFLATE_AHEAD)) slot.inflated ??= prepare(slot);
      const slot = pending.shift();
      if (!slot) break;
      const loaded = await (slot.inflated ?? prepare(slot));
      if (loaded.kind === 'fatal') throw loaded.error;
      stats.files += 1;
      stats.compressedBytes += loaded.stored;
      // What this file gives, for the cache: its records, and the counts they add.
      const kept: CloudTrailRecord[] | undefined = options.cache && slot.id && loaded.kind !== 'cached' ? [] : undefined;
      const before = { skipped: stats.skippedRecords, bytes: stats.uncompressedBytes };
      try {
        if (loaded.kind === 'corrupt') throw new CorruptLogFile(loaded.reason);
        if (loaded.kind === 'cached') {
          const { records, skipped, uncompressedBytes } = loaded.read;
          stats.uncompressedBytes += uncompressedBytes;
          stats.records += skipped;
          stats.skippedRecords += skipped;
          for (const record of records) {
            stats.records += 1;
            yield record;
          }
        } else if (loaded.kind === 'json') {
          stats.uncompressedBytes += loaded.inflated ?? loaded.text.length;
          if (loaded.searched) stats.filesInWorkers += 1;
          const searched = loaded.searched ?? (needles && candidateSpans(loaded.text, needles));
          const filtered = searched === 'whole' ? undefined : pickRecords(loaded.text, searched);
          if (filtered) {
            stats.records += filtered.skipped;
            stats.skippedRecords += filtered.skipped;
          }
          // A plain loop over the parsed array: for-await over a sync iterable would cost a promise per record.
          // A worker sent only the picked records: a cut that does not parse needs the whole file again (never for CloudTrail's own).
          const whole = filtered || loaded.inflated === undefined ? loaded.text : await readWhole(slot.file, streamAbove);
          const records = filtered ? filtered.records : parseWhole(whole);
          // Let the inflated bytes go while the records are consumed.
          loaded.text = EMPTY;
          for (const record of records) {
            stats.records += 1;
            kept?.push(record);
            yield record;
          }
        } else {
          for await (const record of streamRecords(slot.file, stats, needles)) {
            stats.records += 1;
            kept?.push(record);
            yield record;
          }
        }
        if (kept && slot.id) {
          const read = {
            records: kept,
            skipped: stats.skippedRecords - before.skipped,
            uncompressedBytes: stats.uncompressedBytes - before.bytes,
          };
          options.cache?.put(slot.id, read);
        }
        options.onFileRead?.(slot.file.name);
      } catch (error) {
        if (!(error instanceof CorruptLogFile)) throw error;
        stats.corruptFiles += 1;
        if (error instanceof NotATrailFile) stats.notTrailFiles += 1;
        corrupt.push(`${slot.file.name} (${error.message})`);
      }
      options.onProgress?.(stats.files, stats.records);
    }
  } finally {
    await pool?.close();
    // Stops an S3 listing early when the consumer stops early.
    if (!listed) await listing.return?.(undefined);
    if (corrupt.length > 0) options.onWarning?.(corruptWarning(corrupt));
  }
  return stats;
}

/** What tells this version of the file from a rewritten one. */
async function identify(file: LogFile): Promise<TrailFileId> {
  return { name: file.name, ...(await file.identify()) };
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
  if (records === undefined) throw new NotATrailFile('no Records array');
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
    if (isBadContent(error)) throw new CorruptLogFile((error as Error).message);
    // Why not corrupt: a connection cut mid-file says nothing of the file, and a
    // gate must not read a file it never saw as one it may skip.
    if (file.name.startsWith('s3://')) {
      throw new SplitRoleError('NetworkError', `reading ${file.name} broke off: ${(error as Error).message}`, 'run again', ExitCode.error, {
        cause: error,
      });
    }
    throw error;
  } finally {
    raw.destroy();
    input.destroy();
  }
}

/** True for what bad bytes raise: gunzip's Z_* errors and JSON syntax errors (not a stream that broke off). */
function isBadContent(error: unknown): boolean {
  if (error instanceof SyntaxError) return true;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
