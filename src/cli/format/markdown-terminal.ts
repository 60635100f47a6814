/**
 * The review's Markdown as plain text for a terminal: no backslash escapes,
 * code-span backticks, emphasis or raw <details> tags; tables aligned; the
 * Mermaid diagram (a picture for GitHub) left to the review file.
 */
import { terminalSafe } from '../../core/escape.js';
import { renderTable } from './table.js';

/** Renders the Markdown of `renderPlanMarkdown` for reading in a terminal. */
export function markdownForTerminal(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.split('\n');
  let table: string[][] = [];
  const flushTable = () => {
    if (table.length === 0) return;
    const [header, ...rows] = table;
    out.push(...renderTable(header ?? [], rows).split('\n'));
    table = [];
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    const fence = /^(`{3,})(\w*)$/.exec(line);
    if (fence) {
      flushTable();
      const close = lines.findIndex((l, j) => j > i && l === fence[1]);
      const end = close < 0 ? lines.length : close;
      if (fence[2] === 'mermaid') out.push('  (diagram: in the review file)');
      else out.push(...lines.slice(i + 1, end).map((l) => `    ${l}`));
      i = end;
      continue;
    }
    if (line.startsWith('|')) {
      // The separator row is the table's own rule; renderTable draws one.
      if (!/^\|(-+\|)+$/.test(line)) table.push(cells(line));
      continue;
    }
    flushTable();
    const summary = /^<details><summary>(.*)<\/summary>$/.exec(line);
    if (summary) out.push(`▸ ${summary[1]}`);
    else if (line === '</details>') continue;
    else if (line === '> [!WARNING]') out.push('WARNING:');
    else {
      const heading = /^(#+) (.*)$/.exec(line);
      if (heading) {
        const title = inline(heading[2] as string);
        out.push(
          title,
          (heading[1] as string).length <= 2 ? '='.repeat(Math.min(title.length, 78)) : '-'.repeat(Math.min(title.length, 78)),
        );
      } else out.push(inline(line.replace(/^> /, '  ')));
    }
  }
  flushTable();
  // Collapse the blank lines the dropped tags leave behind.
  return `${terminalSafe(
    out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd(),
  )}\n`;
}

/** A table row's cells; `\|` inside a cell is a pipe, not a border. */
function cells(row: string): string[] {
  return row
    .replace(/^\|\s?/, '')
    .replace(/\s?\|$/, '')
    .split(/(?<!\\)\s?\|\s?/)
    .map((cell) => inline(cell.replace(/\\\|/g, '|')));
}

/** Code spans, emphasis and backslash escapes to plain text. */
function inline(text: string): string {
  const parts: string[] = [];
  let rest = text;
  // Code spans first: their content is literal (no escapes inside).
  for (let m = /(`+) ?([\s\S]*?) ?\1(?!`)/.exec(rest); m; m = /(`+) ?([\s\S]*?) ?\1(?!`)/.exec(rest)) {
    parts.push(prose(rest.slice(0, m.index)), m[2] as string);
    rest = rest.slice(m.index + m[0].length);
  }
  parts.push(prose(rest));
  return parts.join('');
}

function prose(text: string): string {
  return text.replace(/\*\*(.+?)\*\*/g, '$1').replace(/\\([!-/:-@[-`{-~])/g, '$1');
}
