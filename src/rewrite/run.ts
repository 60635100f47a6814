/**
 * `rewrite` as a library call: read the owning code under the given paths,
 * rewrite it for the stage, check the result with `check`'s own readers, and
 * either write every file (each to a temporary file, then renamed) or return
 * the unified diff. Nothing is written unless every file rewrote and parsed.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { buildCheckReport } from '../check/check-report.js';
import { displayName } from '../check/check-paths.js';
import { SplitRoleError } from '../core/errors.js';
import { discoverFiles } from '../iac/discover.js';
import { classifyText, isTerraformHclFile, terraformHclOutcome } from '../iac/read-file.js';
import { writeFileAtomic } from '../plan/plan-file.js';
import type { Plan } from '../plan/schema.js';
import { codeNames } from '../export/names.js';
import { cdkSnippets } from './cdk.js';
import { deployedDifferences, type DeployedTemplate } from './deployed.js';
import { rewriteCloudFormation } from './cloudformation.js';
import { rewriteTerraform } from './terraform.js';
import type { FileChange, RewriteStage, SourceFile } from './types.js';

/** What a rewrite did, or would do with --dry-run. */
export interface RewriteReport {
  stage: RewriteStage;
  changes: FileChange[];
  notes: string[];
  /** What `check` says of the rewritten code: one line each. */
  checked: string[];
  /** The unified diff of every change (always computed: the dry run prints it, the real run may). */
  diff: string;
  written: boolean;
}

/** Rewrites the code under `paths` for `plan` at `stage`; writes nothing when `dryRun`. */
export async function rewritePaths(
  plan: Plan,
  paths: readonly string[],
  stage: RewriteStage,
  dryRun: boolean,
  cwd = process.cwd(),
  deployedCheck: { deployed?: DeployedTemplate; force?: boolean } = {},
): Promise<RewriteReport> {
  // Why: the code rewrites map each resource to its service's one new role; a role per workload would be collapsed onto one.
  const perWorkload = plan.newRoles.find((r) => r.workload !== undefined);
  if (perWorkload)
    throw new SplitRoleError(
      'RewriteRefused',
      `the plan gives ${perWorkload.service} a role per workload (plan --per-workload), which rewrite cannot express yet`,
      'plan again without --per-workload for code-owned roles, or apply the per-workload plan to unmanaged workloads',
    );
  const candidates = await discoverFiles(paths);
  const terraform = candidates.filter((c) => isTerraformHclFile(c.path));
  const templates = candidates.filter((c) => !isTerraformHclFile(c.path));
  const owner = plan.ownership?.resources.find((r) => r.kind === 'shared-role')?.owner.tool;
  if (owner === 'cdk') {
    // CDK source cannot be edited safely: print the change to make instead.
    const notes = cdkSnippets(plan).split('\n');
    return {
      stage,
      changes: [],
      notes,
      checked: ['the shared role is defined by CDK code: make the change above in the CDK app'],
      diff: '',
      written: false,
    };
  }
  const useTerraform = owner === 'terraform' || (owner === undefined && terraform.length > 0);
  const chosen = useTerraform ? terraform : templates;
  if (chosen.length === 0) {
    const kind = useTerraform ? 'Terraform (.tf)' : 'CloudFormation or SAM template';
    throw new SplitRoleError(
      'RewriteRefused',
      `no ${kind} file found in ${paths.join(', ')}`,
      'pass the folder of the code that defines the shared role',
    );
  }
  const sources: SourceFile[] = await Promise.all(chosen.map(async (c) => ({ path: c.path, text: await readFile(c.path, 'utf8') })));
  const stale = !useTerraform && deployedCheck.deployed ? await deployedDifferences(plan, sources, deployedCheck.deployed) : [];
  if (stale.length > 0 && !deployedCheck.force) {
    throw new SplitRoleError(
      'RewriteRefused',
      `the code given no longer matches what is deployed: ${stale.join('; ')}`,
      'pull or deploy the latest code first, or pass --force to rewrite it anyway',
    );
  }
  const outcome = useTerraform ? await rewriteTerraform(plan, sources, stage) : rewriteCloudFormation(plan, sources, stage);
  outcome.notes.push(...stale.map((line) => `${line} (rewritten anyway: --force)`));
  const checked = await checkAfter(plan, stage, sources, outcome.changes, cwd, useTerraform);
  const diff = outcome.changes
    .map((c) => {
      const name = displayName(c.path, cwd);
      return createTwoFilesPatch(
        c.before === undefined ? '/dev/null' : `a/${name}`,
        `b/${name}`,
        c.before ?? '',
        c.after,
        undefined,
        undefined,
        {
          context: 3,
        },
      );
    })
    .join('');
  if (!dryRun) for (const change of outcome.changes) await writeOne(change);
  return { stage, changes: outcome.changes, notes: outcome.notes.map((n) => relativeNote(n, cwd)), checked, diff, written: !dryRun };
}

async function writeOne(change: FileChange): Promise<void> {
  try {
    await writeFileAtomic(change.path, change.after);
  } catch (error) {
    throw new SplitRoleError(
      'WriteFailed',
      `cannot write ${change.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/**
 * Reads the rewritten code as `check` would and says what it finds: after
 * cutover each new role trusted by one service, after retire no shared role.
 */
async function checkAfter(
  plan: Plan,
  stage: RewriteStage,
  sources: SourceFile[],
  changes: FileChange[],
  cwd: string,
  terraform: boolean,
): Promise<string[]> {
  const texts = new Map(sources.map((s) => [s.path, s.text]));
  for (const change of changes) texts.set(change.path, change.after);
  const outcomes = await Promise.all(
    [...texts].map(([path, text]) =>
      terraform ? terraformHclOutcome(text, displayName(path, cwd)) : Promise.resolve(classifyText(text, displayName(path, cwd), false)),
    ),
  );
  const report = buildCheckReport(outcomes, { paths: [...texts.keys()] });
  const names = codeNames(plan);
  const lines: string[] = [];
  for (const role of plan.newRoles) {
    const code = names.get(role.roleName);
    const address = terraform ? `aws_iam_role.${code?.tf ?? role.roleName}` : (code?.cfnRole ?? role.roleName);
    const seen = report.serviceRoles.find((r) => r.resource === address);
    if (stage === 'cutover') {
      const ok = seen?.services.length === 1 && seen.services[0] === role.service;
      lines.push(`${ok ? 'ok' : 'NOT OK'}: ${address} is trusted by ${seen ? seen.services.join(', ') : 'nothing check could read'}`);
    }
  }
  const sharedLeft = report.findings.filter((f) => f.roleName === plan.sharedRole.roleName);
  if (stage === 'retire') {
    lines.push(
      sharedLeft.length === 0
        ? `ok: no role named ${plan.sharedRole.roleName} is left`
        : `NOT OK: ${sharedLeft.map((f) => `${f.file}:${f.line ?? '?'}`).join(', ')} still define it`,
    );
  } else if (sharedLeft.length > 0) {
    lines.push(
      `${plan.sharedRole.roleName} is still defined, so rollback is a revert; retire removes it after the deploy, verify and soak`,
    );
  }
  return lines;
}

function relativeNote(note: string, cwd: string): string {
  const colon = note.indexOf(':');
  const path = note.slice(0, colon);
  return path.startsWith('/') ? `${relative(cwd, path) || path}${note.slice(colon)}` : note;
}
