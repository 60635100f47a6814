/**
 * Every region against moto: the orders role has workloads in us-east-1 (the
 * seeded scenario) and in eu-west-1 (a Lambda function and an EC2 instance).
 * Plan covers every enabled region by default (as DescribeRegions reports
 * them) and records each workload's region; apply moves both regions,
 * rollback moves both back (with three regions enabled, not moto's twenty); with
 * --regions, a workload left in a region the plan does not cover still
 * stops retirement, because the role is global.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AssociateIamInstanceProfileCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readPlan } from '../../src/plan/plan-file.js';
import { assumeRoleRecord, sessionCallRecord, startCloudTrailFake } from '../fakes/cloudtrail-fake.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { resetMoto } from '../support/moto-server.js';
import { seedResourcePolicies } from '../support/resource-policies.js';
import { addFunctionIn, planScenario, scenarioRecords, seedOrdersScenario, type OrdersScenario } from '../support/scenario.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { applyThroughRetire } from '../support/retire.js';

const endpoint = workerMotoEndpoint();
const EU = 'eu-west-1';
const WEST = 'us-west-2';

describe.skipIf(!endpoint)('workloads in several regions against moto', () => {
  const motoEndpoint = endpoint as string;
  /** Three regions stand in for moto's twenty (enough to hold one outside --regions); `asked` leaves DescribeRegions to say. */
  const env = (enabled: 'pinned' | 'asked' = 'pinned') =>
    isolatedAwsEnv({
      AWS_REGION: TEST_REGION,
      AWS_ENDPOINT_URL: motoEndpoint,
      SPLIT_ROLE_FAST_WAITS: '1',
      SPLIT_ROLE_ENABLED_REGIONS: enabled === 'asked' ? undefined : `${TEST_REGION},${EU},${WEST}`,
    });
  const cli = (args: string[], enabled: 'pinned' | 'asked' = 'pinned') => runCli(args, env(enabled));
  const clients = (region: string) => {
    const config = { endpoint: motoEndpoint, region, credentials: TEST_CREDENTIALS };
    return { ec2: new EC2Client(config), lambda: new LambdaClient(config) };
  };
  let workdir: string;
  let scenario: OrdersScenario;
  let euInstance: string;

  /** A function in `region` running as the shared role. */
  const addFunction = (region: string, name: string) => addFunctionIn(motoEndpoint, region, name, scenario.roleArn);
  const functionRole = async (region: string, name: string) => {
    const { lambda } = clients(region);
    try {
      return (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).Role;
    } finally {
      lambda.destroy();
    }
  };
  const instanceProfile = async (region: string, instanceId: string) => {
    const { ec2 } = clients(region);
    try {
      const out = await ec2.send(
        new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }),
      );
      return out.IamInstanceProfileAssociations?.find((a) => a.State === 'associated')?.IamInstanceProfile?.Arn;
    } finally {
      ec2.destroy();
    }
  };
  const sharedRoleExists = async () => {
    const iam = new IAMClient({ endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    try {
      await iam.send(new GetRoleCommand({ RoleName: scenario.roleName }));
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchEntityException' || (error as { name?: string }).name === 'NoSuchEntity')
        return false;
      throw error;
    } finally {
      iam.destroy();
    }
  };

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'split-role-regions-'));
  });
  beforeEach(async () => {
    await resetMoto(motoEndpoint);
    scenario = await seedOrdersScenario(motoEndpoint, { instances: 1, functions: 1 });
    await addFunction(EU, 'orders-eu');
    const { ec2 } = clients(EU);
    const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1 }));
    euInstance = run.Instances?.[0]?.InstanceId as string;
    await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: euInstance, IamInstanceProfile: { Name: scenario.roleName } }));
    ec2.destroy();
  });

  it('plans every enabled region that DescribeRegions reports, and records each workload’s region', async () => {
    const planPath = await planScenario(motoEndpoint, scenario, workdir, [], true);
    const plan = await readPlan(planPath);
    expect(plan.regions).toContain(TEST_REGION);
    expect(plan.regions).toContain(EU);
    // Only the partition's regions, none of another partition that an emulator may list, and no opt-in region not opted into.
    expect(plan.regions.every((r) => !r.startsWith('cn-') && !r.startsWith('us-gov-'))).toBe(true);
    expect(plan.regions).not.toContain('ap-east-1');
    const where = Object.fromEntries(
      plan.workloads.map((w) => [
        w.kind === 'lambda-function'
          ? w.functionName
          : w.kind === 'ec2-instance'
            ? w.instanceId
            : w.kind === 'ecs-service'
              ? w.serviceName
              : w.kind,
        w.region,
      ]),
    );
    expect(where).toEqual({
      [scenario.functionNames[0] as string]: TEST_REGION,
      'orders-eu': EU,
      [scenario.instanceIds[0] as string]: TEST_REGION,
      [euInstance]: EU,
      [scenario.serviceName]: TEST_REGION,
    });
  });

  // Applying across twenty regions adds only sweeps of empty ones: two planned regions (of three enabled) reach both the same way.
  it('apply, verify and rollback reach the workloads of every planned region', async () => {
    const planPath = await planScenario(motoEndpoint, scenario, workdir, ['--regions', `${TEST_REGION},${EU}`]);
    const plan = await readPlan(planPath);
    expect(plan.workloads.filter((w) => w.region === EU)).toHaveLength(2);
    const lambdaRole = plan.newRoles.find((r) => r.service === 'lambda.amazonaws.com');
    const ec2Profile = plan.newRoles.find((r) => r.service === 'ec2.amazonaws.com')?.instanceProfile;

    const applied = await applyThroughRetire(cli, planPath);
    expect(applied.code, applied.stderr).toBe(0);
    expect(await functionRole(EU, 'orders-eu')).toBe(lambdaRole?.roleArn);
    expect(await instanceProfile(EU, euInstance)).toBe(ec2Profile?.arn);
    expect(await sharedRoleExists()).toBe(false);

    const rolledBack = await cli(['rollback', planPath, '--yes']);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(await functionRole(EU, 'orders-eu')).toBe(scenario.roleArn);
    expect(await functionRole(TEST_REGION, scenario.functionNames[0] as string)).toBe(scenario.roleArn);
    expect(await instanceProfile(EU, euInstance)).toMatch(new RegExp(`:instance-profile/${scenario.roleName}$`));
  });

  it('with --regions, a workload in a region the plan does not cover still stops retirement', async () => {
    await addFunction(WEST, 'orders-west');
    const planPath = await planScenario(motoEndpoint, scenario, workdir, ['--regions', `${TEST_REGION},${EU}`]);
    const plan = await readPlan(planPath);
    expect(plan.regions).toEqual([TEST_REGION, EU]);
    expect(plan.workloads.some((w) => w.kind === 'lambda-function' && w.functionName === 'orders-west')).toBe(false);

    const applied = await applyThroughRetire(cli, planPath);
    expect(applied.code).toBe(2);
    expect(applied.stderr).toMatch(/Lambda orders-west still runs as the shared role \(us-west-2\)/);
    expect(await sharedRoleExists()).toBe(true);
    // Both covered regions were cut over; the uncovered one was left alone.
    expect(await functionRole(EU, 'orders-eu')).not.toBe(scenario.roleArn);
    expect(await functionRole(WEST, 'orders-west')).toBe(scenario.roleArn);

    const rolledBack = await cli(['rollback', planPath, '--yes']);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(await functionRole(EU, 'orders-eu')).toBe(scenario.roleArn);
  });

  it('with --regions, a queue policy in a region the plan does not cover that names the shared role still stops retirement', async () => {
    const seeded = await seedResourcePolicies(motoEndpoint, WEST, scenario.account, scenario.roleArn, '-west');
    const planPath = await planScenario(motoEndpoint, scenario, workdir, ['--regions', `${TEST_REGION},${EU}`]);
    expect((await readPlan(planPath)).resourcePolicies.policies.some((p) => p.region === WEST && p.kind !== 's3-bucket')).toBe(false);

    const applied = await applyThroughRetire(cli, planPath);
    expect(applied.code).toBe(2);
    expect(applied.stderr).toMatch(/SharedRoleInPolicies: .*orders-events-west/);
    expect(await sharedRoleExists()).toBe(true);
    // Untouched: the plan does not cover us-west-2, so apply never edits it.
    expect(JSON.parse((await seeded.read()).queue)).toEqual(JSON.parse(seeded.original.queue));
  });

  it('rollback keeps a new role that a workload in a region the plan does not cover now runs as', async () => {
    const planPath = await planScenario(motoEndpoint, scenario, workdir, ['--regions', `${TEST_REGION},${EU}`]);
    const lambdaRole = (await readPlan(planPath)).newRoles.find((r) => r.service === 'lambda.amazonaws.com');
    const applied = await cli(['apply', planPath, '--yes', '--keep-shared-role']);
    expect(applied.code, applied.stderr).toBe(0);
    // After cutover someone deploys a function in a third region on the new role.
    await addFunctionIn(motoEndpoint, WEST, 'orders-west-new', lambdaRole?.roleArn as string);

    const rolledBack = await cli(['rollback', planPath, '--yes']);
    expect(rolledBack.code, rolledBack.stderr).toBe(1);
    expect(rolledBack.stderr).toMatch(new RegExp(`keep ${lambdaRole?.roleName}, still in use: .*orders-west-new.*\\(us-west-2\\)`));
    expect(await functionRole(WEST, 'orders-west-new')).toBe(lambdaRole?.roleArn);
    // The covered regions were moved back all the same.
    expect(await functionRole(EU, 'orders-eu')).toBe(scenario.roleArn);
  });

  it('an unknown, empty or not-enabled --regions is refused before anything is read', async () => {
    const refusals: Array<[string, RegExp]> = [
      ['eu-nowhere-9', /--regions names unknown region\(s\): eu-nowhere-9/],
      [' , ', /--regions names no region/],
      // moto lists ap-east-1 as an opt-in region the account has not opted into.
      [`${EU},ap-east-1`, /--regions names region\(s\) not enabled for this account: ap-east-1/],
    ];
    for (const [regions, message] of refusals) {
      const planned = await cli(
        ['plan', '--role', scenario.roleName, '--yes', '--evidence', 'logs', '--cloudtrail-logs', workdir, '--regions', regions],
        'asked',
      );
      expect(planned.code, regions).toBe(2);
      expect(planned.stderr).toMatch(message);
    }
  });

  it('reads LookupEvents in each region: a session seen only in eu-west-1 shapes the Lambda role', async () => {
    const fake = await startCloudTrailFake();
    try {
      const time = new Date(Date.now() - 3_600_000);
      const accessKeyId = 'ASIAEUWEST1SESSION01';
      fake.addRecords(scenarioRecords(scenario, { days: 1 }));
      fake.addRecords([
        assumeRoleRecord({
          roleArn: scenario.roleArn,
          sessionName: 'orders-eu',
          service: 'lambda.amazonaws.com',
          accessKeyId,
          time,
          region: EU,
        }),
        sessionCallRecord({
          roleArn: scenario.roleArn,
          sessionName: 'orders-eu',
          accessKeyId,
          eventSource: 'ssm.amazonaws.com',
          eventName: 'GetParameter',
          time: new Date(time.getTime() + 60_000),
          region: EU,
        }),
      ]);
      const lambdaActions = async (regions: string) => {
        const out = join(workdir, `lookup-${regions.replace(/,/g, '-')}.plan.json`);
        const run = await runCli(
          ['plan', '--role', scenario.roleName, '--yes', '--out', out, '--unobservable', 'drop', '--regions', regions],
          { ...env(), AWS_ENDPOINT_URL_CLOUDTRAIL: fake.endpoint },
        );
        expect(run.code, run.stderr).toBe(0);
        const plan = await readPlan(out);
        return plan.newRoles.find((r) => r.service === 'lambda.amazonaws.com')?.actions.map((a) => a.action) ?? [];
      };
      expect(await lambdaActions(TEST_REGION)).not.toContain('ssm:GetParameter');
      expect(await lambdaActions(`${TEST_REGION},${EU}`)).toContain('ssm:GetParameter');
    } finally {
      await fake.close();
    }
  });
});
