/**
 * AWS Batch + Lambda end to end on moto (issue 23: Batch job definitions):
 * one role is a Lambda function's role and a Batch job definition's job role;
 * an EventBridge rule submits jobs naming the revision by ARN, and a
 * Scheduler schedule (the universal target batch:submitJob) by name:revision. Planned from
 * trail files, applied through retirement, verified and rolled back, each a
 * CLI run. The move registers a new revision carrying every other field of
 * the old one over (moto's RegisterJobDefinition and DescribeJobDefinitions
 * judge the wire shapes), the rule target follows it, and rollback makes the
 * old revision the latest ACTIVE one again with the target back on it.
 */
import { BatchClient, DescribeJobDefinitionsCommand, RegisterJobDefinitionCommand, type JobDefinition } from '@aws-sdk/client-batch';
import { EventBridgeClient, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MOTO_ACCOUNT, seedClients, serviceTrust, TEST_CREDENTIALS, TEST_REGION, seedSharedRole } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { EMPTY_ZIP, planArgs } from '../support/scenario.js';
import { resetMoto } from '../support/moto-server.js';
import { applyThroughRetire } from '../support/retire.js';
import { writeTrailFiles } from '../support/trail-files.js';
import { serviceSessionRecords } from '../support/trail-records.js';

const endpoint = workerMotoEndpoint();
const ROLE = 'jobs';
const ROLE_ARN = `arn:aws:iam::${MOTO_ACCOUNT}:role/${ROLE}`;
const EXECUTION_ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/batch-execution`;
const QUEUE = `arn:aws:batch:${TEST_REGION}:${MOTO_ACCOUNT}:job-queue/reports`;
const SUBMIT_JOB = 'arn:aws:scheduler:::aws-sdk:batch:submitJob';

/** A Lambda session and an ECS-task session (a Batch job's container), each making its own call. */
const records = () =>
  serviceSessionRecords({ arn: ROLE_ARN, name: ROLE }, [
    { principal: 'lambda.amazonaws.com', name: 'worker', calls: [['sqs.amazonaws.com', 'SendMessage']] },
    { principal: 'ecs-tasks.amazonaws.com', name: '0123456789abcdef0123456789abcdef', calls: [['s3.amazonaws.com', 'GetObject']] },
  ]);

describe.skipIf(!endpoint)('AWS Batch + Lambda sharing one role', () => {
  const motoEndpoint = endpoint as string;
  const config = { endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };
  const batch = new BatchClient(config);
  const events = new EventBridgeClient(config);
  const lambda = new LambdaClient(config);
  const scheduler = new SchedulerClient(config);
  const env = () => isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: motoEndpoint, SPLIT_ROLE_FAST_WAITS: '1' });
  const cli = (args: string[]) => runCli(args, env());
  let dir: string;
  let firstArn: string;

  /** The latest ACTIVE revision (without its ARN and number), what the rule target names, and the function's role. */
  async function live(): Promise<{
    latest: Partial<JobDefinition>;
    revision: number;
    target: string | undefined;
    schedule: string | undefined;
    lambda: string | undefined;
  }> {
    const defs =
      (await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: 'nightly', status: 'ACTIVE' }))).jobDefinitions ?? [];
    const latest = defs.reduce((a, b) => ((b.revision ?? 0) > (a.revision ?? 0) ? b : a));
    const { jobDefinitionArn: _arn, revision, ...rest } = latest;
    const targets = await events.send(new ListTargetsByRuleCommand({ Rule: 'nightly' }));
    return {
      latest: rest,
      revision: revision ?? 0,
      target: targets.Targets?.[0]?.BatchParameters?.JobDefinition,
      schedule: (await scheduler.send(new GetScheduleCommand({ Name: 'hourly' }))).Target?.Input,
      lambda: (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'worker' }))).Role,
    };
  }

  beforeAll(async () => {
    await resetMoto(motoEndpoint);
    dir = await mkdtemp(join(tmpdir(), 'split-role-batch-'));
    const { iam } = seedClients(motoEndpoint);
    await seedSharedRole(iam, ROLE, serviceTrust('lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'), [
      'sqs:SendMessage',
      's3:GetObject',
      's3:DeleteBucket',
    ]);
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'worker',
        Role: ROLE_ARN,
        Runtime: 'python3.12',
        Handler: 'a.h',
        Code: { ZipFile: EMPTY_ZIP },
      }),
    );
    const registered = await batch.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: 'nightly',
        type: 'container',
        parameters: { day: 'today' },
        retryStrategy: { attempts: 3 },
        timeout: { attemptDurationSeconds: 600 },
        tags: { team: 'reports' },
        containerProperties: {
          image: 'reports:1',
          command: ['run', 'Ref::day'],
          jobRoleArn: ROLE_ARN,
          executionRoleArn: EXECUTION_ROLE,
          resourceRequirements: [
            { type: 'VCPU', value: '1' },
            { type: 'MEMORY', value: '2048' },
          ],
          environment: [{ name: 'MODE', value: 'full' }],
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/batch/reports' } },
        },
      }),
    );
    firstArn = registered.jobDefinitionArn ?? '';
    await events.send(new PutRuleCommand({ Name: 'nightly', ScheduleExpression: 'cron(0 3 * * ? *)' }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'nightly',
        Targets: [{ Id: 'job', Arn: QUEUE, RoleArn: EXECUTION_ROLE, BatchParameters: { JobDefinition: firstArn, JobName: 'nightly' } }],
      }),
    );
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'hourly',
        ScheduleExpression: 'rate(1 hour)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: SUBMIT_JOB,
          RoleArn: EXECUTION_ROLE,
          Input: '{"JobName": "hourly", "JobQueue": "reports", "JobDefinition": "nightly:1"}',
        },
      }),
    );
    await writeTrailFiles(join(dir, 'trail'), records(), { account: MOTO_ACCOUNT, region: TEST_REGION });
  });

  it(
    'registers a whole new revision on the new role, moves the rule target and schedule to it, retires, and rolls back',
    { timeout: 120_000 },
    async () => {
      const planPath = join(dir, 'jobs.plan.json');
      const planned = await cli(planArgs(ROLE, planPath, join(dir, 'trail'), '--regions', TEST_REGION));
      expect(planned.stderr).not.toMatch(/split-role: /);
      expect(planned.code).toBe(0);
      const plan = JSON.parse(await readFile(planPath, 'utf8')) as {
        workloads: Array<{ kind: string; takesEffect?: string; followers?: unknown[] }>;
        followUps: Array<{ kind: string }>;
      };
      expect(plan.workloads.map((w) => [w.kind, w.takesEffect, w.followers?.length]).sort()).toEqual([
        ['batch-job-definition', 'next-run', 2],
        ['lambda-function', undefined, undefined],
      ]);
      expect(plan.followUps.filter((f) => f.kind === 'manual-service')).toEqual([]);
      expect(await readFile(planPath.replace(/\.json$/, '.md'), 'utf8')).toContain('AWS Batch job definition (a new revision');

      const before = await live();
      expect(before.target).toBe(firstArn);
      const applied = await applyThroughRetire(cli, planPath);
      expect(applied.stderr).not.toMatch(/split-role: /);
      expect(applied.code).toBe(0);
      expect(applied.stderr).toMatch(/Done\./);
      // Only the job role changed: every other field of the revision is as moto stored it, and the target names the new one.
      const moved = await live();
      expect(moved).toEqual({
        latest: { ...before.latest, containerProperties: { ...before.latest.containerProperties, jobRoleArn: `${ROLE_ARN}-ecs` } },
        revision: 2,
        target: firstArn.replace(/:1$/, ':2'),
        schedule: '{"JobName": "hourly", "JobQueue": "reports", "JobDefinition": "nightly:2"}',
        lambda: `${ROLE_ARN}-lambda`,
      });

      const verified = await cli(['verify', planPath, '--delivery-lag', '0', '--json']);
      expect(verified.code, verified.stdout).toBe(0);

      const rolledBack = await cli(['rollback', planPath, '--yes']);
      expect(rolledBack.stderr).not.toMatch(/split-role: /);
      expect(rolledBack.code).toBe(0);
      expect(await live()).toEqual(before);
    },
  );
});
