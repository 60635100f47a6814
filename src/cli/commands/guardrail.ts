/** `split-role guardrail export`: the alerting stack (EventBridge or AWS Config) as CloudFormation or Terraform, with the function's code. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, SplitRoleError } from '../../core/errors.js';
import type { IoHost } from '../../core/io-host.js';
import { guardrailCloudFormation } from '../../guardrail/cloudformation.js';
import { buildHandlerPackage } from '../../guardrail/package.js';
import { CODE_FILE, regionNote, validateGuardrailOptions, type GuardrailMode } from '../../guardrail/stack.js';
import { guardrailTerraform } from '../../guardrail/terraform.js';
import { writeFileAtomic } from '../../plan/plan-file.js';

/** Flags of `guardrail export`. */
export interface GuardrailExportOptions {
  format: 'cloudformation' | 'terraform';
  mode: GuardrailMode;
  snsTopic?: string;
  email?: string;
  ownerTag: string;
  /** --out-dir (or its old name --out): the folder for the stack and the zip. */
  outDir?: string;
  /** One JSON document on stdout instead of the stack (or the line naming the files). */
  json?: boolean;
}

/**
 * Writes the stack and the function's zip into --out-dir, or prints the stack
 * on stdout (the zip needs a file: the note on stderr says so).
 */
export async function runGuardrailExport(options: GuardrailExportOptions, io: IoHost): Promise<number> {
  const stackOptions = validateGuardrailOptions({
    mode: options.mode,
    ownerTag: options.ownerTag,
    ...(options.snsTopic !== undefined ? { topicArn: options.snsTopic } : {}),
    ...(options.email !== undefined ? { email: options.email } : {}),
  });
  const stack = options.format === 'terraform' ? guardrailTerraform(stackOptions) : guardrailCloudFormation(stackOptions);
  const code = await buildHandlerPackage();
  const out = options.outDir;
  if (!out) {
    if (options.json) {
      io.result(JSON.stringify({ fileName: stack.fileName, stack: stack.content, note: regionNote(options.mode) }, null, 2));
      return ExitCode.ok;
    }
    // stdout stays pure code, so `split-role guardrail export … > guardrail.tf` works.
    io.result(stack.content);
    io.info(
      'SR_EXPORT_I6002',
      `${regionNote(options.mode)}\nThe stack deploys the function from ${CODE_FILE} beside it: run with --out-dir DIR to write both.`,
      { mode: options.mode },
    );
    return ExitCode.ok;
  }
  const stackPath = join(out, stack.fileName);
  const codePath = join(out, CODE_FILE);
  try {
    await mkdir(out, { recursive: true });
    await writeFileAtomic(codePath, code.zip);
    await writeFileAtomic(stackPath, stack.content);
  } catch (error) {
    throw new SplitRoleError('WriteFailed', `cannot write to ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  io.info('SR_EXPORT_I6002', regionNote(options.mode), { mode: options.mode });
  if (options.json) {
    io.result(JSON.stringify({ files: [stackPath, codePath] }));
    return ExitCode.ok;
  }
  io.result(
    `Wrote ${stackPath} and ${codePath} (the handler and the ${code.files.length - 1} modules it runs; the runtime provides ${code.runtimeImports.join(', ')}).`,
  );
  return ExitCode.ok;
}
