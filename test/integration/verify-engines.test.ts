/**
 * After cutover with a plan made from Athena or CloudTrail Lake: `verify` and
 * apply's retire gate ask the same engine (not "cannot list single calls"),
 * and what they conclude from its aggregates equals what they conclude from
 * the same records as trail files. Athena runs on moto, its answers computed
 * by DuckDB over the trail files and queued through moto-api; Lake is the
 * loopback fake, whose queries run on DuckDB over the files.
 */
import { AthenaClient, GetQueryExecutionCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { athenaDialect, COLUMNS_SQL, tableShape } from '../../src/evidence/athena-source.js';
import { ROLE_CALL_COLUMNS, roleCallsSql, type RoleCallsRole } from '../../src/evidence/role-calls-sql.js';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import { bindUsageSql, sqlLiteral, USAGE_COLUMNS, usageSql } from '../../src/evidence/usage-sql.js';
import { readPlan } from '../../src/plan/plan-file.js';
import type { Plan } from '../../src/plan/schema.js';
import { CloudTrailLakeFake } from '../fakes/cloudtrail-lake-fake.js';
import { queueAthenaResults, type QueuedResult } from '../support/athena-results.js';
import { MOTO_ACCOUNT, TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { openTrailDb } from '../support/duckdb-trail.js';
import { resetMoto } from '../support/moto-server.js';
import { scenarioRecords, seedOrdersScenario, type OrdersScenario } from '../support/scenario.js';
import { deliverTrailFile, writeTrailFiles } from '../support/trail-files.js';
import { sessionIdentity } from '../support/trail-records.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';

const endpoint = workerMotoEndpoint();
const OUTPUT = 's3://athena-results/split-role/';

interface Report {
  evidence: string;
  callsVisible: boolean;
  denied: Array<{ roleName: string; action: string; count: number; sharedGranted: boolean }>;
  sharedCalls: Array<{ workload?: string; sessionName: string; count: number }>;
  problems: number;
}

/** After cutover: the Lambda role refused twice for what the shared role granted and once for what it did not, and an instance still on the shared role. */
function afterCutover(plan: Plan, scenario: OrdersScenario, cutover: Date): CloudTrailRecord[] {
  // Whole seconds, as CloudTrail writes eventTime, from the second after cutover.
  const at = (seconds: number) => new Date((Math.floor(cutover.getTime() / 1000) + seconds) * 1000).toISOString().replace('.000Z', 'Z');
  const lambda = plan.newRoles.find((r) => r.service === 'lambda.amazonaws.com')!;
  const lambdaRole = { arn: lambda.roleArn, name: lambda.roleName };
  const shared = { arn: plan.sharedRole.arn, name: plan.sharedRole.roleName };
  const fn = scenario.functionNames[0]!;
  const by = (
    role: { arn: string; name: string },
    session: string,
    eventSource: string,
    eventName: string,
    eventTime: string,
    errorCode?: string,
  ): CloudTrailRecord => ({
    eventTime,
    eventSource,
    eventName,
    ...(errorCode ? { errorCode } : {}),
    userIdentity: sessionIdentity(role, session, `ASIA${session.length}`),
  });
  return [
    by(lambdaRole, fn, 's3.amazonaws.com', 'PutObject', at(1), 'AccessDenied'),
    by(lambdaRole, fn, 's3.amazonaws.com', 'PutObject', at(2), 'AccessDenied'),
    by(lambdaRole, fn, 'iam.amazonaws.com', 'CreateUser', at(2), 'AccessDenied'),
    by(lambdaRole, fn, 's3.amazonaws.com', 'GetObject', at(2)),
    by(shared, scenario.instanceIds[0]!, 'dynamodb.amazonaws.com', 'GetItem', at(3)),
  ];
}

/** The roles verify asks about: every call of the shared role, refused calls of the new ones. */
function verifyRoles(plan: Plan): RoleCallsRole[] {
  return [
    { arn: plan.sharedRole.arn, name: plan.sharedRole.roleName, calls: 'all' },
    ...plan.newRoles.map((r) => ({ arn: r.roleArn, name: r.roleName, calls: 'refused' as const })),
  ];
}

/** Waits until `time` has passed, so records written for it are in the past when the CLI reads (a second or two at most). */
async function past(time: string): Promise<void> {
  const wait = Date.parse(time) + 1000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

describe.skipIf(!endpoint)('verify and the retire gate ask the plan’s engine', () => {
  const motoEndpoint = endpoint as string;
  let workdir: string;
  let lake: CloudTrailLakeFake | undefined;
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli(args, isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: motoEndpoint, SPLIT_ROLE_FAST_WAITS: '1', ...extra }));
  const cutoverOf = async (planPath: string, extra: Record<string, string> = {}) =>
    new Date((JSON.parse((await cli(['status', planPath, '--json'], extra)).stdout) as { cutoverAt: string }).cutoverAt);
  const planArgs = (out: string) => [
    'plan',
    '--role',
    'orders',
    '--yes',
    '--out',
    out,
    '--since',
    '30d',
    '--unobservable',
    'drop',
    '--regions',
    TEST_REGION,
  ];

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'split-role-verify-engines-'));
  });
  afterEach(async () => {
    await lake?.close();
    lake = undefined;
  });

  it('Athena: verify reports (a) and (b) from the engine’s aggregates, and the gate refuses while it shows the shared role in use', async () => {
    await resetMoto(motoEndpoint);
    const scenario = await seedOrdersScenario(motoEndpoint);
    const s3 = new S3Client({ endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'athena-results' }));
    s3.destroy();
    const planTrail = await mkdtemp(join(workdir, 'plan-trail-'));
    await writeTrailFiles(planTrail, scenarioRecords(scenario), scenario);

    // Athena's answers are DuckDB's over the same files, shaped as the documented table.
    const answer = async (
      trail: string,
      sql: (shape: ReturnType<typeof tableShape>) => { text: string; values: string[] },
      columns: readonly string[],
    ): Promise<QueuedResult[]> => {
      const db = await openTrailDb(trail);
      try {
        const table = await db.query(COLUMNS_SQL, ['cloudtrail', 'logs']);
        const bound = bindUsageSql(
          sql(
            tableShape(
              'cloudtrail.logs',
              table.map((c) => ({ name: c.column_name!, type: c.data_type! })),
            ),
          ),
          'parameters',
        );
        return [
          { columns: ['column_name', 'data_type'], rows: table },
          { columns, rows: await db.query(bound.sql, bound.parameters) },
        ];
      } finally {
        db.close();
      }
    };
    const role = { arn: scenario.roleArn, name: scenario.roleName };
    const since = new Date(Date.now() - 30 * 86_400_000);
    await queueAthenaResults(
      motoEndpoint,
      MOTO_ACCOUNT,
      await answer(
        planTrail,
        (shape) => usageSql(athenaDialect('cloudtrail', 'logs', shape), { role, window: { start: since, end: new Date() } }),
        USAGE_COLUMNS,
      ),
    );
    const planPath = join(workdir, 'athena.plan.json');
    const planned = await cli([
      ...planArgs(planPath),
      '--evidence',
      'athena',
      '--athena-table',
      'cloudtrail.logs',
      '--athena-output',
      OUTPUT,
    ]);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = await readPlan(planPath);
    // The plan keeps what it takes to ask Athena again.
    expect(plan.evidence).toMatchObject({ source: 'athena', config: { table: 'cloudtrail.logs', output: OUTPUT } });

    // The first apply cuts over and waits for the soak; its gate asked Athena (nothing since cutover).
    const empty = await answer(planTrail, () => ({ text: 'SELECT 1 WHERE FALSE', values: [] }), ROLE_CALL_COLUMNS);
    await queueAthenaResults(motoEndpoint, MOTO_ACCOUNT, empty);
    const first = await cli(['apply', planPath, '--yes']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim()).toMatch(/^retire pending until /);
    expect(first.stderr).toMatch(/Athena calls query [0-9a-f-]+ scanned 0 bytes/);

    const cutover = await cutoverOf(planPath);
    const afterTrail = await mkdtemp(join(workdir, 'after-'));
    const after = afterCutover(plan, scenario, cutover);
    await writeTrailFiles(afterTrail, after, scenario);
    await past(after.at(-1)!.eventTime);
    const window = { start: cutover, end: new Date() };
    await queueAthenaResults(
      motoEndpoint,
      MOTO_ACCOUNT,
      await answer(
        afterTrail,
        (shape) => roleCallsSql(athenaDialect('cloudtrail', 'logs', shape), { roles: verifyRoles(plan), window }),
        ROLE_CALL_COLUMNS,
      ),
    );
    const viaAthena = await cli(['verify', planPath, '--json']);
    expect(viaAthena.code, viaAthena.stderr).toBe(1);
    const report = JSON.parse(viaAthena.stdout) as Report;
    expect(report).toMatchObject({ evidence: 'athena cloudtrail.logs', callsVisible: true, problems: 2 });
    const lambdaRole = plan.newRoles.find((r) => r.service === 'lambda.amazonaws.com')!.roleName;
    expect(report.denied).toEqual([
      expect.objectContaining({ roleName: lambdaRole, action: 'iam:CreateUser', count: 1, sharedGranted: false }),
      expect.objectContaining({ roleName: lambdaRole, action: 's3:PutObject', count: 2, sharedGranted: true }),
    ]);
    expect(report.sharedCalls).toEqual([expect.objectContaining({ workload: `EC2 instance ${scenario.instanceIds[0]}`, count: 1 })]);
    // The same records as files say the same.
    const viaFiles = JSON.parse((await cli(['verify', planPath, '--cloudtrail-logs', afterTrail, '--json'])).stdout) as Report;
    expect(report.denied).toEqual(viaFiles.denied);
    expect(report.sharedCalls).toEqual(viaFiles.sharedCalls);

    // The calls query went to Athena with every role ARN as a parameter, none in its text.
    const athena = new AthenaClient({ region: TEST_REGION, endpoint: motoEndpoint, credentials: TEST_CREDENTIALS });
    const ids = (await athena.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds ?? [];
    const executions = await Promise.all(
      ids.map(async (id) => (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!),
    );
    const callQueries = executions.filter((e) => e.Query?.startsWith('WITH tagged'));
    expect(callQueries).toHaveLength(2);
    for (const q of callQueries) {
      expect(q.Query).not.toContain(plan.sharedRole.arn);
      expect(q.ExecutionParameters).toContain(sqlLiteral(plan.sharedRole.arn));
      expect(q.ResultConfiguration?.OutputLocation).toMatch(/^s3:\/\/athena-results\/split-role\//);
    }
    expect(callQueries.some((q) => plan.newRoles.every((r) => q.ExecutionParameters?.includes(sqlLiteral(r.roleArn))))).toBe(true);
    athena.destroy();

    // --soak 0: the gate asks Athena for the shared role since cutover and refuses while it shows a call.
    const sharedOnly: RoleCallsRole[] = [{ arn: plan.sharedRole.arn, name: plan.sharedRole.roleName, calls: 'all' }];
    await queueAthenaResults(
      motoEndpoint,
      MOTO_ACCOUNT,
      await answer(
        afterTrail,
        (shape) =>
          roleCallsSql(athenaDialect('cloudtrail', 'logs', shape), { roles: sharedOnly, window: { start: cutover, end: new Date() } }),
        ROLE_CALL_COLUMNS,
      ),
    );
    const gated = await cli(['apply', planPath, '--yes', '--soak', '0']);
    expect(gated.code, gated.stderr).toBe(0);
    expect(gated.stdout.trim()).toBe(
      `retire pending: CloudTrail shows 1 call(s) with orders since cutover, latest dynamodb:GetItem by session ${scenario.instanceIds[0]} at ${after.at(-1)!.eventTime}`,
    );
    const journal = () => readFile(planPath.replace(/\.json$/, '.journal.jsonl'), 'utf8');
    expect(await journal()).not.toContain('"step":"retire:role"');

    // Once Athena shows no call since cutover and holds records past it, the same command retires (the gate is asked before
    // confirming and again before retiring); --delivery-lag 0, as the records are only just past cutover.
    const delivered = await mkdtemp(join(workdir, 'delivered-'));
    await deliverTrailFile(delivered, scenario);
    const reached = await answer(
      delivered,
      (shape) =>
        roleCallsSql(athenaDialect('cloudtrail', 'logs', shape), { roles: sharedOnly, window: { start: cutover, end: new Date() } }),
      ROLE_CALL_COLUMNS,
    );
    // Athena holding nothing past cutover is not enough: retirement waits (the gate, asked once, stops the run).
    await queueAthenaResults(motoEndpoint, MOTO_ACCOUNT, empty);
    const waits = await cli(['apply', planPath, '--yes', '--soak', '0', '--delivery-lag', '0']);
    expect(waits.code, waits.stderr).toBe(0);
    expect(waits.stdout.trim()).toMatch(
      /^retire pending: not enough evidence yet: 0 record\(s\) read from athena cloudtrail\.logs, latest event none;/,
    );
    expect(await journal()).not.toContain('"step":"retire:role"');
    await queueAthenaResults(motoEndpoint, MOTO_ACCOUNT, [...reached, ...reached]);
    const retired = await cli(['apply', planPath, '--yes', '--soak', '0', '--delivery-lag', '0']);
    expect(retired.code, retired.stderr).toBe(0);
    expect(await journal()).toContain('"step":"retire:role"');
  }, 600_000);

  it('CloudTrail Lake: verify and the gate ask the event data store', async () => {
    await resetMoto(motoEndpoint);
    const scenario = await seedOrdersScenario(motoEndpoint);
    // The store holds what is under `root`: the trail before planning, then the records after cutover too.
    const root = await mkdtemp(join(workdir, 'lake-'));
    await mkdir(join(root, 'plan'));
    await writeTrailFiles(join(root, 'plan'), scenarioRecords(scenario), scenario);
    lake = await CloudTrailLakeFake.start(root);
    const storeId = lake.storeId;
    const lakeEnv = () => ({ AWS_ENDPOINT_URL_CLOUDTRAIL: lake!.endpoint });
    const planPath = join(workdir, 'lake.plan.json');
    const planned = await cli([...planArgs(planPath), '--evidence', 'cloudtrail-lake', '--event-data-store', storeId], lakeEnv());
    expect(planned.code, planned.stderr).toBe(0);
    const plan = await readPlan(planPath);
    expect(plan.evidence).toMatchObject({ source: 'cloudtrail-lake', config: { eventDataStore: storeId } });

    const first = await cli(['apply', planPath, '--yes'], lakeEnv());
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim()).toMatch(/^retire pending until /);
    expect(lake.statements).toHaveLength(2);
    expect(lake.statements[1]).toMatch(/^WITH tagged/);
    expect(lake.statements[1]).toContain(`'${plan.sharedRole.arn}'`);

    const cutover = await cutoverOf(planPath, lakeEnv());
    const after = afterCutover(plan, scenario, cutover);
    await writeTrailFiles(join(root, 'after'), after, scenario);
    await past(after.at(-1)!.eventTime);
    await lake.close();
    lake = await CloudTrailLakeFake.start(root, storeId);

    const viaLake = await cli(['verify', planPath, '--json'], lakeEnv());
    expect(viaLake.code, viaLake.stderr).toBe(1);
    const report = JSON.parse(viaLake.stdout) as Report;
    expect(report).toMatchObject({ evidence: `cloudtrail-lake ${storeId}`, callsVisible: true, problems: 2 });
    const viaFiles = JSON.parse((await cli(['verify', planPath, '--cloudtrail-logs', join(root, 'after'), '--json'])).stdout) as Report;
    expect(report.denied).toEqual(viaFiles.denied);
    expect(report.sharedCalls).toEqual(viaFiles.sharedCalls);
    expect(report.denied.map((d) => `${d.action} ${d.count}`)).toEqual(['iam:CreateUser 1', 's3:PutObject 2']);
    expect(report.sharedCalls).toEqual([expect.objectContaining({ workload: `EC2 instance ${scenario.instanceIds[0]}`, count: 1 })]);

    const gated = await cli(['apply', planPath, '--yes', '--soak', '0'], lakeEnv());
    expect(gated.code, gated.stderr).toBe(0);
    expect(gated.stdout.trim()).toBe(
      `retire pending: CloudTrail shows 1 call(s) with orders since cutover, latest dynamodb:GetItem by session ${scenario.instanceIds[0]} at ${after.at(-1)!.eventTime}`,
    );
    expect(await readFile(planPath.replace(/\.json$/, '.journal.jsonl'), 'utf8')).not.toContain('"step":"retire:role"');
  }, 600_000);
});
