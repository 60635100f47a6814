/**
 * `plan --per-workload` end to end on moto: the orders role shared by two
 * ECS services (beside two instances and two functions, which get a role each too). Each service's running
 * task ties its sessions to it; plan gives each service a role narrowed by
 * its own calls, apply moves each there and retires the shared role, and
 * rollback puts both back. Scan's SR004 finds the two services first.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import type { Plan } from '../../src/plan/schema.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { resetMoto } from '../support/moto-server.js';
import { applyThroughRetire } from '../support/retire.js';
import { scenarioRecords, seedOrdersScenario, type OrdersScenario } from '../support/scenario.js';
import { writeTrailFiles } from '../support/trail-files.js';

const endpoint = workerMotoEndpoint();

/** One session of `taskId` (an ECS task of the shared role) making one call, an hour ago. */
function taskSession(scenario: OrdersScenario, taskId: string, key: string, eventSource: string, eventName: string): CloudTrailRecord[] {
  const at = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
  return [
    {
      eventTime: at(60),
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      eventCategory: 'Management',
      userIdentity: { type: 'AWSService', invokedBy: 'ecs-tasks.amazonaws.com' },
      requestParameters: { roleArn: scenario.roleArn, roleSessionName: taskId },
      responseElements: { credentials: { accessKeyId: key, sessionToken: 'x', expiration: at(0) } },
    },
    {
      eventTime: at(55),
      eventSource,
      eventName,
      eventCategory: 'Management',
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${scenario.account}:assumed-role/${scenario.roleName}/${taskId}`,
        accessKeyId: key,
        sessionContext: { sessionIssuer: { type: 'Role', arn: scenario.roleArn, userName: scenario.roleName } },
      },
    },
  ];
}

describe.skipIf(!endpoint)('plan --per-workload on moto', () => {
  const motoEndpoint = endpoint as string;
  const env = isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: motoEndpoint });
  const cli = (args: string[]) => runCli(args, env);
  beforeEach(() => resetMoto(motoEndpoint));

  it('two ECS services get a role each, are moved there, and rollback puts them back', { timeout: 240_000 }, async () => {
    const scenario = await seedOrdersScenario(motoEndpoint, { services: 2 });
    const ecs = new ECSClient({ endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    try {
      // Each service's running task, as ECS lists it: moto's services start none of their own.
      const taskIds: string[] = [];
      for (const [i, serviceName] of scenario.serviceNames.entries()) {
        const run = await ecs.send(
          new RunTaskCommand({
            cluster: scenario.clusterName,
            taskDefinition: scenario.taskDefinitionArns[i],
            launchType: 'FARGATE',
            group: `service:${serviceName}`,
            startedBy: 'ecs-svc/1234567890',
          }),
        );
        taskIds.push(run.tasks?.[0]?.taskArn?.split('/').pop() ?? '');
      }
      const [web, web2] = scenario.serviceNames as [string, string];
      // SR004 sees the two services on one role, only when asked for; check has no workload index and refuses it.
      expect((await cli(['scan', '--json'])).stdout).not.toMatch(/shared-by-workloads/);
      const scan = await cli(['scan', '--json', '--rules', 'SR004']);
      expect(scan.code).toBe(1);
      const finding = (
        JSON.parse(scan.stdout) as { findings: Array<{ roleName: string; kinds: string[]; notes: string[] }> }
      ).findings.find((f) => f.roleName === scenario.roleName);
      expect(finding?.kinds).toContain('shared-by-workloads');
      expect(finding?.notes.join('\n')).toMatch(`ecs-tasks: ${web}, ${web2}`);
      const check = await cli(['check', '--rules', 'SR004', tmpdir()]);
      expect(check.code).toBe(2);
      expect(check.stderr).toMatch(/--rules SR004 needs a workload index/);
      const records = [
        ...scenarioRecords(scenario),
        ...taskSession(scenario, taskIds[0] ?? '', 'ASIAWEB0000000000001', 'sqs.amazonaws.com', 'SendMessage'),
        ...taskSession(scenario, taskIds[1] ?? '', 'ASIAWEB0000000000002', 'kms.amazonaws.com', 'GenerateDataKey'),
      ].sort((a, b) => a.eventTime.localeCompare(b.eventTime));
      const trail = await mkdtemp(join(tmpdir(), 'per-workload-'));
      await writeTrailFiles(trail, records, scenario);
      const planPath = join(trail, 'orders.plan.json');
      const planned = await cli([
        'plan',
        ...['--role', scenario.roleName, '--yes', '--out', planPath, '--regions', TEST_REGION],
        ...['--evidence', 'logs', '--cloudtrail-logs', trail, '--unobservable', 'drop', '--unattributed', 'drop', '--per-workload'],
      ]);
      expect(planned.stderr).not.toMatch(/split-role: /);
      expect(planned.code).toBe(0);
      const plan = JSON.parse(await readFile(planPath, 'utf8')) as Plan;
      const roleOf = (workload: string) => plan.newRoles.find((r) => r.workload === workload);
      // Two instances, two functions and two services: six roles, one per workload, each instance with its own profile.
      expect(plan.newRoles.filter((r) => r.workload !== undefined)).toHaveLength(6);
      expect(plan.newRoles.filter((r) => r.instanceProfile).map((r) => r.instanceProfile?.name)).toHaveLength(2);
      expect(roleOf(web)?.roleName).toBe(`orders-ecs-${web}`);
      expect(roleOf(web2)?.roleName).toBe(`orders-ecs-${web2}`);
      // Each service's own call, and not its sibling's.
      const actions = (workload: string) => roleOf(workload)?.actions.map((a) => a.action) ?? [];
      expect(actions(web)).toContain('sqs:SendMessage');
      expect(actions(web)).not.toContain('kms:GenerateDataKey');
      expect(actions(web2)).toContain('kms:GenerateDataKey');
      expect(actions(web2)).not.toContain('sqs:SendMessage');
      // The scenario's other ECS sessions name no running task: dropped, and the review says so.
      expect(await readFile(planPath.replace(/\.json$/, '.md'), 'utf8')).toMatch(/no one workload could be tied to/);

      const applied = await applyThroughRetire(cli, planPath);
      expect(applied.stderr).not.toMatch(/split-role: /);
      expect(applied.code).toBe(0);
      const taskRoleOf = async (serviceName: string) => {
        const service = (await ecs.send(new DescribeServicesCommand({ cluster: scenario.clusterName, services: [serviceName] })))
          .services?.[0];
        const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service?.taskDefinition }));
        return { taskDefinition: service?.taskDefinition, taskRoleArn: td.taskDefinition?.taskRoleArn };
      };
      for (const name of [web, web2]) expect((await taskRoleOf(name)).taskRoleArn).toBe(roleOf(name)?.roleArn);

      const rolledBack = await cli(['rollback', planPath, '--yes']);
      expect(rolledBack.stderr).not.toMatch(/split-role: /);
      expect(rolledBack.code).toBe(0);
      for (const [i, name] of [web, web2].entries()) {
        const now = await taskRoleOf(name);
        expect(now.taskDefinition).toBe(scenario.taskDefinitionArns[i]);
        expect(now.taskRoleArn).toBe(scenario.roleArn);
      }
    } finally {
      ecs.destroy();
    }
  });
});
