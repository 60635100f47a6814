/**
 * Scan benchmark: how close `scanAccount` gets to the floor of merely paging
 * ListRoles through the SDK, against a real moto_server seeded with N roles.
 * Target: scan wall time ≤ 1.2 × the ListRoles-only wall time. Prints figures;
 * asserts nothing about timings.
 */
import { CreateRoleCommand, IAMClient, paginateListRoles } from '@aws-sdk/client-iam';
import { openAwsSession } from '../src/aws/session.js';
import { RecordingIoHost } from '../test/support/recording-io-host.js';
import { scanAccount } from '../src/scan/scan-account.js';
import { MOTO_ACCOUNT, seedClients, serviceTrust, TEST_REGION } from '../test/support/aws-clients.js';
import { startMoto, type MotoServer } from '../test/support/moto-server.js';
import { prepareMotoBench } from './moto-env.js';
import { fmtMs, median, printTable, samples } from './report.js';

const SIZES = [1000, 5000] as const;
const REPETITIONS = 3;
const SEED_CONCURRENCY = 16;
const TARGET_RATIO = 1.2;
const OTHER_ACCOUNT = '111122223333';

/** Runs the scan benchmark for every size. */
export async function run(): Promise<void> {
  if (!prepareMotoBench()) return;

  const moto = await startMoto();
  const stopOnSignal = () => void moto.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  try {
    for (const size of SIZES) await benchSize(moto, size);
  } finally {
    process.off('SIGINT', stopOnSignal);
    await moto.stop();
  }
}

async function benchSize(moto: MotoServer, size: number): Promise<void> {
  await moto.reset();
  const seedStart = performance.now();
  const expectedFindings = await seed(moto.endpoint, size);
  const seedMs = performance.now() - seedStart;
  process.stdout.write(`\n${size} roles: seeded in ${fmtMs(seedMs)} (${SEED_CONCURRENCY} CreateRole in flight)\n`);

  // Warm-up: JIT, module-level caches, moto's first-request costs.
  await measureScan(moto.endpoint);
  await measureListRoles(moto.endpoint);

  const scanSamples: ScanSample[] = [];
  const listSamples: number[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) {
    // Alternate the order so neither side always runs on the warmer process/server.
    if (rep % 2 === 0) {
      scanSamples.push(await measureScan(moto.endpoint));
      listSamples.push(await measureListRoles(moto.endpoint));
    } else {
      listSamples.push(await measureListRoles(moto.endpoint));
      scanSamples.push(await measureScan(moto.endpoint));
    }
  }

  const scanMs = median(scanSamples.map((s) => s.ms));
  const listMs = median(listSamples);
  const last = scanSamples[scanSamples.length - 1]!;
  const commands = [...last.commands].map(([name, n]) => `${name}×${n}`).join(', ');
  printTable([
    ['scan wall (median of 3)', fmtMs(scanMs), samples(scanSamples.map((s) => s.ms))],
    ['ListRoles-only wall (median of 3)', fmtMs(listMs), samples(listSamples)],
    ['ratio scan / ListRoles', (scanMs / listMs).toFixed(2), `target ≤ ${TARGET_RATIO}`],
    ['AWS HTTP requests (scan)', String(last.requests), ''],
    ['AWS commands (scan)', String(last.commandTotal), commands],
    ['findings', String(last.findings), `expected ${expectedFindings}`],
  ]);
}

interface ScanSample {
  ms: number;
  requests: number;
  commandTotal: number;
  commands: Map<string, number>;
  findings: number;
}

/** (a) The scan as a library call, session set-up included. */
async function measureScan(endpoint: string): Promise<ScanSample> {
  const start = performance.now();
  const session = await openAwsSession({ region: TEST_REGION, endpointUrl: endpoint });
  try {
    const report = await scanAccount(session, new RecordingIoHost(), {});
    const ms = performance.now() - start;
    return {
      ms,
      requests: session.calls.requests,
      commandTotal: session.calls.commandTotal,
      commands: new Map(session.calls.commands),
      findings: report.summary.findings,
    };
  } finally {
    session.destroy();
  }
}

/** (b) The floor: a plain IAM client paging ListRoles, no analysis. */
async function measureListRoles(endpoint: string): Promise<number> {
  const start = performance.now();
  const iam = new IAMClient({ region: TEST_REGION, endpoint });
  try {
    let roles = 0;
    for await (const page of paginateListRoles({ client: iam, pageSize: 1000 }, {})) roles += page.Roles?.length ?? 0;
    const ms = performance.now() - start;
    if (roles === 0) throw new Error('ListRoles returned no roles');
    return ms;
  } finally {
    iam.destroy();
  }
}

/**
 * Creates `size` roles with a realistic mix of trust policies and returns how
 * many of them scan should report.
 */
async function seed(endpoint: string, size: number): Promise<number> {
  const { iam, sts } = seedClients(endpoint);
  let expected = 0;
  const inputs = Array.from({ length: size }, (_, i) => {
    const role = roleFor(i);
    if (role.finding) expected += 1;
    return role;
  });
  try {
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const role = inputs[next++]!;
        await iam.send(new CreateRoleCommand({ RoleName: role.name, Path: role.path, AssumeRolePolicyDocument: role.trust }));
      }
    };
    await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  } finally {
    iam.destroy();
    sts.destroy();
  }
  return expected;
}

const SINGLE_SERVICES = [
  'ec2.amazonaws.com',
  'lambda.amazonaws.com',
  'ecs-tasks.amazonaws.com',
  'codebuild.amazonaws.com',
  'states.amazonaws.com',
  'glue.amazonaws.com',
];

/** The i-th seeded role: ~10% multi-service, ~2% service + cross-account, ~2% service-linked, the rest single-service or cross-account only. */
export function roleFor(i: number): { name: string; path: string; trust: string; finding: boolean } {
  const name = `bench-role-${String(i).padStart(5, '0')}`;
  const single = SINGLE_SERVICES[i % SINGLE_SERVICES.length]!;
  if (i % 10 === 0) {
    return { name, path: '/', trust: serviceTrust('ec2.amazonaws.com', 'lambda.amazonaws.com'), finding: true };
  }
  if (i % 50 === 1) {
    return {
      name,
      path: '/aws-service-role/elasticbeanstalk.amazonaws.com/',
      trust: serviceTrust('elasticbeanstalk.amazonaws.com'),
      finding: false,
    };
  }
  if (i % 50 === 3) {
    // A service plus another account's root: reported as service-and-cross-account.
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: single }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
      ],
    });
    return { name, path: '/', trust, finding: true };
  }
  if (i % 50 === 5) {
    // Cross-account only, with an external-id condition: not a service role, not a finding.
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': `ext-${i}` } },
        },
      ],
    });
    return { name, path: '/', trust, finding: false };
  }
  if (i % 50 === 7) {
    // Lambda@Edge: two principals, one workload; not a finding.
    return { name, path: '/', trust: serviceTrust('lambda.amazonaws.com', 'edgelambda.amazonaws.com'), finding: false };
  }
  if (i % 50 === 9) {
    // A service plus a principal in the role's own account: not cross-account.
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: single, AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` },
          Action: 'sts:AssumeRole',
        },
      ],
    });
    return { name, path: '/app/', trust, finding: false };
  }
  return { name, path: '/', trust: serviceTrust(single), finding: false };
}
