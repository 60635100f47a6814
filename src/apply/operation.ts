/**
 * What apply and rollback share: a validated plan, the right account, the
 * plan's lock, its journal, and a step context. Nothing here changes AWS.
 */
import { reportLongRetries } from '../aws/retry-budget.js';
import { openSessionProvider, type AwsOptions } from '../aws/session.js';
import { getCallerIdentity, type CallerIdentity } from '../aws/sts.js';
import type { IoHost } from '../core/io-host.js';
import { readPlan } from '../plan/plan-file.js';
import type { Plan } from '../plan/schema.js';
import { adoptSteps, adoptsRoles } from './adopt-steps.js';
import { createSteps } from './create-steps.js';
import { assertStageMarkers } from './journal-check.js';
import { Journal, journalPathFor } from './journal.js';
import { acquireLock } from './lock.js';
import { assertPlanSound, checkTarget } from './preflight.js';
import { policyAddSteps } from './policy-steps.js';
import { sessionPorts, type AccountPorts } from './ports.js';
import { repointSteps } from './repoint-steps.js';
import { trimSteps } from './trim-steps.js';
import { retireSteps, verifyStep } from './retire-steps.js';
import type { Step, StepContext } from './step.js';
import { timingsFromEnv, type Timings } from '../core/waits.js';

/** An opened plan, ready to run; `close` releases the lock and the clients. */
export interface Operation {
  ctx: StepContext;
  close(): void;
}

/** A plan's account, opened: its ports, whose credentials reach it, and how to let go of it. */
export interface OpenedAccount {
  ports: AccountPorts;
  identity: CallerIdentity;
  /** The region the credentials' clients default to: it must be the plan's. */
  region: string;
  /** How long this account takes to settle; the environment's choice (timingsFromEnv) when undefined. */
  timings?: Timings;
  close(): void;
}

/** Opens the account a plan is for: over AWS (awsAccount), or an in-memory account in tests. */
export type AccountOpener = (plan: Plan) => Promise<OpenedAccount>;

/** What apply, rollback and verify are pointed at: the AWS options of the command line, or an opener. */
export type AccountSource = AwsOptions | AccountOpener;

/**
 * The plan's account over AWS. A member-account plan is reached the way it
 * was planned: through the access role it names. Without an access role the
 * caller's own credentials must be for the plan's account (checkTarget says so if not).
 */
export function awsAccount(aws: AwsOptions): AccountOpener {
  return async (plan) => {
    const provider = await openSessionProvider({
      ...aws,
      defaultRegion: plan.region,
      ...(plan.access ? { assumeRole: plan.access.roleName, externalId: plan.access.externalId } : {}),
    });
    try {
      const session = plan.access ? await provider.forTarget({ account: plan.account }) : provider.home;
      const identity = await getCallerIdentity(await session.sts());
      return { ports: sessionPorts(session), identity, region: session.region, close: () => provider.destroy() };
    } catch (error) {
      provider.destroy();
      throw error;
    }
  };
}

/** Every step of a plan, in apply order. */
export function planSteps(plan: Plan): Step[] {
  return [
    ...createSteps(plan),
    ...policyAddSteps(plan),
    ...repointSteps(plan),
    ...trimSteps(plan),
    verifyStep(plan),
    ...(plan.retireSharedRole ? retireSteps(plan) : []),
  ];
}

/** The steps a plan's runs take, by the journal's mode: --adopt-roles takes its own (adopt-steps.ts). */
export function runSteps(plan: Plan, journal: Journal): Step[] {
  return adoptsRoles(journal) ? adoptSteps(plan) : planSteps(plan);
}

/**
 * Reads and validates the plan, checks the credentials' account, partition
 * and region, takes the lock and opens the journal, in that order, so a bad
 * plan never reaches AWS and a wrong account never reaches the lock.
 */
export async function openOperation(
  planPath: string,
  source: AccountSource,
  io: IoHost,
  command: 'apply' | 'rollback' | 'verify',
  options: { expectDigest?: string } = {},
): Promise<Operation> {
  const plan = await readPlan(planPath);
  // The digest proves the plan was not edited by accident, not that it is safe: check its rules again.
  assertPlanSound(plan, options.expectDigest);
  const journalPath = journalPathFor(planPath);
  // Refuse a corrupt journal (a broken chain, stage markers that do not add up) before any AWS call.
  const before = Journal.open(journalPath, plan.planId);
  assertStageMarkers(before, runSteps(plan, before));
  const account = await (typeof source === 'function' ? source : awsAccount({ ...source, onRetry: reportLongRetries(io) }))(plan);
  try {
    checkTarget(plan, account.identity, account.region);
    const lock = acquireLock(planPath, command);
    let journal: Journal;
    try {
      journal = Journal.open(journalPath, plan.planId, { repair: true });
    } catch (error) {
      lock.release();
      throw error;
    }
    const ctx: StepContext = {
      plan,
      account: account.ports,
      journal,
      timings: account.timings ?? timingsFromEnv(),
      io,
    };
    return {
      ctx,
      close: () => {
        lock.release();
        account.close();
      },
    };
  } catch (error) {
    account.close();
    throw error;
  }
}
