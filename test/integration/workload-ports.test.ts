/**
 * The in-memory workload fakes against moto: the same account is seeded in
 * both, the same questions go to the SDK ports (over moto) and to the fakes,
 * and the answers (and AWS's error names) must agree. This keeps the fakes
 * that the adapters' unit tests run on honest about the wire.
 */
import { CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand } from '@aws-sdk/client-auto-scaling';
import {
  AssociateIamInstanceProfileCommand,
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateServiceCommand } from '@aws-sdk/client-ecs';
import { CreateInstanceProfileCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSessionProvider, type SessionProvider } from '../../src/aws/session.js';
import type { WorkloadPorts } from '../../src/aws/workload-ports.js';
import { awsErrorName } from '../../src/core/aws-error-names.js';
import { MOTO_ACCOUNT, serviceTrust, TEST_REGION } from '../support/aws-clients.js';
import { FakeWorkloads } from '../support/fake-account/workloads.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { EMPTY_ZIP } from '../support/scenario.js';
import { useFakeCredentialsInProcess } from '../support/process-credentials.js';
import { resetMoto } from '../support/moto-server.js';

const endpoint = workerMotoEndpoint();
const container = { name: 'app', image: 'nginx', memory: 128 };

/** The AWS error name a call fails with, or 'ok'. */
async function failure(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    return awsErrorName(error) ?? 'unnamed';
  }
}

describe.skipIf(!endpoint)('workload fakes agree with moto through the SDK ports', () => {
  const motoEndpoint = endpoint as string;
  let provider: SessionProvider;
  let moto: WorkloadPorts;
  let fake: FakeWorkloads;

  useFakeCredentialsInProcess();
  beforeEach(async () => {
    await resetMoto(motoEndpoint);
    provider = await openSessionProvider({ region: TEST_REGION, endpointUrl: motoEndpoint });
    moto = provider.home.workloadPorts();
    fake = new FakeWorkloads({ account: MOTO_ACCOUNT, region: TEST_REGION });
  });
  afterEach(() => provider.destroy());

  const role = async (name: string, service: string) =>
    (await (await provider.home.iam()).send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: serviceTrust(service) })))
      .Role?.Arn ?? '';

  it('Lambda: functions and versions, a role change, and the not-found name', async () => {
    const [first, second] = [await role('fn-a', 'lambda.amazonaws.com'), await role('fn-b', 'lambda.amazonaws.com')];
    const lambda = await provider.home.lambda();
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'orders',
        Role: first,
        Runtime: 'python3.12',
        Handler: 'app.handler',
        Code: { ZipFile: EMPTY_ZIP },
      }),
    );
    await lambda.send(new PublishVersionCommand({ FunctionName: 'orders' }));
    fake.services.lambda.addFunction('orders', first, [first]);

    for (const ports of [moto, fake]) {
      const port = await ports.lambda();
      const listed = (await port.listFunctions()).map((f) => [
        f.functionName,
        f.version,
        f.role,
        f.functionArn.split(':').slice(0, 7).join(':'),
      ]);
      expect(listed.sort()).toEqual([
        ['orders', '$LATEST', first, `arn:aws:lambda:${TEST_REGION}:${MOTO_ACCOUNT}:function:orders`],
        ['orders', '1', first, `arn:aws:lambda:${TEST_REGION}:${MOTO_ACCOUNT}:function:orders`],
      ]);
      await port.updateFunctionRole('orders', second);
      await expect
        .poll(async () => (await port.getFunctionConfiguration('orders')).lastUpdateStatus)
        .toSatisfy((s) => s === undefined || s === 'Successful');
      expect((await port.getFunctionConfiguration('orders')).role).toBe(second);
      expect(await failure(() => port.getFunctionConfiguration('missing'))).toBe('ResourceNotFoundException');
      expect(await failure(() => port.updateFunctionRole('missing', second))).toBe('ResourceNotFoundException');
    }
  });

  it('EC2: associations before and after a replace, launch-template versions, and the error names', async () => {
    const iam = await provider.home.iam();
    const profile = async (name: string) =>
      (await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }))).InstanceProfile?.Arn ?? '';
    const [shared, next] = [await profile('shared'), await profile('next')];
    const ec2 = await provider.home.ec2();
    const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1 }));
    const instanceId = run.Instances?.[0]?.InstanceId ?? '';
    await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: { Arn: shared } }));
    const created = await ec2.send(
      new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { IamInstanceProfile: { Name: 'shared' } } }),
    );
    const motoTemplate = created.LaunchTemplate?.LaunchTemplateId ?? '';
    await ec2.send(
      new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: motoTemplate, LaunchTemplateData: { IamInstanceProfile: { Arn: next } } }),
    );
    fake.services.ec2.addInstance(shared, instanceId);
    const fakeTemplate = fake.services.ec2.addLaunchTemplate('web', [{ name: 'shared' }, { arn: next }]);

    for (const [ports, templateId] of [
      [moto, motoTemplate],
      [fake, fakeTemplate],
    ] as const) {
      const port = await ports.ec2();
      const live = async () =>
        (await port.describeProfileAssociations({ instanceId }))
          .filter((a) => a.state === 'associated')
          .map((a) => [a.instanceId, a.instanceProfileArn]);
      expect(await live()).toEqual([[instanceId, shared]]);
      expect((await port.describeProfileAssociations()).map((a) => a.instanceId)).toContain(instanceId);
      const [association] = (await port.describeProfileAssociations({ instanceId })).filter((a) => a.state === 'associated');
      const replaced = await port.replaceProfileAssociation(association?.associationId ?? '', next);
      expect(replaced).toMatch(/^iip-assoc-/);
      expect(await live()).toEqual([[instanceId, next]]);
      expect(await failure(() => port.replaceProfileAssociation('iip-assoc-0000000000000000f', shared))).toBe(
        'InvalidAssociationID.NotFound',
      );

      expect((await port.describeLaunchTemplates()).map((t) => [t.id, t.name, t.latestVersion])).toEqual([[templateId, 'web', 2]]);
      const versions = await port.describeLaunchTemplateVersions(templateId, ['$Default', '$Latest']);
      expect(versions).toEqual([
        { version: 1, isDefault: true, instanceProfile: { name: 'shared' } },
        { version: 2, isDefault: false, instanceProfile: { arn: next } },
      ]);
      expect(await failure(() => port.describeLaunchTemplateVersions(templateId, ['1', '7']))).toBe(
        'InvalidLaunchTemplateId.VersionNotFound',
      );
    }
  });

  it('ECS: clusters, services, revisions with tags, an update, a deregistration, and the error names', async () => {
    const taskRole = await role('task', 'ecs-tasks.amazonaws.com');
    const client = await provider.home.ecs();
    const motoCluster = (await client.send(new CreateClusterCommand({ clusterName: 'main' }))).cluster?.clusterArn ?? '';
    const fakeCluster = fake.services.ecs.addCluster('main');
    expect(fakeCluster).toBe(motoCluster);
    const input = { family: 'web', taskRoleArn: taskRole, containerDefinitions: [container], tags: [{ key: 'team', value: 'payments' }] };

    for (const ports of [moto, fake]) {
      const port = await ports.ecs();
      const first = await port.registerTaskDefinition(input);
      const second = await port.registerTaskDefinition({ ...input, taskRoleArn: undefined });
      expect([first, second]).toEqual([1, 2].map((n) => `arn:aws:ecs:${TEST_REGION}:${MOTO_ACCOUNT}:task-definition/web:${n}`));
      if (ports === moto)
        await client.send(new CreateServiceCommand({ cluster: 'main', serviceName: 'web', taskDefinition: first, desiredCount: 1 }));
      else fake.services.ecs.addService(fakeCluster, 'web', first);

      expect(await port.listClusters()).toEqual([motoCluster]);
      const services = await port.listServices(motoCluster);
      expect(services).toHaveLength(1);
      const described = await port.describeServices(motoCluster, ['web', 'nope']);
      expect(described.map((s) => [s.serviceName, s.serviceArn, s.taskDefinition, s.status, s.desiredCount])).toEqual([
        ['web', services[0], first, 'ACTIVE', 1],
      ]);
      const { taskDefinition, tags } = await port.describeTaskDefinition(first, true);
      expect([taskDefinition.family, taskDefinition.revision, taskDefinition.taskRoleArn, taskDefinition.status, tags]).toEqual([
        'web',
        1,
        taskRole,
        'ACTIVE',
        input.tags,
      ]);
      expect((await port.describeTaskDefinition(first)).tags).toEqual([]);

      await port.updateService(motoCluster, 'web', second);
      expect((await port.describeServices(motoCluster, ['web']))[0]?.taskDefinition).toBe(second);
      await port.deregisterTaskDefinition(first);
      expect(await port.listTaskDefinitions('web')).toEqual([second]);
      expect((await port.describeTaskDefinition(first)).taskDefinition.status).toBe('INACTIVE');

      expect(await failure(() => port.describeTaskDefinition('web:99'))).toBe('ClientException');
      expect(await failure(() => port.listServices('nope'))).toBe('ClusterNotFoundException');
      expect(await failure(() => port.updateService(motoCluster, 'nope', second))).toBe('ServiceNotFoundException');
    }
  });

  it("Auto Scaling: groups by launch configuration and by launch template, and the configurations' profiles", async () => {
    const autoscaling = await provider.home.autoScaling();
    await autoscaling.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: 'lc',
        ImageId: 'ami-12c6146b',
        InstanceType: 't3.micro',
        IamInstanceProfile: 'shared',
      }),
    );
    await autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'by-config',
        LaunchConfigurationName: 'lc',
        MinSize: 0,
        MaxSize: 1,
        AvailabilityZones: [`${TEST_REGION}a`],
      }),
    );
    const ec2 = await provider.home.ec2();
    const template =
      (await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: 'ami-12c6146b' } })))
        .LaunchTemplate?.LaunchTemplateId ?? '';
    await autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'by-template',
        LaunchTemplate: { LaunchTemplateId: template, Version: '1' },
        MinSize: 0,
        MaxSize: 1,
        AvailabilityZones: [`${TEST_REGION}a`],
      }),
    );
    fake.services.autoScaling.addLaunchConfiguration('lc', 'shared');
    fake.services.autoScaling.addGroup({ AutoScalingGroupName: 'by-config', LaunchConfigurationName: 'lc' });
    fake.services.autoScaling.addGroup({
      AutoScalingGroupName: 'by-template',
      LaunchTemplate: { LaunchTemplateId: template, Version: '1' },
    });

    for (const ports of [moto, fake]) {
      const port = await ports.autoScaling();
      const groups = (await port.describeGroups()).map((g) => [
        g.AutoScalingGroupName,
        g.LaunchConfigurationName,
        g.LaunchTemplate?.LaunchTemplateId,
        g.LaunchTemplate?.Version,
      ]);
      expect(groups).toEqual([
        ['by-config', 'lc', undefined, undefined],
        ['by-template', undefined, template, '1'],
      ]);
      expect((await port.describeLaunchConfigurations()).map((c) => [c.LaunchConfigurationName, c.IamInstanceProfile])).toEqual([
        ['lc', 'shared'],
      ]);
    }
  });
});
