/** `split-role rewrite`: a reviewed plan's split made in the code that owns the shared role, for a pull request. */
import { codeMoved, parseCutoverAt } from '../../apply/code-cutover.js';
import { codeRetireGate } from '../../apply/code-retire-gate.js';
import type { AccountSource } from '../../apply/operation.js';
import { ExitCode, SplitRoleError } from '../../core/errors.js';
import type { IoHost } from '../../core/io-host.js';
import { readPlan } from '../../plan/plan-file.js';
import { sdkCloudFormationPort } from '../../aws/cloudformation.js';
import { openSessionProvider, type SessionProvider } from '../../aws/session.js';
import type { DeployedTemplate } from '../../rewrite/deployed.js';
import { rewritePaths } from '../../rewrite/run.js';
import type { RewriteStage } from '../../rewrite/types.js';
import { parseDuration } from '../duration.js';
import type { GlobalOptions } from '../global-options.js';
import { DEFAULT_SOAK } from './apply.js';

/** Flags of `rewrite`. */
export interface RewriteCommandOptions extends GlobalOptions {
  stage: RewriteStage;
  dryRun?: boolean;
  json?: boolean;
  /** Rewrite even when the template given differs from the deployed stack on the resources concerned. */
  force?: boolean;
  /** retire: the soak since the code's cutover (as apply's --soak). */
  soak?: string;
  /** retire: how far past cutover the evidence must reach (as apply's --delivery-lag). */
  deliveryLag?: string;
  /** retire: when the cutover was deployed, for Terraform (as verify's --cutover-at). */
  cutoverAt?: string;
}

/** Validates the plan (schema and digest), rewrites the code under `paths`, and says what `check` finds in the result. */
export async function runRewrite(
  file: string,
  paths: readonly string[],
  options: RewriteCommandOptions,
  io: IoHost,
  account: AccountSource = options,
): Promise<number> {
  const plan = await readPlan(file);
  if (options.stage === 'retire' && codeMoved(plan).length > 0) await requireRetireGate(file, options, io, account);
  // A stack's deployed template is read only when the plan names a stack; the session opens on first use.
  let provider: Promise<SessionProvider> | undefined;
  const deployed: DeployedTemplate = async (stack) => {
    provider ??= openSessionProvider(options);
    const session = await (await provider).forTarget({ ...(plan.access ? { account: plan.account } : {}), region: stack.region });
    return sdkCloudFormationPort(session).getTemplate(stack.stackName);
  };
  let report;
  try {
    report = await rewritePaths(plan, paths, options.stage, options.dryRun === true, process.cwd(), {
      deployed,
      ...(options.force ? { force: true } : {}),
    });
  } finally {
    if (provider) (await provider.catch(() => undefined))?.destroy();
  }
  if (options.json) {
    io.result(
      JSON.stringify(
        {
          stage: report.stage,
          written: report.written,
          files: report.changes.map((c) => ({ path: c.path, new: c.before === undefined })),
          notes: report.notes,
          checked: report.checked,
          ...(options.dryRun ? { diff: report.diff } : {}),
        },
        null,
        2,
      ),
    );
    return ExitCode.ok;
  }
  if (options.dryRun) io.result(report.diff);
  for (const note of report.notes) io.info('SR_REWRITE_I7001', note, { note });
  for (const line of report.checked) io.info('SR_REWRITE_I7002', `check: ${line}`, { line });
  const verb = report.written ? 'Rewrote' : 'Would rewrite';
  const next =
    options.stage === 'cutover'
      ? 'Open a pull request, deploy it, then run split-role verify and, after the soak, split-role rewrite --stage retire.'
      : 'Open a pull request and deploy it: the shared role is then gone.';
  io.result(
    `${verb} ${report.changes.length} file(s) for the ${options.stage} stage. ${report.written ? next : 'Nothing was written (--dry-run).'}`,
  );
  return ExitCode.ok;
}

/**
 * The second pull request deletes the shared role once deployed, so it is
 * written only when apply's retire gate holds from the code's cutover: the
 * soak has passed and the evidence since shows no use of the shared role.
 */
async function requireRetireGate(file: string, options: RewriteCommandOptions, io: IoHost, account: AccountSource): Promise<void> {
  const soakMs = parseDuration(options.soak ?? DEFAULT_SOAK, '--soak');
  const deliveryLagMs = parseDuration(options.deliveryLag ?? '15m', '--delivery-lag');
  const cutoverAt = parseCutoverAt(options.cutoverAt);
  const gate = await codeRetireGate(file, account, io, { soakMs, deliveryLagMs, ...(cutoverAt ? { cutoverAt } : {}) });
  if (gate.pending) {
    throw new SplitRoleError(
      'RewriteRefused',
      `the retire gate does not hold yet (cutover deployed ${gate.cutover.toISOString()}): ${gate.pending}`,
      'run split-role verify, and rewrite --stage retire again once the gate holds',
    );
  }
}
