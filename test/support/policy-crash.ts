/**
 * Kills `split-role apply` right after moto answered a given resource-policy
 * write (the fault proxy holds the answer until the process is dead, so the
 * write happened and the journal never heard of it). Shared by the crash
 * matrix files.
 */
import { spawnCli } from './cli.js';
import type { FaultProxy } from './fault-proxy.js';

/** Runs apply and SIGKILLs it once moto has answered the `occurrence`th `op`; 'killed', or the mutating calls made when it never got there. */
export async function applyKilledAt(
  proxy: FaultProxy,
  env: NodeJS.ProcessEnv,
  planPath: string,
  op: string,
  occurrence: number,
): Promise<string> {
  proxy.clear();
  let seen = 0;
  let killed = false;
  const run = spawnCli(['apply', planPath, '--yes', '--soak', '0'], env);
  proxy.setRule(() => (killed ? { drop: true } : undefined));
  proxy.onForwarded(async (operation, _status, req) => {
    if (!req.mutating || killed || operation !== op || ++seen !== occurrence) return;
    killed = true;
    run.child.kill('SIGKILL');
    await run.result;
  });
  try {
    const result = await run.result;
    return killed ? 'killed' : `${proxy.mutatingOperations.join(' ')} / exit ${result.code}: ${result.stderr.slice(-400)}`;
  } finally {
    proxy.onForwarded(undefined);
    proxy.setRule(undefined);
  }
}
