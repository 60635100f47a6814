/**
 * Apply on the fake account, for a bucket policy in the IAM User Guide's
 * NotPrincipal shape that exempts the shared role and its Lambda function's
 * session: the create stage exempts the Lambda role's session of the same
 * name (and each new role's ARN), so the Deny does not come to deny the
 * function once it runs as its new role; retire takes the shared role's
 * forms out and leaves the new roles' exemptions.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { applyPlan } from '../../src/apply/run.js';
import { workloadSessions } from '../../src/plan/workload-targets.js';
import { searchResourcePolicies } from '../../src/resource-policy/discover.js';
import type { PolicyResource } from '../../src/resource-policy/kinds/types.js';
import { planResourcePolicies } from '../../src/resource-policy/plan-policies.js';
import { FakePolicies } from '../support/fake-account/index.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { EC2_ROLE, LAMBDA_ROLE, planned, yes } from './fixtures/in-process.js';
import { ACCOUNT, REGION, SHARED_ARN, SHARED_NAME, sampleBody } from './fixtures/plan-fixtures.js';

const BUCKET: PolicyResource = { kind: 's3-bucket', region: REGION, id: 'orders-audit', arn: 'arn:aws:s3:::orders-audit' };
const session = (role: string, name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${name}`;
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'OnlyTheApp',
      Effect: 'Deny',
      NotPrincipal: { AWS: [session(SHARED_NAME, 'orders-fn'), SHARED_ARN, `arn:aws:iam::${ACCOUNT}:root`] },
      Action: 's3:*',
      Resource: [BUCKET.arn, `${BUCKET.arn}/*`],
    },
  ],
});
const Exempted = z.object({ Statement: z.array(z.object({ NotPrincipal: z.object({ AWS: z.array(z.string()) }) })) });
const exempted = (text: string | undefined) => Exempted.parse(JSON.parse(text ?? '{}')).Statement[0]?.NotPrincipal.AWS ?? [];

/** The sample plan (Lambda orders-fn, EC2 i-0abc) with the bucket's policy planned, sessions from the plan's own workloads. */
async function body() {
  const plan = sampleBody();
  const policies = new FakePolicies();
  policies.seed(BUCKET, POLICY);
  const shared = { arn: plan.sharedRole.arn, roleId: plan.sharedRole.roleId };
  const search = await searchResourcePolicies(policies, new RecordingIoHost(), { regions: plan.regions, role: shared, exact: true });
  const byUnit = new Map(plan.newRoles.map((r) => [r.service === 'lambda.amazonaws.com' ? 'lambda' : 'ec2', r]));
  const sessions = workloadSessions(plan.workloads, byUnit);
  return { ...plan, resourcePolicies: planResourcePolicies(search, 'sweep', shared, plan.newRoles, new Map(), { sessions }) };
}

describe('apply and a Deny + NotPrincipal naming the shared role’s session', () => {
  it('exempts the new roles and the Lambda role’s session before the function moves, and keeps them at retire', async () => {
    const plan = await body();
    expect(plan.resourcePolicies.policies[0]?.statements[0]?.sessions).toEqual([{ name: 'orders-fn', roles: [LAMBDA_ROLE] }]);
    const { planPath, account } = await planned(plan, {}, (a) => a.policies.seed(BUCKET, POLICY));
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    const after = exempted(account.policies.text(BUCKET));
    expect(after).toEqual(
      expect.arrayContaining([
        `arn:aws:iam::${ACCOUNT}:role/${EC2_ROLE}`,
        `arn:aws:iam::${ACCOUNT}:role/${LAMBDA_ROLE}`,
        session(LAMBDA_ROLE, 'orders-fn'),
        `arn:aws:iam::${ACCOUNT}:root`,
      ]),
    );
    // Retired: none of the shared role's forms is left.
    expect(after).not.toContain(SHARED_ARN);
    expect(after).not.toContain(session(SHARED_NAME, 'orders-fn'));
  });
});
