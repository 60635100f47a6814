/** `split-role apply`, `rollback` and `status`: thin wiring to src/apply. */
import { applyPlan, rollbackPlan, type RunOutcome } from '../../apply/run.js';
import { planStatus } from '../../apply/status.js';
import { planCodeStatus, type CodeStatus } from '../../apply/code-retire-gate.js';
import { ExitCode, usageError } from '../../core/errors.js';
import type { IoHost } from '../../core/io-host.js';
import { parseDuration } from '../duration.js';
import type { GlobalOptions } from '../global-options.js';
import { renderTable } from '../format/table.js';

/** Instance-profile credentials and SDK caches outlive a repoint by up to about six hours. */
export const DEFAULT_SOAK = '6h';

/** Flags shared by apply and rollback. */
export interface RunCommandOptions extends GlobalOptions {
  yes?: boolean;
  keepSharedRole?: boolean;
  expectDigest?: string;
  confirmManual?: string[];
  /** apply only: the soak before retirement, e.g. 6h (0 skips the wait, never the no-use check). */
  soak?: string;
  /** apply only: change IaC-owned resources live anyway (journaled). */
  allowIacDrift?: boolean;
  /** apply only: use the roles the deployed code created, and move only the unmanaged workloads. */
  adoptRoles?: boolean;
  /** apply only: how late CloudTrail may deliver, e.g. 15m; the evidence must reach cutover plus this before retire. */
  deliveryLag?: string;
  /** One JSON document on stdout (the outcome, and why or until when retirement waits) instead of text. */
  json?: boolean;
}

/** The time in the gate line `retire pending until TIME`, or undefined when the gate waits for something else. */
export function retireUntil(pending: string | undefined): string | undefined {
  return pending?.match(/^retire pending until (\S+)$/)?.[1];
}

const OUTCOME_TEXT: Record<RunOutcome, string> = {
  completed: 'Done.',
  verified: 'Workloads moved and verified; the shared role is kept. Run apply again (without --keep-shared-role) to retire it.',
  'retire-waiting':
    'Workloads moved and verified; the shared role is kept until every manual follow-up above is confirmed (apply again with --confirm-manual ID for each).',
  cancelled: 'Cancelled: nothing was changed.',
  'nothing-to-do': 'Nothing to do: the journal shows every step done.',
  'kept-in-use':
    'Rolled back, except the new roles above that something else now uses: they were kept. Move those workloads, then run rollback again.',
  'retire-pending':
    'Workloads moved and verified; the shared role is kept until the retire gate holds. Run apply again later to retire it.',
};

/** Refuses an --expect-digest that is not a digest, before anything is read. */
function checkDigestFlag(expectDigest: string | undefined): void {
  if (expectDigest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(expectDigest)) {
    throw usageError(`--expect-digest ${expectDigest} is not a plan digest`, 'pass sha256: and 64 hex digits, as in the plan review');
  }
}

/** Applies (or resumes) a plan. */
export async function runApply(planPath: string, options: RunCommandOptions, io: IoHost): Promise<number> {
  checkDigestFlag(options.expectDigest);
  // A bad --soak is refused before anything is read or changed.
  const soakMs = parseDuration(options.soak ?? DEFAULT_SOAK, '--soak');
  const deliveryLagMs = parseDuration(options.deliveryLag ?? '15m', '--delivery-lag');
  const { outcome, pending } = await applyPlan(planPath, options, io, {
    keepSharedRole: options.keepSharedRole,
    expectDigest: options.expectDigest,
    confirmManual: options.confirmManual ?? [],
    soakMs,
    allowIacDrift: options.allowIacDrift === true,
    adoptRoles: options.adoptRoles === true,
    deliveryLagMs,
  });
  // Scripts read the time from the event (or the JSON result), not from the sentence.
  const until = retireUntil(pending);
  io.info('SR_APPLY_I4003', OUTCOME_TEXT[outcome], {
    command: 'apply',
    outcome,
    ...(pending ? { pending } : {}),
    ...(until ? { retireAfter: until } : {}),
  });
  if (options.json) io.result(JSON.stringify({ command: 'apply', outcome, pending: pending ?? null, retireAfter: until ?? null }));
  // The one line scripts look for: retirement waits, and why or until when.
  else if (pending) io.result(pending);
  // Retire waiting for a person is not done: a pipeline must not read it as success.
  return outcome === 'retire-waiting' ? ExitCode.findings : ExitCode.ok;
}

/** Rolls a plan back. */
export async function runRollback(planPath: string, options: RunCommandOptions, io: IoHost): Promise<number> {
  checkDigestFlag(options.expectDigest);
  const outcome = await rollbackPlan(planPath, options, io, { expectDigest: options.expectDigest });
  io.info('SR_APPLY_I4003', outcome === 'nothing-to-do' ? 'Nothing to roll back.' : OUTCOME_TEXT[outcome], {
    command: 'rollback',
    outcome,
  });
  if (options.json) io.result(JSON.stringify({ command: 'rollback', outcome }));
  return outcome === 'kept-in-use' ? ExitCode.findings : ExitCode.ok;
}

/** Prints the step table from the journal. */
export async function runStatus(planPath: string, options: GlobalOptions & { json?: boolean }, io: IoHost): Promise<number> {
  const status = await planStatus(planPath);
  // A split made in code: where the code stands is read from the account (IAM, the stacks' events); the journal cannot say.
  const code = await codeStatusLine(planPath, options, io);
  if (options.json) {
    io.result(JSON.stringify(code ? { ...status, code } : status, null, 2));
    return ExitCode.ok;
  }
  const last = !status.lastRun
    ? 'never applied'
    : status.lastRun.outcome === 'retire pending'
      ? `workloads moved and verified, retire pending (apply again to retire ${status.roleName}); last run at ${status.lastRun.at}`
      : `last run: ${status.lastRun.command} ${status.lastRun.outcome ?? ''} at ${status.lastRun.at}`;
  io.result(
    [
      `Plan ${status.planId} (${status.roleName}): ${last}`,
      ...(status.waitingFor.length > 0
        ? [
            'Retire waits for these manual follow-ups (confirm each with apply --confirm-manual ID):',
            ...status.waitingFor.map((w) => `  ${w}`),
          ]
        : []),
      ...(status.cutoverAt ? [`cutover: ${status.cutoverAt}`] : []),
      ...(status.recreated ? [`warning: ${status.recreated}`] : []),
      ...(status.retireGate ? [`retire gate: ${status.retireGate}`] : []),
      ...(code ? [`code: ${code.text}`] : []),
      ...(status.adoptedRoles
        ? ['roles: adopted from the deployed code (apply --adopt-roles); only unmanaged workloads were moved here']
        : []),
      ...status.iacDriftAllowed.map((o) => `IaC drift allowed at ${o.at} (--allow-iac-drift), changed live: ${o.owned.join('; ')}`),
      '',
      renderTable(
        ['STAGE', 'STEP', 'STATUS', 'AT'],
        status.steps.map((s) => [s.stage, s.title, s.error ? `${s.status}: ${s.error}` : s.status, s.at ?? '-']),
      ),
    ].join('\n'),
  );
  return ExitCode.ok;
}

/** The code stage for status, or undefined for a plan nothing of which is changed in code; an unreadable account is said, not fatal. */
async function codeStatusLine(
  planPath: string,
  options: GlobalOptions,
  io: IoHost,
): Promise<(Partial<CodeStatus> & { text: string; error?: string }) | undefined> {
  try {
    const code = await planCodeStatus(planPath, options, io);
    if (!code) return undefined;
    const text =
      code.stage === 'not rewritten'
        ? 'not rewritten (run `split-role rewrite PLAN --stage cutover PATH…`, then deploy it)'
        : code.stage === 'cutover deployed'
          ? `cutover deployed${code.cutoverAt ? ` (deploy finished ${code.cutoverAt})` : ''}; after verify and the soak, \`split-role rewrite PLAN --stage retire PATH…\``
          : 'retired (the shared role is gone)';
    return { ...code, text };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { text: `unknown (${message})`, error: message };
  }
}
