/**
 * `show` on a terminal: the review's Markdown as plain text, with no backslash
 * escapes, raw <details> tags, table borders or escape sequences (issue 24 item 6).
 */
import { describe, expect, it } from 'vitest';
import { markdownForTerminal } from '../../src/cli/format/markdown-terminal.js';
import { runShow } from '../../src/cli/commands/show.js';
import { renderPlanMarkdown } from '../../src/plan/markdown.js';
import { savePlan } from '../../src/plan-run/make-plan.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { samplePlan } from './fixtures/plan-fixtures.js';

describe('markdownForTerminal', () => {
  const plan = samplePlan();
  plan.warnings.push('role a:b*c_d [x](y) | z');
  const text = markdownForTerminal(renderPlanMarkdown(plan));
  const lines = text.split('\n');

  it('shows escaped text as it reads, without backslashes or Markdown markup', () => {
    expect(lines).toContain('  - role a:b*c_d [x](y) | z');
    expect(text).not.toMatch(/\\[\\`*_[\]<>!|~&#:@.]/);
    expect(text).not.toMatch(/<\/?details>|<summary>|\*\*|^#+ /m);
    expect(text).not.toContain('`');
  });

  it('aligns tables in columns and keeps fenced blocks (not the diagram) indented', () => {
    expect(lines).toContainEqual(expect.stringMatching(/^Service +New role +Actions +Sessions +Events +Policies$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ec2\.amazonaws\.com +app-shared-ec2 +2 +1 +4 +1 inline, 0 managed$/));
    expect(lines).toContain('  (diagram: in the review file)');
    expect(text).not.toContain('flowchart');
    expect(lines).toContain('    +++ app-shared-ec2');
    expect(lines).toContain('▸ Trust policy and policy diff');
  });

  it('lets no escape sequence from the account through', () => {
    const hostile = samplePlan();
    hostile.warnings.push('\u001b]0;pwned\u0007\u001b[2J\u202eevil');
    // eslint-disable-next-line no-control-regex -- the control characters that must not reach a terminal
    expect(markdownForTerminal(renderPlanMarkdown(hostile))).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });
});

describe('show', () => {
  it('renders for a terminal only when stdout is one; piped, it stays Markdown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'split-role-show-'));
    const path = join(dir, 'p.plan.json');
    await savePlan(samplePlan(), path);
    const piped = new RecordingIoHost();
    await runShow(path, {}, piped, false);
    expect(piped.results[0]).toMatch(/^# split-role plan: app-shared\n/);
    const tty = new RecordingIoHost();
    await runShow(path, {}, tty, true);
    expect(tty.results[0]).toMatch(/^split-role plan: app-shared\n=+\n/);
  });
});
