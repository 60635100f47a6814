/**
 * Roles defined as code, on moto: a real CloudFormation stack holds the shared
 * role (with a CDK construct path), its instance profile, an EC2 instance and two
 * Lambda functions. (Not an ECS service: moto's CloudFormation drops a task
 * definition's TaskRoleArn, so no service would be bound to the role; the unit
 * tests cover ECS ownership by the service's ARN.) `plan` must find each owner through
 * ListStackResources and GetTemplate, and `apply` must refuse with exit 2
 * before any call that changes the account; `apply --allow-iac-drift` then
 * changes them live, and `status` says so. The CloudFormation port's answers
 * on this stack are compared with the in-memory fake's on the same stack.
 * With the role's code cut over (its new roles made, its workloads moved),
 * `apply --adopt-roles` moves only an unmanaged function. A Terraform state
 * read from moto's S3 (`--terraform-state s3://…`) gives owners by address.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { DescribeIamInstanceProfileAssociationsCommand, EC2Client, ReplaceIamInstanceProfileAssociationCommand } from '@aws-sdk/client-ec2';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { sdkCloudFormationPort, type CloudFormationPort } from '../../src/aws/cloudformation.js';
import { openSessionProvider } from '../../src/aws/session.js';
import { awsErrorName } from '../../src/core/aws-error-names.js';
import type { Plan } from '../../src/plan/schema.js';
import { parseTemplate } from '../../src/plan-run/ownership.js';
import { MOTO_ACCOUNT, TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { FakeCloudFormation } from '../support/fake-account/cloudformation.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { resetMoto } from '../support/moto-server.js';
import { useFakeCredentialsInProcess } from '../support/process-credentials.js';
import { useProxiedCli } from '../support/proxied-cli.js';
import {
  EMPTY_ZIP,
  ORDERS_INLINE_POLICY,
  planScenario,
  scenarioRecords,
  seedOrdersScenario,
  type OrdersScenario,
} from '../support/scenario.js';
import { writeTrailFiles } from '../support/trail-files.js';

const endpoint = workerMotoEndpoint();
const STACK = 'orders-app';

const TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'] },
      Action: 'sts:AssumeRole',
    },
  ],
};

const fn = (name: string) => ({
  Type: 'AWS::Lambda::Function',
  Properties: {
    FunctionName: name,
    Runtime: 'python3.12',
    Handler: 'index.handler',
    Role: { 'Fn::GetAtt': ['SharedRole', 'Arn'] },
    Code: { ZipFile: 'def handler(event, context):\n    return 1\n' },
  },
});

/** A CDK-synthesised shape: construct paths in Metadata, everything on one shared role. */
const TEMPLATE = {
  AWSTemplateFormatVersion: '2010-09-09',
  Resources: {
    SharedRole: {
      Type: 'AWS::IAM::Role',
      Metadata: { 'aws:cdk:path': 'OrdersApp/SharedRole/Resource' },
      Properties: {
        RoleName: 'orders',
        AssumeRolePolicyDocument: TRUST,
        Policies: [{ PolicyName: 'orders-inline', PolicyDocument: ORDERS_INLINE_POLICY }],
      },
    },
    SharedProfile: {
      Type: 'AWS::IAM::InstanceProfile',
      Metadata: { 'aws:cdk:path': 'OrdersApp/SharedProfile' },
      Properties: { InstanceProfileName: 'orders', Roles: [{ Ref: 'SharedRole' }] },
    },
    Web: {
      Type: 'AWS::EC2::Instance',
      Metadata: { 'aws:cdk:path': 'OrdersApp/Web/Resource' },
      Properties: { ImageId: 'ami-12c6146b', InstanceType: 't3.micro', IamInstanceProfile: { Ref: 'SharedProfile' } },
    },
    OrdersFn: fn('orders-fn'),
    OrdersFn2: fn('orders-fn-2'),
  },
};

/** The stack's workloads as the orders scenario's trail describes them: its instance and both functions on the role. */
function stackScenario(instanceId: string): OrdersScenario {
  return {
    account: MOTO_ACCOUNT,
    region: TEST_REGION,
    roleName: 'orders',
    roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/orders`,
    instanceIds: [instanceId],
    functionNames: ['orders-fn', 'orders-fn-2'],
    clusterName: 'orders',
    serviceName: 'orders-svc',
    taskDefinitionArn: '',
    serviceNames: ['orders-svc'],
    taskDefinitionArns: [],
  };
}

function cloudFormation(): CloudFormationClient {
  return new CloudFormationClient({ region: TEST_REGION, endpoint, credentials: TEST_CREDENTIALS });
}

/** What the port answers about the stack, without the ids any two accounts give differently. */
async function transcript(port: CloudFormationPort): Promise<unknown> {
  const stacks = await port.listStacks();
  const resources = await port.listStackResources(STACK);
  const events = await port.stackEvents(STACK);
  return {
    stacks: stacks.map((s) => ({ name: s.stackName, idIsArn: s.stackId.startsWith(`arn:aws:cloudformation:${TEST_REGION}:`) })),
    resources: resources
      .map((r) => ({ logicalId: r.logicalId, type: r.type, hasPhysicalId: Boolean(r.physicalId) }))
      .sort((a, b) => a.logicalId.localeCompare(b.logicalId)),
    template: parseTemplate(await port.getTemplate(STACK)),
    created: events.some((e) => e.logicalId === STACK && e.type === 'AWS::CloudFormation::Stack' && e.status === 'CREATE_COMPLETE'),
    newestFirst: events.every((e, i) => i === 0 || events[i - 1]!.at.getTime() >= e.at.getTime()),
    missing: await port.listStackResources('no-such-stack').then(
      () => 'answered',
      (error: unknown) => awsErrorName(error),
    ),
  };
}

describe.skipIf(!endpoint)('roles defined as code: a CloudFormation stack on moto', () => {
  const run = useProxiedCli(endpoint ?? '', 'iac-owned-');
  useFakeCredentialsInProcess();

  it('plan records each owner from the stack, and apply refuses with exit 2 and no mutating call', async () => {
    await resetMoto(endpoint!);
    await cloudFormation().send(new CreateStackCommand({ StackName: STACK, TemplateBody: JSON.stringify(TEMPLATE) }));
    // moto's CloudFormation stores an inline policy as Python's repr of the dict (IAM returns JSON): put it again as IAM would hold it.
    await new IAMClient({ region: TEST_REGION, endpoint, credentials: TEST_CREDENTIALS }).send(
      new PutRolePolicyCommand({ RoleName: 'orders', PolicyName: 'orders-inline', PolicyDocument: JSON.stringify(ORDERS_INLINE_POLICY) }),
    );
    const listed = await cloudFormation().send(new ListStackResourcesCommand({ StackName: STACK }));
    const physical: Record<string, string | undefined> = Object.fromEntries(
      (listed.StackResourceSummaries ?? []).map((r) => [r.LogicalResourceId, r.PhysicalResourceId]),
    );
    const instanceId = physical.Web!;
    expect(instanceId).toMatch(/^i-/);

    // The port and the fake answer alike for the same stack.
    const provider = await openSessionProvider({ region: TEST_REGION, endpointUrl: endpoint! });
    try {
      const fake = new FakeCloudFormation(MOTO_ACCOUNT, TEST_REGION);
      fake.putStack({
        name: STACK,
        template: JSON.stringify(TEMPLATE),
        resources: (listed.StackResourceSummaries ?? []).map((r) => ({
          logicalId: r.LogicalResourceId!,
          physicalId: r.PhysicalResourceId!,
          type: r.ResourceType!,
        })),
      });
      expect(await transcript(sdkCloudFormationPort(provider.home))).toEqual(await transcript(fake));
    } finally {
      provider.destroy();
    }

    const scenario = stackScenario(instanceId);
    const trail = await mkdtemp(join(run.workdir, 'trail-'));
    await writeTrailFiles(trail, scenarioRecords(scenario), scenario);
    const planPath = join(run.workdir, 'orders.plan.json');
    const planned = await run.cli([
      'plan',
      ...['--role', 'orders', '--yes', '--out', planPath, '--evidence', 'logs', '--cloudtrail-logs', trail],
      ...['--unobservable', 'drop', '--regions', TEST_REGION],
    ]);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stderr).toMatch(/resource\(s\) of orders are defined as code/);

    const plan = JSON.parse(await readFile(planPath, 'utf8')) as Plan;
    const owners = Object.fromEntries(
      (plan.ownership?.resources ?? []).map((r) => [
        `${r.kind} ${r.name}`,
        r.owner.tool === 'unmanaged'
          ? 'unmanaged'
          : `${r.owner.tool} ${'stackName' in r.owner ? r.owner.stackName : ''} ${'logicalId' in r.owner ? r.owner.logicalId : ''}`,
      ]),
    );
    expect(owners).toMatchObject({
      'shared-role orders': `cdk ${STACK} SharedRole`,
      'instance-profile orders': `cdk ${STACK} SharedProfile`,
      [`workload EC2 ${instanceId}`]: `cdk ${STACK} Web`,
      'workload Lambda orders-fn': `cdk ${STACK} OrdersFn`,
      'workload Lambda orders-fn-2': `cdk ${STACK} OrdersFn2`,
    });
    const role = plan.ownership?.resources.find((r) => r.kind === 'shared-role')?.owner;
    expect(role).toMatchObject({ tool: 'cdk', constructPath: 'OrdersApp/SharedRole/Resource', resourceType: 'AWS::IAM::Role' });
    const review = await readFile(planPath.replace(/\.json$/, '.md'), 'utf8');
    expect(review).toMatch(/Defined as code: \*\*\d+ of \d+\*\* resources are IaC-owned/);

    run.proxy.clear();
    const applied = await run.cli(['apply', planPath, '--yes']);
    expect(applied.code).toBe(2);
    expect(applied.stderr).toContain('IacOwned');
    expect(applied.stderr).toContain(`split-role rewrite ${planPath} --stage cutover`);
    expect(run.proxy.mutatingOperations).toEqual([]);

    // The override, through the CLI: the owned workloads move live, and status says so.
    const overridden = await run.cli(['apply', planPath, '--yes', '--keep-shared-role', '--allow-iac-drift']);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(run.proxy.mutatingOperations).toContain('UpdateFunctionConfiguration');
    const status = await run.cli(['status', planPath]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/IaC drift allowed at \S+ \(--allow-iac-drift\), changed live: .*orders-fn/);
  });

  it('apply --adopt-roles, after the code made the new roles and moved what it owns, moves only the unmanaged function', async () => {
    await resetMoto(endpoint!);
    // The stack owns the role, its profile, the instance and orders-fn; orders-fn-2 is made by hand, outside it.
    const { OrdersFn2: _unmanaged, ...owned } = TEMPLATE.Resources;
    await cloudFormation().send(
      new CreateStackCommand({ StackName: STACK, TemplateBody: JSON.stringify({ ...TEMPLATE, Resources: owned }) }),
    );
    const config = { region: TEST_REGION, endpoint: endpoint!, credentials: TEST_CREDENTIALS };
    const iam = new IAMClient(config);
    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'orders', PolicyName: 'orders-inline', PolicyDocument: JSON.stringify(ORDERS_INLINE_POLICY) }),
    );
    const lambda = new LambdaClient(config);
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'orders-fn-2',
        Runtime: 'python3.12',
        Handler: 'index.handler',
        Role: `arn:aws:iam::${MOTO_ACCOUNT}:role/orders`,
        Code: { ZipFile: EMPTY_ZIP },
      }),
    );
    const listed = await cloudFormation().send(new ListStackResourcesCommand({ StackName: STACK }));
    const instanceId = listed.StackResourceSummaries?.find((r) => r.LogicalResourceId === 'Web')?.PhysicalResourceId ?? '';
    const scenario = stackScenario(instanceId);
    const planPath = await planScenario(endpoint!, scenario, run.workdir);
    const plan = JSON.parse(await readFile(planPath, 'utf8')) as Plan;
    expect(plan.ownership?.resources.find((r) => r.name === 'Lambda orders-fn-2')?.owner.tool).toBe('unmanaged');

    // What the code's cutover deploy does: the plan's roles (their trust, policies and profile), and the owned workloads moved.
    for (const role of plan.newRoles) {
      await iam.send(
        new CreateRoleCommand({ RoleName: role.roleName, Path: role.path, AssumeRolePolicyDocument: JSON.stringify(role.trustPolicy) }),
      );
      for (const policy of [...role.inlinePolicies, ...role.managedPolicies])
        await iam.send(
          new PutRolePolicyCommand({
            RoleName: role.roleName,
            PolicyName: `code-${policy.name}`,
            PolicyDocument: JSON.stringify(policy.document),
          }),
        );
      if (role.instanceProfile) {
        await iam.send(
          new CreateInstanceProfileCommand({ InstanceProfileName: role.instanceProfile.name, Path: role.instanceProfile.path }),
        );
        await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: role.instanceProfile.name, RoleName: role.roleName }));
      }
    }
    const lambdaRole = plan.newRoles.find((r) => r.service === 'lambda.amazonaws.com')!;
    const ec2Role = plan.newRoles.find((r) => r.service === 'ec2.amazonaws.com')!;
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders-fn', Role: lambdaRole.roleArn }));
    const ec2 = new EC2Client(config);
    const association = await ec2.send(
      new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }),
    );
    await ec2.send(
      new ReplaceIamInstanceProfileAssociationCommand({
        AssociationId: association.IamInstanceProfileAssociations?.[0]?.AssociationId,
        IamInstanceProfile: { Name: ec2Role.instanceProfile!.name },
      }),
    );

    run.proxy.clear();
    const adopted = await run.cli(['apply', planPath, '--yes', '--adopt-roles']);
    expect(adopted.code, adopted.stderr).toBe(0);
    // The one change apply made: the unmanaged function, onto the role the code created. No role was created by apply.
    expect(run.proxy.mutatingOperations).toEqual(['UpdateFunctionConfiguration']);
    const moved = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders-fn-2' }));
    expect(moved.Role).toBe(lambdaRole.roleArn);
    for (const client of [iam, lambda, ec2]) client.destroy();
  });

  it('plan reads a Terraform state from S3 (--terraform-state s3://…) and records its owners by address', async () => {
    await resetMoto(endpoint!);
    const scenario = await seedOrdersScenario(endpoint!);
    const [fnName] = scenario.functionNames;
    // A version 4 state as Terraform writes it, holding the shared role and one function.
    const resource = (type: string, name: string, attributes: Record<string, string>) => ({
      mode: 'managed',
      type,
      name,
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ schema_version: 0, attributes }],
    });
    const state = {
      version: 4,
      terraform_version: '1.7.5',
      serial: 3,
      lineage: '0d3f2a8c-5e61-4c0b-9a7e-2b1d4c6e8f90',
      outputs: {},
      resources: [
        resource('aws_iam_role', 'orders', { arn: scenario.roleArn, id: scenario.roleName, name: scenario.roleName }),
        resource('aws_lambda_function', 'api', {
          arn: `arn:aws:lambda:${TEST_REGION}:${MOTO_ACCOUNT}:function:${fnName}`,
          id: fnName!,
          function_name: fnName!,
        }),
      ],
    };
    const s3 = new S3Client({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'tf-state' }));
    await s3.send(new PutObjectCommand({ Bucket: 'tf-state', Key: 'orders/terraform.tfstate', Body: JSON.stringify(state) }));
    s3.destroy();

    const planPath = await planScenario(endpoint!, scenario, run.workdir, ['--terraform-state', 's3://tf-state/orders/terraform.tfstate']);
    const plan = JSON.parse(await readFile(planPath, 'utf8')) as Plan;
    expect(plan.ownership?.terraformStates).toEqual([
      expect.objectContaining({ source: 's3://tf-state/orders/terraform.tfstate', serial: 3 }),
    ]);
    const owned = (plan.ownership?.resources ?? []).filter((r) => r.owner.tool === 'terraform');
    expect(owned.map((r) => [r.kind, r.owner.tool === 'terraform' ? r.owner.address : ''])).toEqual(
      expect.arrayContaining([
        ['shared-role', 'aws_iam_role.orders'],
        ['workload', 'aws_lambda_function.api'],
      ]),
    );
  });
});
