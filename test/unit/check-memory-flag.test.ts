/**
 * `check` holds its peak memory under 10× a large template by keeping V8's
 * semi-spaces from growing (src/cli/commands/check.ts). An unknown flag would
 * be ignored in silence, so pin that this Node's V8 has it. The memory itself
 * is a figure, measured by `npm run bench -- check-memory`, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('check’s young-generation setting', () => {
  it('names a flag this V8 knows', () => {
    const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    expect(options).toMatch(/^\s*--semi-space-growth-factor \(/m);
  });
});
