// The folder layering of src/ (DESIGN.md §3), as one table, and the ESLint
// config blocks that keep it: a file in src/X may import only from folders in
// tiers below X's. Type-only imports, re-exports and dynamic import() count too.

/**
 * Top to bottom. Each DESIGN layer is one or more tiers: where folders of one
 * layer depend on each other, the tier order records which way (guardrail
 * builds on export, rewrite on export's code and check's readers, cutover's verify on apply, inventory on workloads, aws and
 * trust on policy). Folders of one tier are independent of each other.
 */
export const LAYERS = [
  /* 1 */ ['cli'],
  /* 2 */ ['guardrail', 'rewrite'],
  /*   */ ['check', 'export', 'kpi', 'report'],
  /* 3 */ ['cutover'],
  /*   */ ['apply'],
  /*   */ ['plan-run'],
  /* 4 */ ['plan'],
  /* 5 */ ['scan', 'inventory'],
  /*   */ ['resource-policy', 'workloads'],
  /*   */ ['evidence'],
  /* 6 */ ['aws', 'iac', 'trust'],
  /*   */ ['policy'],
  /* 7 */ ['core'],
];

/**
 * Folders whose layering allows a folder below them that they must still not
 * load: the pure plan model reaches no AWS (plan-run does that for it). Type
 * imports of the shapes those folders return stay allowed.
 */
export const RUNTIME_FREE = { plan: ['aws', 'inventory'] };

/** How deep a file may sit below src/X/ (src/X/a/b/c/file.ts is 4) for the rule to see its imports exactly. */
export const MAX_DEPTH = 4;

/** The folders a file in src/`folder` must not import: its own tier and every tier above. */
export function forbiddenFor(folder) {
  const tier = LAYERS.findIndex((t) => t.includes(folder));
  // Names go into regular expressions unescaped.
  if (!/^[a-z][a-z-]*$/.test(folder)) throw new Error(`src/${folder}: a folder name in the layer table is lowercase letters and hyphens`);
  if (tier < 0) throw new Error(`src/${folder} is not in the layer table (eslint/layers.js)`);
  return LAYERS.slice(0, tier + 1)
    .flat()
    .filter((f) => f !== folder);
}

// A relative specifier from `depth` folders below src/X that lands in src/<one of names>/.
// `\x2F` instead of `/`: the same text goes into an esquery selector, where `/` ends the regex.
const reaching = (depth, names) => `^(?:\\.\\.\\x2F){${depth}}(?:${names.join('|')})(?:\\x2F|$)`;

// Not a layer rule, but it shares no-restricted-syntax (a later block would replace these, not add to them): the SDK's
// CommonJS packages load through src/aws/sdk-modules.ts, since import() of one makes Node 20 compile it twice.
const SDK_IMPORT = {
  selector: 'ImportExpression[source.value=/^@aws-sdk\\x2F/]',
  message: "Load the AWS SDK with loadSdk() from src/aws/sdk-modules.ts: Node 20's import() of a CommonJS package compiles it twice.",
};

/** One flat-config block per folder and depth: no-restricted-imports for static imports, no-restricted-syntax for import(). */
export function layerConfigs() {
  const blocks = [];
  for (const folder of LAYERS.flat()) {
    const forbidden = forbiddenFor(folder);
    const below = LAYERS.slice(LAYERS.findIndex((t) => t.includes(folder)) + 1).flat();
    const message = `src/${folder} imports only from folders below it: ${below.join(', ') || 'none'} (eslint/layers.js, DESIGN.md §3).`;
    const runtimeFree = RUNTIME_FREE[folder] ?? [];
    for (let depth = 1; depth <= MAX_DEPTH; depth++) {
      const patterns = [{ regex: reaching(depth, forbidden), caseSensitive: true, message }];
      if (runtimeFree.length > 0) {
        patterns.push({
          regex: reaching(depth, runtimeFree),
          caseSensitive: true,
          allowTypeImports: true,
          message: `src/${folder} is pure: it loads nothing from ${runtimeFree.join(' or ')} (type imports are fine).`,
        });
      }
      blocks.push({
        name: `split-role/layers/${folder}/${depth}`,
        files: [`src/${folder}/${'*/'.repeat(depth - 1)}*.ts`],
        rules: {
          '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
          'no-restricted-syntax': [
            'error',
            { selector: `ImportExpression[source.value=/${reaching(depth, [...forbidden, ...runtimeFree])}/]`, message },
            SDK_IMPORT,
          ],
        },
      });
    }
  }
  return blocks;
}
