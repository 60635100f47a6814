/**
 * `plan --evidence athena` end to end: the built CLI against moto, whose
 * Athena accepts the queries and returns results seeded through moto-api.
 * The seeded results are what DuckDB returns for the same SQL over the same
 * trail files (exposed as the documented Athena table), so the plan from
 * Athena aggregates is compared with the plan from the files themselves.
 */
import { AthenaClient, GetQueryExecutionCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { athenaDialect, COLUMNS_SQL, tableShape } from '../../src/evidence/athena-source.js';
import { bindUsageSql, sqlLiteral, USAGE_COLUMNS, usageSql } from '../../src/evidence/usage-sql.js';
import { readPlan } from '../../src/plan/plan-file.js';
import type { Plan } from '../../src/plan/schema.js';
import { MOTO_ACCOUNT, TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { openTrailDb, type TrailDb } from '../support/duckdb-trail.js';
import { seedResourcePolicies } from '../support/resource-policies.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { resetMoto } from '../support/moto-server.js';
import { scenarioRecords, seedOrdersScenario, type OrdersScenario } from '../support/scenario.js';
import { writeTrailFiles } from '../support/trail-files.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';

const endpoint = workerMotoEndpoint();
const OUTPUT = 's3://athena-results/split-role/';

/** Per service, the actions its new role keeps. */
function actionSets(plan: Plan): Record<string, string[]> {
  return Object.fromEntries(plan.newRoles.map((r) => [r.service, r.actions.map((a) => a.action).sort()]));
}

/** Per service, what the plan says of each kept action's use: how often and when last. */
function actionUses(plan: Plan): Record<string, Array<{ action: string; count: number; lastSeen?: string }>> {
  return Object.fromEntries(
    plan.newRoles.map((r) => [
      r.service,
      r.actions.map(({ action, count, lastSeen }) => ({ action, count, lastSeen })).sort((a, b) => a.action.localeCompare(b.action)),
    ]),
  );
}

describe.skipIf(!endpoint)('plan --evidence athena against moto', () => {
  const motoEndpoint = endpoint as string;
  const env = (extra: Record<string, string | undefined> = {}) =>
    isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: motoEndpoint, ...extra });
  let workdir: string;
  let scenario: OrdersScenario;
  let trailDir: string;
  let db: TrailDb | undefined;

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'split-role-athena-'));
  });
  beforeEach(async () => {
    db?.close();
    await resetMoto(motoEndpoint);
    scenario = await seedOrdersScenario(motoEndpoint);
    trailDir = await mkdtemp(join(workdir, 'trail-'));
    await writeTrailFiles(trailDir, scenarioRecords(scenario, { resources: true }), scenario);
    const s3 = new S3Client({ endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'athena-results' }));
    s3.destroy();
    db = await openTrailDb(trailDir);
  });
  afterAll(() => db?.close());

  /** Queues Athena results in moto as Athena returns them: a header row, then text cells. */
  async function seedResults(results: Array<Array<Record<string, string | undefined>>>, columns: string[][]): Promise<void> {
    const body = {
      // Athena runs in the caller's own account, whichever account the plan reads.
      account_id: MOTO_ACCOUNT,
      region: TEST_REGION,
      results: results.map((rows, i) => ({
        column_info: columns[i]!.map((name) => ({ Name: name, Type: 'varchar' })),
        rows: [columns[i]!, ...rows.map((row) => columns[i]!.map((c) => row[c]))].map((cells) => ({
          Data: cells.map((v) => (v === undefined ? {} : { VarCharValue: v })),
        })),
      })),
    };
    const res = await fetch(`${motoEndpoint}/moto-api/static/athena/query-results`, { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(201);
  }

  /** What Athena would answer for the two queries, computed by DuckDB over the trail files. */
  async function seedFromDuckDb(since: Date): Promise<string> {
    const columns = await db!.query(COLUMNS_SQL, ['cloudtrail', 'logs']);
    const shape = tableShape(
      'cloudtrail.logs',
      columns.map((c) => ({ name: c.column_name!, type: c.data_type! })),
    );
    const bound = bindUsageSql(
      usageSql(athenaDialect('cloudtrail', 'logs', shape), {
        role: { arn: scenario.roleArn, name: scenario.roleName },
        window: { start: since, end: new Date() },
      }),
      'parameters',
    );
    const usage = await db!.query(bound.sql, bound.parameters);
    expect(usage.length).toBeGreaterThan(5);
    // The aggregate rows carry resource ARN, error code, and first and last seen (the seeded table's columns are the query's).
    expect(Object.keys(usage[0]!)).toEqual([...USAGE_COLUMNS]);
    expect(usage.filter((r) => r.kind === 'calls' && r.event_name === 'GetObject').map((r) => r.resource_arn)).toEqual([
      'arn:aws:s3:::orders-data',
    ]);
    expect(usage.every((r) => r.kind !== 'calls' || (r.first_seen !== undefined && r.first_seen <= r.last_seen!))).toBe(true);
    await seedResults([columns, usage], [['column_name', 'data_type'], Object.keys(usage[0]!)]);
    return bound.sql;
  }

  async function plan(evidence: string[]): Promise<{ run: Awaited<ReturnType<typeof runCli>>; out: string }> {
    const out = join(workdir, `orders-${Math.random().toString(16).slice(2)}.plan.json`);
    const run = await runCli(
      ['plan', '--role', 'orders', '--yes', '--out', out, '--since', '30d', '--unobservable', 'drop', ...evidence],
      env(),
    );
    return { run, out };
  }

  it('plans from Athena aggregates what it plans from the same records as files, with values passed as parameters', async () => {
    // Resource policies naming the role: which new roles each one gets comes from the resources the evidence saw used.
    await seedResourcePolicies(motoEndpoint, TEST_REGION, scenario.account, scenario.roleArn);
    const sql = await seedFromDuckDb(new Date(Date.now() - 30 * 86_400_000));
    const athena = await plan([
      '--evidence',
      'athena',
      '--athena-table',
      'cloudtrail.logs',
      '--athena-workgroup',
      'primary',
      '--athena-output',
      OUTPUT,
    ]);
    expect(athena.run.stderr).not.toMatch(/Error/);
    expect(athena.run.code).toBe(0);
    const logs = await plan(['--evidence', 'logs', '--cloudtrail-logs', trailDir]);
    expect(logs.run.code).toBe(0);
    const fromAthena = await readPlan(athena.out);
    const fromLogs = await readPlan(logs.out);
    expect(actionSets(fromAthena)).toEqual(actionSets(fromLogs));
    expect(actionUses(fromAthena)).toEqual(actionUses(fromLogs));
    expect(fromAthena.resourcePolicies).toEqual(fromLogs.resourcePolicies);
    // The queue's statement goes to the services whose calls named the queue (Lambda sends, ECS receives), as the files say.
    const queue = fromAthena.resourcePolicies.policies.find((p) => p.kind === 'sqs-queue');
    expect(queue?.statements.map((s) => [s.basis, [...s.roles].sort()])).toEqual([
      [
        'evidence',
        fromAthena.newRoles
          .filter((r) => r.service !== 'ec2.amazonaws.com')
          .map((r) => r.roleName)
          .sort(),
      ],
    ]);
    expect(Object.keys(actionSets(fromAthena)).sort()).toEqual(['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com', 'lambda.amazonaws.com']);
    expect(fromAthena.evidence.source).toBe('athena');

    // Athena saw two queries: the table check and the usage query, each printed with its id and bytes scanned.
    const client = new AthenaClient({ region: TEST_REGION, endpoint: motoEndpoint, credentials: TEST_CREDENTIALS });
    const ids = (await client.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds ?? [];
    expect(ids).toHaveLength(2);
    const executions = await Promise.all(
      ids.map(async (id) => (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!),
    );
    const usage = executions.find((e) => e.Query !== COLUMNS_SQL)!;
    const check = executions.find((e) => e.Query === COLUMNS_SQL)!;
    expect(check.ExecutionParameters).toEqual(["'cloudtrail'", "'logs'"]);
    expect(usage.Query).toBe(sql);
    expect(usage.Query).not.toContain(scenario.roleArn);
    expect(usage.ExecutionParameters).toContain(sqlLiteral(scenario.roleArn));
    expect(usage.QueryExecutionContext?.Database).toBe('cloudtrail');
    expect(usage.WorkGroup).toBe('primary');
    expect(usage.ResultConfiguration?.OutputLocation).toMatch(/^s3:\/\/athena-results\/split-role\//);
    for (const id of ids) expect(athena.run.stderr).toMatch(new RegExp(`Athena (columns|usage) query ${id} scanned 0 bytes`));
    client.destroy();
  });

  it('with --account, plans in the member account but queries the organization table from the caller’s account', async () => {
    const MEMBER = '222222222222';
    await resetMoto(motoEndpoint);
    const assumed = await new STSClient({ region: TEST_REGION, endpoint: motoEndpoint, credentials: TEST_CREDENTIALS }).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/split-role-access`, RoleSessionName: 'seed' }),
    );
    const c = assumed.Credentials!;
    const member = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    scenario = await seedOrdersScenario(motoEndpoint, { member: { account: MEMBER, credentials: member } });
    trailDir = await mkdtemp(join(workdir, 'member-trail-'));
    await writeTrailFiles(trailDir, scenarioRecords(scenario, { resources: true }), scenario);
    db?.close();
    db = await openTrailDb(trailDir, { orgAccountPartition: true });
    // moto keeps Athena per account: results are queued in the caller's (management) account only.
    await seedFromDuckDb(new Date(Date.now() - 30 * 86_400_000));
    const out = join(workdir, 'member.plan.json');
    const run = await runCli(
      [
        'plan',
        '--account',
        MEMBER,
        '--assume-role',
        'split-role-access',
        '--role',
        'orders',
        '--yes',
        '--out',
        out,
        '--since',
        '30d',
        '--unobservable',
        'drop',
        '--evidence',
        'athena',
        '--athena-table',
        'cloudtrail.logs',
      ],
      env(),
    );
    expect(run.code, run.stderr).toBe(0);
    const made = await readPlan(out);
    expect(made.account).toBe(MEMBER);
    expect(Object.keys(actionSets(made)).sort()).toEqual(['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com', 'lambda.amazonaws.com']);
    const callerAthena = new AthenaClient({ region: TEST_REGION, endpoint: motoEndpoint, credentials: TEST_CREDENTIALS });
    const memberAthena = new AthenaClient({ region: TEST_REGION, endpoint: motoEndpoint, credentials: member });
    const usageQuery = (
      await Promise.all(
        ((await callerAthena.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds ?? []).map(
          async (id) => (await callerAthena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!,
        ),
      )
    ).find((e) => e.Query !== COLUMNS_SQL);
    // The account partition prunes to the member's folder.
    expect(usageQuery?.Query).toMatch(/"accountid" = \?/);
    expect(usageQuery?.ExecutionParameters).toContain(`'${MEMBER}'`);
    expect((await memberAthena.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds).toEqual([]);
    callerAthena.destroy();
    memberAthena.destroy();
  });

  it('names the CloudTrail column a table lacks, before the usage query runs', async () => {
    await seedResults(
      [
        [
          { column_name: 'eventtime', data_type: 'varchar' },
          { column_name: 'eventsource', data_type: 'varchar' },
        ],
      ],
      [['column_name', 'data_type']],
    );
    const { run } = await plan(['--evidence', 'athena', '--athena-table', 'cloudtrail.logs', '--athena-output', OUTPUT]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/TableNotCloudTrail: Athena table cloudtrail\.logs has no column eventname, which the CloudTrail table has/);
    const client = new AthenaClient({ region: TEST_REGION, endpoint: motoEndpoint, credentials: TEST_CREDENTIALS });
    expect((await client.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds).toHaveLength(1);
    client.destroy();
  });

  it('a failed query is one line with the query id and Athena’s reason', async () => {
    // moto's queries always succeed, so the proxy answers GetQueryExecution as Athena does for a failed one.
    const proxy = await startFaultProxy(motoEndpoint);
    let failedId = '';
    proxy.setRule((req) => {
      if (req.operation !== 'GetQueryExecution') return undefined;
      failedId = (JSON.parse(req.body) as { QueryExecutionId: string }).QueryExecutionId;
      const status = { State: 'FAILED', StateChangeReason: 'Access denied when writing output to url: s3://athena-results/split-role/' };
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ QueryExecution: { QueryExecutionId: failedId, Status: status } }),
      };
    });
    try {
      const out = join(workdir, 'failed.plan.json');
      const run = await runCli(
        [
          'plan',
          '--role',
          'orders',
          '--yes',
          '--out',
          out,
          '--evidence',
          'athena',
          '--athena-table',
          'cloudtrail.logs',
          '--athena-output',
          OUTPUT,
          // Decided up front, so the refusal of an undecided blind spot (before any evidence is read) does not come first.
          '--unobservable',
          'keep',
        ],
        env({ AWS_ENDPOINT_URL: proxy.endpoint }),
      );
      expect(run.code).toBe(2);
      const lines = run.stderr
        .trim()
        .split('\n')
        .filter((line) => line.includes('QueryFailed'));
      expect(lines).toEqual([
        expect.stringContaining(
          `QueryFailed: Athena query ${failedId} failed: Access denied when writing output to url: s3://athena-results/split-role/`,
        ),
      ]);
    } finally {
      await proxy.close();
    }
  });

  it('refuses a table name that is not DATABASE.TABLE before any AWS call', async () => {
    const { run } = await plan(['--evidence', 'athena', '--athena-table', 'logs; DROP TABLE x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--athena-table must be DATABASE\.TABLE/);
    const missing = await plan(['--evidence', 'athena']);
    expect(missing.run.code).toBe(2);
    expect(missing.run.stderr).toMatch(/--evidence athena needs the trail’s Athena table/);
  });
});
