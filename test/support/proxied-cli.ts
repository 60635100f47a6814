/**
 * The set-up the apply suites share: the built CLI talking to this worker's
 * moto through a fault proxy (so a test can count or fail the calls that
 * change the account), and a scratch folder for plans. Call it inside a
 * describe; the proxy opens before the suite's tests and closes after them.
 */
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { TEST_REGION } from './aws-clients.js';
import { isolatedAwsEnv, runCli, type CliResult } from './cli.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { resetMoto } from './moto-server.js';
import { planScenario, seedOrdersScenario, type OrdersScenario } from './scenario.js';

type EnvExtra = Record<string, string | undefined>;

/** moto's RNG seed for every fresh account: each reseed reproduces the ids the suite's one plan was made for. */
const PLAN_SEED = 20_241_206;

/** A suite's proxy, folder and CLI runner (the first two exist once the suite's beforeAll has run). */
export interface ProxiedCli {
  readonly proxy: FaultProxy;
  readonly workdir: string;
  /** The CLI's environment: fake credentials, the test region, every call through the proxy, no IAM waits. */
  readonly env: (extra?: EnvExtra) => NodeJS.ProcessEnv;
  /** Runs `split-role ARGS` in that environment. */
  readonly cli: (args: string[], extra?: EnvExtra) => Promise<CliResult>;
  /**
   * A reset moto seeded with the orders scenario, its plan (a copy of one file for the whole suite: its own folder, so
   * its own journal and lock), and the proxy with no rule, hook or log.
   */
  readonly freshPlan: () => Promise<{ scenario: OrdersScenario; planPath: string }>;
}

/** Opens a fault proxy in front of `motoEndpoint` and a scratch folder for the enclosing describe. */
export function useProxiedCli(motoEndpoint: string, prefix: string): ProxiedCli {
  let proxy: FaultProxy | undefined;
  let workdir: string | undefined;
  let template: string | undefined;
  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), prefix));
    proxy = await startFaultProxy(motoEndpoint);
  });
  afterAll(async () => {
    await proxy?.close();
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useProxiedCli: the ${what} is opened in beforeAll; use it inside a test or hook`);
    return value;
  };
  const env = (extra: EnvExtra = {}) =>
    isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: ready(proxy, 'proxy').endpoint, SPLIT_ROLE_FAST_WAITS: '1', ...extra });
  return {
    get proxy() {
      return ready(proxy, 'proxy');
    },
    get workdir() {
      return ready(workdir, 'folder');
    },
    env,
    cli: (args, extra = {}) => runCli(args, env(extra)),
    async freshPlan() {
      await resetMoto(motoEndpoint);
      const scenario = await seedOrdersScenario(motoEndpoint, { randomSeed: PLAN_SEED });
      const dir = ready(workdir, 'folder');
      // The reseeded account is the one planned first, so planning again (a CLI run of about a second of CPU) would
      // write the same plan; the crash matrix checks that a reseed reproduces the account exactly.
      template ??= await planScenario(motoEndpoint, scenario, dir);
      const planPath = join(await mkdtemp(join(dir, 'run-')), 'orders.plan.json');
      await copyFile(template, planPath);
      const quiet = ready(proxy, 'proxy');
      quiet.setRule(undefined);
      quiet.onForwarded(undefined);
      quiet.clear();
      return { scenario, planPath };
    },
  };
}
