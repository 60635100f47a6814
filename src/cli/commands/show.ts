/** `split-role show`: render a saved plan for people (Markdown, or plain text on a terminal) or machines (--json). */
import { ExitCode } from '../../core/errors.js';
import type { IoHost } from '../../core/io-host.js';
import { renderPlanMarkdown } from '../../plan/markdown.js';
import { readPlan } from '../../plan/plan-file.js';
import { markdownForTerminal } from '../format/markdown-terminal.js';

/** Validates the plan file and prints it; on a terminal the Markdown is rendered as text, piped it stays Markdown. */
export async function runShow(
  file: string,
  options: { json?: boolean },
  io: IoHost,
  terminal = Boolean(process.stdout.isTTY),
): Promise<number> {
  const plan = await readPlan(file);
  if (options.json) io.result(JSON.stringify(plan, null, 2));
  else io.result(terminal ? markdownForTerminal(renderPlanMarkdown(plan)) : renderPlanMarkdown(plan));
  return ExitCode.ok;
}
