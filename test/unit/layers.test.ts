/**
 * The folder layering of src/ (DESIGN.md §3) is an ESLint rule built from one
 * table (eslint/layers.js). These run ESLint itself: an upward import is an
 * error, a downward one is not, every file of src/ is covered, the tree as it
 * stands has no upward import, and `npm run lint`'s config carries the rule.
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const RULE = '@typescript-eslint/no-restricted-imports';

/** ESLint with only the layering blocks (no type information: quick enough for all of src/). */
const layersOnly = () => new ESLint({ cwd: root, overrideConfigFile: 'eslint/layers.config.js' });

/** The layering problems ESLint reports for `code` as if it were the file at `filePath` (relative to the repository). */
async function layerErrors(code: string, filePath: string): Promise<Array<{ ruleId: string | null; message: string }>> {
  const [result] = await layersOnly().lintText(code, { filePath: join(root, filePath) });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map(({ ruleId, message }) => ({ ruleId, message }));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('the layering rule', () => {
  it('fails an import from a folder above (core importing apply)', async () => {
    const errors = await layerErrors("import { applyPlan } from '../apply/run.js';\nexport const run = applyPlan;\n", 'src/core/x.ts');
    expect(errors).toEqual([{ ruleId: RULE, message: expect.stringContaining('src/core imports only from folders below it') }]);
  });

  it('fails type-only imports, re-exports and import() upward too', async () => {
    expect(await layerErrors("import type { Plan } from '../plan/schema.js';\nexport type P = Plan;\n", 'src/workloads/x.ts')).toHaveLength(
      1,
    );
    expect(await layerErrors("export { grantSteps } from '../apply/grant-steps.js';\n", 'src/plan/x.ts')).toHaveLength(1);
    expect(await layerErrors("export const load = () => import('../cutover/verify.js');\n", 'src/apply/x.ts')).toEqual([
      { ruleId: 'no-restricted-syntax', message: expect.stringContaining('src/apply imports only from folders below it') },
    ]);
  });

  it('fails an import between folders of one tier, and from a nested file', async () => {
    expect(
      await layerErrors("import { x } from '../workloads/registry.js';\nexport const y = x;\n", 'src/resource-policy/x.ts'),
    ).toHaveLength(1);
    expect(
      await layerErrors("import { x } from '../../plan/schema.js';\nexport const y = x;\n", 'src/resource-policy/kinds/x.ts'),
    ).toHaveLength(1);
  });

  it('passes imports from folders below, and within the folder', async () => {
    const code = [
      "import { SplitRoleError } from '../core/errors.js';",
      "import type { Plan } from '../plan/schema.js';",
      "import { adapterFor } from '../workloads/registry.js';",
      "import { journalPath } from './journal.js';",
      "export const load = () => import('../evidence/gather.js');",
      'export { SplitRoleError, adapterFor, journalPath };',
      'export type P = Plan;',
      '',
    ].join('\n');
    expect(await layerErrors(code, 'src/apply/x.ts')).toEqual([]);
    expect(
      await layerErrors(
        "import { edits } from '../edits.js';\nimport { z } from 'zod';\nexport { edits, z };\n",
        'src/resource-policy/kinds/x.ts',
      ),
    ).toEqual([]);
  });

  it('keeps the pure plan model off aws and inventory at run time, but lets it name their types', async () => {
    expect(
      await layerErrors("import { getRoleSnapshot } from '../aws/iam.js';\nexport const r = getRoleSnapshot;\n", 'src/plan/x.ts'),
    ).toEqual([{ ruleId: RULE, message: expect.stringContaining('src/plan is pure') }]);
    expect(
      await layerErrors(
        "import type { AccountAuthorization } from '../aws/iam.js';\nexport type A = AccountAuthorization;\n",
        'src/plan/x.ts',
      ),
    ).toEqual([]);
    expect(
      await layerErrors("import { getRoleSnapshot } from '../aws/iam.js';\nexport const r = getRoleSnapshot;\n", 'src/plan-run/x.ts'),
    ).toEqual([]);
  });
});

describe('the tree as it stands', () => {
  const files = sourceFiles(join(root, 'src'));
  let eslint: ESLint;
  beforeAll(() => {
    eslint = layersOnly();
  });

  it('puts every file of src/ under the rule (a new folder must be placed in eslint/layers.js)', async () => {
    expect(files.length).toBeGreaterThan(100);
    const uncovered: string[] = [];
    for (const file of files) {
      const config = (await eslint.calculateConfigForFile(file)) as { rules?: Record<string, unknown> };
      if (!config.rules?.[RULE]) uncovered.push(relative(root, file).split(sep).join('/'));
    }
    expect(uncovered).toEqual([]);
  });

  it('has no upward import', async () => {
    const results = await eslint.lintFiles(['src']);
    const upward = results.flatMap((r) =>
      r.messages.filter((m) => m.severity === 2).map((m) => `${relative(root, r.filePath)}:${m.line}: ${m.message}`),
    );
    expect(results.length).toBe(files.length);
    expect(upward).toEqual([]);
  }, 120_000);

  it('is in the config `npm run lint` uses', async () => {
    const main = new ESLint({ cwd: root });
    const file = join(root, 'src/core/errors.ts');
    type Rules = { rules: Record<string, unknown> };
    const [ours, theirs] = (await Promise.all([eslint.calculateConfigForFile(file), main.calculateConfigForFile(file)])) as [Rules, Rules];
    expect(theirs.rules[RULE]).toEqual(ours.rules[RULE]);
    expect(theirs.rules['no-restricted-syntax']).toEqual(ours.rules['no-restricted-syntax']);
  });
});
