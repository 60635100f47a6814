/**
 * Start-up benchmark: the built CLI, spawned as a user runs it, timed from
 * spawn to its first byte of output (stdout or stderr) and to its exit, for
 * `--version`, `check FILE` on a small template, and `apply` on a plan file
 * that is not JSON (refused before any AWS call). Median of RUNS runs each
 * (STARTUP_RUNS overrides; STARTUP_BIN times another build's entry script).
 * Needs no AWS; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtMs, median, printTable, samples } from './report.js';

const RUNS = Number(process.env.STARTUP_RUNS ?? 9);
const CLI = process.env.STARTUP_BIN ?? fileURLToPath(new URL('../bin/split-role.js', import.meta.url));
const TEMPLATE = fileURLToPath(new URL('../test/fixtures/iac/cloudformation/app.yaml', import.meta.url));

/** One timed run: ms to the first output byte and to exit. */
interface Timing {
  firstOutputMs: number;
  exitMs: number;
  code: number | null;
}

/** Times every case RUNS times, interleaved so a burst of load on the machine hits all cases alike. */
export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'split-role-bench-startup-'));
  try {
    const badPlan = join(dir, 'bad.plan.json');
    await writeFile(badPlan, '{ "schemaVersion": 2, this is not JSON');
    const cases: Array<[string, string[]]> = [
      ['--version', ['--version']],
      ['check FILE (app.yaml, 6 roles)', ['check', TEMPLATE]],
      ['apply BAD-PLAN (not JSON)', ['apply', badPlan]],
    ];
    const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    await timeRun(cases[0]![1], env); // warm-up: the OS file cache, and Node's compile cache where it has one
    const timings = cases.map((): Timing[] => []);
    for (let i = 0; i < RUNS; i++) {
      for (const [index, [, args]] of cases.entries()) timings[index]!.push(await timeRun(args, env));
    }
    // Wall times stretch with the machine's load; say what it was.
    const load = loadavg()[0]!.toFixed(1);
    process.stdout.write(`\n${CLI} on Node ${process.versions.node}, load ${load}, median of ${RUNS} runs (first output / exit)\n`);
    printTable(
      cases.map(([label], index) => {
        const runs = timings[index]!;
        const first = runs.map((t) => t.firstOutputMs);
        const exit = runs.map((t) => t.exitMs);
        const codes = [...new Set(runs.map((t) => t.code))].join(',');
        return [label, `${fmtMs(median(first))} / ${fmtMs(median(exit))}`, `exit ${codes}  first output ${samples(first)}`] as const;
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Spawns the CLI once and times it. */
function timeRun(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let firstOutputMs: number | undefined;
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = () => {
      firstOutputMs ??= performance.now() - start;
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      const exitMs = performance.now() - start;
      resolve({ firstOutputMs: firstOutputMs ?? exitMs, exitMs, code });
    });
  });
}
