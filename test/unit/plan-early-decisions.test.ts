/** Decisions a --yes run owes that the shared role alone makes certain are refused before any evidence is read. */
import { describe, expect, it } from 'vitest';
import { refuseEarlyDecisionGaps } from '../../src/plan/early-decisions.js';
import { analyseTrustPolicy } from '../../src/trust/analyse.js';
import { ACCOUNT, EC2, LAMBDA, policyDoc, sharedRole } from './fixtures/plan-fixtures.js';

const LOGS = { source: 'logs', visibility: { dataEvents: true } };
const LOOKUP = {
  source: 'lookup-events',
  visibility: { dataEvents: false, dataEventsBlindReason: 'LookupEvents returns management events only' },
};

function roleGranting(...actions: string[]) {
  const shared = sharedRole({
    principals: [EC2, LAMBDA],
    inlinePolicies: [{ name: 'app', document: policyDoc({ Effect: 'Allow', Action: actions, Resource: '*' }) }],
    attachedPolicies: [],
  });
  return { shared, trust: analyseTrustPolicy(shared.trustPolicy, ACCOUNT) };
}

describe('refuseEarlyDecisionGaps', () => {
  it('refuses a missing --unobservable when a granted action is never logged, whatever the source', () => {
    const { shared, trust } = roleGranting('s3:GetObject', 'iam:PassRole');
    for (const evidence of [LOGS, LOOKUP])
      expect(() => refuseEarlyDecisionGaps(shared, trust, {}, evidence)).toThrow(
        new RegExp(`granted action\\(s\\) cannot be seen by ${evidence.source} evidence \\(.*iam:PassRole.*\\), checked before reading it`),
      );
    expect(() => refuseEarlyDecisionGaps(shared, trust, { unobservable: 'keep' }, LOGS)).not.toThrow();
  });

  it('leaves a data event to the trail when the source can see data events, and refuses it when it cannot', () => {
    const { shared, trust } = roleGranting('dynamodb:GetItem', 's3:GetObject');
    expect(() => refuseEarlyDecisionGaps(shared, trust, {}, LOGS)).not.toThrow();
    expect(() => refuseEarlyDecisionGaps(shared, trust, {}, LOOKUP)).toThrow(/cannot be seen by lookup-events evidence/);
  });

  it('asks nothing for grants the evidence can see', () => {
    const { shared, trust } = roleGranting('sqs:CreateQueue', 'ec2:DescribeInstances');
    expect(() => refuseEarlyDecisionGaps(shared, trust, {}, LOOKUP)).not.toThrow();
  });

  it('refuses a --name that names no service of the role, or an invalid role name', () => {
    const { shared, trust } = roleGranting('sqs:CreateQueue');
    expect(() => refuseEarlyDecisionGaps(shared, trust, { names: ['ecs=x'] }, LOGS)).toThrow(
      /--name ecs=x does not name a service of this role/,
    );
    expect(() => refuseEarlyDecisionGaps(shared, trust, { names: ['ec2=bad name!'] }, LOGS)).toThrow(/--name ec2=bad name!: a role name/);
    expect(() => refuseEarlyDecisionGaps(shared, trust, { names: ['ec2=orders-ec2', 'lambda=orders-fn'] }, LOGS)).not.toThrow();
  });
});
