/**
 * Log-file benchmark: readTrailRecords + Attributor over a generated corpus of
 * ≥1,000,000 CloudTrail records in gzip files, read as `plan --evidence logs`
 * reads them (the built code: byte filter, worker threads), against the floor
 * of plainly gunzipping and JSON.parsing the same files on one thread; the
 * reader with everything on the main thread (workers: 0) is shown beside it.
 * Target: reader wall time ≤ 0.4 × the floor, peak RSS < 400 MB. Each side
 * runs in its own child process so one's memory does not show in the
 * other's peak RSS. Prints figures; asserts nothing about timings.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { loadOrGenerateCorpus, type CorpusManifest } from './cloudtrail-corpus.js';
import { SESSION_SHAPES } from '../src/workloads/registry.js';

const RECORDS = Number(process.env.SPLIT_ROLE_BENCH_LOG_RECORDS ?? 1_000_000);
const RECORDS_PER_FILE = 3000;
const REPETITIONS = 3;
const TARGET_RATIO = 0.4;
const RSS_LIMIT_MB = 400;
const SELF = fileURLToPath(import.meta.url);

/** What a child run reports. */
interface Sample {
  ms: number;
  /** CPU time (user + system, all threads) of the measured part. */
  cpuMs?: number;
  maxRssMb: number;
  records: number;
  files: number;
  corruptFiles?: number;
  uncompressedBytes?: number;
  filesInWorkers?: number;
  attribution?: { byService: Record<string, number>; unattributed: number; nonService: number };
}

/** Generates (or reuses) the corpus, then times the reader and the floor in alternating child processes. */
export async function run(): Promise<void> {
  const dir = join(tmpdir(), `split-role-bench-logs-${RECORDS}`);
  const genStart = performance.now();
  const { manifest, reused } = await loadOrGenerateCorpus({ dir, records: RECORDS, recordsPerFile: RECORDS_PER_FILE, seed: 42 });
  const mb = (bytes: number) => bytes / 1024 / 1024;
  process.stdout.write(
    `\ncorpus: ${manifest.records.toLocaleString('en-US')} records in ${manifest.files} files, ` +
      `${mb(manifest.compressedBytes).toFixed(1)} MB gzip / ${mb(manifest.uncompressedBytes).toFixed(1)} MB JSON ` +
      `(${reused ? 'reused' : `generated in ${((performance.now() - genStart) / 1000).toFixed(1)} s`}) at ${dir}\n`,
  );

  const readers: Sample[] = [];
  const floors: Sample[] = [];
  const mainOnly: Sample[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) {
    // Rotate the order so no side always runs with the warmer page cache.
    const order = (['reader', 'floor', 'reader-main'] as const).map((_, i, all) => all[(i + rep) % all.length]!);
    for (const mode of order) (mode === 'reader' ? readers : mode === 'floor' ? floors : mainOnly).push(child(mode, dir));
  }

  const readerMs = median(readers.map((s) => s.ms));
  const floorMs = median(floors.map((s) => s.ms));
  const last = readers[readers.length - 1]!;
  const perSec = (n: number, ms: number) => (n / ms) * 1000;
  const mainMs = median(mainOnly.map((s) => s.ms));
  const readerRss = Math.max(...readers.map((s) => s.maxRssMb));
  printTable([
    [
      `reader wall (median of ${REPETITIONS})`,
      `${readerMs.toFixed(0)} ms`,
      `${samples(readers)}; ${last.filesInWorkers ?? 0} files in workers`,
    ],
    ['floor wall: gunzipSync + JSON.parse', `${floorMs.toFixed(0)} ms`, samples(floors)],
    ['ratio reader / floor', (readerMs / floorMs).toFixed(2), `target ≤ ${TARGET_RATIO}`],
    [
      'reader on the main thread only (workers: 0)',
      `${mainMs.toFixed(0)} ms`,
      `${samples(mainOnly)}; ratio ${(mainMs / floorMs).toFixed(2)}`,
    ],
    ['reader records/s', fmt(perSec(last.records, readerMs)), `floor ${fmt(perSec(manifest.records, floorMs))}`],
    [
      'reader MB/s gzip',
      perSec(mb(manifest.compressedBytes), readerMs).toFixed(1),
      `floor ${perSec(mb(manifest.compressedBytes), floorMs).toFixed(1)}`,
    ],
    [
      'reader MB/s JSON',
      perSec(mb(manifest.uncompressedBytes), readerMs).toFixed(1),
      `floor ${perSec(mb(manifest.uncompressedBytes), floorMs).toFixed(1)}`,
    ],
    [
      'reader peak RSS',
      `${readerRss.toFixed(0)} MB`,
      `limit ${RSS_LIMIT_MB} MB; floor ${Math.max(...floors.map((s) => s.maxRssMb)).toFixed(0)} MB`,
    ],
    [
      'records / files / corrupt',
      `${last.records} / ${last.files} / ${last.corruptFiles ?? 0}`,
      `expected ${manifest.records} / ${manifest.files} / 0`,
    ],
  ]);
  checkAttribution(manifest, last);
}

function checkAttribution(manifest: CorpusManifest, sample: Sample): void {
  const got = sample.attribution!;
  const rows: Array<[string, string, string]> = [];
  let ok = true;
  for (const [service, expected] of Object.entries(manifest.expected.byService)) {
    rows.push([`calls attributed to ${service}`, String(got.byService[service] ?? 0), `expected ${expected}`]);
    ok &&= got.byService[service] === expected;
  }
  rows.push(['calls unattributed', String(got.unattributed), `expected ${manifest.expected.unattributed}`]);
  rows.push(['calls in non-service sessions', String(got.nonService), `expected ${manifest.expected.nonService}`]);
  ok &&= got.unattributed === manifest.expected.unattributed && got.nonService === manifest.expected.nonService;
  printTable(rows);
  process.stdout.write(`  attribution ${ok ? 'matches' : 'DOES NOT match'} the generator's expectation\n`);
  if (!ok) process.exitCode = 1;
}

/** The floor (one thread gunzipping and JSON.parsing every file) of the corpus in `dir`, measured in a fresh process. */
export function measureFloor(dir: string): { ms: number; cpuMs?: number; records: number; files: number } {
  return child('floor', dir);
}

/** Runs one side in a fresh Node process and returns what it reports. */
function child(mode: 'reader' | 'reader-main' | 'floor', dir: string): Sample {
  const result = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--child', mode, dir], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`${mode} child failed (${result.status}): ${result.stderr}`);
  const line = result.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as Sample;
}

/**
 * Child: readTrailRecords piped into an Attributor, as `plan --evidence logs`
 * does, from the built code (`npm run bench` builds first) as the CLI runs it:
 * worker threads then start from JavaScript, not through tsx.
 */
async function readerChild(dir: string, workers?: number): Promise<Sample> {
  const built = (file: string) => new URL(`../dist/evidence/${file}`, import.meta.url).href;
  const { Attributor } = (await import(built('attribution.js'))) as typeof import('../src/evidence/attribution.js');
  const { emptyLogReadStats, readTrailRecords } = (await import(built('log-files.js'))) as typeof import('../src/evidence/log-files.js');
  const manifest = JSON.parse(readFileSync(join(dir, 'corpus-manifest.json'), 'utf8')) as CorpusManifest;
  const start = performance.now();
  const hints = {
    names: { ec2: new Set(manifest.hints.ec2InstanceIds), lambda: new Set(manifest.hints.lambdaFunctionNames) },
    shapes: SESSION_SHAPES,
  };
  const attributor = new Attributor(manifest.role, manifest.services, hints);
  const stats = emptyLogReadStats();
  const warnings: string[] = [];
  // As `plan --evidence logs` reads: only records whose bytes name the role are parsed.
  const options = { stats, onWarning: (w: string) => warnings.push(w), role: manifest.role, ...(workers === undefined ? {} : { workers }) };
  for await (const record of readTrailRecords(join(dir, 'AWSLogs'), {}, options)) attributor.add(record);
  const evidence = attributor.result({ source: 'logs', window: { start: '', end: '' }, warnings });
  const ms = performance.now() - start;
  return {
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    records: stats.records,
    files: stats.files,
    corruptFiles: stats.corruptFiles,
    uncompressedBytes: stats.uncompressedBytes,
    filesInWorkers: stats.filesInWorkers,
    attribution: {
      byService: Object.fromEntries([...evidence.byService].map(([service, usage]) => [service, usage.events])),
      unattributed: evidence.unattributed.events,
      nonService: evidence.nonService?.events ?? 0,
    },
  };
}

/** Child: the floor — walk, read, gunzip and JSON.parse every file, nothing else. */
function floorChild(dir: string): Sample {
  const start = performance.now();
  const cpu = process.cpuUsage();
  let records = 0;
  let files = 0;
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.json(\.gz)?$/.test(entry.name)) {
        const raw = readFileSync(path);
        const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
        records += (JSON.parse(text.toString('utf8')) as { Records: unknown[] }).Records.length;
        files += 1;
      }
    }
  };
  walk(join(dir, 'AWSLogs'));
  const used = process.cpuUsage(cpu);
  return {
    ms: performance.now() - start,
    cpuMs: (used.user + used.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    records,
    files,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function samples(values: readonly Sample[]): string {
  return `[${values.map((s) => s.ms.toFixed(0)).join(', ')}] ms, RSS [${values.map((s) => s.maxRssMb.toFixed(0)).join(', ')}] MB`;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function printTable(rows: ReadonlyArray<readonly [string, string, string]>): void {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [label, value, note] of rows) {
    process.stdout.write(`  ${label.padEnd(w0)}  ${value.padStart(w1)}  ${note}`.trimEnd() + '\n');
  }
}

// Child mode: `node --import tsx bench/logs.ts --child reader|reader-main|floor DIR` prints one JSON line.
if (process.argv[1] && resolve(process.argv[1]) === SELF && process.argv[2] === '--child') {
  const [mode, dir] = [process.argv[3], process.argv[4]!];
  const sample = mode === 'floor' ? floorChild(dir) : await readerChild(dir, mode === 'reader-main' ? 0 : undefined);
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}
