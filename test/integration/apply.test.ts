/**
 * `split-role apply`, `rollback` and `status` end to end: the built CLI
 * against moto holding the orders scenario, every AWS call going through the
 * fault proxy so a test can count the calls that change the account.
 * Refusals (a held lock, no confirmation) must make no mutating call at all.
 * Drift and bad plans are in apply-drift.test.ts and apply-bad-input.test.ts
 * (files run side by side, each on its worker's moto).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { AutoScalingClient, CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { readPlan, sealPlan } from '../../src/plan/plan-file.js';
import type { Plan } from '../../src/plan/schema.js';
import {
  bindingProblems,
  captureAccountState,
  fullySplitProblems,
  orphanProblems,
  planResources,
  type AccountState,
} from '../support/account-state.js';
import { seedClients, serviceTrust, TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { ec2Error, queryError } from '../support/fault-proxy.js';
import { planScenario, type OrdersScenario } from '../support/scenario.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { useProxiedCli } from '../support/proxied-cli.js';
import { applyThroughRetire } from '../support/retire.js';

const endpoint = workerMotoEndpoint();

interface StatusJson {
  planId: string;
  roleName: string;
  lastRun?: { command: string; outcome?: string; at: string };
  steps: Array<{ stage: string; step: string; title: string; status: string; at?: string; error?: string }>;
}

/** The ARN of the plan's new role whose name ends in `-SUFFIX`. */
function roleArnOf(plan: Plan, suffix: string): string {
  const role = plan.newRoles.find((r) => r.roleName.endsWith(`-${suffix}`));
  if (!role) throw new Error(`no ${suffix} role in the plan`);
  return role.roleArn;
}

/** The binding the plan promises for each workload, in account-state terms. */
function expectOnTargets(state: AccountState, plan: Plan): void {
  for (const w of plan.workloads) {
    if (w.kind === 'ec2-instance') expect(state.ec2[w.instanceId], w.instanceId).toBe(w.target.instanceProfileArn);
    else if (w.kind === 'lambda-function') expect(state.lambda[w.functionName], w.functionName).toBe(w.target.roleArn);
    else if (w.kind === 'ecs-service') {
      const service = state.ecsServices[`${w.clusterArn.split('/').pop()}/${w.serviceName}`];
      expect(service?.taskDefinition).not.toBe(w.current.taskDefinitionArn);
      expect(service).toMatchObject({ taskRoleArn: w.target.taskRoleArn, executionRoleArn: w.target.executionRoleArn });
    } else throw new Error(`this suite's account has no ${w.kind}`);
  }
}

describe.skipIf(!endpoint)('split-role apply / rollback / status against moto', () => {
  const motoEndpoint = endpoint as string;
  const suite = useProxiedCli(motoEndpoint, 'split-role-apply-');
  const { cli } = suite;
  const config = { endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };

  describe('on a freshly planned account', () => {
    let scenario: OrdersScenario;
    let planPath: string;
    let plan: Plan;

    beforeEach(async () => {
      ({ scenario, planPath } = await suite.freshPlan());
      plan = await readPlan(planPath);
    });

    // Apply, re-apply and rollback, each a CLI run; rollback re-discovers the account before deleting anything.
    it(
      'splits the role, reports status, does nothing when re-run, and rolls back to the exact state before',
      { timeout: 300_000 },
      async () => {
        const before = await captureAccountState(motoEndpoint);
        expect(bindingProblems(before)).toEqual([]);

        const applied = await applyThroughRetire(cli, planPath);
        expect(applied.stderr).not.toMatch(/split-role: /);
        expect(applied.code).toBe(0);
        expect(applied.stderr).toMatch(/Done\./);
        expect(suite.proxy.mutatingCount).toBeGreaterThan(0);

        const after = await captureAccountState(motoEndpoint);
        expect(fullySplitProblems(after, 'orders')).toEqual([]);
        expect(orphanProblems(after)).toEqual([]);
        expectOnTargets(after, plan);
        expect(after.roles.map((r) => r.name)).toEqual(['orders-ec2', 'orders-ecs', 'orders-lambda', 'orders-reporting']);
        expect(after.instanceProfiles.map((p) => [p.name, p.roles])).toEqual([['orders-ec2', ['orders-ec2']]]);
        // The managed policy the shared role used is detached, not deleted: it is not this plan's to delete.
        expect(after.policies).toEqual([{ ...before.policies[0], attachmentCount: 0 }]);
        expect(planResources(after, plan.planId).sort()).toEqual([
          'instance profile orders-ec2',
          'role orders-ec2',
          'role orders-ecs',
          'role orders-lambda',
          `task definition ${scenario.taskDefinitionArn.replace(/:1$/, ':2')}`,
        ]);
        expect(existsSync(planPath.replace(/\.json$/, '.lock'))).toBe(false);
        const journal = (await readFile(planPath.replace(/\.json$/, '.journal.jsonl'), 'utf8'))
          .trim()
          .split('\n')
          .map((l): unknown => JSON.parse(l));
        expect(journal.at(-1)).toMatchObject({ event: 'run-end', command: 'apply', outcome: 'completed', planId: plan.planId });

        const status = await cli(['status', planPath]);
        expect(status.code).toBe(0);
        expect(status.stdout).toMatch(new RegExp(`Plan ${plan.planId} \\(orders\\): last run: apply completed`));
        expect(status.stdout).toMatch(/STAGE\s+STEP\s+STATUS\s+AT/);
        expect(status.stdout).toMatch(/retire\s+delete orders\s+done/);
        const json = JSON.parse((await cli(['status', planPath, '--json'])).stdout) as StatusJson;
        expect(json).toMatchObject({ planId: plan.planId, roleName: 'orders', lastRun: { command: 'apply', outcome: 'completed' } });
        expect(new Set(json.steps.map((s) => s.status))).toEqual(new Set(['done']));
        expect(json.steps.map((s) => s.stage)).toEqual(expect.arrayContaining(['create', 'repoint', 'verify', 'retire']));

        suite.proxy.clear();
        const again = await cli(['apply', planPath, '--yes', '--soak', '0']);
        expect(again.code).toBe(0);
        expect(again.stderr).toMatch(/Nothing to do/);
        expect(suite.proxy.mutatingOperations).toEqual([]);

        suite.proxy.clear();
        const rolledBack = await cli(['rollback', planPath, '--yes']);
        expect(rolledBack.stderr).not.toMatch(/split-role: /);
        expect(rolledBack.code).toBe(0);
        expect(rolledBack.stderr).toMatch(/orders was recreated with a new unique id/);
        const restored = await captureAccountState(motoEndpoint);
        expect(restored).toEqual(before);
        expect(planResources(restored)).toEqual([]);

        const afterRollback = JSON.parse((await cli(['status', planPath, '--json'])).stdout) as StatusJson;
        expect(afterRollback.lastRun).toMatchObject({ command: 'rollback', outcome: 'completed' });
        expect(new Set(afterRollback.steps.map((s) => s.status))).toEqual(new Set(['undone']));

        suite.proxy.clear();
        const twice = await cli(['rollback', planPath, '--yes']);
        expect(twice.code).toBe(0);
        expect(twice.stderr).toMatch(/Nothing to roll back/);
        expect(suite.proxy.mutatingOperations).toEqual([]);
        // Seven CLI runs, each sweeping resource policies and checking the retire gate: beyond a minute on a loaded machine.
      },
    );

    it('keeps the shared role with --keep-shared-role, and retires it on the next apply without redoing anything', async () => {
      const never = await cli(['status', planPath]);
      expect(never.stdout).toMatch(/never applied/);

      const kept = await cli(['apply', planPath, '--yes', '--keep-shared-role']);
      expect(kept.code).toBe(0);
      expect(kept.stderr).toMatch(/the shared role is kept/);
      const soaking = await captureAccountState(motoEndpoint);
      expect(bindingProblems(soaking)).toEqual([]);
      expectOnTargets(soaking, plan);
      const shared = soaking.roles.find((r) => r.name === 'orders');
      expect(shared?.inlinePolicies).toEqual({ 'orders-data': expect.anything() });
      expect(shared?.instanceProfiles).toEqual(['orders']);
      const status = JSON.parse((await cli(['status', planPath, '--json'])).stdout) as StatusJson;
      expect(status.lastRun).toMatchObject({ command: 'apply', outcome: 'retire pending' });
      for (const step of status.steps)
        expect([step.stage, step.status]).toEqual([step.stage, step.stage === 'retire' ? 'pending' : 'done']);
      const text = await cli(['status', planPath]);
      expect(text.stdout).toMatch(/workloads moved and verified, retire pending \(apply again to retire orders\)/);
      expect(text.stdout).not.toMatch(/apply completed/);

      suite.proxy.clear();
      const retired = await applyThroughRetire(cli, planPath);
      expect(retired.code).toBe(0);
      expect(retired.stderr).toMatch(/Done\./);
      // Only the retirement ran: nothing was created or moved again.
      expect(suite.proxy.mutatingOperations.filter((op) => /^(Create|Put|Attach|Add|Replace|Update|Register)/.test(op))).toEqual([]);
      expect(suite.proxy.mutatingOperations).toContain('DeleteRole');
      const after = await captureAccountState(motoEndpoint);
      expect(fullySplitProblems(after, 'orders')).toEqual([]);
      expect(orphanProblems(after)).toEqual([]);
    });

    it('refuses to act on a journal cut short or lost: no partial undo, no mutating call', { timeout: 180_000 }, async () => {
      expect((await applyThroughRetire(cli, planPath)).code).toBe(0);
      const journalPath = planPath.replace(/\.json$/, '.journal.jsonl');
      const full = await readFile(journalPath, 'utf8');
      const split = await captureAccountState(motoEndpoint);
      const lines = full.trimEnd().split('\n');
      // head -20 of the journal: every line intact, the rest gone.
      for (const cut of [lines.slice(0, 20).join('\n') + '\n', '']) {
        await writeFile(journalPath, cut);
        suite.proxy.clear();
        for (const command of ['rollback', 'apply']) {
          const run = await cli([command, planPath, '--yes']);
          expect(run.code, `${command}: ${run.stderr}`).toBe(2);
          expect(run.stderr.trim().split('\n')).toEqual([
            expect.stringMatching(
              /^split-role: JournalIncomplete: journal .* is incomplete: this plan's changes are in the account but not in the journal: .*the shared role orders is gone — nothing was changed; restore the complete journal/,
            ),
          ]);
        }
        expect(suite.proxy.mutatingOperations).toEqual([]);
        expect(await captureAccountState(motoEndpoint)).toEqual(split);
      }
      // With the whole journal back, rollback works as before.
      await writeFile(journalPath, full);
      expect((await cli(['rollback', planPath, '--yes'])).code).toBe(0);
    });

    it('rollback keeps a new role that something else now uses, says why, and exits 1', { timeout: 180_000 }, async () => {
      expect((await cli(['apply', planPath, '--yes'])).code).toBe(0);
      // A Lambda function created on orders-lambda, and a normal ECS deploy that runs as orders-ecs.
      const lambda = new LambdaClient(config);
      const zip = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'newcomer',
          Role: roleArnOf(plan, 'lambda'),
          Runtime: 'python3.12',
          Handler: 'app.handler',
          Code: { ZipFile: zip },
        }),
      );
      lambda.destroy();
      const ecs = new ECSClient(config);
      const td = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'orders-web',
          taskRoleArn: roleArnOf(plan, 'ecs'),
          containerDefinitions: [{ name: 'web', image: 'nginx:3', memory: 256 }],
        }),
      );
      await ecs.send(
        new UpdateServiceCommand({
          cluster: scenario.clusterName,
          service: scenario.serviceName,
          taskDefinition: td.taskDefinition?.taskDefinitionArn,
        }),
      );
      ecs.destroy();

      const rolledBack = await cli(['rollback', planPath, '--yes']);
      expect(rolledBack.code, rolledBack.stderr).toBe(1);
      expect(rolledBack.stderr).toMatch(/warning: keep orders-lambda, still in use: Lambda newcomer still runs as orders-lambda/);
      expect(rolledBack.stderr).toMatch(
        /warning: keep orders-ecs, still in use: ECS service orders-web still runs a task definition with orders-ecs/,
      );
      const state = await captureAccountState(motoEndpoint);
      const roles = state.roles.map((r) => r.name);
      expect(roles).toEqual(expect.arrayContaining(['orders', 'orders-lambda', 'orders-ecs']));
      expect(roles).not.toContain('orders-ec2');
      expect(state.lambda.newcomer).toBe(roleArnOf(plan, 'lambda'));
      for (const fn of scenario.functionNames) expect(state.lambda[fn]).toBe(scenario.roleArn);
    });

    it('after --keep-shared-role, rollback keeps the instance profile a newly launched instance uses', { timeout: 180_000 }, async () => {
      expect((await cli(['apply', planPath, '--yes', '--keep-shared-role'])).code).toBe(0);
      const ec2 = new EC2Client(config);
      const launched = await ec2.send(
        new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, IamInstanceProfile: { Name: 'orders-ec2' } }),
      );
      ec2.destroy();
      const newcomer = launched.Instances?.[0]?.InstanceId as string;

      const rolledBack = await cli(['rollback', planPath, '--yes']);
      expect(rolledBack.code, rolledBack.stderr).toBe(1);
      expect(rolledBack.stderr).toContain(
        `warning: keep orders-ec2, still in use: EC2 instance ${newcomer} still uses orders-ec2's profile`,
      );
      const state = await captureAccountState(motoEndpoint);
      const roles = state.roles.map((r) => r.name);
      expect(roles).toEqual(expect.arrayContaining(['orders', 'orders-ec2']));
      expect(roles).not.toContain('orders-lambda');
      expect(roles).not.toContain('orders-ecs');
      expect(state.instanceProfiles.map((p) => [p.name, p.roles])).toEqual(expect.arrayContaining([['orders-ec2', ['orders-ec2']]]));
      expect(state.ec2[newcomer]).toMatch(/instance-profile\/orders-ec2$/);
      // The plan's own instances went back to the shared role's profile.
      for (const w of plan.workloads) if (w.kind === 'ec2-instance') expect(state.ec2[w.instanceId]).toBe(w.current.instanceProfileArn);
    });

    it(
      'keeps the shared role while a manual-service follow-up is unconfirmed, then retires it once confirmed (journaled)',
      { timeout: 180_000 },
      async () => {
        // A plan that also lists a service split-role cannot repoint (as a plan for a role CodeBuild shares gets).
        const { digest: _old, ...body } = plan;
        body.followUps.push({
          kind: 'manual-service',
          resource: 'codebuild.amazonaws.com',
          message:
            'split-role cannot repoint codebuild.amazonaws.com workloads; change every codebuild resource that uses orders to orders-codebuild',
        });
        const manualPlan = join(suite.workdir, 'manual.plan.json');
        await writeFile(manualPlan, `${JSON.stringify(sealPlan(body), null, 2)}\n`);

        const waiting = await cli(['apply', manualPlan, '--yes']);
        expect(waiting.code, waiting.stderr).toBe(1);
        expect(waiting.stderr).toContain('keep orders: retire waits for 1 manual follow-up(s) split-role cannot check');
        expect(waiting.stderr).toContain('codebuild.amazonaws.com: split-role cannot repoint codebuild.amazonaws.com workloads');
        expect(waiting.stderr).not.toMatch(/split-role: /);
        let state = await captureAccountState(motoEndpoint);
        expect(state.roles.map((r) => r.name)).toContain('orders');
        expectOnTargets(state, plan);
        const status = await cli(['status', manualPlan]);
        expect(status.stdout).toMatch(/retire pending/);
        expect(status.stdout).toMatch(/Retire waits for these manual follow-ups.*\n {2}codebuild\.amazonaws\.com: /);

        // An id the plan does not list is refused before anything happens.
        suite.proxy.clear();
        const unknown = await cli(['apply', manualPlan, '--yes', '--confirm-manual', 'glue.amazonaws.com']);
        expect(unknown.code).toBe(2);
        expect(unknown.stderr.trim()).toBe(
          'split-role: UsageError: --confirm-manual glue.amazonaws.com: the plan has no manual follow-up with that id — its manual follow-ups are: codebuild.amazonaws.com',
        );
        expect(suite.proxy.mutatingOperations).toEqual([]);

        const confirmed = await applyThroughRetire(cli, manualPlan, ['--confirm-manual', 'codebuild.amazonaws.com']);
        expect(confirmed.code, confirmed.stderr).toBe(0);
        state = await captureAccountState(motoEndpoint);
        expect(state.roles.map((r) => r.name)).not.toContain('orders');
        const journal = (await readFile(manualPlan.replace(/\.json$/, '.journal.jsonl'), 'utf8'))
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(journal.filter((e) => e.event === 'follow-up-confirmed')).toEqual([
          expect.objectContaining({ followUp: 'codebuild.amazonaws.com', at: expect.any(String) }),
        ]);
        const after = JSON.parse((await cli(['status', manualPlan, '--json'])).stdout) as { waitingFor: string[] };
        expect(after.waitingFor).toEqual([]);
      },
    );

    it(
      'an Auto Scaling group pinned to a launch-template version, or overriding to it, with the shared profile is a follow-up and keeps the shared role',
      { timeout: 180_000 },
      async () => {
        // Template "web": version 1 (the default) and 3 (the latest) have no profile; version 2 has the shared role's.
        const ec2 = new EC2Client(config);
        const web = await ec2.send(
          new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: 'ami-12c6146b' } }),
        );
        const webId = web.LaunchTemplate?.LaunchTemplateId as string;
        await ec2.send(
          new CreateLaunchTemplateVersionCommand({
            LaunchTemplateId: webId,
            LaunchTemplateData: { ImageId: 'ami-12c6146b', IamInstanceProfile: { Name: 'orders' } },
          }),
        );
        await ec2.send(
          new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: webId, LaunchTemplateData: { ImageId: 'ami-12c6146b' } }),
        );
        await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'base', LaunchTemplateData: { ImageId: 'ami-12c6146b' } }));
        const subnet = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets?.[0]?.SubnetId as string;
        ec2.destroy();
        const autoscaling = new AutoScalingClient(config);
        await autoscaling.send(
          new CreateAutoScalingGroupCommand({
            AutoScalingGroupName: 'pinned',
            MinSize: 0,
            MaxSize: 1,
            VPCZoneIdentifier: subnet,
            LaunchTemplate: { LaunchTemplateId: webId, Version: '2' },
          }),
        );
        await autoscaling.send(
          new CreateAutoScalingGroupCommand({
            AutoScalingGroupName: 'mixed',
            MinSize: 0,
            MaxSize: 1,
            VPCZoneIdentifier: subnet,
            MixedInstancesPolicy: {
              LaunchTemplate: {
                LaunchTemplateSpecification: { LaunchTemplateName: 'base', Version: '$Latest' },
                Overrides: [{ InstanceType: 't3.micro', LaunchTemplateSpecification: { LaunchTemplateName: 'web', Version: '2' } }],
              },
            },
          }),
        );
        // A group pinned to a version that no longer exists launches nothing: it must not stop the discovery.
        await autoscaling.send(
          new CreateAutoScalingGroupCommand({
            AutoScalingGroupName: 'gone',
            MinSize: 0,
            MaxSize: 1,
            VPCZoneIdentifier: subnet,
            LaunchTemplate: { LaunchTemplateId: webId, Version: '9' },
          }),
        );
        autoscaling.destroy();

        const pinnedDir = await mkdtemp(join(suite.workdir, 'pinned-'));
        const pinnedPlan = await planScenario(motoEndpoint, scenario, pinnedDir);
        const made = await readPlan(pinnedPlan);
        expect(made.followUps.filter((f) => f.kind === 'auto-scaling-group')).toEqual([
          expect.objectContaining({ resource: 'pinned', message: expect.stringContaining('launch template web version 2 (pinned)') }),
          expect.objectContaining({ resource: 'mixed', message: expect.stringContaining('launch template web version 2 (pinned)') }),
        ]);
        expect(made.followUps).toContainEqual(expect.objectContaining({ kind: 'launch-template', resource: 'web:2' }));

        const applied = await cli(['apply', pinnedPlan, '--yes']);
        expect(applied.code).toBe(2);
        expect(applied.stderr).toMatch(
          /split-role: VerifyFailed: .*Auto Scaling group pinned launches instances with the shared role's profile; Auto Scaling group mixed launches instances with the shared role's profile/,
        );
        expect((await captureAccountState(motoEndpoint)).roles.map((r) => r.name)).toContain('orders');
      },
    );

    it('shows a failed repoint as the failure, and the stages after it as not run, not as failed', async () => {
      suite.proxy.setRule((req) =>
        req.operation === 'ReplaceIamInstanceProfileAssociation'
          ? ec2Error(400, 'InvalidParameterValue', 'injected repoint failure')
          : undefined,
      );
      const failed = await cli(['apply', planPath, '--yes']);
      suite.proxy.setRule(undefined);
      expect(failed.code).toBe(2);
      expect(failed.stderr).toMatch(/injected repoint failure/);
      expect(failed.stderr).not.toMatch(/✖ Verify|Verify \[FAILED\]/);
      expect(failed.stderr).toMatch(/Verify: not run, an earlier step failed/);
    });

    it('makes the retire re-check again when a stopped apply resumes, and keeps a role that gained a user', async () => {
      // Stop after the re-check passed, at the first change to the shared role.
      suite.proxy.setRule((req) =>
        req.operation === 'RemoveRoleFromInstanceProfile'
          ? queryError(403, 'AccessDenied', 'not authorized to perform: iam:RemoveRoleFromInstanceProfile')
          : undefined,
      );
      const stopped = await applyThroughRetire(cli, planPath);
      expect(stopped.code).toBe(2);
      suite.proxy.setRule(undefined);

      // Meanwhile someone points a function back at the shared role.
      const lambda = new LambdaClient(config);
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: scenario.functionNames[0], Role: scenario.roleArn }));
      lambda.destroy();

      const keep = await cli(['apply', planPath, '--yes', '--keep-shared-role']);
      expect(keep.code).toBe(2);
      expect(keep.stderr).toMatch(/RetireStarted: /);

      const resumed = await cli(['apply', planPath, '--yes', '--soak', '0', '--delivery-lag', '0']);
      expect(resumed.code).toBe(2);
      expect(resumed.stderr).toMatch(/SharedRoleInUse: orders is still in use: Lambda orders-api/);
      const state = await captureAccountState(motoEndpoint);
      expect(state.roles.map((r) => r.name)).toContain('orders');
    });

    it('never overwrites an applied plan, and rollback leaves a workload someone moved elsewhere', async () => {
      expect((await applyThroughRetire(cli, planPath)).code).toBe(0);
      const replan = await cli([
        'plan',
        '--role',
        'orders',
        '--yes',
        '--evidence',
        'logs',
        '--cloudtrail-logs',
        suite.workdir,
        '--out',
        planPath,
      ]);
      expect(replan.code).toBe(2);
      expect(replan.stderr).toMatch(/PlanApplied: .* has been applied/);
      expect((await readPlan(planPath)).planId).toBe(plan.planId);

      const { iam } = seedClients(motoEndpoint);
      const other = await iam.send(
        new CreateRoleCommand({ RoleName: 'orders-elsewhere', AssumeRolePolicyDocument: serviceTrust('lambda.amazonaws.com') }),
      );
      iam.destroy();
      const lambda = new LambdaClient(config);
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: scenario.functionNames[1], Role: other.Role?.Arn }));
      lambda.destroy();

      const rolledBack = await cli(['rollback', planPath, '--yes']);
      expect(rolledBack.code).toBe(0);
      expect(rolledBack.stderr).toMatch(/warning: Lambda orders-worker was not pointed back/);
      const state = await captureAccountState(motoEndpoint);
      expect(state.lambda['orders-worker']).toBe(other.Role?.Arn);
      expect(state.lambda['orders-api']).toBe(scenario.roleArn);
    });

    it('refuses a re-sealed plan that grants more than the shared role, before any change', async () => {
      const body = JSON.parse(await readFile(planPath, 'utf8')) as Plan;
      const widened = structuredClone(body);
      const statement = widened.newRoles[0]!.inlinePolicies[0]!.document.Statement[0]!;
      statement.Action = [...[statement.Action ?? []].flat(), 'iam:CreateUser'];
      const { digest: _old, ...rest } = widened;
      const forged = join(suite.workdir, 'forged.plan.json');
      await writeFile(forged, `${JSON.stringify(sealPlan(rest), null, 2)}\n`);
      suite.proxy.clear();
      const run = await cli(['apply', forged, '--yes', '--soak', '0']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /PlanUnsafe: new role orders-\w+ would allow more than the shared role: .*iam:CreateUser.* — nothing was changed/,
      );
      expect(run.stderr).not.toMatch(/bug in split-role/);
      expect(suite.proxy.mutatingCount).toBe(0);
    });

    it('refuses apply and rollback without --yes when not on a terminal: exit 2, no change', async () => {
      const refused = await cli(['apply', planPath]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/UsageError: refusing to change the account without confirmation — pass --yes/);
      expect(suite.proxy.mutatingOperations).toEqual([]);
      expect(existsSync(planPath.replace(/\.json$/, '.lock'))).toBe(false);

      expect((await applyThroughRetire(cli, planPath)).code).toBe(0);
      const split = await captureAccountState(motoEndpoint);
      suite.proxy.clear();
      const noRollback = await cli(['rollback', planPath]);
      expect(noRollback.code).toBe(2);
      expect(noRollback.stderr).toMatch(/UsageError: refusing to change the account without confirmation/);
      expect(suite.proxy.mutatingOperations).toEqual([]);
      expect(await captureAccountState(motoEndpoint)).toEqual(split);
    });

    it('refuses while a live process holds the plan lock, and takes over the lock of a dead one', async () => {
      const lockPath = planPath.replace(/\.json$/, '.lock');
      // The test runner itself is alive: its lock must be respected.
      await writeFile(
        lockPath,
        JSON.stringify({ pid: process.pid, host: hostname(), command: 'apply', startedAt: new Date().toISOString() }),
      );
      for (const command of ['apply', 'rollback']) {
        const locked = await cli([command, planPath, '--yes']);
        expect(locked.code).toBe(2);
        expect(locked.stderr).toMatch(new RegExp(`PlanLocked: apply of this plan is already running \\(pid ${process.pid} on `));
      }
      expect(suite.proxy.mutatingOperations).toEqual([]);

      const deadPid = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['-e', '']);
        child.on('exit', () => resolve(child.pid as number));
      });
      await writeFile(lockPath, JSON.stringify({ pid: deadPid, host: hostname(), command: 'apply', startedAt: new Date().toISOString() }));
      const applied = await applyThroughRetire(cli, planPath);
      expect(applied.stderr).not.toMatch(/split-role: /);
      expect(applied.code).toBe(0);
      expect(existsSync(lockPath)).toBe(false);
      expect(fullySplitProblems(await captureAccountState(motoEndpoint), 'orders')).toEqual([]);
    });
  });
});
