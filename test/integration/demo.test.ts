/**
 * The README's first command, `npm run demo`, must keep working: run the demo
 * script against the suite's moto_server and check every step ran.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isolatedAwsEnv } from '../support/cli.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';

const endpoint = workerMotoEndpoint();
const root = fileURLToPath(new URL('../..', import.meta.url));

describe.skipIf(!endpoint)('npm run demo', () => {
  it('runs scan → plan → show → apply → status → verify → apply → scan → rollback → scan and exits 0', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'split-role-demo-'));
    const run = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/demo.ts', '--endpoint-url', endpoint as string, '--out-dir', outDir],
        { cwd: root, env: isolatedAwsEnv(), maxBuffer: 16 * 1024 * 1024 },
        (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      );
    });
    expect(run.code).toBe(0);
    const commands = run.stdout.split('\n').filter((line) => line.startsWith('$ split-role ')).map((line) => line.split(' ')[2]);
    expect(commands).toEqual(['scan', 'plan', 'show', 'apply', 'status', 'verify', 'apply', 'scan', 'rollback', 'scan']);
    expect(run.stdout).toContain('Demo complete');
    const review = await readFile(join(outDir, 'orders.plan.md'), 'utf8');
    expect(review).toContain('# split-role plan: orders');
    // Ten CLI runs (apply, then apply again after the gate): beyond a minute on a loaded machine.
  }, 300_000);
});
