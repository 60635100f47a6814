import { describe, expect, it } from 'vitest';
import { narrowGrants } from '../../src/policy/narrow.js';
import {
  INLINE_POLICIES_MAX_CHARS,
  MANAGED_POLICIES_PER_ROLE,
  MANAGED_POLICY_MAX_CHARS,
  POLICY_NAME_MAX_CHARS,
  packPolicies,
  policySize,
  PolicySizeError,
  type PackedPolicies,
} from '../../src/policy/size.js';
import { assertSubset } from '../../src/policy/subset.js';
import type { IamStatement, PolicySource } from '../../src/policy/types.js';

/** A statement on its own bucket, with `n` made-up concrete actions so its size is easy to steer. */
function statement(i: number, n: number, extra: Partial<IamStatement> = {}): IamStatement {
  const Action = Array.from({ length: n }, (_, k) => `s3:GetObjectVariant${i}x${k}`);
  return { Sid: `S${i}`, Effect: 'Allow', Action, Resource: [`arn:aws:s3:::bucket-${i}`, `arn:aws:s3:::bucket-${i}/*`], ...extra };
}

/** Every (effect, action, scope) granted, as comparable strings: packing must neither lose nor add one. */
function grants(statements: IamStatement[]): string[] {
  return statements
    .flatMap((s) => {
      const { Sid: _sid, Action, ...scope } = s;
      return [Action ?? []].flat().map((a) => `${a} ${JSON.stringify(scope)}`);
    })
    .sort();
}

function allDocuments(packed: PackedPolicies) {
  return [...packed.inline, ...packed.managed];
}

describe('policySize', () => {
  it.each([
    [{ Version: '2012-10-17', Statement: [] }, 39],
    ['{\n  "Version": "2012-10-17",\n  "Statement": [ ]\n}', null],
  ])('counts JSON without whitespace (%#)', (input, expected) => {
    const doc = typeof input === 'string' ? JSON.parse(input) : input;
    expect(policySize(doc)).toBe(expected ?? JSON.stringify({ Version: '2012-10-17', Statement: [] }).length);
  });
});

describe('packPolicies', () => {
  const cases: Array<{ name: string; statements: IamStatement[]; inline: number; managed: number }> = [
    { name: 'nothing to grant writes no policy', statements: [], inline: 0, managed: 0 },
    { name: 'a small role gets one inline policy', statements: [statement(1, 5), statement(2, 5)], inline: 1, managed: 0 },
    {
      name: 'a role over 10,240 characters is packed into managed policies',
      statements: Array.from({ length: 40 }, (_, i) => statement(i, 8)),
      inline: 0,
      managed: 3,
    },
    { name: 'one statement over 6,144 characters is split by its action list', statements: [statement(1, 600)], inline: 0, managed: 3 },
  ];

  it.each(cases)('$name', ({ statements, inline, managed }) => {
    const packed = packPolicies('app-role', statements);
    expect(packed.inline).toHaveLength(inline);
    expect(packed.managed).toHaveLength(managed);
    for (const p of packed.inline) expect(policySize(p.document)).toBeLessThanOrEqual(INLINE_POLICIES_MAX_CHARS);
    for (const p of packed.managed) expect(policySize(p.document)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    expect(grants(allDocuments(packed).flatMap((p) => p.document.Statement))).toEqual(grants(statements));
    if (inline) expect(packed.inline[0]?.name).toBe('app-role-policy');
    expect(packed.managed.map((p) => p.name)).toEqual(Array.from({ length: managed }, (_, i) => `app-role-policy-${i + 1}`));
  });

  it('keeps Sids unique and alphanumeric within each policy after a split', () => {
    const packed = packPolicies('r', [statement(1, 400), statement(2, 300, { Sid: 'S1P1' })]);
    for (const { document } of packed.managed) {
      const sids = document.Statement.map((s) => s.Sid ?? '');
      expect(new Set(sids.map((s) => s.toLowerCase())).size).toBe(sids.length);
      for (const sid of sids) expect(sid).toMatch(/^[A-Za-z0-9]+$/);
    }
  });

  it('splits a huge Deny with an Action list, but refuses a huge NotAction statement', () => {
    const deny: IamStatement = { Effect: 'Deny', Action: statement(1, 400).Action, Resource: '*' };
    const packed = packPolicies('r', [deny]);
    expect(grants(packed.managed.flatMap((p) => p.document.Statement))).toEqual(grants([deny]));

    const notAction: IamStatement = { Effect: 'Deny', NotAction: statement(1, 400).Action, Resource: '*' };
    expect(() => packPolicies('r', [notAction])).toThrow(PolicySizeError);
    expect(() => packPolicies('r', [notAction])).toThrow(/NotAction/);
  });

  it('refuses a statement whose scope alone is too large for a managed policy', () => {
    const Resource = Array.from({ length: 200 }, (_, i) => `arn:aws:s3:::a-rather-long-bucket-name-number-${i}/*`);
    expect(() => packPolicies('r', [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource }])).toThrow(
      /even with the single action/,
    );
  });

  it(`fails clearly beyond ${MANAGED_POLICIES_PER_ROLE} managed policies, and honours a raised quota`, () => {
    const statements = Array.from({ length: 12 }, (_, i) => statement(i, 150));
    expect(() => packPolicies('big-role', statements)).toThrow(PolicySizeError);
    expect(() => packPolicies('big-role', statements)).toThrow(/needs \d+ managed policies.*may have 10/);
    const raised = packPolicies('big-role', statements, { maxManagedPolicies: 20 });
    expect(raised.managed.length).toBeGreaterThan(MANAGED_POLICIES_PER_ROLE);
  });

  it('keeps policy names within 128 characters', () => {
    const longName = 'x'.repeat(140);
    const packed = packPolicies(
      longName,
      Array.from({ length: 40 }, (_, i) => statement(i, 8)),
    );
    for (const { name } of allDocuments(packed)) expect(name.length).toBeLessThanOrEqual(POLICY_NAME_MAX_CHARS);
    expect(packed.managed[0]?.name).toMatch(/-policy-1$/);
  });

  it('packs the narrowed grants of a big shared role so that they still pass the subset check', () => {
    const shared: PolicySource[] = [
      {
        kind: 'managed',
        name: 'huge',
        document: {
          Version: '2012-10-17',
          Statement: Array.from({ length: 60 }, (_, i) => ({
            Effect: 'Allow',
            Action: 's3:*',
            Resource: `arn:aws:s3:::bucket-${i}/*`,
          })).concat([{ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }]),
        },
      },
    ];
    const used = Array.from({ length: 10 }, (_, k) => `s3:GetObjectVariant${k}`);
    const { statements } = narrowGrants(shared, used);
    const packed = packPolicies('narrowed', statements);
    expect(packed.managed.length).toBeGreaterThan(1);
    expect(() =>
      assertSubset(
        shared,
        allDocuments(packed).map((p) => p.document),
      ),
    ).not.toThrow();
    expect(grants(allDocuments(packed).flatMap((p) => p.document.Statement))).toEqual(grants(statements));
  });
});
