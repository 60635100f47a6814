/**
 * A worker thread of the trail reader (trail-filter-pool.ts): reads (for a
 * local path) and inflates one file, and runs the byte search over it, so
 * all of that happens off the main thread. Only offsets travel back with the
 * inflated text (moved, not copied); the main thread parses just the
 * records at them.
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
  const text = new Uint8Array(inflated.text.buffer, inflated.text.byteOffset, inflated.text.byteLength);
  const found = candidateSpans(inflated.text, needles);
  const result: FilterResult = found
    ? { kind: 'spans', text, spans: found.spans, count: found.count, stored: stored.length }
    : { kind: 'whole', text, stored: stored.length };
  // Moving a buffer that shares Node's small-allocation pool would take the pool with it: those few bytes are copied.
  const transfer: ArrayBuffer[] = text.buffer.byteLength > Buffer.poolSize ? [text.buffer as ArrayBuffer] : [];
  if (found) transfer.push(found.spans.buffer as ArrayBuffer);
  port.postMessage({ id: request.id, result }, transfer);
});

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
