/**
 * Inflating one trail file's stored bytes: the same rules on the main thread
 * (async, on libuv's pool) and in a filter worker (sync, the worker being the
 * thread to spare).
 */
import { gunzip, gunzipSync, type ZlibOptions } from 'node:zlib';

/** Inflating past this falls back to streaming, so a gzip bomb cannot blow the heap. */
export const MAX_WHOLE_BYTES = 48 * 1024 * 1024;

/** One file's bytes made ready to read: the JSON text, or why it must be streamed or skipped. */
export type Inflated = { kind: 'text'; text: Buffer } | { kind: 'too-large' } | { kind: 'corrupt'; reason: string };

/** Inflates `bytes` when they carry the gzip magic; never rejects. */
export function inflateAsync(bytes: Buffer): Promise<Inflated> {
  const options = gzipOptions(bytes);
  if (!options) return Promise.resolve(plain(bytes));
  return new Promise((resolve) => {
    gunzip(bytes, options, (error, text) => resolve(error ? failed(error) : { kind: 'text', text }));
  });
}

/** inflateAsync, on the calling thread. */
export function inflateSync(bytes: Buffer): Inflated {
  const options = gzipOptions(bytes);
  if (!options) return plain(bytes);
  try {
    return { kind: 'text', text: gunzipSync(bytes, options) };
  } catch (error) {
    return failed(error as Error);
  }
}

/**
 * The gunzip options for gzip bytes, or undefined for plain ones. Sizing the
 * output chunk from the gzip trailer (ISIZE: inflated size mod 2^32) makes
 * inflating one round trip instead of thousands.
 */
function gzipOptions(bytes: Buffer): ZlibOptions | undefined {
  if (!(bytes[0] === 0x1f && bytes[1] === 0x8b)) return undefined;
  const isize = bytes.length >= 18 ? bytes.readUInt32LE(bytes.length - 4) : 0;
  return { maxOutputLength: MAX_WHOLE_BYTES, chunkSize: Math.min(Math.max(isize + 1, 64 * 1024), MAX_WHOLE_BYTES) };
}

function plain(bytes: Buffer): Inflated {
  return bytes.length > MAX_WHOLE_BYTES ? { kind: 'too-large' } : { kind: 'text', text: bytes };
}

function failed(error: Error): Inflated {
  if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { kind: 'too-large' };
  return { kind: 'corrupt', reason: `not valid gzip: ${error.message}` };
}
