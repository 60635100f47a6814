/**
 * `npm run demo`: the whole story against a local AWS emulator. Seeds a
 * realistic account in moto_server, then runs scan → plan → show → apply →
 * scan → status → rollback → scan, printing each command before its output,
 * and exits non-zero as soon as a step does not do what it should.
 *
 *   npm run demo                                  # starts its own moto_server
 *   npm run demo -- --endpoint-url http://127.0.0.1:5000   # uses a running one (it is reset!)
 *       # started as MOTO_ECS_SERVICE_RUNNING=1 moto_server -p 5000: plain moto runs no ECS task, and the demo says so
 *   npm run demo -- --out-dir /tmp/demo           # where the plan and trail files go (default plans/demo)
 */
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readPlan } from '../src/plan/plan-file.js';
import { CLI } from '../test/support/cli.js';
import { MOTO_INSTALL, motoAvailable, resetMoto, startMoto, type MotoServer } from '../test/support/moto-server.js';
import { scenarioRecords, seedOrdersScenario } from '../test/support/scenario.js';
import { deliverTrailFile, writeTrailFiles } from '../test/support/trail-files.js';

interface Step {
  args: string[];
  expectCode: number;
  expectOutput?: RegExp;
  /** Print this instead of the output (the review: its summary; the file holds the rest). */
  summary?: (output: string) => Promise<string>;
  why: string;
  /** What happens before the step (time passing: CloudTrail delivering a file). */
  before?: () => Promise<void>;
}

// The demo's own SDK clients (seeding, the emulator check) run on Node 20 like the CLI: no upgrade notice in its output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({ options: { 'endpoint-url': { type: 'string' }, 'out-dir': { type: 'string' } } });
// Relative paths keep the printed commands short and copy-pasteable.
const outDir = relative(process.cwd(), resolve(values['out-dir'] ?? join('plans', 'demo'))) || '.';
const planFile = join(outDir, 'orders.plan.json');
const trailDir = join(outDir, 'trail');

let moto: MotoServer | undefined;
let endpoint = values['endpoint-url'];
if (!endpoint) {
  if (!motoAvailable()) {
    process.stderr.write(`demo: moto_server is not installed; install it with: ${MOTO_INSTALL}\n`);
    process.exit(2);
  }
  moto = await startMoto();
  endpoint = moto.endpoint;
}

try {
  await resetMoto(endpoint);
  banner(`Seeding a local account at ${endpoint}: the shared role "orders" used by 2 EC2 instances, 2 Lambda functions and an ECS service`);
  const scenario = await seedOrdersScenario(endpoint);
  await refusePlainEmulator(endpoint, scenario);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const files = await writeTrailFiles(trailDir, scenarioRecords(scenario, { days: 7, dataEvents: true }), scenario);
  say(
    `Wrote ${files.length} CloudTrail log files (7 days of what each service really did, DynamoDB data events included) under ${trailDir}`,
  );

  const steps: Step[] = [
    {
      args: ['scan'],
      expectCode: 1,
      expectOutput: /orders\s+ec2\.amazonaws\.com, ecs-tasks\.amazonaws\.com, lambda\.amazonaws\.com/,
      why: 'audit the account: orders is shared by three services',
    },
    {
      args: [
        'plan',
        '--role',
        'orders',
        '--yes',
        '--evidence',
        'logs',
        '--cloudtrail-logs',
        trailDir,
        '--since',
        '30d',
        // keep: granted actions the evidence cannot see stay granted and are listed for review. drop would remove
        // them, which breaks a workload whenever the trail does not record the data events that would show them.
        '--unobservable',
        'keep',
        '--out',
        planFile,
      ],
      expectCode: 0,
      expectOutput: /orders\.plan\.json/,
      why: 'learn who used what from the trail files, and write a reviewable plan',
    },
    {
      args: ['show', planFile],
      expectCode: 0,
      expectOutput: /orders-ec2[\s\S]*orders-lambda/,
      summary: reviewSummary,
      why: 'the review a pull request would show',
    },
    {
      args: ['apply', planFile, '--yes'],
      expectCode: 0,
      expectOutput: /retire pending until /,
      why: 'create the roles, move the workloads, verify; orders is kept for the 6h soak',
    },
    {
      args: ['status', planFile],
      expectCode: 0,
      expectOutput: /retire gate: retire pending until /,
      why: 'every step and the retire gate, from the journal',
    },
    {
      args: ['verify', planFile],
      expectCode: 4,
      expectOutput: /Not enough evidence yet/,
      why: 'right after apply CloudTrail has delivered nothing past cutover: "not enough evidence yet" (exit 4), never "Clean."',
    },
    {
      args: ['verify', planFile, '--delivery-lag', '0'],
      expectCode: 0,
      expectOutput: /Clean\./,
      // Real CloudTrail delivers within about 15 minutes; the demo writes that file itself and waives the margin.
      before: async () => {
        const file = await deliverTrailFile(trailDir, scenario);
        say(`CloudTrail delivers a log file past cutover (simulated: ${file})`);
      },
      why: 'once the trail reaches past cutover: no refused calls, nothing still on orders, every workload healthy',
    },
    {
      args: ['apply', planFile, '--yes', '--soak', '0', '--delivery-lag', '0'],
      expectCode: 0,
      expectOutput: /Done\./,
      // In the demo the soak is skipped; moto never records RoleLastUsed and the trail shows no call after cutover, so the gate holds.
      why: 'apply again (here without waiting out the soak): the evidence reaches past cutover and nothing used orders, so it is retired',
    },
    { args: ['scan'], expectCode: 0, expectOutput: /No shared roles found/, why: 'the account is clean' },
    { args: ['rollback', planFile, '--yes'], expectCode: 0, expectOutput: /Done\./, why: 'undo it all from the plan and its journal' },
    { args: ['scan'], expectCode: 1, expectOutput: /orders\s+ec2\.amazonaws\.com/, why: 'and the original finding is back' },
  ];
  for (const [index, step] of steps.entries()) {
    banner(`${index + 1}/${steps.length} ${step.why}`);
    await step.before?.();
    say(`$ split-role ${step.args.map(quote).join(' ')}`);
    const run = await runCli(step.args, endpoint, !step.summary);
    if (step.summary) say(await step.summary(run.output));
    if (run.code !== step.expectCode || (step.expectOutput && !step.expectOutput.test(run.output))) {
      process.stderr.write(
        `\ndemo: step ${index + 1} failed: expected exit ${step.expectCode}${step.expectOutput ? ` and output matching ${step.expectOutput}` : ''}, got exit ${run.code}\n`,
      );
      process.exitCode = 1;
      break;
    }
  }
  if (!process.exitCode) banner(`Demo complete. The plan and its review are in ${outDir}`);
} finally {
  await moto?.stop();
}

/** Runs the CLI, streaming its output to this terminal and keeping a copy to check. */
function runCli(args: string[], motoEndpoint: string, echo = true): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'demo',
        AWS_SECRET_ACCESS_KEY: 'demo',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: motoEndpoint,
        AWS_CONFIG_FILE: '/nonexistent/split-role-demo',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/split-role-demo',
        SPLIT_ROLE_FAST_WAITS: '1',
        // The demo's account lives in one region; moto would report twenty enabled, all empty.
        SPLIT_ROLE_ENABLED_REGIONS: process.env.SPLIT_ROLE_ENABLED_REGIONS ?? 'us-east-1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (echo) process.stdout.write(chunk);
    });
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

/**
 * Plain moto_server runs no ECS task (MOTO_ECS_SERVICE_RUNNING unset), so the service never becomes stable and
 * apply would wait minutes before failing: say so in one line and stop before anything else runs.
 */
async function refusePlainEmulator(motoEndpoint: string, scenario: { region: string; clusterName: string; serviceName: string }) {
  const ecs = new ECSClient({
    endpoint: motoEndpoint,
    region: scenario.region,
    credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
  });
  try {
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: scenario.clusterName, services: [scenario.serviceName] }));
    const service = services?.[0];
    if (service && (service.runningCount ?? 0) >= (service.desiredCount ?? 1)) return;
    process.stderr.write(
      `demo: the emulator at ${motoEndpoint} runs no ECS task, so the demo's ECS service can never become stable; ` +
        'start moto_server with MOTO_ECS_SERVICE_RUNNING=1 in its environment, or run `npm run demo` without --endpoint-url\n',
    );
    process.exit(2);
  } finally {
    ecs.destroy();
  }
}

/** The review in a few lines: the whole of it is in the file beside the plan. */
async function reviewSummary(output: string): Promise<string> {
  const plan = await readPlan(planFile);
  const width = Math.max(...plan.newRoles.map((r) => r.roleName.length));
  return [
    `(${output.split('\n').length} lines of review, also in ${planFile.replace(/\.json$/, '.md')}; its summary:)`,
    ...plan.newRoles.map((r) => `  ${r.roleName.padEnd(width)}  ${r.service}: ${r.actions.length} actions`),
    `  ${plan.workloads.length} workloads move; ${plan.followUps.length} manual follow-up(s); unobservable: ${plan.decisions.unobservable}`,
  ].join('\n');
}

function banner(text: string): void {
  process.stdout.write(`\n=== ${text}\n`);
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}
