/** The shared escaping of outside data for terminals and Markdown (issue 10 items 9 and 10). */
import { describe, expect, it } from 'vitest';
import { markdownCode, markdownFence, markdownText, terminalSafe, visibleControls } from '../../src/core/escape.js';

describe('terminal escaping', () => {
  const cases: Array<[what: string, input: string, expected: string]> = [
    ['a window-title sequence', '\u001b]0;pwned\u0007', '\\u001B]0;pwned\\u0007'],
    ['a clear-screen sequence', 'a\u001b[2Jb', 'a\\u001B[2Jb'],
    ['a C1 control (CSI)', 'a\u009b31mb', 'a\\u009B31mb'],
    ['DEL', 'a\u007fb', 'a\\u007Fb'],
    ['a right-to-left override', 'abc\u202etxt.exe', 'abc\\u202Etxt.exe'],
    ['a carriage return that would overwrite the line', 'safe\rEVIL', 'safe\\u000DEVIL'],
    ['plain text', 'orders-ec2 (eu-west-1) ✓', 'orders-ec2 (eu-west-1) ✓'],
  ];
  it.each(cases)('terminalSafe shows %s', (_what, input, expected) => {
    expect(terminalSafe(input)).toBe(expected);
  });

  it('terminalSafe keeps the newlines and tabs that lay out text; visibleControls shows them too', () => {
    expect(terminalSafe('a\n\tb')).toBe('a\n\tb');
    expect(visibleControls('a\n\tb')).toBe('a\\u000A\\u0009b');
  });

  it('keeps a JSON document valid JSON', () => {
    const json = JSON.stringify({ name: 'x\u0085\u202ey' });
    expect(JSON.parse(terminalSafe(json))).toEqual({ name: 'x\u0085\u202ey' });
  });
});

describe('Markdown escaping', () => {
  it('markdownText escapes what starts links, images, emphasis, HTML and autolinks', () => {
    expect(markdownText('![x](http://e.vil) [y](z) <b> *a* _b_ ~c~ a@b.co www.e.vil &amp; `c` |')).toBe(
      '\\!\\[x\\](http\\://e\\.vil) \\[y\\](z) \\<b\\> \\*a\\* \\_b\\_ \\~c\\~ a\\@b\\.co www\\.e\\.vil \\&amp; \\`c\\` \\|',
    );
  });

  it('markdownCode fences a span longer than any backtick run inside', () => {
    expect(markdownCode('orders-ec2')).toBe('`orders-ec2`');
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('a``b```c')).toBe('````a``b```c````');
    expect(markdownCode('`x')).toBe('`` `x ``');
    expect(markdownCode('x\ny')).toBe('`x\\u000Ay`');
  });

  it('markdownFence is longer than any backtick run in its content and at least three', () => {
    expect(markdownFence('{}', 'json')).toBe('```json\n{}\n```');
    expect(markdownFence('a\n`````\nb', 'diff')).toBe('``````diff\na\n`````\nb\n``````');
    expect(markdownFence('a\u001b[2Jb\n')).toBe('```\na\\u001B[2Jb\n```');
  });
});
