/**
 * `split-role apply` refuses a plan the live account has drifted from: the
 * built CLI against moto holding the orders scenario, through the fault proxy,
 * must exit 2 and make no mutating call.
 */
import {
  AssociateIamInstanceProfileCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  EC2Client,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import { ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { captureAccountState } from '../support/account-state.js';
import { seedClients, serviceTrust, TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { ORDERS_INLINE_POLICY, type OrdersScenario } from '../support/scenario.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { useProxiedCli } from '../support/proxied-cli.js';

const endpoint = workerMotoEndpoint();

describe.skipIf(!endpoint)('split-role apply / rollback / status against moto', () => {
  const motoEndpoint = endpoint as string;
  const suite = useProxiedCli(motoEndpoint, 'split-role-apply-');
  const { cli } = suite;
  const config = { endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };

  describe('on a freshly planned account', () => {
    let scenario: OrdersScenario;
    let planPath: string;

    beforeEach(async () => {
      ({ scenario, planPath } = await suite.freshPlan());
    });

    const drifts: Array<[string, (s: OrdersScenario) => Promise<void>, RegExp]> = [
      [
        'a Lambda function moved to another role by someone else',
        async (s) => {
          const { iam } = seedClients(motoEndpoint);
          const role = await iam.send(
            new CreateRoleCommand({ RoleName: 'orders-intruder', AssumeRolePolicyDocument: serviceTrust('lambda.amazonaws.com') }),
          );
          const lambda = new LambdaClient(config);
          await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: s.functionNames[1], Role: role.Role?.Arn }));
          lambda.destroy();
          iam.destroy();
        },
        /Drift: the account no longer matches the plan: Lambda orders-worker runs as arn:aws:iam::123456789012:role\/orders-intruder/,
      ],
      [
        "the shared role's inline policy changed",
        async () => {
          const { iam } = seedClients(motoEndpoint);
          const widened = {
            ...ORDERS_INLINE_POLICY,
            Statement: [...ORDERS_INLINE_POLICY.Statement, { Effect: 'Allow', Action: 's3:*', Resource: '*' }],
          };
          await iam.send(
            new PutRolePolicyCommand({ RoleName: 'orders', PolicyName: 'orders-data', PolicyDocument: JSON.stringify(widened) }),
          );
          iam.destroy();
        },
        /Drift: .*orders's inline policies changed/,
      ],
      [
        'a new instance profile holding the shared role',
        async () => {
          const { iam } = seedClients(motoEndpoint);
          await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'orders-extra' }));
          await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'orders-extra', RoleName: 'orders' }));
          iam.destroy();
        },
        /Drift: .*orders's instance profiles changed/,
      ],
      [
        "the shared role's trust policy changed",
        async () => {
          const { iam } = seedClients(motoEndpoint);
          await iam.send(
            new UpdateAssumeRolePolicyCommand({
              RoleName: 'orders',
              PolicyDocument: serviceTrust('ec2.amazonaws.com', 'lambda.amazonaws.com'),
            }),
          );
          iam.destroy();
        },
        /Drift: .*orders's trust policy changed/,
      ],
      [
        'an EC2 instance moved to another instance profile',
        async (s) => {
          const { iam } = seedClients(motoEndpoint);
          await iam.send(new CreateRoleCommand({ RoleName: 'ops', AssumeRolePolicyDocument: serviceTrust('ec2.amazonaws.com') }));
          await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'ops' }));
          await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'ops', RoleName: 'ops' }));
          const ec2 = new EC2Client(config);
          const out = await ec2.send(
            new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [s.instanceIds[0] as string] }] }),
          );
          const association = out.IamInstanceProfileAssociations?.[0]?.AssociationId;
          if (association)
            await ec2.send(
              new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: association, IamInstanceProfile: { Name: 'ops' } }),
            );
          else
            await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: s.instanceIds[0], IamInstanceProfile: { Name: 'ops' } }));
          ec2.destroy();
          iam.destroy();
        },
        /Drift: .*EC2 instance i-\w+ is on arn:aws:iam::123456789012:instance-profile\/ops/,
      ],
      [
        'an ECS service moved to another task-definition revision',
        async (s) => {
          const ecs = new ECSClient(config);
          const td = await ecs.send(
            new RegisterTaskDefinitionCommand({
              family: 'orders-web',
              containerDefinitions: [{ name: 'web', image: 'nginx:2', memory: 256 }],
            }),
          );
          await ecs.send(
            new UpdateServiceCommand({
              cluster: s.clusterName,
              service: s.serviceName,
              taskDefinition: td.taskDefinition?.taskDefinitionArn,
            }),
          );
          ecs.destroy();
        },
        /Drift: .*ECS service orders-web runs arn:aws:ecs:us-east-1:123456789012:task-definition\/orders-web:2/,
      ],
    ];
    it.each(drifts)('refuses to apply when %s: exit 2, no change', async (_name, change, message) => {
      await change(scenario);
      const before = await captureAccountState(motoEndpoint);
      suite.proxy.clear();
      const run = await cli(['apply', planPath, '--yes', '--soak', '0']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(/nothing was changed; re-run `split-role plan`/);
      expect(suite.proxy.mutatingOperations).toEqual([]);
      expect(await captureAccountState(motoEndpoint)).toEqual(before);
    });
  });
});
