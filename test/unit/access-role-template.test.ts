/**
 * The StackSet template for member accounts stays in step with docs/iam: it
 * is generated from those policies, grants every action the member account's
 * role needs, and passes cfn-lint.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { accessRoleTemplate, CALLER_ONLY_STATEMENTS } from '../../scripts/access-role-template.js';

const file = fileURLToPath(new URL('../../docs/stackset/split-role-access.yaml', import.meta.url));

interface Statement {
  Sid?: string;
  Action: string | string[];
}

/** The documented actions of the member account's role: the caller's own statements (organization-wide evidence) left out. */
function documented(name: string): string[] {
  const policy = JSON.parse(readFileSync(new URL(`../../docs/iam/${name}`, import.meta.url), 'utf8')) as { Statement: Statement[] };
  return policy.Statement.filter((s) => !CALLER_ONLY_STATEMENTS.has(s.Sid ?? '')).flatMap((s) => [s.Action].flat());
}

describe('docs/stackset/split-role-access.yaml', () => {
  const template = parse(readFileSync(file, 'utf8')) as {
    Resources: { AccessRole: { Properties: { Policies: unknown[] } } };
  };
  const [readOnly, changes] = template.Resources.AccessRole.Properties.Policies as [
    { PolicyDocument: { Statement: Statement[] } },
    { 'Fn::If': [string, { PolicyDocument: { Statement: Statement[] } }, unknown] },
  ];
  const readActions = readOnly.PolicyDocument.Statement.flatMap((s) => [s.Action].flat());
  const applyPolicy = changes['Fn::If'][1].PolicyDocument;
  const applyActions = applyPolicy.Statement.flatMap((s) => [s.Action].flat());

  it('is what `npm run stackset` generates from docs/iam (run it after changing docs/iam)', () => {
    expect(readFileSync(file, 'utf8')).toBe(accessRoleTemplate());
  });

  it('grants the member role every documented action of scan and plan, and of apply only when changes are allowed', () => {
    const callerOnly = ['organizations:ListAccounts', 'sts:AssumeRole'];
    for (const action of [...documented('scan.json'), ...documented('plan.json')]) {
      if (!callerOnly.includes(action)) expect(readActions, action).toContain(action);
    }
    for (const action of documented('apply.json')) if (!callerOnly.includes(action)) expect(applyActions, action).toContain(action);
    expect(changes['Fn::If'][0]).toBe('ChangesAllowed');
    expect([...readActions, ...applyActions]).not.toContain('sts:AssumeRole');
    expect([...readActions, ...applyActions]).not.toContain('athena:StartQueryExecution');
    expect([...readActions, ...applyActions]).not.toContain('cloudtrail:StartQuery');
  });

  it('gives each statement of a policy its own Sid', () => {
    for (const statements of [readOnly.PolicyDocument.Statement, applyPolicy.Statement]) {
      const sids = statements.map((s) => s.Sid);
      expect(new Set(sids).size).toBe(sids.length);
    }
  });

  const lint = spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' });
  it.skipIf(Boolean(lint.error) && process.env.CI !== 'true')(
    'passes cfn-lint',
    () => {
      const run = spawnSync('cfn-lint', [file], { encoding: 'utf8' });
      expect(run.error).toBeUndefined();
      expect(`${run.stdout}${run.stderr}`.trim()).toBe('');
      expect(run.status).toBe(0);
      // cfn-lint loads its whole resource spec: seconds on a busy machine.
    },
    180_000,
  );
});
