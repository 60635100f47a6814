import { describe, expect, it } from 'vitest';
import { enabledRules, findingKinds, RULES } from '../../src/trust/rules/index.js';
import type { RuleSubject, RuleVerdict } from '../../src/trust/rules/types.js';
import { multiServiceRule } from '../../src/trust/rules/multi-service.js';
import { serviceAndCrossAccountRule } from '../../src/trust/rules/service-and-cross-account.js';
import { missingOwnershipTagsRule } from '../../src/trust/rules/missing-ownership-tags.js';

const own = { principal: 'arn:aws:iam::111111111111:root', type: 'AWS', crossAccount: false, account: '111111111111' };
const other = { principal: 'arn:aws:iam::222222222222:root', type: 'AWS', crossAccount: true, account: '222222222222' };
const subject = (services: string[], workloads: string[], otherPrincipals = [] as RuleSubject['otherPrincipals']): RuleSubject => ({
  services,
  workloads,
  otherPrincipals,
});

describe('SR001 multi-service', () => {
  it.each<[string, RuleSubject, RuleVerdict['status']]>([
    ['no service', subject([], [], [other]), 'not-applicable'],
    ['one service', subject(['ec2.amazonaws.com'], ['ec2']), 'compliant'],
    ['Lambda@Edge pair is one workload', subject(['edgelambda.amazonaws.com', 'lambda.amazonaws.com'], ['lambda']), 'compliant'],
    ['two workloads', subject(['ec2.amazonaws.com', 'lambda.amazonaws.com'], ['ec2', 'lambda']), 'non-compliant'],
  ])('%s', (_name, input, status) => {
    expect(multiServiceRule.evaluate(input, {}).status).toBe(status);
  });
});

describe('SR002 service-and-cross-account', () => {
  it.each<[string, RuleSubject, RuleVerdict['status']]>([
    ['no service', subject([], [], [other]), 'not-applicable'],
    ['service and own account', subject(['ec2.amazonaws.com'], ['ec2'], [own]), 'compliant'],
    ['service and another account', subject(['ec2.amazonaws.com'], ['ec2'], [own, other]), 'non-compliant'],
  ])('%s', (_name, input, status) => {
    expect(serviceAndCrossAccountRule.evaluate(input, {}).status).toBe(status);
  });
});

describe('registry', () => {
  it('has unique ids and kinds, in id order', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(RULES.map((r) => r.kind)).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('reports kinds in rule order', () => {
    expect(findingKinds(subject(['ec2.amazonaws.com', 'lambda.amazonaws.com'], ['ec2', 'lambda'], [other]))).toEqual([
      'multi-service',
      'service-and-cross-account',
    ]);
  });

  it('enables SR001 and SR002 by default', () => {
    expect(enabledRules().map((r) => r.id)).toEqual(['SR001', 'SR002']);
  });
});

describe('SR003 missing-ownership-tags', () => {
  const tagged = (tags?: Record<string, string>): RuleSubject => ({
    ...subject(['ec2.amazonaws.com'], ['ec2']),
    ...(tags ? { tags } : {}),
  });
  const options = { requiredTags: ['owner', 'application'] };

  it.each<[string, RuleSubject, RuleVerdict]>([
    ['tags unknown', tagged(), { status: 'not-applicable' }],
    ['both tags', tagged({ owner: 'team-a', application: 'orders' }), { status: 'compliant' }],
    ['one missing', tagged({ owner: 'team-a' }), { status: 'non-compliant', detail: 'missing tags: application' }],
    [
      'an empty value counts as missing',
      tagged({ owner: ' ', application: 'orders', other: 'x' }),
      { status: 'non-compliant', detail: 'missing tags: owner' },
    ],
  ])('%s', (_name, input, verdict) => {
    expect(missingOwnershipTagsRule.evaluate(input, options)).toEqual(verdict);
  });

  it('is off unless tags are required', () => {
    expect(enabledRules({}).map((r) => r.id)).not.toContain('SR003');
    expect(enabledRules(options).map((r) => r.id)).toEqual(['SR001', 'SR002', 'SR003']);
    expect(findingKinds(tagged({}), {})).toEqual([]);
    expect(findingKinds(tagged({}), options)).toEqual(['missing-ownership-tags']);
  });
});
