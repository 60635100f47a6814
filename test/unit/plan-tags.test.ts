/** Ownership tags on new roles (issue 14 §3): `--tag`, required keys, and the shared role's tags kept unchanged. */
import { describe, expect, it } from 'vitest';
import { missingRequiredTags, parseTagFlags, parseTagKeys, refuseChangedTags, tagProblem, withAddedTags } from '../../src/core/tags.js';
import { buildPlan } from '../../src/plan/builder.js';
import { planInvariantProblems } from '../../src/plan/invariants.js';
import { renderPlanMarkdown } from '../../src/plan/markdown.js';
import { sealPlan } from '../../src/plan/plan-file.js';
import { analysis, context, DROP_ALL, EC2, evidence, LAMBDA, sharedRole, usage } from './fixtures/plan-fixtures.js';
import { refusal } from './fixtures/refusal.js';

describe('--tag KEY=VALUE', () => {
  it('parses pairs, keeping "=" in values', () => {
    expect(parseTagFlags(['owner=team-payments', 'cost=a=b', 'application = orders api '])).toEqual({
      owner: 'team-payments',
      cost: 'a=b',
      application: 'orders api',
    });
    expect(parseTagFlags(['note='])).toEqual({ note: '' });
  });

  it.each([
    ['owner', /not KEY=VALUE/],
    ['=alice', /not KEY=VALUE/],
    ['aws:owner=x', /reserved/],
    ['Split-Role:plan-id=x', /reserved/],
    ['owner=a;b', /may contain only/],
    [`${'k'.repeat(129)}=v`, /1-128 characters/],
    [`owner=${'v'.repeat(257)}`, /at most 256/],
  ])('refuses %s', (pair, message) => {
    const error = refusal(() => parseTagFlags([pair]));
    expect(error.code).toBe('UsageError');
    expect(error.message).toMatch(message);
  });

  it('refuses one key given twice, in any case (IAM keys are case-insensitive)', () => {
    expect(refusal(() => parseTagFlags(['owner=a', 'Owner=b'])).message).toMatch(/gives Owner twice/);
  });

  it('tag problems are IAM’s rules', () => {
    expect(tagProblem('owner', 'team payments/eu-1@example.com')).toBeUndefined();
    expect(tagProblem('', 'x')).toMatch(/1-128/);
  });
});

describe('required tags', () => {
  it('--require-tags lists keys once and refuses an empty key', () => {
    expect(parseTagKeys('owner, application,owner', '--require-tags')).toEqual(['owner', 'application']);
    expect(parseTagKeys(undefined, '--require-tags')).toEqual([]);
    expect(refusal(() => parseTagKeys('owner,,x', '--require-tags')).message).toMatch(/--require-tags "owner,,x" has an empty tag key/);
  });

  it('a key is missing unless the shared role has it with a value or --tag gives it', () => {
    const shared = [
      { Key: 'Owner', Value: 'alice' },
      { Key: 'application', Value: ' ' },
    ];
    expect(missingRequiredTags(shared, ['owner', 'application', 'cost-centre'], {})).toEqual(['application', 'cost-centre']);
    expect(missingRequiredTags(shared, ['owner', 'application', 'cost-centre'], { application: 'orders', 'Cost-Centre': '42' })).toEqual(
      [],
    );
  });
});

describe('the shared role’s tags are never changed', () => {
  it('refuses a --tag that changes a shared tag with a value, and allows filling an empty one', () => {
    const shared = [
      { Key: 'team', Value: 'orders' },
      { Key: 'owner', Value: '' },
    ];
    const error = refusal(() => refuseChangedTags('app-shared', shared, { Team: 'admins' }));
    expect(error.message).toBe("--tag Team=admins would change app-shared's tag team=orders on the new roles");
    expect(error.hint).toMatch(/principal tags/);
    expect(() => refuseChangedTags('app-shared', shared, { team: 'orders', owner: 'alice', application: 'x' })).not.toThrow();
  });

  it('adds missing keys, fills empty ones in the shared role’s spelling, and keeps set ones', () => {
    const shared = [
      { Key: 'team', Value: 'orders' },
      { Key: 'Owner', Value: '' },
    ];
    expect(withAddedTags(shared, { owner: 'alice', team: 'admins', application: 'orders-api' })).toEqual([
      { Key: 'team', Value: 'orders' },
      { Key: 'Owner', Value: 'alice' },
      { Key: 'application', Value: 'orders-api' },
    ]);
    expect(shared[1]?.Value).toBe('');
  });

  it('the builder puts the added tags on every new role, and the plan stays sound', () => {
    const a = analysis(
      sharedRole({ principals: [EC2, LAMBDA] }),
      evidence({ [EC2]: usage({ 'kms:Decrypt': 1 }), [LAMBDA]: usage({ 'ssm:GetParameter': 1 }) }),
    );
    const plan = sealPlan(buildPlan(a, { ...DROP_ALL, addedTags: { owner: 'team-payments' } }, context()));
    for (const role of plan.newRoles) {
      const tags = Object.fromEntries(role.tags.map((t) => [t.Key, t.Value]));
      expect(tags).toMatchObject({ team: 'orders', owner: 'team-payments', 'split-role:source-role': 'app-shared' });
    }
    expect(planInvariantProblems(plan)).toEqual([]);
    const review = renderPlanMarkdown(plan);
    expect(review).toContain('Tags: `team=orders`, `owner=team-payments` (added)');
  });
});
