/**
 * docs/ is kept in step with the code: the generated pages (messages, plan format, the layer table) match what the
 * generator makes from the code now, every command has its page, and every relative link in the README and docs/
 * lands on a file that exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import { MESSAGE_CODES } from '../../src/core/message-codes.js';
import { planJsonSchema } from '../../src/plan/schema.js';
import { LAYERS_END, LAYERS_START, layersBlock, messagesPage, planFormatPage, referencePages } from '../../scripts/reference-docs.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const STALE = 'out of step with the code: run `npm run schema` and commit the pages it writes';

/** Every Markdown file under docs/, and the top-level ones, as paths from the root. */
function markdownFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith('.md') ? [join(dir, entry.name)] : [],
    );
  return ['README.md', 'CHANGELOG.md', 'CONTRIBUTING.md', ...walk('docs')];
}

/** The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces as hyphens. */
function headingSlugs(markdown: string): Set<string> {
  const headings = markdown.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} +(.+)$/gm);
  return new Set(
    [...headings].map(([, title = '']) =>
      title
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    ),
  );
}

describe('the generated reference pages', () => {
  it.each(referencePages().map((page) => [page.path, page.text]))('%s is what the code generates now', (path, text) => {
    expect(read(path), `${path} is ${STALE}`).toBe(text);
  });

  it('docs/architecture.md carries the layer table of eslint/layers.js', async () => {
    const text = read('docs/architecture.md');
    const start = text.indexOf(LAYERS_START);
    const end = text.indexOf(LAYERS_END) + LAYERS_END.length;
    expect(start, 'the layer markers are missing').toBeGreaterThanOrEqual(0);
    expect(text.slice(start, end), `docs/architecture.md's layer table is ${STALE}`).toBe(await layersBlock());
  });

  it('the messages page names every message code with its meaning, and every error code', () => {
    const { text } = messagesPage();
    for (const code of Object.keys(MESSAGE_CODES)) expect(text).toContain(`| \`${code}\` |`);
    for (const code of ERROR_CODES) expect(text).toContain(`\`${code}\``);
  });

  it('the plan format page describes every top-level field and lists every nested one', () => {
    const { text } = planFormatPage();
    const schema = planJsonSchema() as { properties: Record<string, unknown> };
    for (const field of Object.keys(schema.properties)) expect(text).toMatch(new RegExp(`^\\| \`${field}\` \\| (yes|no) \\| \\S`, 'm'));
    expect(text).toContain('| `newRoles[].actions[].origin` |');
    expect(text).toContain('| `sharedRole.trustPolicy` |');
  });
});

describe('docs/ as a whole', () => {
  it('has one page per command', () => {
    const commands = [...read('src/cli/main.ts').matchAll(/^\s*\.command\('([a-z-]+)'\)/gm)].map((m) => m[1] ?? '');
    expect(commands.length).toBeGreaterThan(8);
    // `guardrail export` is a subcommand of guardrail: its page is guardrail.md.
    for (const command of new Set(commands))
      expect(existsSync(join(root, 'docs', 'commands', `${command}.md`)), `docs/commands/${command}.md is missing`).toBe(true);
  });

  it('every relative link in the README and docs/ lands on a file that exists, and on a heading of it', () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      const text = read(file)
        .replace(/```[\s\S]*?```/g, '')
        .replace(/`[^`\n]*`/g, '');
      for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [pathPart = '', anchor] = target.split('#');
        const path = pathPart ? join(dirname(join(root, file)), decodeURI(pathPart)) : join(root, file);
        if (!existsSync(path)) broken.push(`${file} → ${target} (${relative(root, path)})`);
        else if (anchor !== undefined && path.endsWith('.md') && !headingSlugs(readFileSync(path, 'utf8')).has(anchor))
          broken.push(`${file} → ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the README stays a front page: about 300 lines, the install and the three commands on its first screen', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(330);
    const firstScreen = readme.split('\n').slice(0, 50).join('\n');
    expect(firstScreen).toMatch(/npm install -g/);
    for (const command of ['split-role scan', 'split-role plan', 'split-role apply']) expect(firstScreen).toContain(command);
    expect(readme).toMatch(/^(npm ci && )?npm run demo\b/m);
    expect(readme).toMatch(/^npm test\b/m);
  });
});
