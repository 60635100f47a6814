/**
 * Sweep benchmark (issue 22): the region sweep that plan, retire's re-check
 * and rollback's guard make, and the whole plan that overlaps it with the
 * evidence read.
 *  1. The workload sweep of 20 regions in process against moto, paced by the
 *     default client-side rate limits: calls, calls per second, wall time;
 *     one region at a time beside it.
 *  2. `plan --evidence logs` over the logs benchmark's corpus (1M records by
 *     default, SPLIT_ROLE_BENCH_LOG_RECORDS), with every one of 20 enabled
 *     regions and with --regions us-east-1, against that benchmark's floor
 *     (one thread gunzipping and JSON.parsing every file). Aim: ≤ 0.5 × the floor.
 *     Wall time, and CPU time (user + system, every thread) beside it: on a
 *     shared machine the wall time moves with the neighbours' load.
 * Prints figures; asserts nothing about timings.
 */
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSessionProvider } from '../src/aws/session.js';
import { mapLimit } from '../src/core/concurrency.js';
import { indexAccount, REGION_CONCURRENCY } from '../src/inventory/workloads.js';
import { MOTO_ACCOUNT, seedClients, serviceTrust, TEST_REGION } from '../test/support/aws-clients.js';
import { CLI, isolatedAwsEnv, type CliResult } from '../test/support/cli.js';
import { startMoto, type MotoServer } from '../test/support/moto-server.js';
import { RecordingIoHost } from '../test/support/recording-io-host.js';
import { addFunctionIn } from '../test/support/scenario.js';
import { CORPUS_ROLE, CORPUS_SERVICES, loadOrGenerateCorpus } from './cloudtrail-corpus.js';
import { measureFloor } from './logs.js';
import { prepareMotoBench } from './moto-env.js';
import { fmtMs, median, printTable, samples } from './report.js';

/** Twenty commercial regions, as an account with every default region enabled has. */
const REGIONS = [
  ...['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'me-south-1', 'af-south-1'],
  ...['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'eu-south-1'],
  ...['ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2'],
];

const RECORDS = Number(process.env.SPLIT_ROLE_BENCH_LOG_RECORDS ?? 1_000_000);
const REPETITIONS = 3;
const TARGET_RATIO = 0.5;

/** Runs both parts against one moto_server. */
export async function run(): Promise<void> {
  if (!prepareMotoBench()) return;
  const moto = await startMoto();
  const stopOnSignal = () => void moto.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  try {
    await seed(moto);
    await benchSweep(moto);
    await benchPlan(moto);
  } finally {
    process.off('SIGINT', stopOnSignal);
    await moto.stop();
  }
}

/** The corpus's shared role, and one function using it in every region (the sweep finds something everywhere). */
async function seed(moto: MotoServer): Promise<void> {
  await moto.reset();
  const { iam } = seedClients(moto.endpoint);
  const path = CORPUS_ROLE.arn.slice(CORPUS_ROLE.arn.indexOf(':role') + ':role'.length, -CORPUS_ROLE.name.length);
  await iam.send(
    new CreateRoleCommand({ RoleName: CORPUS_ROLE.name, Path: path, AssumeRolePolicyDocument: serviceTrust(...CORPUS_SERVICES) }),
  );
  iam.destroy();
  await mapLimit(REGIONS, 4, (region) => addFunctionIn(moto.endpoint, region, `app-${region}`, CORPUS_ROLE.arn));
}

/** One timed sweep of every workload kind in `regions`, `concurrency` regions at a time. */
async function sweepOnce(moto: MotoServer, regions: readonly string[], concurrency: number, paced: boolean) {
  const env = isolatedAwsEnv({ AWS_REGION: TEST_REGION, ...(paced ? {} : { SPLIT_ROLE_RATE_LIMITS: 'off' }) });
  const provider = await openSessionProvider({ endpointUrl: moto.endpoint }, env);
  const io = new RecordingIoHost();
  try {
    const start = performance.now();
    await mapLimit(regions, concurrency, async (region) => indexAccount(await provider.forTarget({ region }), io));
    const ms = performance.now() - start;
    return { ms, calls: provider.calls.requests, waitedMs: provider.rateLimits.waitedMs };
  } finally {
    provider.destroy();
  }
}

async function benchSweep(moto: MotoServer): Promise<void> {
  const cases: Array<{ label: string; regions: readonly string[]; concurrency: number; paced: boolean }> = [
    { label: '1 region', regions: REGIONS.slice(0, 1), concurrency: 1, paced: true },
    { label: `${REGIONS.length} regions, one at a time`, regions: REGIONS, concurrency: 1, paced: true },
    {
      label: `${REGIONS.length} regions, ${REGION_CONCURRENCY} at a time, paced`,
      regions: REGIONS,
      concurrency: REGION_CONCURRENCY,
      paced: true,
    },
    {
      label: `${REGIONS.length} regions, ${REGION_CONCURRENCY} at a time, unpaced`,
      regions: REGIONS,
      concurrency: REGION_CONCURRENCY,
      paced: false,
    },
  ];
  await sweepOnce(moto, REGIONS, REGION_CONCURRENCY, false); // warm-up: moto's first requests, module loading
  const rows: Array<readonly [string, string, string]> = [];
  for (const c of cases) {
    const runs = [];
    for (let rep = 0; rep < REPETITIONS; rep++) runs.push(await sweepOnce(moto, c.regions, c.concurrency, c.paced));
    const ms = median(runs.map((r) => r.ms));
    const calls = runs[0]!.calls;
    rows.push([
      c.label,
      fmtMs(ms),
      `${calls} calls, ${((calls / ms) * 1000).toFixed(0)} calls/s, waited for tokens ${fmtMs(runs[0]!.waitedMs)}; ${samples(runs.map((r) => r.ms))}`,
    ]);
  }
  process.stdout.write(`\nworkload sweep (every kind) against moto, median of ${REPETITIONS}:\n`);
  printTable(rows);
}

async function benchPlan(moto: MotoServer): Promise<void> {
  const dir = join(tmpdir(), `split-role-bench-logs-${RECORDS}`);
  const { manifest, reused } = await loadOrGenerateCorpus({ dir, records: RECORDS, recordsPerFile: 3000, seed: 42 });
  process.stdout.write(
    `\ncorpus: ${manifest.records.toLocaleString('en-US')} records in ${manifest.files} files (${reused ? 'reused' : 'generated'})\n`,
  );
  const out = await mkdtemp(join(tmpdir(), 'split-role-bench-sweep-'));
  const plan = async (everyRegion: boolean): Promise<Run> => {
    const env = isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: moto.endpoint, SPLIT_ROLE_ENABLED_REGIONS: REGIONS.join(',') });
    const args = ['plan', '--role', CORPUS_ROLE.name, '--yes', '--out', join(out, 'plan.json'), '--evidence', 'logs'];
    args.push(
      '--cloudtrail-logs',
      join(dir, 'AWSLogs'),
      '--since',
      manifest.options.start.slice(0, 10),
      '--unobservable',
      'drop',
      '--unattributed',
      'drop',
    );
    if (!everyRegion) args.push('--regions', TEST_REGION);
    const cpuFile = join(out, 'cpu.json');
    const start = performance.now();
    const result = await runMeasured(args, { ...env, SPLIT_ROLE_BENCH_CPU_FILE: cpuFile });
    const ms = performance.now() - start;
    if (result.code !== 0) throw new Error(`plan failed (${result.code}): ${result.stderr.slice(-2000)}`);
    return { ms, cpuMs: (JSON.parse(await readFile(cpuFile, 'utf8')) as { cpuMs: number }).cpuMs };
  };
  const floors: Run[] = [];
  const every: Run[] = [];
  const one: Run[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) {
    const floor = measureFloor(dir);
    floors.push({ ms: floor.ms, cpuMs: floor.cpuMs ?? 0 });
    every.push(await plan(true));
    one.push(await plan(false));
  }
  const floor = { ms: median(floors.map((r) => r.ms)), cpuMs: median(floors.map((r) => r.cpuMs)) };
  const row = (label: string, runs: Run[], target = ''): readonly [string, string, string] => {
    const ms = median(runs.map((r) => r.ms));
    const cpuMs = median(runs.map((r) => r.cpuMs));
    const ratios = `ratio ${(ms / floor.ms).toFixed(2)}${target}, CPU ${fmtMs(cpuMs)} = ${(cpuMs / floor.cpuMs).toFixed(2)} × the floor's`;
    return [label, fmtMs(ms), `${ratios}; wall ${samples(runs.map((r) => r.ms))}, CPU ${samples(runs.map((r) => r.cpuMs))}`];
  };
  process.stdout.write(`\nwhole plan (the CLI process) against the floor, account ${MOTO_ACCOUNT}, median of ${REPETITIONS}:\n`);
  printTable([
    [
      'floor: gunzipSync + JSON.parse, one thread',
      fmtMs(floor.ms),
      `CPU ${fmtMs(floor.cpuMs)}; wall ${samples(floors.map((r) => r.ms))}, CPU ${samples(floors.map((r) => r.cpuMs))}`,
    ],
    row(`plan, every region (${REGIONS.length})`, every, ` (target ≤ ${TARGET_RATIO})`),
    row('plan, --regions us-east-1', one),
  ]);
}

/** One timed run: wall time, and the process's CPU time (user + system, every thread). */
interface Run {
  ms: number;
  cpuMs: number;
}

/** Runs the CLI like test/support/cli.ts's runCli, with cpu-usage-hook.mjs reporting the process's CPU time at exit. */
function runMeasured(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const hook = new URL('./cpu-usage-hook.mjs', import.meta.url).href;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', hook, CLI, ...args], { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
