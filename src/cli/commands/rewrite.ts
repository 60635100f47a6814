/** `split-role rewrite`: a reviewed plan's split made in the code that owns the shared role, for a pull request. */
import { ExitCode } from '../../core/errors.js';
import type { IoHost } from '../../core/io-host.js';
import { readPlan } from '../../plan/plan-file.js';
import { sdkCloudFormationPort } from '../../aws/cloudformation.js';
import { openSessionProvider, type SessionProvider } from '../../aws/session.js';
import type { DeployedTemplate } from '../../rewrite/deployed.js';
import { rewritePaths } from '../../rewrite/run.js';
import type { RewriteStage } from '../../rewrite/types.js';
import type { GlobalOptions } from '../global-options.js';

/** Flags of `rewrite`. */
export interface RewriteCommandOptions extends GlobalOptions {
  stage: RewriteStage;
  dryRun?: boolean;
  json?: boolean;
  /** Rewrite even when the template given differs from the deployed stack on the resources concerned. */
  force?: boolean;
}

/** Validates the plan (schema and digest), rewrites the code under `paths`, and says what `check` finds in the result. */
export async function runRewrite(file: string, paths: readonly string[], options: RewriteCommandOptions, io: IoHost): Promise<number> {
  const plan = await readPlan(file);
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
