/**
 * Issue 23's "EC2 + ECS tasks + an unused ecs.amazonaws.com" end to end on
 * moto: one role trusted by ec2, ecs-tasks and ecs, used by an EC2 instance
 * and an ECS service whose tasks run as it, and no service created with
 * `role` (so nothing ever assumes it as ecs.amazonaws.com). Plan proposes
 * taking ecs.amazonaws.com out of the trust policy; apply moves the instance
 * and the service, trims the trust, verifies and retires; rollback puts the
 * exact trust policy and every binding back. Each step is a CLI run.
 */
import { GetRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPlan, reviewPathFor } from '../../src/plan/plan-file.js';
import { captureAccountState, trustedServices } from '../support/account-state.js';
import { seedClients, TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { resetMoto } from '../support/moto-server.js';
import { applyThroughRetire } from '../support/retire.js';
import { planScenario, seedOrdersScenario } from '../support/scenario.js';

const endpoint = workerMotoEndpoint();
const TRUSTED = ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com', 'ecs.amazonaws.com'];

describe.skipIf(!endpoint)('EC2 + ECS tasks + an unused ecs.amazonaws.com sharing one role', () => {
  const motoEndpoint = endpoint as string;
  const env = () => isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: motoEndpoint, SPLIT_ROLE_FAST_WAITS: '1' });

  it(
    'plans the trust trim, applies it with the moves through retire, and rolls back to the exact trust and bindings',
    { timeout: 180_000 },
    async () => {
      await resetMoto(motoEndpoint);
      const scenario = await seedOrdersScenario(motoEndpoint, { instances: 1, functions: 0 });
      const { iam } = seedClients(motoEndpoint);
      // Two statements, as teams write them: the workloads, and ECS's own principal from an old load-balancer set-up.
      const trust = {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Workloads', Effect: 'Allow', Principal: { Service: TRUSTED.slice(0, 2) }, Action: 'sts:AssumeRole' },
          { Sid: 'EcsLoadBalancer', Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      };
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: scenario.roleName, PolicyDocument: JSON.stringify(trust) }));
      const trustNow = async () => {
        const role = await iam.send(new GetRoleCommand({ RoleName: scenario.roleName })).catch(() => undefined);
        return role ? (JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '')) as unknown) : undefined;
      };

      const planPath = await planScenario(motoEndpoint, scenario, await mkdtemp(join(tmpdir(), 'split-role-trim-')));
      const plan = await readPlan(planPath);
      expect(plan.trustTrim?.principals).toEqual(['ecs.amazonaws.com']);
      expect(plan.newRoles.map((r) => r.service).sort()).toEqual(['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com']);
      expect(plan.workloads.map((w) => w.kind).sort()).toEqual(['ec2-instance', 'ecs-service']);
      expect(plan.followUps.filter((f) => f.kind === 'manual-service')).toEqual([]);
      expect(await readFile(reviewPathFor(planPath), 'utf8')).toMatch(/^Remove `ecs\.amazonaws\.com` from /m);

      const before = await captureAccountState(motoEndpoint);
      expect(trustedServices(before.roles.find((r) => r.name === scenario.roleName)?.trustPolicy)).toEqual(TRUSTED);
      // The shared role as the first apply run leaves it (retire waits for evidence past cutover): trimmed, still there.
      let trimmed: unknown;
      const applied = await applyThroughRetire(async (args) => {
        const run = await runCli(args, env());
        trimmed ??= await trustNow();
        return run;
      }, planPath);
      expect(applied.first.stdout).toMatch(/^retire pending/m);
      expect(applied.stderr).not.toMatch(/split-role: /);
      expect(applied.code).toBe(0);
      expect(trustedServices(trimmed)).toEqual(TRUSTED.slice(0, 2));

      const after = await captureAccountState(motoEndpoint);
      const newRole = (service: string) => plan.newRoles.find((r) => r.service === service);
      expect(after.roles.map((r) => r.name)).not.toContain(scenario.roleName);
      expect(after.ec2[scenario.instanceIds[0] ?? '']).toBe(newRole('ec2.amazonaws.com')?.instanceProfile?.arn);
      expect(after.ecsServices[`${scenario.clusterName}/${scenario.serviceName}`]).toMatchObject({
        taskRoleArn: newRole('ecs-tasks.amazonaws.com')?.roleArn,
        executionRoleArn: newRole('ecs-tasks.amazonaws.com')?.roleArn,
      });
      // Neither new role trusts ecs.amazonaws.com: nothing gets a principal the workloads never used.
      for (const role of after.roles.filter((r) => r.name.startsWith(`${scenario.roleName}-`)))
        expect(trustedServices(role.trustPolicy), role.name).not.toContain('ecs.amazonaws.com');

      const rolledBack = await runCli(['rollback', planPath, '--yes'], env());
      expect(rolledBack.stderr).not.toMatch(/split-role: /);
      expect(rolledBack.code).toBe(0);
      expect(await captureAccountState(motoEndpoint)).toEqual(before);
      expect(await trustNow()).toEqual(trust);
    },
  );
});
