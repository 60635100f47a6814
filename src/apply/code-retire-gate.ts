/**
 * The retire gate and the code stage of a split made in code. The shared
 * role is retired by a second pull request (`rewrite --stage retire`), and
 * that must wait for the same gate apply waits for: the soak since cutover,
 * and no use of the shared role since. Cutover is when the code's deploy
 * finished (code-cutover.ts). `status` shows where the code stands.
 */
import type { IoHost } from '../core/io-host.js';
import { readPlan } from '../plan/plan-file.js';
import { codeCutoverTime, codeMoved, codeStage, type CodeStage } from './code-cutover.js';
import { Journal, journalPathFor } from './journal.js';
import { awsAccount, openOperation, type AccountSource } from './operation.js';
import { retireGate, type RunOptions } from './run.js';
import { timingsFromEnv } from '../core/waits.js';

/** What the gate says for the code's retirement. */
export interface CodeRetireGate {
  cutover: Date;
  /** The gate's line when retirement must wait; undefined when `rewrite --stage retire` may go ahead. */
  pending?: string;
}

/**
 * Checks the retire gate from the code's cutover (the stack's deploy since
 * the plan, or `cutoverAt`). Reads only; refuses (NoCodeCutover) while the
 * cutover is not deployed or its time is unknown.
 */
export async function codeRetireGate(
  planPath: string,
  account: AccountSource,
  io: IoHost,
  options: Pick<RunOptions, 'soakMs' | 'deliveryLagMs' | 'now' | 'gates'> & { cutoverAt?: Date },
): Promise<CodeRetireGate> {
  const operation = await openOperation(planPath, account, io, 'verify');
  try {
    const cutover = await codeCutoverTime(operation.ctx, options.cutoverAt ? { cutoverAt: options.cutoverAt } : {});
    const pending = await retireGate(operation.ctx, options, cutover);
    return pending ? { cutover, pending } : { cutover };
  } finally {
    operation.close();
  }
}

/** The code's stage, for `status`: undefined for a plan nothing of which is changed in code. */
export interface CodeStatus {
  stage: CodeStage;
  /** When the cutover deploy finished, where the stack's events say. */
  cutoverAt?: string;
}

/**
 * Where the code stands for a plan some of whose resources are changed in
 * code: read from IAM (and the stacks' events for the time). Undefined for
 * a plan without IaC-owned resources. Takes no lock: it changes nothing.
 */
export async function planCodeStatus(planPath: string, account: AccountSource, io: IoHost): Promise<CodeStatus | undefined> {
  const plan = await readPlan(planPath);
  if (codeMoved(plan).length === 0) return undefined;
  const opened = await (typeof account === 'function' ? account : awsAccount(account))(plan);
  try {
    const ctx = {
      plan,
      account: opened.ports,
      journal: Journal.open(journalPathFor(planPath), plan.planId),
      timings: timingsFromEnv(),
      io,
    };
    const stage = await codeStage(ctx);
    if (stage === 'not rewritten') return { stage };
    const cutover = await codeCutoverTime(ctx).catch(() => undefined);
    return cutover ? { stage, cutoverAt: cutover.toISOString() } : { stage };
  } finally {
    opened.close();
  }
}
