import { describe, expect, it } from 'vitest';
import type { RoleSummary } from '../../src/aws/iam.js';
import { buildScanReport } from '../../src/scan/report.js';

const ACCOUNT = '111122223333';
const where = { account: ACCOUNT, partition: 'aws', region: 'eu-west-1' };

function role(name: string, trust: object | string, path = '/'): RoleSummary {
  return {
    roleName: name,
    roleArn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`,
    roleId: `AROA${name.toUpperCase()}`,
    path,
    trustPolicy: typeof trust === 'string' ? trust : encodeURIComponent(JSON.stringify(trust)),
  };
}

const allow = (principal: object) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }],
});

describe('buildScanReport', () => {
  it('counts scope, findings and the compliance KPI', () => {
    const report = buildScanReport(
      [
        role('shared', allow({ Service: ['ec2.amazonaws.com', 'lambda.amazonaws.com'] })),
        role('single', allow({ Service: 'lambda.amazonaws.com' })),
        role('human', allow({ AWS: `arn:aws:iam::${ACCOUNT}:root` })),
        role('slr', allow({ Service: ['a.amazonaws.com', 'b.amazonaws.com'] }), '/aws-service-role/a.amazonaws.com/'),
      ],
      where,
    );
    expect(report.summary).toEqual({
      rolesScanned: 4,
      serviceLinkedExcluded: 1,
      rolesInScope: 3,
      findings: 1,
      unreadable: 0,
      compliantPercent: 66.6,
    });
    expect(report.findings.map((f) => f.roleName)).toEqual(['shared']);
    expect(report.serviceRoles.map((r) => r.roleName)).toEqual(['shared', 'single']);
  });

  it('never rounds a non-compliant account up to 100%', () => {
    const roles = Array.from({ length: 2000 }, (_, i) => role(`r${i}`, allow({ Service: 'ec2.amazonaws.com' })));
    roles.push(role('shared', allow({ Service: ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'] })));
    expect(buildScanReport(roles, where).summary.compliantPercent).toBe(99.9);
  });

  it('is 100% compliant for an empty account', () => {
    expect(buildScanReport([], where).summary).toMatchObject({ rolesScanned: 0, compliantPercent: 100 });
  });

  it('keeps unreadable trust policies apart instead of failing the scan', () => {
    const report = buildScanReport([role('broken', '%7Bnot-json'), role('ok', allow({ Service: 'ec2.amazonaws.com' }))], where);
    expect(report.unreadable).toEqual([expect.objectContaining({ roleName: 'broken' })]);
    expect(report.summary).toMatchObject({ rolesInScope: 2, findings: 0, unreadable: 1, compliantPercent: 50 });
  });

  it('reports cross-account principals with their account, and marks conditional access', () => {
    const report = buildScanReport(
      [
        role('partner', {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
            {
              Effect: 'Allow',
              Principal: { AWS: '444455556666' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'sts:ExternalId': 'x' } },
            },
          ],
        }),
      ],
      where,
    );
    expect(report.findings[0]).toMatchObject({
      kinds: ['service-and-cross-account'],
      services: ['ecs-tasks.amazonaws.com'],
      otherPrincipals: [{ principal: '444455556666', type: 'AWS', crossAccount: true, account: '444455556666' }],
      conditional: true,
    });
  });
});
