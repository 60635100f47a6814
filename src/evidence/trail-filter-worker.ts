/**
 * A worker thread of the trail reader (trail-filter-pool.ts): reads (for a
 * local path) and inflates one file, and runs the byte search over it, so
 * all of that happens off the main thread. Only the records that may matter
 * travel back (copied out of the inflated text into a buffer that is moved,
 * not copied again), with their offsets; the main thread parses just those.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { candidateSpans, roleNeedles } from './byte-filter.js';
import type { FilterRequest, FilterResult } from './trail-filter-pool.js';
import { inflateSync } from './trail-inflate.js';

const needles = roleNeedles((workerData as { role: { arn: string; name: string } }).role);
const port = parentPort!;

port.on('message', (request: FilterRequest) => {
  const stored =
    'bytes' in request
      ? Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength)
      : readLocal(request.path, request.streamAbove);
  if (!Buffer.isBuffer(stored)) {
    port.postMessage({ id: request.id, result: stored });
    return;
  }
  const inflated = inflateSync(stored);
  if (inflated.kind !== 'text') {
    port.postMessage({ id: request.id, result: { ...inflated, stored: stored.length } });
    return;
  }
  const found = candidateSpans(inflated.text, needles);
  const inflatedBytes = inflated.text.byteLength;
  let result: FilterResult;
  if (found) {
    // Only the records that may matter travel: the main thread then holds a tenth of the text, not all of it.
    const picked = compactSpans(inflated.text, found.spans);
    result = { kind: 'spans', text: picked.text, spans: picked.spans, count: found.count, stored: stored.length, inflated: inflatedBytes };
  } else {
    const text = new Uint8Array(inflated.text.buffer, inflated.text.byteOffset, inflated.text.byteLength);
    result = { kind: 'whole', text, stored: stored.length };
  }
  // Moving a buffer that shares Node's small-allocation pool would take the pool with it: those few bytes are copied.
  const transfer: ArrayBuffer[] = result.text.buffer.byteLength > Buffer.poolSize ? [result.text.buffer as ArrayBuffer] : [];
  if (result.kind === 'spans') transfer.push(result.spans.buffer as ArrayBuffer);
  port.postMessage({ id: request.id, result }, transfer);
});

/** The bytes at `spans` copied one after another into a buffer of their own, and where each now lies. */
function compactSpans(text: Buffer, spans: Int32Array): { text: Uint8Array; spans: Int32Array } {
  let length = 0;
  for (let i = 0; i < spans.length; i += 2) length += spans[i + 1]! - spans[i]!;
  const out = new Uint8Array(length);
  const moved = new Int32Array(spans.length);
  let at = 0;
  for (let i = 0; i < spans.length; i += 2) {
    out.set(text.subarray(spans[i], spans[i + 1]), at);
    moved[i] = at;
    at += spans[i + 1]! - spans[i]!;
    moved[i + 1] = at;
  }
  return { text: out, spans: moved };
}

/** A local file's bytes, or why it is not read here: too large (stream it), or unreadable (skip it like a corrupt one). */
function readLocal(path: string, streamAbove: number): Buffer | FilterResult {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const { size } = fstatSync(fd);
    // A streamed file's bytes are counted as the stream reads them, not here (as on the main thread).
    return size > streamAbove ? { kind: 'too-large', stored: 0 } : readFileSync(fd);
  } catch (error) {
    return { kind: 'corrupt', reason: `unreadable: ${(error as Error).message}`, stored: 0 };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
