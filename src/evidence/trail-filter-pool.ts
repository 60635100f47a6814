/**
 * Worker threads (trail-filter-worker.ts) that inflate and byte-search trail
 * files beside the main thread, which keeps only the parsing of the records
 * that may matter, and attribution. Each file is handed to an idle worker;
 * what comes back is those records' text (moved, not copied) and their
 * offsets, never parsed records, which would cost a copy each.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Inflated } from './trail-inflate.js';

/** One file for a worker: its stored bytes, or a local path to read them from unless the file is over `streamAbove` bytes. */
export type FilterInput = { bytes: Uint8Array } | { path: string; streamAbove: number };

/** A file sent to a worker. */
export type FilterRequest = FilterInput & { id: number };

/** What a worker made of one file (`stored`: its size as stored, when read). */
export type FilterResult = { stored: number } & (
  | Exclude<Inflated, { kind: 'text' }>
  /**
   * The records that may matter, copied out of the inflated text one after
   * another into `text`, at `spans` ([start, end) pairs into it); `count`
   * records in all, `inflated` bytes of text in all.
   */
  | { kind: 'spans'; text: Uint8Array; spans: Int32Array; count: number; inflated: number }
  /** Not in CloudTrail's plain shape: parse it whole. */
  | { kind: 'whole'; text: Uint8Array }
);

/** Workers to start when not told: one per core, at most four, and none on a single core. */
export function defaultFilterWorkers(): number {
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(cores, 4);
}

interface Waiting {
  resolve: (result: FilterResult) => void;
  reject: (error: unknown) => void;
}

/** A pool of filter workers for one role. */
export class TrailFilterPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Array<{ request: FilterRequest } & Waiting> = [];
  private readonly busy = new Map<number, Waiting>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(role: { arn: string; name: string }, size: number) {
    for (let i = 0; i < size; i++) {
      const worker = startWorker({ role });
      worker.on('message', ({ id, result }: { id: number; result: FilterResult }) => this.settle(worker, id, result));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => this.fail(new Error(`a trail filter worker stopped (exit code ${code})`)));
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  /** Reads (for a path), inflates and searches one file; the caller must not use given bytes again (they may be moved). */
  filter(input: FilterInput): Promise<FilterResult> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { ...input, id: this.nextId++ }, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    this.failure ??= new Error('the trail filter pool is closed');
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const { request, resolve, reject } = this.queue.shift()!;
      this.busy.set(request.id, { resolve, reject });
      if (!('bytes' in request)) {
        worker.postMessage(request);
        continue;
      }
      // Move whole buffers; copy views into shared ones (Node's small-allocation pool, an SDK's body buffer).
      const { bytes } = request;
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.byteLength > Buffer.poolSize;
      const sent = whole ? bytes : bytes.slice();
      worker.postMessage({ id: request.id, bytes: sent }, [sent.buffer as ArrayBuffer]);
    }
  }

  private settle(worker: Worker, id: number, result: FilterResult): void {
    const waiting = this.busy.get(id);
    this.busy.delete(id);
    this.idle.push(worker);
    waiting?.resolve(result);
    this.dispatch();
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const { reject } of this.busy.values()) reject(error);
    for (const { reject } of this.queue) reject(error);
    this.busy.clear();
    this.queue.length = 0;
  }
}

/**
 * Built, the worker is the JavaScript file beside this one. Under the
 * TypeScript sources (tests, benchmarks) a worker cannot load .ts by itself,
 * so a bootstrap registers tsx in it first.
 */
function startWorker(workerData: unknown): Worker {
  // The built worker needs none of the main thread's flags: a loader hook given with --import would only slow its start.
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./trail-filter-worker.js', import.meta.url), { workerData, execArgv: [] });
  const url = new URL('./trail-filter-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
