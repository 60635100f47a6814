/**
 * EventBridge + Scheduler end to end on moto (issue 23: "EventBridge +
 * Scheduler"): one role shared by a rule target on a custom bus and a
 * schedule in its own group is planned from trail files, applied through
 * retirement, verified and rolled back, each a CLI run. Both repoints are
 * read-modify-writes of the whole target / schedule: every other field must
 * come back as it was. A target field the SDK does not know (written to moto
 * raw, as a newer AWS would hold it) stops the plan, naming the field.
 */
import {
  CreateEventBusCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateScheduleCommand, CreateScheduleGroupCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MOTO_ACCOUNT, seedClients, serviceTrust, TEST_CREDENTIALS, TEST_REGION, seedSharedRole } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { planArgs } from '../support/scenario.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { resetMoto } from '../support/moto-server.js';
import { applyThroughRetire } from '../support/retire.js';
import { writeTrailFiles } from '../support/trail-files.js';
import { serviceSessionRecords } from '../support/trail-records.js';

const endpoint = workerMotoEndpoint();
const ROLE = 'timers';
const ROLE_ARN = `arn:aws:iam::${MOTO_ACCOUNT}:role/${ROLE}`;
const STREAM = `arn:aws:kinesis:${TEST_REGION}:${MOTO_ACCOUNT}:stream/orders`;
const QUEUE = `arn:aws:sqs:${TEST_REGION}:${MOTO_ACCOUNT}:reports`;

/** One session per service, each making its own call (what the plan narrows each new role to). */
const records = () =>
  serviceSessionRecords({ arn: ROLE_ARN, name: ROLE }, [
    { principal: 'events.amazonaws.com', name: 'a1b2c3d4e5f6', calls: [['kinesis.amazonaws.com', 'PutRecord']] },
    { principal: 'scheduler.amazonaws.com', name: '0f1e2d3c4b5a6978', calls: [['sqs.amazonaws.com', 'SendMessage']] },
  ]);

describe.skipIf(!endpoint)('EventBridge + Scheduler sharing one role', () => {
  const motoEndpoint = endpoint as string;
  const config = { endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };
  const events = new EventBridgeClient(config);
  const scheduler = new SchedulerClient(config);
  const env = () => isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: motoEndpoint, SPLIT_ROLE_FAST_WAITS: '1' });
  const cli = (args: string[]) => runCli(args, env());
  let dir: string;

  /** The rule's target and the schedule as AWS holds them now (AWS's own timestamps left out). */
  async function live(): Promise<{ target: unknown; schedule: unknown }> {
    const targets = await events.send(new ListTargetsByRuleCommand({ Rule: 'orders', EventBusName: 'app-bus' }));
    const {
      $metadata: _m,
      CreationDate: _c,
      LastModificationDate: _l,
      ...schedule
    } = await scheduler.send(new GetScheduleCommand({ GroupName: 'reports', Name: 'nightly' }));
    return { target: targets.Targets?.find((t) => t.Id === 'stream'), schedule };
  }

  beforeAll(async () => {
    await resetMoto(motoEndpoint);
    dir = await mkdtemp(join(tmpdir(), 'split-role-events-'));
    const { iam } = seedClients(motoEndpoint);
    const trust = serviceTrust('events.amazonaws.com', 'scheduler.amazonaws.com');
    await seedSharedRole(iam, ROLE, trust, ['kinesis:PutRecord', 'sqs:SendMessage', 's3:DeleteBucket']);

    await events.send(new CreateEventBusCommand({ Name: 'app-bus' }));
    await events.send(
      new PutRuleCommand({ Name: 'orders', EventBusName: 'app-bus', EventPattern: JSON.stringify({ source: ['app.orders'] }) }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'orders',
        EventBusName: 'app-bus',
        Targets: [
          {
            Id: 'stream',
            Arn: STREAM,
            RoleArn: ROLE_ARN,
            InputPath: '$.detail',
            KinesisParameters: { PartitionKeyPath: '$.detail.orderId' },
            RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 600 },
            DeadLetterConfig: { Arn: `${QUEUE}-dlq` },
          },
        ],
      }),
    );
    await scheduler.send(new CreateScheduleGroupCommand({ Name: 'reports' }));
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'nightly',
        GroupName: 'reports',
        ScheduleExpression: 'cron(0 3 * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
        Description: 'nightly report',
        State: 'ENABLED',
        KmsKeyArn: `arn:aws:kms:${TEST_REGION}:${MOTO_ACCOUNT}:key/k`,
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
        Target: {
          Arn: QUEUE,
          RoleArn: ROLE_ARN,
          Input: '{"report":"daily"}',
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 },
          SqsParameters: { MessageGroupId: 'g' },
        },
      }),
    );
    await writeTrailFiles(join(dir, 'trail'), records(), { account: MOTO_ACCOUNT, region: TEST_REGION });
  });

  it('a target field the SDK does not know stops the plan, naming it', { timeout: 60_000 }, async () => {
    // Written raw, as AWS would hold a field added after this SDK: the SDK itself would not send it.
    const raw = await fetch(motoEndpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AWSEvents.PutTargets',
        Authorization: 'AWS4-HMAC-SHA256 Credential=testing/20261206/us-east-1/events/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: JSON.stringify({
        Rule: 'orders',
        EventBusName: 'app-bus',
        Targets: [{ Id: 'future', Arn: STREAM, RoleArn: ROLE_ARN, FutureParameters: { Mode: 'x' } }],
      }),
    });
    expect(raw.status).toBe(200);
    const planned = await cli(planArgs(ROLE, join(dir, 'refused.plan.json'), join(dir, 'trail'), '--regions', TEST_REGION));
    expect(planned.code).not.toBe(0);
    expect(planned.stderr).toMatch(/rule orders \(bus app-bus\) target future has Target\.FutureParameters/);
    await events.send(new RemoveTargetsCommand({ Rule: 'orders', EventBusName: 'app-bus', Ids: ['future'] }));
  });

  it('plans both moves, applies through retirement, verifies, and rolls back to the exact fields', { timeout: 240_000 }, async () => {
    const planPath = join(dir, 'timers.plan.json');
    const planned = await cli(planArgs(ROLE, planPath, join(dir, 'trail'), '--regions', TEST_REGION));
    expect(planned.stderr).not.toMatch(/split-role: /);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(await readFile(planPath, 'utf8')) as {
      workloads: Array<{ kind: string; takesEffect?: string }>;
      followUps: Array<{ kind: string }>;
    };
    expect(plan.workloads.map((w) => [w.kind, w.takesEffect]).sort()).toEqual([
      ['event-target', 'at-once'],
      ['schedule', 'next-run'],
    ]);
    expect(plan.followUps.filter((f) => f.kind === 'manual-service')).toEqual([]);
    const review = await readFile(planPath.replace(/\.json$/, '.md'), 'utf8');
    expect(review).toContain('EventBridge rule target (at once: its next event)');
    expect(review).toContain('EventBridge Scheduler schedule (from its next run)');

    const before = await live();
    const applied = await applyThroughRetire(cli, planPath);
    expect(applied.stderr).not.toMatch(/split-role: /);
    expect(applied.code).toBe(0);
    expect(applied.stderr).toMatch(/Done\./);
    // Only the role changed: every other field of the target and of the schedule is as it was.
    const moved = await live();
    expect(moved).toEqual({
      target: { ...(before.target as object), RoleArn: `${ROLE_ARN}-events` },
      schedule: {
        ...(before.schedule as object),
        Target: { ...(before.schedule as { Target: object }).Target, RoleArn: `${ROLE_ARN}-scheduler` },
      },
    });

    const verified = await cli(['verify', planPath, '--delivery-lag', '0', '--json']);
    expect(verified.stderr).not.toMatch(/split-role: /);
    expect(verified.code, verified.stdout).toBe(0);
    expect((JSON.parse(verified.stdout) as { workloadProblems: string[] }).workloadProblems).toEqual([]);

    const rolledBack = await cli(['rollback', planPath, '--yes']);
    expect(rolledBack.stderr).not.toMatch(/split-role: /);
    expect(rolledBack.code).toBe(0);
    expect(await live()).toEqual(before);
  });
});
