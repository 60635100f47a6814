/**
 * The interactive `plan` on a real pseudo-terminal (util-linux `script`):
 * pick the role, confirm workloads, decide unattributed and unobservable
 * actions, rename a role, give a missing required tag, and write. The answers must show in the plan.
 * Ctrl-C at a question ends the run with 130 and keeps the evidence read.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { readPlan } from '../../src/plan/plan-file.js';
import { adapterFor } from '../../src/workloads/registry.js';
import { TEST_REGION } from '../support/aws-clients.js';
import { CLI, isolatedAwsEnv } from '../support/cli.js';
import { resetMoto } from '../support/moto-server.js';
import { scenarioRecords, seedOrdersScenario } from '../support/scenario.js';
import { writeTrailFiles } from '../support/trail-files.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';

const endpoint = workerMotoEndpoint();
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

/** Runs `command` on a pseudo-terminal, typing each answer once its prompt appears. */
function converse(
  command: string,
  env: NodeJS.ProcessEnv,
  answers: Array<[RegExp, string]>,
  size = { cols: 250, rows: 50 },
): Promise<{ code: number; unanswered: number; screen: string; all: string }> {
  return new Promise((resolve) => {
    // A wide terminal keeps prompts on one line, so they can be matched; at 80×24 the patterns are short.
    const child = spawn('script', ['-qfec', `stty cols ${size.cols} rows ${size.rows}; ${command}`, '/dev/null'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const pending = [...answers];
    let screen = '';
    let all = '';
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
      all += chunk.toString();
      while (pending.length > 0 && pending[0]![0].test(screen)) {
        const [, keys] = pending.shift()!;
        screen = '';
        setTimeout(() => child.stdin.write(keys), 50);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, unanswered: pending.length, screen: screen.slice(-2000), all });
    });
  });
}

describe.skipIf(!endpoint || !hasScript)('split-role plan on a terminal', () => {
  beforeEach(async () => {
    await resetMoto(endpoint as string);
  });

  it('asks each question and writes what was answered', async () => {
    const scenario = await seedOrdersScenario(endpoint as string);
    const dir = await mkdtemp(join(tmpdir(), 'split-role-tty-'));
    await writeTrailFiles(join(dir, 'trail'), scenarioRecords(scenario, { unattributed: true }), scenario);
    const out = join(dir, 'orders.plan.json');
    // At a terminal the evidence cache is on by default, under XDG_CACHE_HOME: the test's own folder, not the machine's.
    const env = isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: endpoint as string, XDG_CACHE_HOME: join(dir, 'cache') });
    const DOWN = '\u001b[B';
    const run = await converse(
      `${process.execPath} ${CLI} plan --evidence logs --cloudtrail-logs ${join(dir, 'trail')} --require-tags team,owner --out ${out}`,
      env,
      [
        [/Which shared roles should be split/, ' \r'],
        [/Are these the workloads to move/, '\r'],
        // kms:GenerateDataKey to the third service listed (lambda), nobody else.
        [/kms:GenerateDataKey was called/, `${DOWN}${DOWN} \r`],
        // Blind spots come grouped by reason with baselines pre-selected: accept that everywhere.
        // No group of ec2's is ticked by default, so single actions are not offered.
        [/Which does ec2/, '\r'],
        [/Which does ecs-tasks/, '\r'],
        [/Pick single actions within .* for ecs-tasks/, '\r'],
        [/Which does lambda/, '\r'],
        [/Pick single actions within .* for lambda/, '\r'],
        [/Name of the new ec2 role/, 'orders-hosts\r'],
        [/Name of the new ecs role/, '\r'],
        [/Name of the new lambda role/, '\r'],
        // The shared role has team but not owner: only owner is asked, once for every new role.
        [/Value of tag owner on the new roles/, 'team-orders\r'],
        [/Write the plan to/, '\r'],
      ],
    );
    expect(run.unanswered, run.screen).toBe(0);
    expect(run.code).toBe(0);
    expect(readdirSync(join(dir, 'cache', 'split-role', 'evidence', 'trail-files'))).toHaveLength(1);

    const plan = await readPlan(out);
    expect(plan.decisions).toMatchObject({ unattributed: 'chosen', unobservable: 'chosen' });
    expect(plan.newRoles.map((r) => r.roleName).sort()).toEqual(['orders-ecs', 'orders-hosts', 'orders-lambda']);
    for (const role of plan.newRoles)
      expect(role.tags).toEqual(
        expect.arrayContaining([
          { Key: 'team', Value: 'orders' },
          { Key: 'owner', Value: 'team-orders' },
        ]),
      );
    expect(plan.unattributed).toEqual([expect.objectContaining({ action: 'kms:GenerateDataKey', grantedTo: ['lambda.amazonaws.com'] })]);
    const lambda = plan.newRoles.find((r) => r.service === 'lambda.amazonaws.com');
    // Accepting the defaults keeps exactly Lambda's runtime baseline (its logs), nothing else unseen.
    expect(lambda?.unobservable.filter((u) => u.kept).map((u) => u.action)).toEqual(['logs:CreateLogGroup', 'logs:PutLogEvents']);
    // Not vacuous: Lambda has unseen non-baseline actions, and the defaults keep none of them.
    const lambdaUnseen = lambda?.unobservable.filter((u) => !u.baseline) ?? [];
    expect(lambdaUnseen.length).toBeGreaterThan(0);
    expect(lambdaUnseen.filter((u) => u.kept).map((u) => u.action)).toEqual([]);
    const ec2 = plan.newRoles.find((r) => r.service === 'ec2.amazonaws.com');
    expect(ec2?.actions.map((a) => a.action)).not.toContain('kms:GenerateDataKey');
    expect(ec2?.unobservable.length).toBeGreaterThan(0);
    expect(ec2?.unobservable.filter((u) => u.kept).map((u) => u.action)).toEqual([]);
  });

  it('at 80×24: back (Esc) to the workloads, leave one on the shared role, and print the command that repeats the run', async () => {
    const scenario = await seedOrdersScenario(endpoint as string);
    const dir = await mkdtemp(join(tmpdir(), 'split-role-tty-'));
    await writeTrailFiles(join(dir, 'trail'), scenarioRecords(scenario, { unattributed: true }), scenario);
    const out = join(dir, 'orders.plan.json');
    // At a terminal the evidence cache is on by default, under XDG_CACHE_HOME: the test's own folder, not the machine's.
    const env = isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: endpoint as string, XDG_CACHE_HOME: join(dir, 'cache') });
    const DOWN = '\u001b[B';
    const ESC = '\u001b';
    const run = await converse(
      `${process.execPath} ${CLI} plan --evidence logs --cloudtrail-logs ${join(dir, 'trail')} --tag owner=team-orders --out ${out}`,
      env,
      [
        [/Which shared roles/, ' \r'],
        // The first workload listed unticked: it stays on the shared role.
        [/Are these the workloads/, ' \r'],
        // Esc at the first decision goes back to the workloads; answer them again, the same way.
        [/kms:GenerateDataKey was/, ESC],
        [/Are these the workloads/, ' \r'],
        [/kms:GenerateDataKey was/, `${DOWN}${DOWN} \r`],
        [/Which does ec2/, '\r'],
        [/Which does ecs-tasks/, '\r'],
        [/Pick single actions/, '\r'],
        [/Which does lambda/, '\r'],
        [/Pick single actions/, '\r'],
        [/new ec2 role/, '\r'],
        [/new ecs role/, '\r'],
        [/new lambda role/, '\r'],
        [/Write the plan to/, '\r'],
      ],
      { cols: 80, rows: 24 },
    );
    expect(run.unanswered, run.screen).toBe(0);
    expect(run.code, run.screen).toBe(0);

    const plan = await readPlan(out);
    // Deselected: the first workload listed does not move, so the shared role is kept; the others move.
    const stayed = /1 workload\(s\) stay on the shared role by choice \(([^)]+)\)/.exec(plan.warnings.join('\n'))?.[1];
    expect(stayed, plan.warnings.join('\n')).toBeDefined();
    const moved = plan.workloads.map((w) => adapterFor(w).stepId(w));
    expect(moved).not.toContain(stayed);
    expect(moved.length).toBeGreaterThan(0);
    expect(plan.retireSharedRole).toBe(false);
    // The answer given after going back is the one kept.
    expect(plan.unattributed).toEqual([expect.objectContaining({ action: 'kms:GenerateDataKey', grantedTo: ['lambda.amazonaws.com'] })]);
    // The diff was folded: each role in one line, not the policy diff, before the write question.
    expect(run.all).not.toContain('+++ orders-lambda');
    expect(run.all).toMatch(/orders-lambda: \d+ action/);
    expect(run.all).toContain('To repeat this plan without prompts');
    expect(run.all).toMatch(/split-role plan --evidence logs .*--role orders --yes/);
  });

  it('Ctrl-C at a question: exit 130, no plan written, and the line says where the evidence read so far is kept', async () => {
    const scenario = await seedOrdersScenario(endpoint as string);
    const dir = await mkdtemp(join(tmpdir(), 'split-role-tty-'));
    await writeTrailFiles(join(dir, 'trail'), scenarioRecords(scenario), scenario);
    const out = join(dir, 'orders.plan.json');
    const cache = join(dir, 'cache');
    const env = isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: endpoint as string, XDG_CACHE_HOME: cache });
    const run = await converse(
      `${process.execPath} ${CLI} plan --evidence logs --cloudtrail-logs ${join(dir, 'trail')} --out ${out}`,
      env,
      [
        [/Which shared roles/, ' \r'],
        // The evidence is read by now: the workloads question comes after it.
        [/Are these the workloads/, '\u0003'],
      ],
    );
    expect(run.unanswered, run.screen).toBe(0);
    expect(run.code, run.all).toBe(130);
    expect(run.all).toMatch(/cancelled; the evidence read so far is kept in \S*split-role\/evidence/);
    expect(readdirSync(dir)).not.toContain('orders.plan.json');
    expect(readdirSync(join(cache, 'split-role', 'evidence')).length).toBeGreaterThan(0);
  });
});
