/**
 * `apply --soak 0` used to retire the shared role in one run. The retire
 * gate now needs evidence that reaches cutover plus the delivery margin, and
 * right after cutover CloudTrail has delivered nothing past it. So suites
 * that mean "apply and retire" run apply, let a trail file be delivered past
 * cutover into the plan's trail folder, and apply again with
 * `--delivery-lag 0`, as an operator does later.
 */
import { readFile } from 'node:fs/promises';
import { spawnCli, type CliResult, type SpawnedCli, type SpawnedResult } from './cli.js';
import type { FaultProxy } from './fault-proxy.js';
import { deliverTrailFile } from './trail-files.js';

/** The plan's trail folder (its logs evidence), account and region. */
async function planTrail(planPath: string): Promise<{ location: string; account: string; region: string } | undefined> {
  const plan = JSON.parse(await readFile(planPath, 'utf8')) as {
    account: string;
    region: string;
    evidence: { config?: { location?: unknown }; location?: unknown };
  };
  const location = plan.evidence.config?.location ?? plan.evidence.location;
  return typeof location === 'string' && !location.startsWith('s3://')
    ? { location, account: plan.account, region: plan.region }
    : undefined;
}

/**
 * Runs `apply PLAN --yes --soak 0 ARGS`; when the gate waits for evidence
 * (stdout says retire pending), delivers a trail file past cutover and runs
 * it again with `--delivery-lag 0`. Returns the last run, and the first.
 */
export async function applyThroughRetire(
  cli: (args: string[]) => Promise<CliResult>,
  planPath: string,
  extra: readonly string[] = [],
): Promise<CliResult & { first: CliResult }> {
  const args = ['apply', planPath, '--yes', '--soak', '0', ...extra];
  const first = await cli(args);
  const trail = await planTrail(planPath);
  if (first.code !== 0 || !/^retire pending/m.test(first.stdout) || !trail) return { ...first, first };
  await deliverTrailFile(trail.location, trail);
  return { ...(await cli([...args, '--delivery-lag', '0'])), first };
}

/**
 * Spawns `apply PLAN --yes --soak 0` like applyThroughRetire (a second run
 * with `--delivery-lag 0` once a trail file past cutover is delivered), and
 * SIGKILLs whichever run is going the moment `killAfter` says so about a call
 * moto answered; anything the dying process still sends is dropped. The
 * count `killAfter` keeps spans both runs: the Nth mutating call of an apply
 * is the Nth of cutover and retirement together, as before the gate needed
 * evidence past cutover.
 */
export async function spawnApplyThroughRetire(
  proxy: FaultProxy,
  env: NodeJS.ProcessEnv,
  planPath: string,
  killAfter: (operation: string, mutating: boolean) => boolean,
): Promise<{ result: SpawnedResult; killedAfter?: string }> {
  let killedAfter: string | undefined;
  let current: SpawnedCli | undefined;
  proxy.setRule(() => (killedAfter ? { drop: true } : undefined));
  proxy.onForwarded(async (operation, _status, req) => {
    if (killedAfter || !killAfter(operation, req.mutating)) return;
    killedAfter = operation;
    current?.child.kill('SIGKILL');
    await current?.result;
  });
  try {
    const args = ['apply', planPath, '--yes', '--soak', '0'];
    current = spawnCli(args, env);
    let result = await current.result;
    const trail = await planTrail(planPath);
    if (!killedAfter && result.code === 0 && /^retire pending/m.test(result.stdout) && trail) {
      await deliverTrailFile(trail.location, trail);
      current = spawnCli([...args, '--delivery-lag', '0'], env);
      result = await current.result;
    }
    return { result, ...(killedAfter ? { killedAfter } : {}) };
  } finally {
    proxy.onForwarded(undefined);
    proxy.setRule(undefined);
  }
}
