import { describe, expect, it } from 'vitest';
import type { ServiceUsage } from '../../src/evidence/types.js';
import type { PlannedRole } from '../../src/plan/schema.js';
import { planResourcePolicies } from '../../src/resource-policy/plan-policies.js';

const SHARED = { arn: 'arn:aws:iam::111122223333:role/orders', roleId: 'AROAEXAMPLESHARED0001' };
const QUEUE = {
  kind: 'sqs-queue' as const,
  region: 'eu-west-1',
  id: 'https://sqs.eu-west-1.amazonaws.com/111122223333/q',
  arn: 'arn:aws:sqs:eu-west-1:111122223333:q',
};
const role = (service: string, roleName: string) =>
  ({ service, roleName, roleArn: `arn:aws:iam::111122223333:role/${roleName}` }) as PlannedRole;
const ROLES = [role('ec2.amazonaws.com', 'orders-ec2'), role('lambda.amazonaws.com', 'orders-lambda')];
const usage = (resources: string[]): ServiceUsage => ({ actions: new Map(), sessions: 1, events: 1, resources: new Set(resources) });
const policy = (effect: string) =>
  JSON.stringify({
    Statement: [{ Sid: 's', Effect: effect, Principal: { AWS: SHARED.arn }, Action: 'sqs:SendMessage', Resource: QUEUE.arn }],
  });

describe('planResourcePolicies', () => {
  it('gives a statement the roles of the services seen using the resource', () => {
    const found = {
      ...QUEUE,
      text: policy('Allow'),
      statements: [{ index: 0, sid: 's', effect: 'Allow', mentions: ['Principal' as const] }],
    };
    const plan = planResourcePolicies(
      { policies: [found], problems: [] },
      'sweep',
      SHARED,
      ROLES,
      new Map([['lambda.amazonaws.com', usage([QUEUE.arn])]]),
    );
    expect(plan.policies[0]?.statements[0]).toMatchObject({ roles: ['orders-lambda'], basis: 'evidence' });
  });

  it('gives every new role, marked so, when evidence cannot tell or the statement is a Deny', () => {
    const allow = {
      ...QUEUE,
      text: policy('Allow'),
      statements: [{ index: 0, sid: 's', effect: 'Allow', mentions: ['Principal' as const] }],
    };
    const deny = {
      ...QUEUE,
      id: 'other',
      text: policy('Deny'),
      statements: [{ index: 0, sid: 's', effect: 'Deny', mentions: ['Principal' as const] }],
    };
    const plan = planResourcePolicies(
      { policies: [allow, deny], problems: [] },
      'sweep',
      SHARED,
      ROLES,
      new Map([
        ['ec2.amazonaws.com', usage(['arn:aws:s3:::x'])],
        ['lambda.amazonaws.com', usage([QUEUE.arn])],
      ]),
    );
    expect(plan.policies[1]?.statements[0]).toMatchObject({ roles: ['orders-ec2', 'orders-lambda'], basis: 'every-service' });
    const blind = planResourcePolicies({ policies: [allow], problems: [] }, 'sweep', SHARED, ROLES, new Map());
    expect(blind.policies[0]?.statements[0]).toMatchObject({ roles: ['orders-ec2', 'orders-lambda'], basis: 'every-service' });
  });

  it('lists a policy whose edit cannot be written as a problem, with the reason', () => {
    const text = JSON.stringify({
      Statement: [
        {
          Sid: 'c',
          Effect: 'Allow',
          Principal: '*',
          Action: 'lambda:InvokeFunction',
          Condition: { ArnEquals: { 'aws:PrincipalArn': SHARED.arn } },
        },
      ],
    });
    const found = {
      kind: 'lambda-function' as const,
      region: 'eu-west-1',
      id: 'f',
      arn: 'arn:aws:lambda:eu-west-1:111122223333:function:f',
      text,
      statements: [{ index: 0, sid: 'c', effect: 'Allow', mentions: ['aws:PrincipalArn' as const] }],
    };
    const plan = planResourcePolicies({ policies: [found], problems: [] }, 'sweep', SHARED, ROLES, new Map());
    expect(plan.policies).toEqual([]);
    expect(plan.problems[0]?.reason).toMatch(/cannot write: .*AddPermission cannot write/);
  });
});
