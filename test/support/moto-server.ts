/**
 * Starts and stops a real moto_server on a free loopback port. Shared by the
 * test suites' global setup, the benchmarks and the demo. The server runs
 * with the patches in moto-patches/ loaded (operations moto lacks, added to
 * moto's own services; moto-patches/README.md lists them).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The Python that has moto installed (SPLIT_ROLE_MOTO_PYTHON, else python3 on PATH, as moto_server's own). */
const PYTHON = process.env.SPLIT_ROLE_MOTO_PYTHON || 'python3';
/** moto_server's main with the patches imported first. */
const SERVE = fileURLToPath(new URL('./moto-patches/serve.py', import.meta.url));

/** The command that installs moto_server, for messages. */
export const MOTO_INSTALL = 'pip install "moto[server]"';

/** A running moto_server. */
export interface MotoServer {
  endpoint: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** True when `moto_server` can be run on this machine. */
export function motoAvailable(): boolean {
  const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return false;
  // The patched server runs moto's main in this Python: it must import moto's server (flask and all).
  const python = spawnSync(PYTHON, [SERVE, '--help'], { stdio: 'ignore' });
  return !python.error && python.status === 0;
}

/** Asks the OS for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resets every service's state in the moto at `endpoint`. */
export async function resetMoto(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
}

/** Starts moto_server and waits until it answers. */
export async function startMoto(options: { ecsServiceRunning?: number } = {}): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(PYTHON, [SERVE, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ECS_SERVICE_RUNNING: String(options.ecsServiceRunning ?? 1) },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  await waitUntilUp(endpoint, child, () => stderr);
  return {
    endpoint,
    reset: () => resetMoto(endpoint),
    stop: () => stopChild(child),
  };
}

async function waitUntilUp(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`moto_server did not start within 30s: ${stderr()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}
