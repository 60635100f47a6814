import { describe, expect, it } from 'vitest';
import { enabledRules, findingKinds, RULES } from '../../src/trust/rules/index.js';
import type { RuleSubject, RuleVerdict } from '../../src/trust/rules/types.js';
import { multiServiceRule } from '../../src/trust/rules/multi-service.js';
import { serviceAndCrossAccountRule } from '../../src/trust/rules/service-and-cross-account.js';

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
