/**
 * Ownership in the plan: the shared role, its instance profile, each workload
 * and each resource policy matched against the stacks of the fake account
 * (ListStackResources by physical id, the template for CDK paths, SAM and
 * policy resources) and against Terraform v4 states.
 */
import { describe, expect, it } from 'vitest';
import { isIacOwned } from '../../src/iac/ownership-schema.js';
import { parseTerraformState } from '../../src/iac/terraform-state.js';
import { parseTemplate, planOwnership, readStacks, readTerraformStates, type OwnershipSources } from '../../src/plan-run/ownership.js';
import { renderPlanMarkdown } from '../../src/plan/markdown.js';
import { parsePlan, sealPlan } from '../../src/plan/plan-file.js';
import type { PlanBody } from '../../src/plan/schema.js';
import { FakeAccount, FakeServiceError } from '../support/fake-account/index.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { ACCOUNT, REGION, SHARED_NAME, sampleBody } from './fixtures/plan-fixtures.js';
import { stackOwnedPlan } from './fixtures/rewrite-plans.js';

const STATE_PATH = new URL('../fixtures/iac/terraform-state/orders.tfstate', import.meta.url).pathname;

const CDK_TEMPLATE = JSON.stringify({
  Resources: {
    SharedRole1A2B: { Type: 'AWS::IAM::Role', Metadata: { 'aws:cdk:path': 'Orders/SharedRole/Resource' } },
    SharedProfile: { Type: 'AWS::IAM::InstanceProfile', Metadata: { 'aws:cdk:path': 'Orders/SharedProfile' } },
    CDKMetadata: { Type: 'AWS::CDK::Metadata' },
  },
});

const SAM_TEMPLATE = [
  'AWSTemplateFormatVersion: "2010-09-09"',
  'Transform: AWS::Serverless-2016-10-31',
  'Resources:',
  '  OrdersFn:',
  '    Type: AWS::Serverless::Function',
  '    Properties:',
  '      Role: !GetAtt Shared.Arn',
].join('\n');

async function sourcesOf(account: FakeAccount, regions: string[], states: OwnershipSources['states'] = []): Promise<OwnershipSources> {
  return {
    regions,
    stacks: await readStacks(regions, (region) => account.cloudFormation(region), new RecordingIoHost()),
    states,
    template: async (stack) => parseTemplate(await account.stacksIn(stack.region).getTemplate(stack.stackName)),
  };
}

function ownersByName(ownership: Awaited<ReturnType<typeof planOwnership>>): Record<string, unknown> {
  return Object.fromEntries(ownership.resources.map((r) => [`${r.kind} ${r.name}`, r.owner]));
}

describe('ownership from CloudFormation stacks', () => {
  it('finds the CDK stack of the role and profile (construct path) and the SAM stack of the function; the instance is unmanaged', async () => {
    const account = new FakeAccount({ account: ACCOUNT, region: REGION });
    const cdk = account.stacksIn(REGION).putStack({
      name: 'Orders',
      template: CDK_TEMPLATE,
      resources: [
        { logicalId: 'SharedRole1A2B', physicalId: SHARED_NAME, type: 'AWS::IAM::Role' },
        { logicalId: 'SharedProfile', physicalId: SHARED_NAME, type: 'AWS::IAM::InstanceProfile' },
        { logicalId: 'CDKMetadata', physicalId: 'meta', type: 'AWS::CDK::Metadata' },
      ],
    });
    account.stacksIn(REGION).putStack({
      name: 'orders-api',
      template: SAM_TEMPLATE,
      resources: [{ logicalId: 'OrdersFn', physicalId: 'orders-fn', type: 'AWS::Lambda::Function' }],
    });
    const ownership = await planOwnership(sampleBody(), await sourcesOf(account, [REGION]));
    expect(ownersByName(ownership)).toEqual({
      [`shared-role ${SHARED_NAME}`]: {
        tool: 'cdk',
        stackName: 'Orders',
        stackId: cdk.stackId,
        logicalId: 'SharedRole1A2B',
        resourceType: 'AWS::IAM::Role',
        region: REGION,
        constructPath: 'Orders/SharedRole/Resource',
      },
      [`instance-profile ${SHARED_NAME}`]: expect.objectContaining({
        tool: 'cdk',
        logicalId: 'SharedProfile',
        constructPath: 'Orders/SharedProfile',
      }),
      'workload EC2 i-0abc': { tool: 'unmanaged' },
      'workload Lambda orders-fn': expect.objectContaining({
        tool: 'sam',
        stackName: 'orders-api',
        logicalId: 'OrdersFn',
        transform: 'AWS::Serverless-2016-10-31',
      }),
    });
    // Only the two owning stacks' templates were read.
    expect(
      account
        .stacksIn(REGION)
        .calls.filter((c) => c.startsWith('getTemplate'))
        .sort(),
    ).toEqual(['getTemplate Orders', 'getTemplate orders-api']);
  });

  it('a plain template is CloudFormation; a function of the same name in a region the workload is not in owns nothing', async () => {
    const account = new FakeAccount({ account: ACCOUNT, region: REGION });
    account.stacksIn(REGION).putStack({
      name: 'iam',
      template: 'Resources:\n  Shared:\n    Type: AWS::IAM::Role\n',
      resources: [{ logicalId: 'Shared', physicalId: SHARED_NAME, type: 'AWS::IAM::Role' }],
    });
    account.stacksIn('us-east-1').putStack({
      name: 'elsewhere',
      template: '{}',
      resources: [{ logicalId: 'Fn', physicalId: 'orders-fn', type: 'AWS::Lambda::Function' }],
    });
    const owners = ownersByName(await planOwnership(sampleBody(), await sourcesOf(account, [REGION, 'us-east-1'])));
    expect(owners[`shared-role ${SHARED_NAME}`]).toMatchObject({ tool: 'cloudformation', stackName: 'iam', logicalId: 'Shared' });
    expect(owners['workload Lambda orders-fn']).toEqual({ tool: 'unmanaged' });
    // A resource of another type with the same physical id (a log group named like the function) owns nothing either.
  });

  it('a bucket policy resource owns the bucket policy it names with !Ref; a log group named like the function does not own it', async () => {
    const account = new FakeAccount({ account: ACCOUNT, region: REGION });
    account.stacksIn(REGION).putStack({
      name: 'data',
      template:
        'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  BucketPolicy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref Bucket\n',
      resources: [
        { logicalId: 'Bucket', physicalId: 'orders-data', type: 'AWS::S3::Bucket' },
        { logicalId: 'BucketPolicy', physicalId: 'data-BucketPolicy-XYZ', type: 'AWS::S3::BucketPolicy' },
        { logicalId: 'Logs', physicalId: 'orders-fn', type: 'AWS::Logs::LogGroup' },
      ],
    });
    const body: PlanBody = {
      ...sampleBody(),
      resourcePolicies: {
        mode: 'sweep',
        problems: [],
        policies: [{ kind: 's3-bucket', region: REGION, id: 'orders-data', arn: 'arn:aws:s3:::orders-data', text: '{}', statements: [] }],
      },
    };
    const owners = ownersByName(await planOwnership(body, await sourcesOf(account, [REGION])));
    expect(owners['resource-policy s3-bucket orders-data']).toMatchObject({
      tool: 'cloudformation',
      logicalId: 'BucketPolicy',
      resourceType: 'AWS::S3::BucketPolicy',
    });
    expect(owners['workload Lambda orders-fn']).toEqual({ tool: 'unmanaged' });
  });
});

describe('reading the stacks', () => {
  it('skips a stack deleted between ListStacks and ListStackResources; any other failure stops the plan', async () => {
    const account = new FakeAccount({ account: ACCOUNT, region: REGION });
    const cfn = account.stacksIn(REGION);
    cfn.putStack({ name: 'gone', template: '{}', resources: [] });
    cfn.putStack({ name: 'iam', template: '{}', resources: [{ logicalId: 'Shared', physicalId: SHARED_NAME, type: 'AWS::IAM::Role' }] });
    cfn.faults.failNext('listStackResources', new FakeServiceError('ValidationError', 'Stack with id gone does not exist'));
    const stacks = await readStacks([REGION], (region) => account.cloudFormation(region), new RecordingIoHost());
    expect(stacks.map((s) => s.stackName)).toEqual(['iam']);
    cfn.faults.failNext('listStackResources', new FakeServiceError('AccessDenied', 'not authorized to perform ListStackResources'));
    await expect(readStacks([REGION], (region) => account.cloudFormation(region), new RecordingIoHost())).rejects.toThrow(/not authorized/);
  });
});

describe('ownership from Terraform state (version 4)', () => {
  it('matches role, profile and a for_each function in a module by ARN, id or name; the attachment naming the role owns nothing', async () => {
    const states = await readTerraformStates([STATE_PATH], { account: ACCOUNT, regions: [REGION] }, () =>
      Promise.reject(new Error('no S3')),
    );
    const account = new FakeAccount({ account: ACCOUNT, region: REGION });
    const ownership = await planOwnership(sampleBody(), await sourcesOf(account, [REGION], states));
    expect(ownersByName(ownership)).toEqual({
      [`shared-role ${SHARED_NAME}`]: {
        tool: 'terraform',
        address: 'aws_iam_role.shared',
        resourceType: 'aws_iam_role',
        state: STATE_PATH,
      },
      [`instance-profile ${SHARED_NAME}`]: {
        tool: 'terraform',
        address: 'aws_iam_instance_profile.shared',
        resourceType: 'aws_iam_instance_profile',
        state: STATE_PATH,
      },
      'workload EC2 i-0abc': { tool: 'unmanaged' },
      'workload Lambda orders-fn': {
        tool: 'terraform',
        address: 'module.api.aws_lambda_function.this["orders"]',
        resourceType: 'aws_lambda_function',
        state: STATE_PATH,
      },
    });
    expect(ownership.terraformStates).toEqual([{ source: STATE_PATH, serial: 42, lineage: '8f1c2d3e-4b5a-6c7d-8e9f-0a1b2c3d4e5f' }]);
  });

  it('refuses, by name, a state for another account or for regions the plan does not cover, and a state of another version', async () => {
    const reject = () => Promise.reject(new Error('no S3'));
    await expect(readTerraformStates([STATE_PATH], { account: '210987654321', regions: [REGION] }, reject)).rejects.toMatchObject({
      code: 'TerraformStateRefused',
      message: expect.stringContaining(`${STATE_PATH} holds resources of account 123456789012, not 210987654321`),
    });
    await expect(readTerraformStates([STATE_PATH], { account: ACCOUNT, regions: ['us-west-2'] }, reject)).rejects.toMatchObject({
      code: 'TerraformStateRefused',
      message: expect.stringContaining(`${STATE_PATH} holds resources in eu-west-1`),
    });
    expect(() => parseTerraformState(JSON.stringify({ version: 3, resources: [] }), 'old.tfstate')).toThrow(/old.tfstate is a version 3/);
  });
});

describe('ownership in the plan file and its review', () => {
  it('is optional (an older plan still loads and says "not recorded"); when present, every row shows its owner and the summary counts', async () => {
    const older = sealPlan(sampleBody());
    expect(parsePlan(JSON.stringify(older), 'old').ownership).toBeUndefined();
    expect(renderPlanMarkdown(older)).toContain('Defined as code: not recorded');

    const states = await readTerraformStates([STATE_PATH], { account: ACCOUNT, regions: [REGION] }, () =>
      Promise.reject(new Error('no S3')),
    );
    const body = sampleBody();
    const ownership = await planOwnership(body, await sourcesOf(new FakeAccount({ account: ACCOUNT, region: REGION }), [REGION], states));
    const plan = parsePlan(JSON.stringify(sealPlan({ ...body, ownership })), 'new');
    expect(plan.ownership?.resources.filter((r) => isIacOwned(r.owner))).toHaveLength(3);
    const review = renderPlanMarkdown(plan);
    expect(review).toContain('Defined as code: **3 of 4** resources are IaC-owned');
    expect(review).toContain(
      '| `orders-fn` | Lambda function | `eu-west-1` | `app-shared` | `app-shared-lambda` | Terraform `module.api.aws_lambda_function.this["orders"]`',
    );
    expect(review).toMatch(/\| .*i-0abc.* \| unmanaged \|/);
    expect(review).toContain('## Who owns what');
    expect(review).not.toContain('Follow-ups in CDK code');
  });

  it('lists each CDK construct as a follow-up in the review: CDK source is never edited', () => {
    const plan = stackOwnedPlan(sealPlan(sampleBody()), 'OrdersApp', 'SharedRole', 'OrdersApp/SharedRole/Resource');
    const review = renderPlanMarkdown(plan);
    expect(review).toContain('### Follow-ups in CDK code');
    expect(review).toContain('- [ ] `OrdersApp/SharedRole/Resource` in stack `OrdersApp` (shared-role `app-shared`)');
  });
});
