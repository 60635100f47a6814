/**
 * Apply benchmark: wall time of `split-role apply --yes` (the built CLI, a
 * child process, as a user runs it) against a real moto_server holding the
 * orders account with 1 workload, then with 50 (20 EC2 instances, 20 Lambda
 * functions, 10 ECS services). Both plans create the same three roles and
 * retire the shared role, so the difference is the workloads. Target: the
 * 50-workload apply ≤ 3 × the 1-workload apply. Then resource policies
 * across regions (bench/apply-regions.ts). First, without moto: a plan of
 * every registered workload kind against an EC2 + Lambda + ECS plan,
 * in-process on the fake account, with the calls each makes
 * (bench/apply-kinds.ts). Prints figures; asserts nothing about timings.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planSteps } from '../src/apply/operation.js';
import { readPlan } from '../src/plan/plan-file.js';
import { TEST_REGION } from '../test/support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../test/support/cli.js';
import { MOTO_INSTALL, motoAvailable, startMoto, type MotoServer } from '../test/support/moto-server.js';
import { planScenario, seedOrdersScenario, type SeedOptions } from '../test/support/scenario.js';
import { runKinds } from './apply-kinds.js';
import { runRegions } from './apply-regions.js';
import { fmtMs, median, printTable, samples } from './report.js';

const SIZES: ReadonlyArray<{ label: string; seed: SeedOptions }> = [
  { label: '1 workload', seed: { instances: 0, functions: 1, services: 0 } },
  { label: '50 workloads', seed: { instances: 20, functions: 20, services: 10 } },
];
const REPETITIONS = 3;
const TARGET_RATIO = 3;

/** Runs the apply benchmark at both sizes. */
export async function run(): Promise<void> {
  await runKinds();
  if (!motoAvailable()) {
    process.stderr.write(`moto_server is not installed; install it with: ${MOTO_INSTALL}\n`);
    process.exitCode = 2;
    return;
  }
  // The SDK's Node-20 notice would land in the figures; the seeding clients run in this process.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const moto = await startMoto();
  const workdir = await mkdtemp(join(tmpdir(), 'split-role-bench-apply-'));
  const stopOnSignal = () => void moto.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  try {
    // Warm-up: moto's first requests per service and the OS file cache for the CLI's modules.
    await measure(moto, workdir, SIZES[0]!.seed);
    const results: Array<{ label: string; ms: number; samples: number[]; workloads: number; steps: number }> = [];
    for (const size of SIZES) {
      const runs: Sample[] = [];
      for (let rep = 0; rep < REPETITIONS; rep++) runs.push(await measure(moto, workdir, size.seed));
      results.push({
        label: size.label,
        ms: median(runs.map((r) => r.ms)),
        samples: runs.map((r) => r.ms),
        workloads: runs[0]!.workloads,
        steps: runs[0]!.steps,
      });
    }
    const [one, fifty] = results as [(typeof results)[0], (typeof results)[0]];
    process.stdout.write(`\napply --yes against moto (SPLIT_ROLE_FAST_WAITS=1), wall time of the CLI process, median of ${REPETITIONS}:\n`);
    printTable([
      ...results.map((r) => [`${r.label} (${r.workloads} moved, ${r.steps} steps)`, fmtMs(r.ms), samples(r.samples)] as const),
      ['ratio 50 / 1', (fifty.ms / one.ms).toFixed(2), `target ≤ ${TARGET_RATIO}`],
    ]);
    await runRegions(moto, workdir);
  } finally {
    process.off('SIGINT', stopOnSignal);
    await moto.stop();
    await rm(workdir, { recursive: true, force: true });
  }
}

interface Sample {
  ms: number;
  workloads: number;
  steps: number;
}

/** Reseeds, plans (untimed), then times one apply. */
async function measure(moto: MotoServer, workdir: string, seed: SeedOptions): Promise<Sample> {
  await moto.reset();
  const scenario = await seedOrdersScenario(moto.endpoint, seed);
  // Services with no workload still get their (empty) role, so both sizes create and retire the same things.
  const planPath = await planScenario(moto.endpoint, scenario, workdir, ['--without-evidence', 'empty']);
  const plan = await readPlan(planPath);
  const env = isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: moto.endpoint, SPLIT_ROLE_FAST_WAITS: '1' });
  const start = performance.now();
  const result = await runCli(['apply', planPath, '--yes', '--soak', '0'], env);
  const ms = performance.now() - start;
  if (result.code !== 0) throw new Error(`apply failed (${result.code}): ${result.stderr}`);
  return { ms, workloads: plan.workloads.length, steps: planSteps(plan).length };
}
