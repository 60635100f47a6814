import { describe, expect, it } from 'vitest';
import type { RoleSummary } from '../../src/aws/iam.js';
import { parseOptInRules, refuseWithoutWorkloadIndex } from '../../src/cli/rule-flags.js';
import { buildScanReport } from '../../src/scan/report.js';
import { enabledRules } from '../../src/trust/rules/index.js';
import { sharedByWorkloadsRule } from '../../src/trust/rules/shared-by-workloads.js';
import type { RuleSubject, RuleVerdict } from '../../src/trust/rules/types.js';

const subject = (workloadNames?: Record<string, string[]>): RuleSubject => ({
  services: ['lambda.amazonaws.com'],
  workloads: ['lambda'],
  otherPrincipals: [],
  ...(workloadNames ? { workloadNames } : {}),
});

describe('SR004 shared by several workloads of one service', () => {
  it.each<[string, RuleSubject, RuleVerdict['status']]>([
    ['no workload index (check, org scans)', subject(), 'not-applicable'],
    ['one function', subject({ lambda: ['orders'] }), 'compliant'],
    ['the same function in two regions', subject({ lambda: ['orders', 'orders'] }), 'compliant'],
    ['one function and one ECS service', subject({ lambda: ['orders'], 'ecs-tasks': ['web'] }), 'compliant'],
    ['two functions', subject({ lambda: ['orders', 'billing'] }), 'non-compliant'],
  ])('%s', (_name, input, status) => {
    expect(sharedByWorkloadsRule.evaluate(input, { optIn: ['SR004'] }).status).toBe(status);
  });

  it('names the workloads per service', () => {
    expect(sharedByWorkloadsRule.evaluate(subject({ 'ecs-tasks': ['worker', 'web'], lambda: ['a', 'b'] }), {})).toEqual({
      status: 'non-compliant',
      detail: 'ecs-tasks: web, worker; lambda: a, b',
    });
  });

  it('is off unless asked for', () => {
    expect(enabledRules({}).map((r) => r.id)).not.toContain('SR004');
    expect(enabledRules({ optIn: ['SR004'] }).map((r) => r.id)).toContain('SR004');
  });

  it('scan reports a role two functions share only with --rules SR004 and the index', () => {
    const role: RoleSummary = {
      roleName: 'team',
      roleArn: 'arn:aws:iam::111122223333:role/team',
      roleId: 'AROATEAM',
      path: '/',
      trustPolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    };
    const where = { account: '111122223333', partition: 'aws', region: 'eu-west-1' };
    const index = () => ({ lambda: ['orders', 'billing'] });
    expect(buildScanReport([role], where, {}, index).findings).toEqual([]);
    const report = buildScanReport([role], where, { optIn: ['SR004'] }, index);
    expect(report.findings.map((f) => [f.roleName, f.kinds, f.notes])).toEqual([
      ['team', ['shared-by-workloads'], ['SR004: lambda: billing, orders']],
    ]);
  });
});

describe('--rules', () => {
  it('accepts SR004 in any case and refuses unknown ids', () => {
    expect(parseOptInRules('sr004')).toEqual(['SR004']);
    expect(parseOptInRules(undefined)).toEqual([]);
    expect(() => parseOptInRules('SR009')).toThrow(/unknown rule SR009/);
  });
  it('refuses SR004 where there is no workload index', () => {
    expect(() => refuseWithoutWorkloadIndex(['SR004'], 'check (it reads code, not the account)')).toThrow(
      /--rules SR004 needs a workload index, which check \(it reads code, not the account\) has none of/,
    );
    expect(() => refuseWithoutWorkloadIndex([], 'check')).not.toThrow();
  });
});
