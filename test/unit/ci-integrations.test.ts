/** The GitHub Action and the pre-commit hook: they run `check` as documented, and take no input into script text. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const file = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

describe('action.yml', () => {
  const text = file('action.yml');
  const action = parse(text) as Action;

  it('is a composite action that runs split-role check with SARIF output, uploads it, then fails with the exit code', () => {
    expect(action.runs.using).toBe('composite');
    const steps = action.runs.steps;
    const check = steps.find((s) => s.run?.includes(' check '));
    expect(check?.run).toMatch(/node "\$SPLIT_ROLE_BIN" check \$SPLIT_ROLE_PATHS --sarif "\$SPLIT_ROLE_SARIF"/);
    const upload = steps.findIndex((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(steps[upload]?.if).toContain('always()');
    expect(steps.at(-1)?.run).toBe('exit "${SPLIT_ROLE_EXIT:-2}"');
    expect(upload).toBeLessThan(steps.length - 1);
  });

  it('passes inputs through the environment, never into script text', () => {
    for (const step of action.runs.steps) expect(step.run ?? '', step.name).not.toContain('${{');
    const referenced = [...text.matchAll(/\$\{\{\s*inputs\.([\w-]+)/g)].map((m) => m[1]);
    for (const name of referenced) expect(Object.keys(action.inputs)).toContain(name);
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parse(file('.pre-commit-hooks.yaml')) as Array<{
    id: string;
    entry: string;
    language: string;
    files: string;
    exclude: string;
  }>;

  it('runs the package bin on the templates a commit changes', () => {
    const [hook] = hooks;
    expect(hook?.entry).toBe('split-role check --allow-empty');
    expect(hook?.language).toBe('node');
    expect(Object.keys((JSON.parse(file('package.json')) as { bin: Record<string, string> }).bin)).toContain('split-role');
    const selected = (path: string) => new RegExp(hook!.files).test(path) && !new RegExp(hook!.exclude).test(path);
    expect(['infra/app.yaml', 'cdk.out/App.template.json', 'stack.template', 'tf/roles.tf.json', 'tf/main.tf'].every(selected)).toBe(true);
    expect(['package.json', 'web/tsconfig.build.json', 'src/main.ts'].some(selected)).toBe(false);
  });
});
