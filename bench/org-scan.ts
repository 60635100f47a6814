/**
 * Organization scan benchmark: `scanAccounts` over 50 member accounts × 200
 * roles on moto (Organizations + cross-account AssumeRole), against the
 * floor of assuming the role and paging ListRoles in each account at the same
 * concurrency. Target: scan / floor ≤ 1.3. Prints figures; asserts nothing.
 */
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateRoleCommand, IAMClient, paginateListRoles } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { listActiveAccounts } from '../src/aws/organizations.js';
import { openSessionProvider } from '../src/aws/session.js';
import { mapLimit } from '../src/core/concurrency.js';
import { RecordingIoHost } from '../test/support/recording-io-host.js';
import { scanAccounts } from '../src/scan/scan-org.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../test/support/aws-clients.js';
import { startMoto } from '../test/support/moto-server.js';
import { prepareMotoBench } from './moto-env.js';
import { fmtMs, median, printTable, samples } from './report.js';
import { roleFor } from './scan.js';

const ACCOUNTS = 50;
const ROLES_PER_ACCOUNT = 200;
const CONCURRENCY = 8;
const REPETITIONS = 3;
const TARGET_RATIO = 1.3;
const ACCESS_ROLE = 'split-role-access';

/** Runs the organization scan benchmark. */
export async function run(): Promise<void> {
  if (!prepareMotoBench()) return;
  const moto = await startMoto();
  try {
    const seedStart = performance.now();
    const accounts = await seed(moto.endpoint);
    process.stdout.write(`\n${ACCOUNTS} accounts × ${ROLES_PER_ACCOUNT} roles: seeded in ${fmtMs(performance.now() - seedStart)}\n`);
    await measureScan(moto.endpoint);
    await measureFloor(moto.endpoint, accounts);
    const scans: Array<{ ms: number; requests: number; findings: number; scanned: number }> = [];
    const floors: number[] = [];
    for (let rep = 0; rep < REPETITIONS; rep++) {
      if (rep % 2 === 0) {
        scans.push(await measureScan(moto.endpoint));
        floors.push(await measureFloor(moto.endpoint, accounts));
      } else {
        floors.push(await measureFloor(moto.endpoint, accounts));
        scans.push(await measureScan(moto.endpoint));
      }
    }
    const scanMs = median(scans.map((s) => s.ms));
    const floorMs = median(floors);
    const last = scans[scans.length - 1]!;
    printTable([
      ['scan --org wall (median of 3)', fmtMs(scanMs), samples(scans.map((s) => s.ms))],
      ['AssumeRole + ListRoles floor (median of 3)', fmtMs(floorMs), samples(floors)],
      ['ratio scan / floor', (scanMs / floorMs).toFixed(2), `target ≤ ${TARGET_RATIO}`],
      ['accounts scanned', String(last.scanned), `of ${ACCOUNTS + 1} (management included)`],
      ['AWS HTTP requests (scan)', String(last.requests), ''],
      ['findings', String(last.findings), ''],
    ]);
  } finally {
    await moto.stop();
  }
}

async function measureScan(endpoint: string): Promise<{ ms: number; requests: number; findings: number; scanned: number }> {
  const start = performance.now();
  const provider = await openSessionProvider({ region: TEST_REGION, endpointUrl: endpoint, assumeRole: ACCESS_ROLE });
  try {
    const accounts = await listActiveAccounts(await provider.home.organizations());
    const report = await scanAccounts(provider, accounts, new RecordingIoHost(), { concurrency: CONCURRENCY });
    return {
      ms: performance.now() - start,
      requests: provider.calls.requests,
      findings: report.summary.findings,
      scanned: report.summary.scanned,
    };
  } finally {
    provider.destroy();
  }
}

/** The floor: per account, one AssumeRole and a plain ListRoles paging, CONCURRENCY accounts at a time. */
async function measureFloor(endpoint: string, accounts: readonly string[]): Promise<number> {
  const start = performance.now();
  const sts = new STSClient({ region: TEST_REGION, endpoint });
  try {
    await mapLimit(accounts, CONCURRENCY, async (account) => {
      const iam = new IAMClient({ region: TEST_REGION, endpoint, credentials: await credentialsIn(sts, account) });
      try {
        for await (const page of paginateListRoles({ client: iam, pageSize: 1000 }, {})) void page;
      } finally {
        iam.destroy();
      }
    });
    return performance.now() - start;
  } finally {
    sts.destroy();
  }
}

async function credentialsIn(sts: STSClient, account: string) {
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${ACCESS_ROLE}`, RoleSessionName: 'bench' }));
  const c = out.Credentials;
  return { accessKeyId: c?.AccessKeyId ?? '', secretAccessKey: c?.SecretAccessKey ?? '', sessionToken: c?.SessionToken ?? '' };
}

/** An organization of ACCOUNTS members with ROLES_PER_ACCOUNT roles each; returns the member ids. */
async function seed(endpoint: string): Promise<string[]> {
  const org = new OrganizationsClient({ region: TEST_REGION, endpoint, credentials: TEST_CREDENTIALS });
  const sts = new STSClient({ region: TEST_REGION, endpoint, credentials: TEST_CREDENTIALS });
  try {
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const accounts: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const out = await org.send(new CreateAccountCommand({ AccountName: `bench-${i}`, Email: `bench-${i}@example.com` }));
      accounts.push(out.CreateAccountStatus?.AccountId as string);
    }
    await mapLimit(accounts, 4, async (account) => {
      const iam = new IAMClient({ region: TEST_REGION, endpoint, credentials: await credentialsIn(sts, account) });
      try {
        await mapLimit(
          Array.from({ length: ROLES_PER_ACCOUNT }, (_, i) => roleFor(i)),
          4,
          (role) => iam.send(new CreateRoleCommand({ RoleName: role.name, Path: role.path, AssumeRolePolicyDocument: role.trust })),
        );
      } finally {
        iam.destroy();
      }
    });
    return accounts;
  } finally {
    org.destroy();
    sts.destroy();
  }
}
