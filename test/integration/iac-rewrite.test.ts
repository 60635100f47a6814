/**
 * A split made in a CloudFormation stack's code, end to end on moto: create
 * the stack, `rewrite --stage cutover`, deploy the rewritten template (the
 * function and the launch template now name the new roles, which hold the
 * plan's trust and policies), revert it (everything is back on the shared
 * role: the cutover is a plain revert), deploy it again, then
 * `rewrite --stage retire` and deploy: the shared role and its profile are gone.
 * Two functions share the role with the launch template's profile.
 *
 * Not covered on moto, and why: an AWS::EC2::Instance whose IamInstanceProfile
 * changes loses its physical id in moto's stack update, and moto deletes a
 * role before the managed policy attached to it on update (DeleteConflict);
 * so this stack has a launch template and no instance or managed policy. Nor
 * the revert after retire: moto's stack update fails on it ("Role
 * app-shared-lambda not found"), handling the new roles' removal before the
 * functions that still name them.
 */
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudFormationClient, CreateStackCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { writePlan } from '../../src/plan/plan-file.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { resetMoto } from '../support/moto-server.js';
import { samplePlan } from '../unit/fixtures/plan-fixtures.js';

const endpoint = workerMotoEndpoint();
const TEMPLATE = fileURLToPath(new URL('../fixtures/rewrite/cloudformation/stack.yaml', import.meta.url));
const STACK = 'app';

describe.skipIf(!endpoint)('rewrite a CloudFormation stack, deployed on moto', () => {
  const config = { region: TEST_REGION, endpoint: endpoint ?? '', credentials: TEST_CREDENTIALS };
  const iam = new IAMClient(config);
  const deploy = (body: string, create = false) =>
    new CloudFormationClient(config).send(
      create
        ? new CreateStackCommand({ StackName: STACK, TemplateBody: body })
        : new UpdateStackCommand({ StackName: STACK, TemplateBody: body }),
    );
  /** The role of each of the stack's two functions. */
  const functionRole = async () => {
    const lambda = new LambdaClient(config);
    const roles = await Promise.all(
      ['orders-fn', 'orders-worker'].map(
        async (name) => (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).Role,
      ),
    );
    lambda.destroy();
    // One role for both, or the two that differ (which no step here should leave).
    return roles[0] === roles[1] ? roles[0] : roles.join(' ≠ ');
  };
  const launchProfile = async () => {
    const versions = await new EC2Client(config).send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'workers', Versions: ['$Latest'] }),
    );
    return versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.IamInstanceProfile?.Arn;
  };
  const exists = (read: Promise<unknown>) =>
    read.then(
      () => true,
      (error: Error) => (error.name === 'NoSuchEntityException' ? false : Promise.reject(error)),
    );

  it('cutover deploys the new roles and repoints, a revert restores, retire removes the shared role', async () => {
    await resetMoto(endpoint!);
    const plan = samplePlan();
    const shared = plan.sharedRole;
    const ec2 = plan.newRoles.find((r) => r.service === 'ec2.amazonaws.com')!;
    const lambda = plan.newRoles.find((r) => r.service === 'lambda.amazonaws.com')!;
    const dir = await mkdtemp(join(tmpdir(), 'split-role-iac-rewrite-'));
    const code = join(dir, 'code');
    await cp(TEMPLATE, join(code, 'stack.yaml'));
    const planPath = join(dir, 'plan.json');
    await writePlan(planPath, plan);
    const original = await readFile(join(code, 'stack.yaml'), 'utf8');
    await deploy(original, true);
    expect(await functionRole()).toBe(shared.arn);

    const env = isolatedAwsEnv();
    const cutover = await runCli(['rewrite', planPath, '--stage', 'cutover', code], env);
    expect(cutover.code, cutover.stderr).toBe(0);
    expect(cutover.stderr).toContain(`check: ok: AppSharedLambdaRole is trusted by lambda.amazonaws.com`);
    const cut = await readFile(join(code, 'stack.yaml'), 'utf8');
    await deploy(cut);
    expect(await functionRole()).toBe(lambda.roleArn);
    expect(await launchProfile()).toBe(ec2.instanceProfile!.arn);
    for (const role of [ec2, lambda]) {
      const read = await iam.send(new GetRoleCommand({ RoleName: role.roleName }));
      expect(JSON.parse(decodeURIComponent(read.Role!.AssumeRolePolicyDocument!))).toEqual(role.trustPolicy);
      for (const policy of role.inlinePolicies) {
        const got = await iam.send(new GetRolePolicyCommand({ RoleName: role.roleName, PolicyName: policy.name }));
        expect(JSON.parse(decodeURIComponent(got.PolicyDocument!))).toEqual(policy.document);
      }
    }
    expect(await exists(iam.send(new GetRoleCommand({ RoleName: shared.roleName })))).toBe(true);

    // Rolling the cutover back is a revert of its pull request.
    await deploy(original);
    expect(await functionRole()).toBe(shared.arn);
    expect(await launchProfile()).toBe(`arn:aws:iam::${plan.account}:instance-profile/${shared.roleName}`);
    expect(await exists(iam.send(new GetRoleCommand({ RoleName: lambda.roleName })))).toBe(false);

    await deploy(cut);
    const retire = await runCli(['rewrite', planPath, '--stage', 'retire', code], env);
    expect(retire.code, retire.stderr).toBe(0);
    expect(retire.stderr).toContain(`check: ok: no role named ${shared.roleName} is left`);
    await deploy(await readFile(join(code, 'stack.yaml'), 'utf8'));
    expect(await exists(iam.send(new GetRoleCommand({ RoleName: shared.roleName })))).toBe(false);
    expect(await exists(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: shared.roleName })))).toBe(false);
    expect(await functionRole()).toBe(lambda.roleArn);
  });
});
