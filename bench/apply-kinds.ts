/**
 * Apply across workload kinds (issue 23: "a 12-kind plan against a 3-kind
 * plan"): one account in the typed in-memory fake with one workload of every
 * kind in the registry (KINDS) on a shared role, against one with EC2, Lambda
 * and ECS only. The inventory discovers them and the real builder plans them,
 * then apply runs in-process (create, repoint, verify, retire) and the
 * benchmark prints the calls it made, by service and operation, and its wall
 * time. No AWS, no moto, no child process: the figures are split-role's own
 * work and its number of calls, not network time. Prints figures; asserts
 * nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { applyPlan } from '../src/apply/run.js';
import { indexAccount, workloadsForRole } from '../src/inventory/workloads.js';
import { buildPlan } from '../src/plan/builder.js';
import { sealPlan, writePlan } from '../src/plan/plan-file.js';
import type { Plan } from '../src/plan/schema.js';
import { KINDS } from '../src/workloads/registry.js';
import { FakeAccount } from '../test/support/fake-account/index.js';
import { RecordingIoHost } from '../test/support/recording-io-host.js';
import {
  ACCOUNT,
  analysis,
  context,
  DROP_ALL,
  evidence,
  REGION,
  SHARED_ARN,
  SHARED_NAME,
  sharedRole,
  usage,
} from '../test/unit/fixtures/plan-fixtures.js';
import { KIND_SEEDS } from './kind-seeds.js';
import { fmtMs, median, printTable, samples } from './report.js';

const REPETITIONS = 5;
const SHARED_PROFILE = `arn:aws:iam::${ACCOUNT}:instance-profile/${SHARED_NAME}`;
const BASELINE = ['ec2-instance', 'lambda-function', 'ecs-service'];

type Kind = (typeof KINDS)[number];

/** One measured apply. */
interface Sample {
  ms: number;
  calls: Map<string, number>;
  plan: Plan;
}

/** Runs the benchmark: every registered kind that has a seed, against EC2 + Lambda + ECS. */
export async function runKinds(): Promise<void> {
  const seeded = KINDS.filter((k) => k.adapter.kind in KIND_SEEDS);
  const unseeded = KINDS.filter((k) => !(k.adapter.kind in KIND_SEEDS)).map((k) => k.adapter.kind);
  if (unseeded.length > 0) process.stdout.write(`kinds with no seed in bench/kind-seeds.ts (left out): ${unseeded.join(', ')}\n`);
  const sets = [
    { label: `${BASELINE.length}-kind plan`, kinds: seeded.filter((k) => BASELINE.includes(k.adapter.kind)) },
    { label: `${seeded.length}-kind plan`, kinds: seeded },
  ];
  await measure(sets[1]!.kinds); // warm-up: module loading and the JIT.
  const results: Array<{ label: string; ms: number; samples: number[]; first: Sample }> = [];
  for (const set of sets) {
    const runs: Sample[] = [];
    for (let rep = 0; rep < REPETITIONS; rep++) runs.push(await measure(set.kinds));
    results.push({ label: set.label, ms: median(runs.map((r) => r.ms)), samples: runs.map((r) => r.ms), first: runs[0]! });
  }

  process.stdout.write(`\napply in-process on the typed fake account (discover, plan untimed; apply timed), median of ${REPETITIONS}:\n`);
  printTable(
    results.map((r) => {
      const calls = [...r.first.calls.values()].reduce((a, b) => a + b, 0);
      const what = `${r.first.plan.workloads.length} workloads, ${r.first.plan.newRoles.length} new roles, ${calls} calls`;
      return [`${r.label} (${what})`, fmtMs(r.ms), samples(r.samples)] as const;
    }),
  );
  process.stdout.write(`\ncalls made by one apply, by service and operation (${results.map((r) => r.label).join(' / ')}):\n`);
  const keys = [...new Set(results.flatMap((r) => [...r.first.calls.keys()]))].sort();
  printTable(keys.map((key) => [key, results.map((r) => String(r.first.calls.get(key) ?? 0)).join(' / '), ''] as const));
}

/** Seeds a fresh fake account with one workload of each kind, plans it, and times one apply of the plan. */
async function measure(kinds: readonly Kind[]): Promise<Sample> {
  const principals = [...new Set(kinds.map((k) => `${k.adapter.unitKey}.amazonaws.com`))];
  const shared = sharedRole({ principals });
  const account = new FakeAccount({ account: ACCOUNT, region: REGION });
  account.iam.seedRole(shared);
  const region = account.region(REGION);
  const at = { account: ACCOUNT, region: REGION, sharedArn: SHARED_ARN, sharedProfileArn: SHARED_PROFILE };
  for (const kind of kinds) KIND_SEEDS[kind.adapter.kind]!(region.services, at);

  const binding = { arn: shared.arn, roleName: shared.roleName, instanceProfiles: shared.instanceProfiles };
  const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding);
  // Each service made one call the evidence saw: every unit gets a role, narrowed to that call.
  const used = evidence(Object.fromEntries(principals.map((p) => [p, usage({ 'sqs:SendMessage': 1 })])));
  const plan = sealPlan(buildPlan(analysis(shared, used, found), DROP_ALL, context()));
  const planPath = join(mkdtempSync(join(tmpdir(), 'split-role-bench-kinds-')), 'plan.json');
  await writePlan(planPath, plan);

  const calls = new Map<string, number>();
  countCalls(calls, { iam: account.iam, policies: account.policies, ...region.services });
  try {
    const start = performance.now();
    const result = await applyPlan(planPath, account.opener(), new RecordingIoHost(undefined, { assumeYes: true }), { soakMs: 0 });
    const ms = performance.now() - start;
    if (result.outcome !== 'completed') throw new Error(`apply ended ${result.outcome}${result.pending ? `: ${result.pending}` : ''}`);
    return { ms, calls, plan };
  } finally {
    rmSync(dirname(planPath), { recursive: true, force: true });
  }
}

/** Set while a fake's method runs: calls a fake makes of itself or of another fake are not the tool's calls. */
const insideFake = new AsyncLocalStorage<true>();

/**
 * Counts each call the tool makes of these fakes' methods, as "service operation".
 * Instance properties shadow the prototype's methods, so every caller holding
 * the fake goes through the count.
 */
function countCalls(calls: Map<string, number>, fakes: Record<string, object>): void {
  for (const [service, fake] of Object.entries(fakes)) {
    const target = fake as Record<string, unknown>;
    for (const name of methodNames(fake)) {
      const method = target[name] as (...args: unknown[]) => unknown;
      target[name] = (...args: unknown[]) => {
        if (insideFake.getStore()) return method.apply(fake, args);
        const key = `${service} ${name}`;
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return insideFake.run(true, () => method.apply(fake, args));
      };
    }
  }
}

/** The methods of an object's classes (not Object's). */
function methodNames(object: object): string[] {
  const names = new Set<string>();
  for (
    let proto = Object.getPrototypeOf(object) as object | null;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (name !== 'constructor' && typeof descriptor?.value === 'function') names.add(name);
    }
  }
  return [...names];
}
