/**
 * One trail file's bytes on their way to the reader (log-files.ts): fetched,
 * or streamed when large; then gunzipped on libuv's pool, or read, gunzipped
 * and byte-searched in a filter worker. What a file became (corrupt, too
 * large, unreadable) is the answer, never a rejection; only readWhole, for
 * a file the reader must have whole, throws it.
 */
import { CorruptLogFile } from './record-splitter.js';
import type { CandidateSpans } from './byte-filter.js';
import type { CachedTrailFile } from './evidence-cache.js';
import type { FilterInput, TrailFilterPool } from './trail-filter-pool.js';
import { inflateAsync, type Inflated } from './trail-inflate.js';
import type { LogFile } from './trail-listing.js';

/** What a file became on its way. */
export type Loaded =
  /**
   * `searched`: a worker's byte search over `text` ('whole': parse it whole); unset: search here, if filtering.
   * `inflated`: set when `text` holds only the records the worker picked, the whole text being that many bytes.
   */
  | { kind: 'json'; text: Buffer; stored: number; searched?: CandidateSpans | 'whole'; inflated?: number }
  | { kind: 'stream'; stored: number }
  | { kind: 'corrupt'; reason: string; stored: number }
  | { kind: 'cached'; stored: number; read: CachedTrailFile }
  | { kind: 'fatal'; error: unknown };

/** Reads a file into memory unless it is large enough to stream. Never rejects. */
export async function fetchFile(file: LogFile, streamAbove: number): Promise<Loaded> {
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

/** A file's whole inflated text, read again; what it became instead (corrupt, too large, unreadable) is thrown. */
export async function readWhole(file: LogFile, streamAbove: number): Promise<Buffer> {
  const loaded = await inflate(await fetchFile(file, streamAbove));
  if (loaded.kind === 'json') return loaded.text;
  if (loaded.kind === 'fatal') throw loaded.error;
  throw new CorruptLogFile(loaded.kind === 'corrupt' ? loaded.reason : 'changed while it was read');
}

/** Gunzips fetched bytes when they carry the gzip magic; never rejects. */
export async function inflate(loaded: Loaded): Promise<Loaded> {
  return loaded.kind === 'json' ? fromInflated(await inflateAsync(loaded.text), loaded.stored) : loaded;
}

/** Gunzips and byte-searches fetched bytes in a worker. */
export function filterFetchedInPool(pool: TrailFilterPool, loaded: Loaded): Promise<Loaded> {
  return loaded.kind === 'json' ? filterInPool(pool, { bytes: loaded.text }) : Promise.resolve(loaded);
}

/** Reads (for a path), gunzips and byte-searches a file in a worker; never rejects (a failed worker fails the read). */
export async function filterInPool(pool: TrailFilterPool, input: FilterInput): Promise<Loaded> {
  try {
    const result = await pool.filter(input);
    if (result.kind === 'spans' || result.kind === 'whole') {
      const text = Buffer.from(result.text.buffer, result.text.byteOffset, result.text.byteLength);
      if (result.kind === 'whole') return { kind: 'json', text, stored: result.stored, searched: 'whole' };
      return {
        kind: 'json',
        text,
        stored: result.stored,
        searched: { spans: result.spans, count: result.count },
        inflated: result.inflated,
      };
    }
    return fromInflated(result, result.stored);
  } catch (error) {
    return { kind: 'fatal', error };
  }
}

function fromInflated(inflated: Inflated, stored: number): Loaded {
  if (inflated.kind === 'text') return { kind: 'json', text: inflated.text, stored };
  return inflated.kind === 'too-large' ? { kind: 'stream', stored } : { kind: 'corrupt', reason: inflated.reason, stored };
}
