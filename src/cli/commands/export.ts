/** `split-role export`: a reviewed plan's new roles as Terraform or CloudFormation code, plus the workload checklist. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, SplitRoleError, usageError } from '../../core/errors.js';
import type { IoHost } from '../../core/io-host.js';
import { renderChecklist, type ExportFormat } from '../../export/checklist.js';
import { exportCloudFormation } from '../../export/cloudformation.js';
import { exportTerraform, type TerraformSyntax } from '../../export/terraform.js';
import { readPlan, writeFileAtomic } from '../../plan/plan-file.js';

/** Flags of `export`. */
export interface ExportCommandOptions {
  format: ExportFormat;
  /** --out-dir (or its old name --out): the folder for the code and the checklist. */
  outDir?: string;
  syntax?: TerraformSyntax;
  /** One JSON document on stdout instead of the code (or the line naming the files). */
  json?: boolean;
}

/**
 * Validates the plan (schema and digest, as apply does: only a reviewed plan
 * becomes code) and writes the code and checklist to --out-dir, or prints the
 * code on stdout and the checklist on stderr.
 */
export async function runExport(file: string, options: ExportCommandOptions, io: IoHost): Promise<number> {
  if (options.syntax && options.format !== 'terraform') throw usageError('--syntax applies to --format terraform only');
  const plan = await readPlan(file);
  const code = options.format === 'terraform' ? exportTerraform(plan, options.syntax ?? 'hcl') : exportCloudFormation(plan);
  const checklist = renderChecklist(plan, options.format, code.fileName);
  const out = options.outDir;
  if (!out) {
    if (options.json) {
      io.result(JSON.stringify({ fileName: code.fileName, code: code.content, checklist }, null, 2));
      return ExitCode.ok;
    }
    // stdout stays pure code, so `split-role export … > roles.tf` works.
    io.result(code.content);
    io.info('SR_EXPORT_I6001', checklist);
    return ExitCode.ok;
  }
  const codePath = join(out, code.fileName);
  const checklistPath = join(out, `${plan.sharedRole.roleName}-split-checklist.md`);
  try {
    await mkdir(out, { recursive: true });
    await writeFileAtomic(codePath, code.content);
    await writeFileAtomic(checklistPath, checklist);
  } catch (error) {
    throw new SplitRoleError('WriteFailed', `cannot write to ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (options.json) {
    io.result(
      JSON.stringify({ files: [codePath, checklistPath], roles: plan.newRoles.map((r) => r.roleName), workloads: plan.workloads.length }),
    );
    return ExitCode.ok;
  }
  const roles = plan.newRoles.map((r) => r.roleName).join(', ') || 'no roles';
  io.result(`Wrote ${codePath} (${roles}) and ${checklistPath} (${plan.workloads.length} workloads to move).`);
  return ExitCode.ok;
}
