/**
 * The guardrail handler (issue 14 §2) run in-process on the AWS-documented
 * event shapes of test/fixtures/guardrail, with GetRole and SNS against
 * moto_server and PutEvaluations against the Config fake; then the package
 * `guardrail export` writes, unzipped and run as Lambda would run it.
 * Alerts are read from an HTTP subscription moto delivers to on loopback.
 */
import { CreateRoleCommand, UpdateAssumeRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GuardrailResult } from '../../src/guardrail/handler.js';
import { listen, readBody, type Listening } from '../fakes/fake-http.js';
import { startConfigFake, type ConfigFake } from '../fakes/config-fake.js';
import { MOTO_ACCOUNT, seedClients, TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { resetMoto } from '../support/moto-server.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';

const endpoint = workerMotoEndpoint();
type Fixture = { events: Record<string, Record<string, unknown>> };
const load = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/guardrail/${name}`, import.meta.url), 'utf8')) as Fixture;
const eventbridge = load('eventbridge-iam-events.json');
const config = load('config-rule-events.json');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const SHARED_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com', 'lambda.amazonaws.com'] }, Action: 'sts:AssumeRole' },
    { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: 'sts:AssumeRole' },
  ],
});
const LAMBDA_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** What moto POSTed to an HTTP subscription. */
interface Delivery {
  path: string;
  Type: string;
  Subject?: string;
  Message: string;
}

describe.skipIf(!endpoint)('guardrail handler against moto', () => {
  const motoEndpoint = endpoint as string;
  let sink: Listening;
  let deliveries: Delivery[];
  let configFake: ConfigFake;
  let iam: IAMClient;
  let sns: SNSClient;
  let topicArn: string;
  let handler: (event: unknown) => Promise<GuardrailResult>;
  const saved = { ...process.env };

  beforeAll(async () => {
    sink = await listen(async (req, res) => {
      const body = JSON.parse(await readBody(req)) as Omit<Delivery, 'path'>;
      deliveries.push({ path: req.url ?? '', ...body });
      res.writeHead(200).end();
    });
    configFake = await startConfigFake();
    // The handler builds its SDK clients from the environment, as in Lambda.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: motoEndpoint,
      AWS_ENDPOINT_URL_CONFIG_SERVICE: configFake.endpoint,
      AWS_REGION: TEST_REGION,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      GUARDRAIL_OWNER_TAG: 'owner',
    });
    ({ handler } = await import('../../src/guardrail/handler.js'));
    iam = seedClients(motoEndpoint).iam;
    sns = new SNSClient({ endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  });
  afterAll(async () => {
    process.env = saved;
    await Promise.all([sink.close(), configFake.close()]);
  });
  beforeEach(async () => {
    await resetMoto(motoEndpoint);
    deliveries = [];
    configFake.evaluations.length = 0;
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'security-alerts' }))).TopicArn as string;
    process.env.GUARDRAIL_TOPIC_ARN = topicArn;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: `${sink.endpoint}/security` }));
    // The owner's team subscribes with a filter on the alert's owner attribute.
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'http',
        Endpoint: `${sink.endpoint}/team-payments`,
        Attributes: { FilterPolicy: JSON.stringify({ owner: ['team-payments'] }) },
      }),
    );
  });

  const notifications = (path: string) => deliveries.filter((d) => d.Type === 'Notification' && d.path === path);
  const createRole = (trust: string, tags: Array<{ Key: string; Value: string }> = []) =>
    iam.send(new CreateRoleCommand({ RoleName: 'TestRole', AssumeRolePolicyDocument: trust, Tags: tags }));

  it('alerts on the documented CreateRole event for a shared role, naming role, account, principals, finding and owner', async () => {
    await createRole(SHARED_TRUST, [{ Key: 'owner', Value: 'team-payments' }]);
    const result = await handler(eventbridge.events['create-role']);
    expect(result).toMatchObject({ status: 'non-compliant', roleName: 'TestRole', alertId: expect.any(String) });
    const [alert] = notifications('/security');
    expect(alert?.Subject).toBe(`split-role: shared role TestRole in ${MOTO_ACCOUNT}`);
    expect(alert?.Message).toContain(`Role:       TestRole (arn:aws:iam::${MOTO_ACCOUNT}:role/TestRole)`);
    expect(alert?.Message).toContain('Services:   ec2.amazonaws.com, lambda.amazonaws.com');
    expect(alert?.Message).toContain('Principals: arn:aws:iam::210987654321:root (cross-account)');
    expect(alert?.Message).toMatch(/Finding: {4}SR001 multi-service: .*; SR002 service-and-cross-account: /);
    expect(alert?.Message).toContain('Owner:      team-payments');
    expect(alert?.Message).toContain('Trigger:    iam:CreateRole at 2014-03-25T20:17:37Z by arn:aws:iam::123456789012:user/Alice');
    // The owner attribute routes it to the team's filtered subscription too.
    expect(notifications('/team-payments')).toHaveLength(1);
  });

  it('routes by owner: another team’s role does not reach this filtered subscription', async () => {
    await createRole(SHARED_TRUST, [{ Key: 'owner', Value: 'team-orders' }]);
    expect((await handler(eventbridge.events['update-assume-role-policy'])).status).toBe('non-compliant');
    expect(notifications('/security')).toHaveLength(1);
    expect(notifications('/team-payments')).toHaveLength(0);
  });

  it('stays silent for a single-service role, a failed call and a role already deleted', async () => {
    expect(await handler(eventbridge.events['create-role'])).toEqual({
      status: 'not-applicable',
      roleName: 'TestRole',
      reason: 'the role no longer exists',
    });
    await createRole(LAMBDA_TRUST);
    expect(await handler(eventbridge.events['update-assume-role-policy'])).toEqual({ status: 'compliant', roleName: 'TestRole' });
    expect(await handler(eventbridge.events['create-role-failed'])).toMatchObject({
      status: 'ignored',
      reason: expect.stringMatching(/failed/),
    });
    expect(deliveries.filter((d) => d.Type === 'Notification')).toEqual([]);
  });

  it('an MWAA execution role (airflow + airflow-env, which AWS requires together) is compliant; with EC2 added it alerts', async () => {
    const mwaa = (...extra: string[]) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: ['airflow.amazonaws.com', 'airflow-env.amazonaws.com', ...extra] },
            Action: 'sts:AssumeRole',
          },
        ],
      });
    await createRole(mwaa());
    expect(await handler(eventbridge.events['create-role'])).toEqual({ status: 'compliant', roleName: 'TestRole' });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'TestRole', PolicyDocument: mwaa('ec2.amazonaws.com') }));
    expect(await handler(eventbridge.events['update-assume-role-policy'])).toMatchObject({ status: 'non-compliant', roleName: 'TestRole' });
  });

  it('config mode: reports NON_COMPLIANT for a shared role (and alerts), COMPLIANT for a single-service one, NOT_APPLICABLE once deleted', async () => {
    await createRole(SHARED_TRUST, [{ Key: 'owner', Value: 'team-payments' }]);
    expect(await handler(config.events['configuration-change'])).toMatchObject({
      status: 'non-compliant',
      compliance: 'NON_COMPLIANT',
      alertId: expect.any(String),
    });
    expect(configFake.evaluations).toEqual([
      {
        resultToken: 'myResultToken',
        ComplianceResourceType: 'AWS::IAM::Role',
        ComplianceResourceId: 'AROAIUU2EOWSWPGX2UJUO',
        ComplianceType: 'NON_COMPLIANT',
        Annotation:
          'multi-service, service-and-cross-account: assumable by ec2.amazonaws.com, lambda.amazonaws.com, arn:aws:iam::210987654321:root',
        OrderingTimestamp: Date.parse('2016-02-17T01:36:34.043Z') / 1000,
      },
    ]);
    expect(notifications('/security')[0]?.Message).toContain('Trigger:    AWS Config evaluation');

    await iam.send(
      new (await import('@aws-sdk/client-iam')).UpdateAssumeRolePolicyCommand({ RoleName: 'TestRole', PolicyDocument: LAMBDA_TRUST }),
    );
    expect(await handler(config.events.oversized)).toMatchObject({ status: 'compliant', compliance: 'COMPLIANT' });
    expect(await handler(config.events['configuration-change-deleted'])).toMatchObject({
      status: 'not-applicable',
      compliance: 'NOT_APPLICABLE',
    });
    expect(configFake.evaluations.map((e) => e.ComplianceType)).toEqual(['NON_COMPLIANT', 'COMPLIANT', 'NOT_APPLICABLE']);
    expect(await handler(config.events.scheduled)).toMatchObject({ status: 'ignored' });
    expect(configFake.evaluations).toHaveLength(3);
  });

  it('the package guardrail export writes runs as Lambda runs it, with only the SDK from outside', async () => {
    const out = await mkdtemp(join(tmpdir(), 'split-role-guardrail-'));
    const run = await runCli(['guardrail', 'export', '--format', 'terraform', '--out', out], isolatedAwsEnv());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Deploy in us-east-1: IAM's CloudTrail events/);
    const task = join(out, 'task');
    for (const [name, bytes] of Object.entries(unzipSync(await readFile(join(out, 'split-role-guardrail.zip'))))) {
      await mkdir(dirname(join(task, name)), { recursive: true });
      await writeFile(join(task, name), bytes);
    }
    // The Lambda runtime provides the AWS SDK; here, the project's own copy stands in for it.
    await symlink(join(ROOT, 'node_modules'), join(task, 'node_modules'));
    await createRole(SHARED_TRUST, [{ Key: 'owner', Value: 'team-payments' }]);
    const script = `import('./guardrail/handler.js').then((m) => m.handler(${JSON.stringify(eventbridge.events['create-role'])})).then((r) => process.stdout.write('RESULT ' + JSON.stringify(r)))`;
    // Asynchronously: moto delivers the alert to the sink in this process while the child waits on Publish.
    const child = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const proc = spawn(process.execPath, ['--input-type=module', '-e', script], {
        cwd: task,
        env: isolatedAwsEnv({ AWS_ENDPOINT_URL: motoEndpoint, AWS_REGION: TEST_REGION, GUARDRAIL_TOPIC_ARN: topicArn }),
      });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      proc.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout.split('RESULT ')[1] as string)).toMatchObject({ status: 'non-compliant', roleName: 'TestRole' });
    expect(notifications('/security')).toHaveLength(1);
  });

  it.each([
    [['--sns-topic', 'arn:aws:sns:us-east-1:123456789012:alerts.fifo'], /--sns-topic .* is not an SNS topic ARN/],
    [['--email', 'not-an-address'], /--email "not-an-address" is not an e-mail address/],
  ])('guardrail export %j exits 2 and writes nothing', async (args, message) => {
    const out = join(await mkdtemp(join(tmpdir(), 'split-role-guardrail-bad-')), 'out');
    const run = await runCli(['guardrail', 'export', '--format', 'cloudformation', ...args, '--out', out], isolatedAwsEnv());
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
    await expect(readFile(join(out, 'split-role-guardrail.zip'))).rejects.toThrow();
  });
});
