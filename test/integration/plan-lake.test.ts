/**
 * `plan --evidence cloudtrail-lake` end to end: the built CLI against moto
 * (IAM and workloads) and the loopback Lake fake (StartQuery /
 * GetQueryResults over JSON 1.1), whose queries run on DuckDB over the same
 * trail files the logs source reads.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readPlan } from '../../src/plan/plan-file.js';
import type { Plan } from '../../src/plan/schema.js';
import { TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { resetMoto } from '../support/moto-server.js';
import { seedResourcePolicies } from '../support/resource-policies.js';
import { scenarioRecords, seedOrdersScenario, type OrdersScenario } from '../support/scenario.js';
import { writeTrailFiles } from '../support/trail-files.js';
import { CloudTrailLakeFake } from '../fakes/cloudtrail-lake-fake.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';

const endpoint = workerMotoEndpoint();

function actionSets(plan: Plan): Record<string, string[]> {
  return Object.fromEntries(plan.newRoles.map((r) => [r.service, r.actions.map((a) => a.action).sort()]));
}

/** Per service, how often and when last (to the second: Lake's timestamps read back without milliseconds) each kept action was used. */
function actionUses(plan: Plan): Record<string, Array<{ action: string; count: number; lastSeen?: string }>> {
  const second = (time?: string) => time && new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return Object.fromEntries(
    plan.newRoles.map((r) => [
      r.service,
      r.actions
        .map(({ action, count, lastSeen }) => ({ action, count, lastSeen: second(lastSeen) }))
        .sort((a, b) => a.action.localeCompare(b.action)),
    ]),
  );
}

describe.skipIf(!endpoint)('plan --evidence cloudtrail-lake against moto and the Lake fake', () => {
  const motoEndpoint = endpoint as string;
  let workdir: string;
  let scenario: OrdersScenario;
  let trailDir: string;
  let lake: CloudTrailLakeFake | undefined;
  const env = () =>
    isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: motoEndpoint, AWS_ENDPOINT_URL_CLOUDTRAIL: lake!.endpoint });

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'split-role-lake-'));
  });
  beforeEach(async () => {
    await resetMoto(motoEndpoint);
    scenario = await seedOrdersScenario(motoEndpoint);
    trailDir = await mkdtemp(join(workdir, 'trail-'));
    await writeTrailFiles(trailDir, scenarioRecords(scenario, { resources: true }), scenario);
    lake = await CloudTrailLakeFake.start(trailDir);
  });
  afterEach(async () => {
    await lake?.close();
  });

  async function plan(evidence: string[]) {
    const out = join(workdir, `orders-${Math.random().toString(16).slice(2)}.plan.json`);
    const run = await runCli(
      ['plan', '--role', 'orders', '--yes', '--out', out, '--since', '30d', '--unobservable', 'drop', ...evidence],
      env(),
    );
    return { run, out };
  }

  it('plans from Lake aggregates what it plans from the same records as files', async () => {
    await seedResourcePolicies(motoEndpoint, TEST_REGION, scenario.account, scenario.roleArn);
    const arn = `arn:aws:cloudtrail:${TEST_REGION}:${scenario.account}:eventdatastore/${lake!.storeId}`;
    const fromLake = await plan(['--evidence', 'cloudtrail-lake', '--event-data-store', arn]);
    expect(fromLake.run.stderr).not.toMatch(/Error/);
    expect(fromLake.run.code).toBe(0);
    const fromLogs = await plan(['--evidence', 'logs', '--cloudtrail-logs', trailDir]);
    expect(fromLogs.run.code).toBe(0);
    const lakePlan = await readPlan(fromLake.out);
    const logsPlan = await readPlan(fromLogs.out);
    expect(actionSets(lakePlan)).toEqual(actionSets(logsPlan));
    expect(actionUses(lakePlan)).toEqual(actionUses(logsPlan));
    // Resource policies go to the services the evidence saw use them, from Lake as from the files.
    expect(lakePlan.resourcePolicies).toEqual(logsPlan.resourcePolicies);
    expect(lakePlan.resourcePolicies.policies.find((p) => p.kind === 'sqs-queue')?.statements.map((s) => s.basis)).toEqual(['evidence']);
    expect(lakePlan.evidence.source).toBe('cloudtrail-lake');
    // One query, over the store id, with the role's ARN as an escaped literal; its id and bytes printed.
    expect(lake!.statements).toHaveLength(1);
    expect(lake!.statements[0]).toContain(`FROM ${lake!.storeId}`);
    expect(lake!.statements[0]).toContain(`'${scenario.roleArn}'`);
    expect(fromLake.run.stderr).toMatch(/CloudTrail Lake query [0-9a-f-]{36} scanned [\d,]+ bytes/);
  });

  it('a failed query is one line with the query id and Lake’s reason', async () => {
    lake!.ops.failWith = 'Query exceeded the maximum data scanned';
    const { run } = await plan(['--evidence', 'cloudtrail-lake', '--event-data-store', lake!.storeId]);
    expect(run.code).toBe(2);
    const lines = run.stderr.split('\n').filter((line) => line.includes('QueryFailed'));
    expect(lines).toEqual([
      expect.stringMatching(/QueryFailed: CloudTrail Lake query [0-9a-f-]{36} failed: Query exceeded the maximum data scanned/),
    ]);
  });

  it('refuses an event data store that is not an id or ARN before any call', async () => {
    const { run } = await plan(['--evidence', 'cloudtrail-lake', '--event-data-store', 'x WHERE 1=1; --']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--event-data-store must be an event data store id or ARN/);
    expect(lake!.statements).toEqual([]);
    const missing = await plan(['--evidence', 'cloudtrail-lake']);
    expect(missing.run.stderr).toMatch(/--evidence cloudtrail-lake needs an event data store/);
  });
});
