/**
 * Apply across regions: the orders account with a Lambda function and 10
 * resource policies naming the shared role in each region (KMS key policies,
 * bucket policies, queue policies), planned with `--regions` over 1 region
 * and over 3 (3 functions, 30 policies). Retire's re-check reads every
 * enabled region in both.
 * Prints the AWS calls apply made (counted by the test proxy) and its wall
 * time; the aim is 3 regions ≤ 2 × 1 region. Asserts nothing about timings.
 */
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { TEST_CREDENTIALS, TEST_REGION } from '../test/support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../test/support/cli.js';
import { startFaultProxy } from '../test/support/fault-proxy.js';
import type { MotoServer } from '../test/support/moto-server.js';
import { seedResourcePolicies } from '../test/support/resource-policies.js';
import { addFunctionIn, planScenario, seedOrdersScenario } from '../test/support/scenario.js';
import { fmtMs, median, printTable, samples } from './report.js';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const REPETITIONS = 3;
const TARGET_RATIO = 2;

/** One timed apply: calls made and wall time. */
interface RegionSample {
  ms: number;
  calls: number;
  mutating: number;
  policies: number;
}

/** Runs the 1-region and 3-region applies and prints the table. */
export async function runRegions(moto: MotoServer, workdir: string): Promise<void> {
  const results: Array<{ label: string; runs: RegionSample[] }> = [];
  for (const regions of [REGIONS.slice(0, 1), REGIONS]) {
    const runs: RegionSample[] = [];
    for (let rep = 0; rep < REPETITIONS; rep++) runs.push(await measureRegions(moto, workdir, regions));
    results.push({ label: `${regions.length} region(s), ${runs[0]!.policies} resource policies`, runs });
  }
  const [one, three] = results.map((r) => ({ ...r, ms: median(r.runs.map((s) => s.ms)), calls: median(r.runs.map((s) => s.calls)) })) as [
    { label: string; runs: RegionSample[]; ms: number; calls: number },
    { label: string; runs: RegionSample[]; ms: number; calls: number },
  ];
  process.stdout.write(`\napply --yes --soak 0 with resource policies, by regions planned (median of ${REPETITIONS}):\n`);
  printTable([
    ...[one, three].map(
      (r) => [r.label, `${fmtMs(r.ms)}, ${r.calls} calls (${r.runs[0]!.mutating} mutating)`, samples(r.runs.map((s) => s.ms))] as const,
    ),
    ['ratio 3 / 1', `${(three.ms / one.ms).toFixed(2)} time, ${(three.calls / one.calls).toFixed(2)} calls`, `target ≤ ${TARGET_RATIO}`],
  ]);
}

async function measureRegions(moto: MotoServer, workdir: string, regions: string[]): Promise<RegionSample> {
  await moto.reset();
  const scenario = await seedOrdersScenario(moto.endpoint, { instances: 0, functions: 1, services: 0 });
  for (const region of regions) {
    if (region !== TEST_REGION) await addFunctionIn(moto.endpoint, region, `orders-${region}`, scenario.roleArn);
    for (let i = 0; i < 3; i++) await seedResourcePolicies(moto.endpoint, region, scenario.account, scenario.roleArn, `-${region}-${i}`);
    // A tenth policy per region: one more KMS key naming the role.
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Use', Effect: 'Allow', Principal: { AWS: scenario.roleArn }, Action: 'kms:Decrypt', Resource: '*' }],
    });
    await new KMSClient({ endpoint: moto.endpoint, region, credentials: TEST_CREDENTIALS }).send(new CreateKeyCommand({ Policy: policy }));
  }
  const planPath = await planScenario(moto.endpoint, scenario, workdir, ['--without-evidence', 'empty', '--regions', regions.join(',')]);
  const proxy = await startFaultProxy(moto.endpoint);
  try {
    const env = isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: proxy.endpoint, SPLIT_ROLE_FAST_WAITS: '1' });
    const start = performance.now();
    const result = await runCli(['apply', planPath, '--yes', '--soak', '0'], env);
    const ms = performance.now() - start;
    if (result.code !== 0) throw new Error(`apply failed (${result.code}): ${result.stderr}`);
    return { ms, calls: proxy.forwarded.length, mutating: proxy.mutatingCount, policies: regions.length * 10 };
  } finally {
    await proxy.close();
  }
}
