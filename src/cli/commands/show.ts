/** `split-role show`: render a saved plan for people (Markdown) or machines (--json). */
import { ExitCode } from '../../core/errors.js';
import type { IoHost } from '../../core/io-host.js';
import { renderPlanMarkdown } from '../../plan/markdown.js';
import { readPlan } from '../../plan/plan-file.js';

/** Validates the plan file and prints it. */
export async function runShow(file: string, options: { json?: boolean }, io: IoHost): Promise<number> {
  const plan = await readPlan(file);
  io.result(options.json ? JSON.stringify(plan, null, 2) : renderPlanMarkdown(plan));
  return ExitCode.ok;
}
