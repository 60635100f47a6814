/** The pure check behind rollback's resource-policy restores, and the plan's resource-policy invariants (issue 21 items 6, 9, 11). */
import { describe, expect, it } from 'vitest';
import { resourcePolicyProblems } from '../../src/plan/policy-invariants.js';
import { addRoles, removeRole } from '../../src/resource-policy/statements.js';
import { decideRestore, rewriteUserIds } from '../../src/resource-policy/restore-check.js';
import { ACCOUNT, SHARED_ARN, samplePlan } from './fixtures/plan-fixtures.js';

const SHARED = { arn: SHARED_ARN, roleId: 'AROASHARED' };
const NEW = { arn: `arn:aws:iam::${ACCOUNT}:role/app-shared-ec2`, roleId: 'AROANEW' };
const ROLES = [SHARED, NEW];
const ORIGINAL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'use', Effect: 'Allow', Principal: { AWS: SHARED_ARN }, Action: 'kms:Decrypt', Resource: '*' }],
});
const COLLEAGUE = {
  Sid: 'colleague',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/auditor` },
  Action: 'kms:*',
  Resource: '*',
};
const add = (text: string) => addRoles(text, SHARED, [{ index: 0, roles: [NEW] }]);
const plus = (text: string, ...statements: object[]) => {
  const doc = JSON.parse(text) as { Statement: object[] };
  return JSON.stringify({ ...doc, Statement: [...doc.Statement, ...statements] });
};
const statementsOf = (text: string) => (JSON.parse(text) as { Statement: unknown[] }).Statement;

describe('decideRestore', () => {
  it('writes the original back, keeping a statement someone else added since', () => {
    const decision = decideRestore({ target: ORIGINAL, live: plus(add(ORIGINAL), COLLEAGUE), effect: () => add(ORIGINAL), roles: ROLES });
    expect(decision).toMatchObject({ action: 'write', kept: [COLLEAGUE] });
    expect(decision.action === 'write' && statementsOf(decision.text)).toEqual([...statementsOf(ORIGINAL), COLLEAGUE]);
  });

  it('has nothing to do when only statements naming none of the roles differ', () => {
    expect(decideRestore({ target: ORIGINAL, live: plus(ORIGINAL, COLLEAGUE), effect: () => add(ORIGINAL), roles: ROLES })).toEqual({
      action: 'none',
      kept: [COLLEAGUE],
    });
  });

  it('refuses a restore text that would add a principal the undone step never removed', () => {
    const forged = ORIGINAL.replace(`"AWS":"${SHARED_ARN}"`, `"AWS":["${SHARED_ARN}","arn:aws:iam::999999999999:root"]`);
    const decision = decideRestore({ target: forged, live: add(ORIGINAL), effect: () => add(forged), roles: ROLES });
    expect(decision).toMatchObject({ action: 'refuse', unexpected: [expect.objectContaining({ Sid: 'use' })] });
  });

  it('does not keep a statement naming a new role by a session ARN as if it were someone else’s', () => {
    const session = {
      Sid: 's',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/app-shared-ec2/i-0abc` },
      Action: 'kms:Decrypt',
      Resource: '*',
    };
    const decision = decideRestore({
      target: ORIGINAL,
      live: plus(add(ORIGINAL), session),
      effect: () => plus(add(ORIGINAL), session),
      roles: ROLES,
    });
    expect(decision.action === 'write' && statementsOf(decision.text)).toEqual(statementsOf(ORIGINAL));
  });

  it('undoing retire: puts the shared role back only where the live policy lacks exactly it', () => {
    const before = add(ORIGINAL);
    const after = removeRole(before, SHARED);
    expect(decideRestore({ target: before, live: after, effect: () => removeRole(before, SHARED), roles: ROLES })).toMatchObject({
      action: 'write',
    });
  });
});

describe('rewriteUserIds', () => {
  it("rewrites the recreated role's id in aws:userid values only", () => {
    const text = JSON.stringify({
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Condition: { StringLike: { 'aws:userid': ['AROAOLD:*', 'AIDAOTHER'], 'aws:SourceArn': 'AROAOLD:*' } },
        },
      ],
    });
    const { text: rewritten, rewritten: count } = rewriteUserIds(text, 'AROAOLD', 'AROANEW');
    expect(count).toBe(1);
    expect(JSON.parse(rewritten)).toEqual(JSON.parse(text.replace('["AROAOLD:*"', '["AROANEW:*"')));
  });
});

describe('resourcePolicyProblems', () => {
  const plan = samplePlan();
  const entry = {
    kind: 'kms-key' as const,
    region: plan.region,
    id: 'k',
    arn: `arn:aws:kms:${plan.region}:${ACCOUNT}:key/k`,
    text: ORIGINAL.replace(SHARED_ARN, plan.sharedRole.arn),
    statements: [
      {
        index: 0,
        sid: 'use',
        effect: 'Allow',
        mentions: ['Principal' as const],
        roles: [plan.newRoles[0]?.roleName ?? ''],
        basis: 'evidence' as const,
      },
    ],
  };
  const withEntry = (e: typeof entry) => ({ ...plan, resourcePolicies: { mode: 'sweep' as const, policies: [e], problems: [] } });

  it('accepts an entry re-derived from its own text', () => {
    expect(resourcePolicyProblems(withEntry(entry))).toEqual([]);
  });

  it('refuses a text that does not name the shared role, and a role the plan does not create', () => {
    expect(resourcePolicyProblems(withEntry({ ...entry, text: ORIGINAL.replace(SHARED_ARN, 'arn:aws:iam::999999999999:root') }))).toEqual([
      expect.stringContaining('does not name'),
    ]);
    expect(resourcePolicyProblems(withEntry({ ...entry, statements: [{ ...entry.statements[0]!, roles: ['intruder'] }] }))).toEqual([
      expect.stringContaining('adds intruder, which this plan does not create'),
    ]);
  });
});
