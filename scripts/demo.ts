/**
 * `npm run demo`: the whole story against a local AWS emulator. Seeds a
 * realistic account in moto_server, then runs scan → plan → show → apply →
 * scan → status → rollback → scan, printing each command before its output,
 * and exits non-zero as soon as a step does not do what it should.
 *
 *   npm run demo                                  # starts its own moto_server
 *   npm run demo -- --endpoint-url http://127.0.0.1:5000   # uses a running one (it is reset!)
 *   npm run demo -- --out-dir /tmp/demo           # where the plan and trail files go (default plans/demo)
 */
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CLI } from '../test/support/cli.js';
import { MOTO_INSTALL, motoAvailable, resetMoto, startMoto, type MotoServer } from '../test/support/moto-server.js';
import { scenarioRecords, seedOrdersScenario } from '../test/support/scenario.js';
import { writeTrailFiles } from '../test/support/trail-files.js';

interface Step {
  args: string[];
  expectCode: number;
  expectOutput?: RegExp;
  why: string;
}

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
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const files = await writeTrailFiles(trailDir, scenarioRecords(scenario, { days: 7 }), scenario);
  say(`Wrote ${files.length} CloudTrail log files (7 days of what each service really did) under ${trailDir}`);

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
        '--unobservable',
        'drop',
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
      expectCode: 0,
      expectOutput: /Clean\./,
      why: 'no refused calls, nothing still on orders, every workload healthy',
    },
    {
      args: ['apply', planFile, '--yes', '--soak', '0'],
      expectCode: 0,
      expectOutput: /Done\./,
      // In the demo the soak is skipped; moto never records RoleLastUsed and the trail shows no call after cutover, so gate (b) holds.
      why: 'apply again (here without waiting out the soak): nothing used orders since cutover, so it is retired',
    },
    { args: ['scan'], expectCode: 0, expectOutput: /No shared roles found/, why: 'the account is clean' },
    { args: ['rollback', planFile, '--yes'], expectCode: 0, expectOutput: /Done\./, why: 'undo it all from the plan and its journal' },
    { args: ['scan'], expectCode: 1, expectOutput: /orders\s+ec2\.amazonaws\.com/, why: 'and the original finding is back' },
  ];
  for (const [index, step] of steps.entries()) {
    banner(`${index + 1}/${steps.length} ${step.why}`);
    say(`$ split-role ${step.args.map(quote).join(' ')}`);
    const run = await runCli(step.args, endpoint);
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
function runCli(args: string[], motoEndpoint: string): Promise<{ code: number; output: string }> {
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
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
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
