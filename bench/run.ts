/**
 * Benchmark runner: `npm run bench` runs every benchmark in sequence;
 * `npm run bench -- <name>` runs just one. A benchmark is a module
 * bench/<name>.ts exporting `run(): Promise<void>`; register it below.
 * Benchmarks print figures; they never assert on timings. A benchmark that
 * cannot run (e.g. moto_server missing) sets process.exitCode = 2.
 */

/** What every benchmark module exports. */
export interface Benchmark {
  run(): Promise<void>;
}

/** name → lazy loader, so running one benchmark does not load the others. */
const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  scan: () => import('./scan.js'),
  'org-scan': () => import('./org-scan.js'),
  logs: () => import('./logs.js'),
  apply: () => import('./apply.js'),
  check: () => import('./check.js'),
  'check-memory': () => import('./check-memory.js'),
  progress: () => import('./progress.js'),
  startup: () => import('./startup.js'),
  sweep: () => import('./sweep.js'),
  rewrite: () => import('./rewrite.js'),
};

async function main(argv: readonly string[]): Promise<void> {
  const names = argv.filter((arg) => !arg.startsWith('-'));
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark: ${unknown.join(', ')} (known: ${Object.keys(BENCHMARKS).join(', ')})\n`);
    process.exitCode = 2;
    return;
  }
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);
  for (const name of selected) {
    process.stdout.write(`\n=== bench: ${name} ===\n`);
    try {
      const bench = await BENCHMARKS[name]!();
      await bench.run();
    } catch (error) {
      // One broken benchmark should not hide the others' figures.
      process.stderr.write(`bench ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    }
  }
}

await main(process.argv.slice(2));
