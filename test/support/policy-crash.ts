/**
 * Kills `split-role apply` right after moto answered a given resource-policy
 * write (the fault proxy holds the answer until the process is dead, so the
 * write happened and the journal never heard of it). Shared by the crash
 * matrix files.
 */
import type { FaultProxy } from './fault-proxy.js';
import { spawnApplyThroughRetire } from './retire.js';

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
  // Cutover, then (once a trail file past cutover is delivered) retirement: the occurrences are counted across both runs.
  const { result, killedAfter } = await spawnApplyThroughRetire(
    proxy,
    env,
    planPath,
    (operation, mutating) => mutating && operation === op && ++seen === occurrence,
  );
  return killedAfter ? 'killed' : `${proxy.mutatingOperations.join(' ')} / exit ${result.code}: ${result.stderr.slice(-400)}`;
}
