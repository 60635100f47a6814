/**
 * `split-role plan` end to end: the built CLI against moto holding the orders
 * scenario, with evidence from trail files (local and in moto's S3) and from
 * the LookupEvents fake.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateRoleCommand, GetRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { DeregisterTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readPlan, reviewPathFor } from '../../src/plan/plan-file.js';
import type { Plan, PlannedRole } from '../../src/plan/schema.js';
import { seedClients, serviceTrust, TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { queryError, startFaultProxy } from '../support/fault-proxy.js';
import { resetMoto } from '../support/moto-server.js';
import { scenarioRecords, seedOrdersScenario, type OrdersScenario } from '../support/scenario.js';
import { writeTrailFiles } from '../support/trail-files.js';
import { AccessAnalyzerFake } from '../fakes/access-analyzer-fake.js';
import { startCloudTrailFake, type CloudTrailFake } from '../fakes/cloudtrail-fake.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';

const endpoint = workerMotoEndpoint();

function roleFor(plan: Plan, service: string): PlannedRole {
  const role = plan.newRoles.find((r) => r.service === service);
  if (!role) throw new Error(`no role for ${service}`);
  return role;
}

function actionsOf(role: PlannedRole): string[] {
  return role.actions.map((a) => a.action).sort();
}

describe.skipIf(!endpoint)('split-role plan against moto', () => {
  const motoEndpoint = endpoint as string;
  const env = (extra: Record<string, string | undefined> = {}) =>
    isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: motoEndpoint, ...extra });
  let workdir: string;
  let scenario: OrdersScenario;
  let trailDir: string;

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'split-role-plan-'));
  });
  beforeEach(async () => {
    await resetMoto(motoEndpoint);
    scenario = await seedOrdersScenario(motoEndpoint, { publishVersion: true });
    trailDir = await mkdtemp(join(workdir, 'trail-'));
  });

  async function planWithLogs(extraArgs: string[], records = scenarioRecords(scenario)) {
    await writeTrailFiles(trailDir, records, scenario);
    const out = join(workdir, `orders-${Math.random().toString(16).slice(2)}.plan.json`);
    const run = await runCli(
      ['plan', '--role', 'orders', '--yes', '--out', out, '--evidence', 'logs', '--cloudtrail-logs', trailDir, ...extraArgs],
      env(),
    );
    return { run, out };
  }

  it('proposes taking an unused ecs.amazonaws.com out of the trust policy (no ECS service names the role, no events)', async () => {
    const { iam } = seedClients(motoEndpoint);
    const role = await iam.send(new GetRoleCommand({ RoleName: 'orders' }));
    const trust = JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '')) as { Statement: unknown[] };
    trust.Statement.push({
      Sid: 'EcsLoadBalancer',
      Effect: 'Allow',
      Principal: { Service: 'ecs.amazonaws.com' },
      Action: 'sts:AssumeRole',
    });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'orders', PolicyDocument: JSON.stringify(trust) }));
    const { run, out } = await planWithLogs(['--unobservable', 'drop']);
    expect(run.code, run.stderr).toBe(0);
    const plan = await readPlan(out);
    expect(plan.trustTrim?.principals).toEqual(['ecs.amazonaws.com']);
    expect(plan.trustTrim?.evidence.regions).toEqual(plan.regions);
    expect(plan.newRoles.map((r) => r.service)).not.toContain('ecs.amazonaws.com');
    expect(JSON.stringify(plan.trustTrim?.after)).not.toContain('ecs.amazonaws.com');
    expect(await readFile(reviewPathFor(out), 'utf8')).toMatch(/^Remove `ecs\.amazonaws\.com` from /m);
  });

  it('writes a plan with one narrowed role per service from local trail files', async () => {
    const { run, out } = await planWithLogs(['--unobservable', 'drop']);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(out);
    const plan = await readPlan(out);

    expect(plan.account).toBe(scenario.account);
    expect(plan.sharedRole.roleName).toBe('orders');
    expect(plan.newRoles.map((r) => r.roleName).sort()).toEqual(['orders-ec2', 'orders-ecs', 'orders-lambda']);

    const ec2 = roleFor(plan, 'ec2.amazonaws.com');
    expect(actionsOf(ec2)).toEqual(['kms:Decrypt', 's3:GetObject', 's3:PutObject', 'ssm:GetParameter']);
    expect(ec2.instanceProfile?.name).toBe('orders-ec2');
    expect(ec2.trustPolicy.Statement).toEqual([
      { Sid: 'Workloads', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const ec2Statements = ec2.inlinePolicies.flatMap((p) => p.document.Statement);
    expect(ec2Statements).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::orders-data/*' }),
    );
    expect(ec2Statements).toContainEqual({ Sid: 'NoIam', Effect: 'Deny', Action: 'iam:*', Resource: '*' });
    expect(JSON.stringify(ec2Statements)).not.toContain('dynamodb');

    const lambda = roleFor(plan, 'lambda.amazonaws.com');
    // Lambda's runtime baseline is kept although --unobservable drop: its logs keep working.
    expect(actionsOf(lambda)).toEqual([
      'dynamodb:DescribeTable',
      'logs:CreateLogGroup',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
    ]);
    expect(lambda.actions.filter((a) => a.origin === 'baseline').map((a) => a.action)).toEqual([
      'logs:CreateLogGroup',
      'logs:PutLogEvents',
    ]);
    const secrets = lambda.inlinePolicies
      .flatMap((p) => p.document.Statement)
      .find((s) => JSON.stringify(s.Action).includes('secretsmanager'));
    expect(secrets?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/team': 'orders' } });

    const ecs = roleFor(plan, 'ecs-tasks.amazonaws.com');
    // The shared role is the task definition's execution role: the agent's image pull and logs are baselines.
    expect(actionsOf(ecs)).toEqual([
      'ecr:BatchGetImage',
      'ecr:GetAuthorizationToken',
      'ecr:GetDownloadUrlForLayer',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:ReceiveMessage',
      'ssm:GetParametersByPath',
    ]);

    for (const role of plan.newRoles) {
      expect(role.tags).toEqual(
        expect.arrayContaining([
          { Key: 'team', Value: 'orders' },
          { Key: 'split-role:source-role', Value: 'orders' },
          { Key: 'split-role:service', Value: role.service },
          { Key: 'split-role:plan-id', Value: plan.planId },
        ]),
      );
    }

    expect(plan.workloads.filter((w) => w.kind === 'ec2-instance')).toHaveLength(2);
    expect(
      plan.workloads
        .filter((w) => w.kind === 'lambda-function')
        .map((w) => (w.kind === 'lambda-function' ? w.functionName : ''))
        .sort(),
    ).toEqual(['orders-api', 'orders-worker']);
    const service = plan.workloads.find((w) => w.kind === 'ecs-service');
    expect(service).toMatchObject({
      serviceName: 'orders-web',
      current: { taskDefinitionArn: scenario.taskDefinitionArn, taskRoleArn: scenario.roleArn, executionRoleArn: scenario.roleArn },
      target: { taskRoleArn: ecs.roleArn, executionRoleArn: ecs.roleArn },
    });
    expect(plan.followUps.map((f) => f.kind).sort()).toEqual(['lambda-published-version', 'passrole-reference', 'trust-reference']);
    expect(plan.unused.flatMap((u) => u.patterns)).toEqual(expect.arrayContaining(['s3:DeleteObject']));
    // Kept as an ECS baseline, so not reported as dropped.
    expect(plan.unused.flatMap((u) => u.patterns)).not.toContain('ecr:BatchGetImage');
    expect(plan.retireSharedRole).toBe(true);

    const review = await readFile(out.replace(/\.json$/, '.md'), 'utf8');
    expect(review).toContain('# split-role plan: orders');
    expect(review).toMatch(/```diff\n[\s\S]*-\s+"Action": "dynamodb:\*"/);
  });

  it('renders a saved plan with show, and refuses one edited after review', async () => {
    const { out } = await planWithLogs(['--unobservable', 'drop']);
    const show = await runCli(['show', out], env());
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('orders-lambda');
    const json = await runCli(['show', '--json', out], env());
    expect(JSON.parse(json.stdout)).toHaveProperty('planId', (await readPlan(out)).planId);

    const tampered = join(workdir, 'tampered.plan.json');
    const text = await readFile(out, 'utf8');
    await writeFile(tampered, text.replace('"kms:Decrypt"', '"kms:*"'));
    const refused = await runCli(['show', tampered], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/PlanDigestMismatch/);
  });

  it('keeps blind spots only when told to', async () => {
    const { run, out } = await planWithLogs(['--unobservable', 'keep']);
    expect(run.code).toBe(0);
    const plan = await readPlan(out);
    const lambda = roleFor(plan, 'lambda.amazonaws.com');
    expect(lambda.unobservable.map((u) => u.action)).toContain('logs:PutLogEvents');
    expect(lambda.actions).toContainEqual(expect.objectContaining({ action: 'logs:PutLogEvents', origin: 'baseline' }));
    expect(lambda.unobservable.find((u) => u.action === 'logs:PutLogEvents')).toMatchObject({ baseline: true, kept: true });
  });

  it('requires ownership tags the shared role lacks, takes them from --tag, and never changes its own', async () => {
    // --debug shows progress without a terminal: the refusal comes before workloads and evidence are read.
    const missing = await planWithLogs(['--unobservable', 'drop', '--require-tags', 'team,owner,application', '--debug']);
    expect(missing.run.code).toBe(2);
    expect(missing.run.stderr).toContain(
      'split-role: UsageError: orders lacks the required tags owner, application, so the new roles would too — pass --tag owner=VALUE --tag application=VALUE (or run on a terminal to be asked)\n',
    );
    expect(missing.run.stderr).not.toMatch(/indexing workloads|reading logs evidence/);
    expect(existsSync(missing.out)).toBe(false);

    const changed = await planWithLogs(['--unobservable', 'drop', '--tag', 'team=payments']);
    expect(changed.run.code).toBe(2);
    expect(changed.run.stderr).toMatch(/--tag team=payments would change orders's tag team=orders on the new roles/);

    const tagged = await planWithLogs([
      '--unobservable',
      'drop',
      '--require-tags',
      'team,owner,application',
      '--tag',
      'owner=team-orders',
      '--tag',
      'application=orders-api',
    ]);
    expect(tagged.run.code).toBe(0);
    const plan = await readPlan(tagged.out);
    for (const role of plan.newRoles) {
      expect(Object.fromEntries(role.tags.map((t) => [t.Key, t.Value]))).toMatchObject({
        team: 'orders',
        'cost-center': 'cc-1234',
        owner: 'team-orders',
        application: 'orders-api',
      });
    }
    const review = await readFile(tagged.out.replace(/\.json$/, '.md'), 'utf8');
    expect(review).toContain('`owner=team-orders` (added)');
    expect(review).toMatch(/`team=orders`, /);
  });

  it('requires a decision for unattributed usage and names the flag', async () => {
    const records = scenarioRecords(scenario, { unattributed: true });
    const { run, out } = await planWithLogs(['--unobservable', 'drop'], records);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--unattributed grant-all\|drop/);
    expect(existsSync(out)).toBe(false);

    const granted = await planWithLogs(['--unobservable', 'drop', '--unattributed', 'grant-all'], records);
    expect(granted.run.code).toBe(0);
    const plan = await readPlan(granted.out);
    for (const role of plan.newRoles) {
      expect(role.actions).toContainEqual(expect.objectContaining({ action: 'kms:GenerateDataKey', origin: 'unattributed' }));
    }
  });

  it('reads trail files from S3', async () => {
    const written = await writeTrailFiles(trailDir, scenarioRecords(scenario), scenario);
    const s3 = new S3Client({ endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'org-trail' }));
    for (const file of written) {
      await s3.send(new PutObjectCommand({ Bucket: 'org-trail', Key: `logs/${file}`, Body: await readFile(join(trailDir, file)) }));
    }
    // A corrupt object is skipped and counted, never fatal when --max-skipped-files allows it.
    await s3.send(
      new PutObjectCommand({ Bucket: 'org-trail', Key: `logs/${written[0]!.replace(/\.json\.gz$/, '_x.json.gz')}`, Body: 'not gzip' }),
    );
    s3.destroy();
    const out = join(workdir, 's3.plan.json');
    const run = await runCli(
      [
        'plan',
        '--role',
        'orders',
        '--yes',
        '--out',
        out,
        '--evidence',
        'logs',
        '--cloudtrail-logs',
        's3://org-trail/logs/',
        '--unobservable',
        'drop',
        '--max-skipped-files',
        '1',
      ],
      env(),
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: .*1/);
    const plan = await readPlan(out);
    expect(actionsOf(roleFor(plan, 'ec2.amazonaws.com'))).toEqual(['kms:Decrypt', 's3:GetObject', 's3:PutObject', 'ssm:GetParameter']);
    expect(plan.evidence.warnings.length).toBeGreaterThan(0);
  });

  describe('with the LookupEvents fake', () => {
    let fake: CloudTrailFake;
    beforeAll(async () => {
      fake = await startCloudTrailFake();
    });
    afterAll(async () => {
      await fake.close();
    });

    it('plans from LookupEvents, marking data events as unobservable', async () => {
      fake.reset();
      fake.addRecords(scenarioRecords(scenario, { days: 1 }));
      const out = join(workdir, 'lookup.plan.json');
      const run = await runCli(
        ['plan', '--role', 'orders', '--yes', '--out', out, '--unobservable', 'drop'],
        env({ AWS_ENDPOINT_URL_CLOUDTRAIL: fake.endpoint }),
      );
      expect(run.stderr).not.toMatch(/Error/);
      expect(run.code).toBe(0);
      expect(fake.throttled).toBe(0);
      const plan = await readPlan(out);
      expect(plan.evidence.source).toBe('lookup-events');
      const ec2 = roleFor(plan, 'ec2.amazonaws.com');
      expect(actionsOf(ec2)).toEqual(['kms:Decrypt', 'ssm:GetParameter']);
      expect(ec2.unobservable.map((u) => u.action)).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject']));
    });

    it('fails with exit 2 when there are no events at all', async () => {
      fake.reset();
      const run = await runCli(
        ['plan', '--role', 'orders', '--yes', '--unobservable', 'drop'],
        env({ AWS_ENDPOINT_URL_CLOUDTRAIL: fake.endpoint }),
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/NoEvidence: no CloudTrail activity of orders/);
    });
  });

  it('splits Access Analyzer’s generated actions by CloudTrail attribution', async () => {
    const analyzer = await AccessAnalyzerFake.start({ pollsToComplete: 1 });
    try {
      analyzer.setActivity(scenario.roleArn, {
        actions: ['s3:GetObject', 'ssm:GetParameter', 'sqs:DeleteMessage'],
        serviceLevel: ['dynamodb'],
      });
      await writeTrailFiles(trailDir, scenarioRecords(scenario), scenario);
      const out = join(workdir, 'analyzer.plan.json');
      const args = ['plan', '--role', 'orders', '--yes', '--out', out, '--evidence', 'access-analyzer', '--cloudtrail-logs', trailDir];
      const trail = [
        '--trail-arn',
        `arn:aws:cloudtrail:${TEST_REGION}:${scenario.account}:trail/org`,
        '--access-role-arn',
        `arn:aws:iam::${scenario.account}:role/aa-access`,
      ];
      const run = await runCli(
        [...args, ...trail, '--unobservable', 'drop', '--unattributed', 'grant-all'],
        env({ AWS_ENDPOINT_URL_ACCESSANALYZER: analyzer.endpoint }),
      );
      expect(run.stderr).not.toMatch(/Error/);
      expect(run.code).toBe(0);
      expect(analyzer.operations).toContain('StartPolicyGeneration');
      const plan = await readPlan(out);
      expect(plan.evidence.source).toBe('access-analyzer');
      expect(plan.unattributed.map((u) => u.action)).toEqual(['sqs:DeleteMessage']);
      for (const role of plan.newRoles) {
        expect(role.actions).toContainEqual(expect.objectContaining({ action: 'sqs:DeleteMessage', origin: 'unattributed' }));
      }
      expect(roleFor(plan, 'ec2.amazonaws.com').actions).toContainEqual(
        expect.objectContaining({ action: 's3:GetObject', origin: 'used' }),
      );
      // DynamoDB came back only at service level: its granted actions the trail did not show are listed, never "dynamodb:*".
      const ec2Blind = roleFor(plan, 'ec2.amazonaws.com').unobservable;
      expect(ec2Blind).toContainEqual(
        expect.objectContaining({
          action: 'dynamodb:DescribeTable',
          reason: expect.stringMatching(/only at service level \(dynamodb:\*\)/),
        }),
      );
      expect(JSON.stringify(plan.newRoles.map((r) => r.inlinePolicies))).not.toContain('dynamodb:*');
    } finally {
      await analyzer.close();
    }
  });

  it.each([
    [['--role', 'nope'], /NoSuchRole: role not found: nope/],
    [['--role', 'single'], /NotShared: single is not shared/],
    [['--role', 'AWSServiceRoleForThing'], /ServiceLinkedRole/],
    [['--role', 'orders', '--evidence', 'logs'], /--cloudtrail-logs PATH/],
    [['--role', 'orders', '--since', 'yesterday'], /--since yesterday/],
    [[], /pass --role NAME/],
  ])('refuses bad input %j with exit 2', async (args, message) => {
    const iam = seedClients(motoEndpoint).iam;
    await iam.send(new CreateRoleCommand({ RoleName: 'single', AssumeRolePolicyDocument: serviceTrust('lambda.amazonaws.com') }));
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'AWSServiceRoleForThing',
        Path: '/aws-service-role/thing.amazonaws.com/',
        AssumeRolePolicyDocument: serviceTrust('thing.amazonaws.com', 'other.amazonaws.com'),
      }),
    );
    const run = await runCli(['plan', '--yes', ...args], env({ AWS_ENDPOINT_URL_CLOUDTRAIL: 'http://127.0.0.1:9' }));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names the missing permission when a read is denied', async () => {
    await writeTrailFiles(trailDir, scenarioRecords(scenario), scenario);
    const proxy = await startFaultProxy(motoEndpoint);
    proxy.setRule((req) =>
      req.operation === 'GetAccountAuthorizationDetails'
        ? queryError(403, 'AccessDenied', 'not authorized to perform: iam:GetAccountAuthorizationDetails')
        : undefined,
    );
    try {
      const run = await runCli(
        ['plan', '--role', 'orders', '--yes', '--evidence', 'logs', '--cloudtrail-logs', trailDir, '--unobservable', 'drop'],
        env({ AWS_ENDPOINT_URL: proxy.endpoint }),
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/AccessDenied: .* — grant iam:GetAccountAuthorizationDetails to the caller/);
    } finally {
      await proxy.close();
    }
  });

  it('moves an ECS service that runs a deregistered (INACTIVE) task-definition revision', async () => {
    const ecs = new ECSClient({ endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: scenario.taskDefinitionArn }));
    ecs.destroy();
    const { run, out } = await planWithLogs(['--unobservable', 'drop']);
    expect(run.code, run.stderr).toBe(0);
    const plan = await readPlan(out);
    const moves = plan.workloads.filter((w) => w.kind === 'ecs-service');
    expect(moves).toContainEqual(
      expect.objectContaining({
        serviceName: scenario.serviceName,
        current: expect.objectContaining({ taskDefinitionArn: scenario.taskDefinitionArn }),
      }),
    );
  });

  it('NoEvidence from trail files does not suggest the trail files it already read', async () => {
    // Trail files that hold only other principals' calls: read, and nothing of orders in them.
    const noise = scenarioRecords(scenario).filter((r) => r.userIdentity?.type === 'IAMUser');
    expect(noise.length).toBeGreaterThan(0);
    const { run } = await planWithLogs(['--unobservable', 'drop'], noise);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /NoEvidence: no CloudTrail activity of orders .* — widen --since, or check that --cloudtrail-logs holds this account’s and region’s trail files/,
    );
    expect(run.stderr).not.toMatch(/use --evidence logs/);
  });

  it('an empty --cloudtrail-logs folder says no trail files were found there, not "widen --since"', async () => {
    const { run } = await planWithLogs(['--unobservable', 'drop'], []);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`NoEvidence: no trail files found under ${trailDir} for account ${scenario.account} dated `);
    expect(run.stderr).not.toMatch(/widen --since/);
  });

  it('skips corrupt local log files with a counted warning', async () => {
    // Inside the window: files dated before --since are never opened.
    const [yyyy, mm, dd] = new Date().toISOString().slice(0, 10).split('-') as [string, string, string];
    const folder = join(trailDir, 'AWSLogs', scenario.account, 'CloudTrail', scenario.region, yyyy, mm, dd);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'broken.json.gz'), 'garbage');
    await writeFile(join(folder, 'broken.json'), '{"Records": [');
    const { run, out } = await planWithLogs(['--unobservable', 'drop', '--max-skipped-files', '2']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: /);
    const plan = await readPlan(out);
    expect(plan.evidence.warnings.join('\n')).toMatch(/2/);

    // Without a terminal the default limit is 0: unattended runs never plan from evidence with holes.
    const strict = await planWithLogs(['--unobservable', 'drop']);
    expect(strict.run.code).toBe(2);
    expect(
      strict.run.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('split-role: ')),
    ).toEqual([
      expect.stringMatching(
        /^split-role: TooManySkippedFiles: 2 of \d+ trail files were skipped as corrupt, more than --max-skipped-files 0 allows — /,
      ),
    ]);
    expect(existsSync(strict.out)).toBe(false);
  });

  it('says first, in the plan and its review, when most trail files were skipped as corrupt', async () => {
    const [yyyy, mm, dd] = new Date().toISOString().slice(0, 10).split('-') as [string, string, string];
    const folder = join(trailDir, 'AWSLogs', scenario.account, 'CloudTrail', scenario.region, yyyy, mm, dd);
    await mkdir(folder, { recursive: true });
    for (let i = 0; i < 60; i++) await writeFile(join(folder, `broken-${i}.json.gz`), 'garbage');
    const { run, out } = await planWithLogs(['--unobservable', 'drop', '--max-skipped-files', '60']);
    expect(run.code).toBe(0);
    const plan = await readPlan(out);
    expect(plan.warnings[0]).toMatch(/^most trail files were skipped as corrupt \(60 of \d+\): the evidence is incomplete/);
    const review = (await readFile(out.replace(/\.json$/, '.md'), 'utf8')).split('\n');
    expect(review.slice(0, 4)).toEqual([
      '# split-role plan: orders',
      '',
      '> [!WARNING]',
      expect.stringMatching(/^> - most trail files were skipped as corrupt/),
    ]);
  });

  it('never prints a trail file name’s escape sequences to the terminal or into the review', async () => {
    const [yyyy, mm, dd] = new Date().toISOString().slice(0, 10).split('-') as [string, string, string];
    const folder = join(trailDir, 'AWSLogs', scenario.account, 'CloudTrail', scenario.region, yyyy, mm, dd);
    await mkdir(folder, { recursive: true });
    // Sets the window title, clears the screen, then hides text in a bidi override.
    const hostile = '\u001b]0;pwned\u0007x\u001b[2J\u202e.json.gz';
    await writeFile(join(folder, hostile), 'garbage');
    const { run, out } = await planWithLogs(['--unobservable', 'drop', '--max-skipped-files', '1']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('\\u001B]0;pwned\\u0007x\\u001B[2J\\u202E.json.gz');
    // eslint-disable-next-line no-control-regex -- the test looks for the control characters that must not get through
    expect(run.stderr + run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    const review = await readFile(out.replace(/\.json$/, '.md'), 'utf8');
    // eslint-disable-next-line no-control-regex -- the test looks for the control characters that must not get through
    expect(review).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(review).toContain('\\u001B');
  });
});
