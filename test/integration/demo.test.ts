/**
 * The README's first command, `npm run demo`, must keep working: run the demo
 * script against the suite's moto_server, and check what each step did, not
 * just that it ran: the plan splits orders into one role per service, each
 * narrower than orders; apply keeps orders through the soak and retires it on
 * the second run; rollback leaves the account as the demo seeded it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readPlan } from '../../src/plan/plan-file.js';
import { bindingProblems, captureAccountState, planResources, trustedServices, workloadBindings } from '../support/account-state.js';
import { isolatedAwsEnv } from '../support/cli.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { startMoto } from '../support/moto-server.js';

const endpoint = workerMotoEndpoint();
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The output of each `$ split-role …` step, keyed by its position (1-based) and command. */
function stepOutputs(stdout: string): Array<{ command: string; output: string }> {
  return stdout
    .split(/\n(?=\$ split-role )/)
    .slice(1)
    .map((chunk) => ({ command: chunk.split(/\s/)[2] ?? '', output: chunk }));
}

describe.skipIf(!endpoint)('npm run demo', () => {
  it('runs scan → plan → show → apply → status → verify → apply → scan → rollback → scan, each doing its part', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'split-role-demo-'));
    const run = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/demo.ts', '--endpoint-url', endpoint as string, '--out-dir', outDir],
        { cwd: root, env: isolatedAwsEnv(), maxBuffer: 16 * 1024 * 1024 },
        (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      );
    });
    expect(run.code, run.stdout.slice(-2000)).toBe(0);
    const steps = stepOutputs(run.stdout);
    expect(steps.map((s) => s.command)).toEqual([
      'scan',
      'plan',
      'show',
      'apply',
      'status',
      'verify',
      'verify',
      'apply',
      'scan',
      'rollback',
      'scan',
    ]);
    expect(run.stdout).toContain('Demo complete');
    // The review goes to its file; the terminal shows its summary.
    const show = steps.find((s) => s.command === 'show')?.output ?? '';
    expect(show).toMatch(/lines of review, also in .*orders\.plan\.md; its summary:/);
    expect(show.split('\n').length).toBeLessThan(15);

    // The plan: one role per service, each trusted by that service alone, none holding every action of orders.
    const plan = await readPlan(join(outDir, 'orders.plan.json'));
    expect(plan.sharedRole.roleName).toBe('orders');
    // The trail records the functions' DynamoDB data events, and blind spots are kept, not dropped.
    expect(plan.decisions.unobservable).toBe('keep');
    const lambdaActions = plan.newRoles.find((r) => r.service === 'lambda.amazonaws.com')?.actions.map((a) => a.action);
    expect(lambdaActions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']));
    expect(plan.newRoles.map((r) => r.service).sort()).toEqual(['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com', 'lambda.amazonaws.com']);
    for (const role of plan.newRoles) {
      expect(trustedServices(role.trustPolicy), role.roleName).toEqual([role.service]);
      expect(role.actions.length, role.roleName).toBeGreaterThan(0);
    }
    const review = await readFile(join(outDir, 'orders.plan.md'), 'utf8');
    expect(review).toContain('# split-role plan: orders');
    for (const role of plan.newRoles) expect(review).toContain(role.roleName);

    // The first apply moved the workloads and kept orders for the soak; the second retired it.
    const [, , , firstApply, status, early, verify, secondApply, cleanScan, rollback, lastScan] = steps.map((s) => s.output);
    expect(firstApply).toMatch(/retire pending until /);
    expect(status).toMatch(/retire gate: retire pending until /);
    // Right after apply nothing past cutover was delivered: not "Clean.".
    expect(early).toMatch(/Read \d+ record\(s\); latest event .*\n[\s\S]*Not enough evidence yet/);
    expect(early).not.toMatch(/Clean\./);
    expect(verify).toMatch(/Clean\./);
    expect(secondApply).toMatch(/Done\./);
    expect(cleanScan).toMatch(/No shared roles found/);
    expect(rollback).toMatch(/Done\./);
    expect(lastScan).toMatch(/orders\s+ec2\.amazonaws\.com/);

    // After rollback: orders is back, every workload runs as it, and nothing the plan made is left.
    const state = await captureAccountState(endpoint as string);
    const orders = state.roles.find((r) => r.name === 'orders');
    expect(orders).toBeDefined();
    expect(bindingProblems(state)).toEqual([]);
    expect(planResources(state, plan.planId)).toEqual([]);
    const bindings = workloadBindings(state);
    expect(bindings.length).toBeGreaterThan(0);
    for (const binding of bindings) expect(binding.roleArns, binding.workload).toEqual([orders?.arn]);
    // Ten CLI runs (apply, then apply again after the gate): beyond a minute on a loaded machine.
  }, 300_000);

  it('on a plain moto_server (no ECS task ever runs) stops at once with one line saying how to start it', async () => {
    const plain = await startMoto({ ecsServiceRunning: 0 });
    try {
      const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'scripts/demo.ts', '--endpoint-url', plain.endpoint, '--out-dir', join(tmpdir(), 'split-role-demo-plain')],
          { cwd: root, env: isolatedAwsEnv() },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^demo: .* runs no ECS task.*MOTO_ECS_SERVICE_RUNNING=1/)]);
      expect(run.stdout).not.toContain('$ split-role');
    } finally {
      await plain.stop();
    }
  }, 60_000);
});
