/**
 * A realistic account in moto: a shared "orders" role used by EC2 instances
 * (through an instance profile), two Lambda functions and an ECS service,
 * with inline and managed policies and tags, plus the CloudTrail records
 * that show what each service really did. Tests, benchmarks and the demo
 * share it.
 */
import { EC2Client, AssociateIamInstanceProfileCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import { isolatedAwsEnv, runCli } from './cli.js';
import { writeTrailFiles } from './trail-files.js';

/** What the seeded account contains, for assertions. */
export interface OrdersScenario {
  account: string;
  region: string;
  roleName: string;
  roleArn: string;
  instanceIds: string[];
  functionNames: string[];
  clusterName: string;
  /** The first ECS service (the only one by default). */
  serviceName: string;
  /** The first service's task definition. */
  taskDefinitionArn: string;
  /** Every ECS service, in creation order (each has its own task-definition family). */
  serviceNames: string[];
  /** Each service's task definition, same order as serviceNames. */
  taskDefinitionArns: string[];
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ROLE = 'orders';
const BUCKET = 'arn:aws:s3:::orders-data';
const TABLE = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders`;
const QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:orders-events`;

/** The shared role's inline policy. */
export const ORDERS_INLINE_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Objects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `${BUCKET}/*` },
    { Sid: 'Table', Effect: 'Allow', Action: 'dynamodb:*', Resource: TABLE },
    {
      Sid: 'Queue',
      Effect: 'Allow',
      Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      Resource: QUEUE,
    },
    {
      Sid: 'Secrets',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:orders/*`,
      Condition: { StringEquals: { 'aws:ResourceTag/team': 'orders' } },
    },
  ],
};

/** The customer-managed policy attached to the shared role. */
export const ORDERS_MANAGED_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' },
    { Sid: 'Params', Effect: 'Allow', Action: 'ssm:GetParameter*', Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/orders/*` },
    { Sid: 'Keys', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*' },
    {
      Sid: 'Images',
      Effect: 'Allow',
      Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: '*',
    },
    { Sid: 'NoIam', Effect: 'Deny', Action: 'iam:*', Resource: '*' },
  ],
};

const TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Workloads',
      Effect: 'Allow',
      Principal: { Service: ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'] },
      Action: 'sts:AssumeRole',
    },
  ],
};

/** A zip file with no entries: enough for moto to accept a function. */
export const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

/** Creates a Lambda function in `region` running as `roleArn` (workloads in other regions than the scenario's). */
export async function addFunctionIn(endpoint: string, region: string, name: string, roleArn: string): Promise<void> {
  const lambda = new LambdaClient({ endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  try {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Role: roleArn,
        Runtime: 'python3.12',
        Handler: 'app.handler',
        Code: { ZipFile: EMPTY_ZIP },
      }),
    );
  } finally {
    lambda.destroy();
  }
}

/** How big an orders account to seed. Defaults: 2 instances, 2 functions, 1 ECS service. */
export interface SeedOptions {
  instances?: number;
  functions?: number;
  /** ECS services, each with its own task-definition family (orders-web, orders-web-2, …). */
  services?: number;
  publishVersion?: boolean;
  /** Seeds moto's RNG first, so the same seed after a reset gives the same ids. */
  randomSeed?: number;
  /** Seed another account: credentials moto ties to it (from an AssumeRole there), and its id. */
  member?: { account: string; credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } };
}

/** Seeds the orders account into moto at `endpoint` (moto should be freshly reset). */
export async function seedOrdersScenario(endpoint: string, options: SeedOptions = {}): Promise<OrdersScenario> {
  if (options.randomSeed !== undefined) {
    // moto draws every id (instances, associations, role ids) from one RNG: seeding it makes a reseed reproduce the account exactly.
    const res = await fetch(`${endpoint}/moto-api/seed?a=${options.randomSeed}`, { method: 'POST' });
    if (!res.ok) throw new Error(`moto seed failed: HTTP ${res.status}`);
  }
  const config = {
    endpoint,
    region: REGION,
    credentials: options.member?.credentials ?? { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const iam = new IAMClient(config);
  const ec2 = new EC2Client(config);
  const lambda = new LambdaClient(config);
  const ecs = new ECSClient(config);
  try {
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: ROLE,
        AssumeRolePolicyDocument: JSON.stringify(TRUST),
        Description: 'Shared by every orders workload',
        Tags: [
          { Key: 'team', Value: 'orders' },
          { Key: 'cost-center', Value: 'cc-1234' },
        ],
      }),
    );
    const roleArn = role.Role?.Arn as string;
    await iam.send(
      new PutRolePolicyCommand({ RoleName: ROLE, PolicyName: 'orders-data', PolicyDocument: JSON.stringify(ORDERS_INLINE_POLICY) }),
    );
    const managed = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'orders-common', PolicyDocument: JSON.stringify(ORDERS_MANAGED_POLICY) }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: managed.Policy?.Arn }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: ROLE, Tags: [{ Key: 'team', Value: 'orders' }] }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: ROLE, RoleName: ROLE }));

    // A deploy user who can pass the role, and a role the shared role may assume: both become follow-ups.
    await iam.send(new CreateUserCommand({ UserName: 'orders-deployer' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'orders-deployer',
        PolicyName: 'pass-orders',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: roleArn }],
        }),
      }),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'orders-reporting',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: roleArn }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );

    const instanceCount = options.instances ?? 2;
    const run =
      instanceCount > 0
        ? await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: instanceCount, MaxCount: instanceCount }))
        : undefined;
    const instanceIds = (run?.Instances ?? []).map((i) => i.InstanceId as string);
    for (const instanceId of instanceIds) {
      await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: { Name: ROLE } }));
    }

    const functionCount = options.functions ?? 2;
    const functionNames = [
      'orders-api',
      'orders-worker',
      'orders-extra',
      'orders-more',
      ...Array.from({ length: Math.max(0, functionCount - 4) }, (_, i) => `orders-fn-${i + 5}`),
    ].slice(0, functionCount);
    for (const name of functionNames) {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Role: roleArn,
          Runtime: 'python3.12',
          Handler: 'app.handler',
          Code: { ZipFile: EMPTY_ZIP },
        }),
      );
    }
    // A published version keeps the shared role forever; it blocks retirement, so only some tests want one.
    if (options.publishVersion) await lambda.send(new PublishVersionCommand({ FunctionName: functionNames[0] }));

    await ecs.send(new CreateClusterCommand({ clusterName: 'orders' }));
    const serviceNames = Array.from({ length: options.services ?? 1 }, (_, i) => (i === 0 ? 'orders-web' : `orders-web-${i + 1}`));
    const taskDefinitionArns: string[] = [];
    for (const serviceName of serviceNames) {
      const td = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: serviceName,
          taskRoleArn: roleArn,
          executionRoleArn: roleArn,
          containerDefinitions: [{ name: 'web', image: 'public.ecr.aws/nginx/nginx:latest', memory: 256 }],
        }),
      );
      const taskDefinitionArn = td.taskDefinition?.taskDefinitionArn as string;
      taskDefinitionArns.push(taskDefinitionArn);
      await ecs.send(new CreateServiceCommand({ cluster: 'orders', serviceName, taskDefinition: taskDefinitionArn, desiredCount: 1 }));
    }
    return {
      account: options.member?.account ?? ACCOUNT,
      region: REGION,
      roleName: ROLE,
      roleArn,
      instanceIds,
      functionNames,
      clusterName: 'orders',
      serviceName: serviceNames[0] ?? '',
      taskDefinitionArn: taskDefinitionArns[0] ?? '',
      serviceNames,
      taskDefinitionArns,
    };
  } finally {
    for (const client of [iam, ec2, lambda, ecs]) client.destroy();
  }
}

/** What each service of the scenario does, in CloudTrail terms: [eventSource, eventName, data event?]. */
const BEHAVIOUR: Record<string, Array<[string, string, boolean]>> = {
  ec2: [
    ['s3.amazonaws.com', 'GetObject', true],
    ['s3.amazonaws.com', 'PutObject', true],
    ['ssm.amazonaws.com', 'GetParameter', false],
    ['kms.amazonaws.com', 'Decrypt', false],
  ],
  lambda: [
    ['dynamodb.amazonaws.com', 'DescribeTable', false],
    ['sqs.amazonaws.com', 'SendMessage', true],
    ['secretsmanager.amazonaws.com', 'GetSecretValue', false],
    ['logs.amazonaws.com', 'CreateLogStream', false],
  ],
  ecs: [
    ['ecr.amazonaws.com', 'GetAuthorizationToken', false],
    ['sqs.amazonaws.com', 'ReceiveMessage', true],
    ['ssm.amazonaws.com', 'GetParametersByPath', false],
    ['logs.amazonaws.com', 'CreateLogStream', false],
  ],
};

/**
 * The DynamoDB item calls the Lambda functions make: data events, recorded only by a trail that logs DynamoDB
 * data events (opt in with `dataEvents`; without them, the table's item actions are a blind spot).
 */
const LAMBDA_TABLE_DATA_EVENTS: Array<[string, string, boolean]> = [
  ['dynamodb.amazonaws.com', 'GetItem', true],
  ['dynamodb.amazonaws.com', 'PutItem', true],
  ['dynamodb.amazonaws.com', 'Query', true],
];

/** What a data event names, as CloudTrail lists it (an S3 object before its bucket); the policy's bucket, table and queue. */
function dataResources(account: string, eventSource: string, sessionName: string): NonNullable<CloudTrailRecord['resources']> {
  if (eventSource === 's3.amazonaws.com') {
    return [
      { type: 'AWS::S3::Object', ARN: `${BUCKET}/${sessionName}.json` },
      { accountId: account, type: 'AWS::S3::Bucket', ARN: BUCKET },
    ];
  }
  if (eventSource === 'dynamodb.amazonaws.com') return [{ accountId: account, type: 'AWS::DynamoDB::Table', ARN: TABLE }];
  // The scenario's other data events are SQS's.
  return [{ accountId: account, type: 'AWS::SQS::Queue', ARN: QUEUE }];
}

/**
 * CloudTrail records for the scenario over the days before `end`: AssumeRole
 * events by each service, the sessions' calls, and noise from other
 * principals. `unattributed` adds calls from a session no AssumeRole explains;
 * `resources` lists the bucket and queue the data events touch, as CloudTrail does;
 * `dataEvents` adds the functions' DynamoDB item calls, as a trail that records DynamoDB data events would.
 */
export function scenarioRecords(
  scenario: OrdersScenario,
  options: { end?: Date; days?: number; unattributed?: boolean; resources?: boolean; dataEvents?: boolean } = {},
): CloudTrailRecord[] {
  const end = options.end ?? new Date();
  const days = options.days ?? 3;
  const records: CloudTrailRecord[] = [];
  let key = 0;
  const at = (day: number, minute: number) => new Date(end.getTime() - day * 86_400_000 - minute * 60_000).toISOString();
  const session = (principal: string, sessionName: string, day: number, calls: Array<[string, string, boolean]>) => {
    const accessKeyId = `ASIA${String(++key).padStart(16, '0')}`;
    records.push({
      eventTime: at(day, 30),
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      eventCategory: 'Management',
      userIdentity: { type: 'AWSService', invokedBy: principal },
      requestParameters: { roleArn: scenario.roleArn, roleSessionName: sessionName },
      responseElements: { credentials: { accessKeyId, sessionToken: 'x', expiration: at(day, 0) } },
    });
    calls.forEach(([eventSource, eventName, data], i) => {
      records.push({
        eventTime: at(day, 20 - i),
        eventSource,
        eventName,
        eventCategory: data ? 'Data' : 'Management',
        ...(data && options.resources ? { resources: dataResources(scenario.account, eventSource, sessionName) } : {}),
        userIdentity: {
          type: 'AssumedRole',
          arn: `arn:aws:sts::${scenario.account}:assumed-role/${scenario.roleName}/${sessionName}`,
          accessKeyId,
          sessionContext: { sessionIssuer: { type: 'Role', arn: scenario.roleArn, userName: scenario.roleName } },
        },
      });
    });
  };
  for (let day = 0; day < days; day++) {
    for (const id of scenario.instanceIds) session('ec2.amazonaws.com', id, day, BEHAVIOUR.ec2 ?? []);
    const lambdaCalls = [...(BEHAVIOUR.lambda ?? []), ...(options.dataEvents ? LAMBDA_TABLE_DATA_EVENTS : [])];
    for (const name of scenario.functionNames) session('lambda.amazonaws.com', name, day, lambdaCalls);
    session('ecs-tasks.amazonaws.com', `${day}`.padStart(32, 'a'), day, BEHAVIOUR.ecs ?? []);
    // Noise: a human and another role calling the same APIs must never count.
    records.push({
      eventTime: at(day, 5),
      eventSource: 'dynamodb.amazonaws.com',
      eventName: 'DeleteTable',
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${scenario.account}:user/alice`, accessKeyId: 'AKIAALICE' },
    });
    records.push({
      eventTime: at(day, 6),
      eventSource: 's3.amazonaws.com',
      eventName: 'DeleteObject',
      eventCategory: 'Data',
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${scenario.account}:assumed-role/other-role/i-0123456789abcdef0`,
        accessKeyId: 'ASIAOTHER',
        sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${scenario.account}:role/other-role` } },
      },
    });
  }
  if (options.unattributed) {
    records.push({
      eventTime: at(0, 1),
      eventSource: 'kms.amazonaws.com',
      eventName: 'GenerateDataKey',
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${scenario.account}:assumed-role/${scenario.roleName}/debug-session`,
        accessKeyId: 'ASIAUNKNOWN',
        sessionContext: { sessionIssuer: { type: 'Role', arn: scenario.roleArn } },
      },
    });
  }
  return records.sort((a, b) => a.eventTime.localeCompare(b.eventTime));
}

/** `plan --role ROLE --yes --out OUT` over the trail files in `trail`, blind spots dropped; then `extra` (e.g. `--regions`). */
export function planArgs(role: string, out: string, trail: string, ...extra: string[]): string[] {
  return [
    'plan',
    ...['--role', role, '--yes', '--out', out],
    ...['--evidence', 'logs', '--cloudtrail-logs', trail],
    ...['--unobservable', 'drop'],
    ...extra,
  ];
}

/**
 * Plans the seeded scenario the way a user would: its trail files written
 * under a fresh folder in `dir`, then `split-role plan --evidence logs`
 * (blind spots dropped) against `endpoint`. Returns the plan file's path;
 * throws with the CLI's stderr if planning fails. The plan covers the
 * scenario's region unless `extraArgs` names regions or `everyRegion` asks
 * for plan's default (every enabled region: about twenty on moto, which the
 * region tests exercise and the others need not pay for).
 */
export async function planScenario(
  endpoint: string,
  scenario: OrdersScenario,
  dir: string,
  extraArgs: readonly string[] = [],
  everyRegion = false,
): Promise<string> {
  const trail = await mkdtemp(join(dir, 'trail-'));
  await writeTrailFiles(trail, scenarioRecords(scenario), scenario);
  const out = join(trail, 'orders.plan.json');
  // Plan's own region choice (every enabled one, or --regions checked against them) asks moto's DescribeRegions.
  const asksRegions = everyRegion || extraArgs.includes('--regions');
  const env = isolatedAwsEnv({
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL: endpoint,
    ...(asksRegions ? { SPLIT_ROLE_ENABLED_REGIONS: undefined } : {}),
  });
  const run = await runCli(
    planArgs(ROLE, out, trail, ...(everyRegion || extraArgs.includes('--regions') ? [] : ['--regions', REGION]), ...extraArgs),
    env,
  );
  if (run.code !== 0) throw new Error(`split-role plan failed (${run.code}): ${run.stderr}`);
  return out;
}

/** Every kind of mutating call a full apply of the orders plan makes, in order of first use. */
export const ORDERS_APPLY_MUTATIONS: readonly string[] = [
  'CreateRole',
  'PutRolePolicy',
  'CreateInstanceProfile',
  'AddRoleToInstanceProfile',
  'ReplaceIamInstanceProfileAssociation',
  'UpdateFunctionConfiguration',
  'RegisterTaskDefinition',
  'UpdateService',
  'RemoveRoleFromInstanceProfile',
  'DeleteInstanceProfile',
  'DetachRolePolicy',
  'DeleteRolePolicy',
  'DeleteRole',
];
