/**
 * Resource policies through apply and rollback, in-process on the fake
 * account: the sweep finds what names the shared role, apply adds the new
 * roles beside it and takes it out at retire, the retire re-check sweeps
 * every enabled region, and rollback puts each text back.
 */
import { describe, expect, it } from 'vitest';
import { applyPlan, rollbackPlan } from '../../src/apply/run.js';
import { searchResourcePolicies } from '../../src/resource-policy/discover.js';
import type { PolicyResource } from '../../src/resource-policy/kinds/types.js';
import { planResourcePolicies } from '../../src/resource-policy/plan-policies.js';
import { FakePolicies } from '../support/fake-account/index.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { EC2_ROLE, LAMBDA_ROLE, planned, yes } from './fixtures/in-process.js';
import { ACCOUNT, REGION, SHARED_ARN, SHARED_NAME, sampleBody } from './fixtures/plan-fixtures.js';

const QUEUE: PolicyResource = {
  kind: 'sqs-queue',
  region: REGION,
  id: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/orders`,
  arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders`,
};
const QUEUE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'send', Effect: 'Allow', Principal: { AWS: SHARED_ARN }, Action: 'sqs:SendMessage', Resource: QUEUE.arn }],
});
const KEY: PolicyResource = { kind: 'kms-key', region: REGION, id: 'key-1', arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/key-1` };
const KEY_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
});
const OTHER_REGION = 'us-east-1';
const FAR_KEY: PolicyResource = {
  kind: 'kms-key',
  region: OTHER_REGION,
  id: 'key-far',
  arn: `arn:aws:kms:${OTHER_REGION}:${ACCOUNT}:key/key-far`,
};

/** The sample plan with the resource-policy section a sweep of the plan's region gives over `policies`. */
async function bodyWithPolicies(policies: FakePolicies) {
  const body = sampleBody();
  const shared = { arn: body.sharedRole.arn, roleId: body.sharedRole.roleId };
  const search = await searchResourcePolicies(policies, new RecordingIoHost(), { regions: body.regions, role: shared, exact: true });
  return { ...body, resourcePolicies: planResourcePolicies(search, 'sweep', shared, body.newRoles, new Map()) };
}

/** A fake account's policies before planning: the queue names the shared role, the key does not. */
function seeded(): FakePolicies {
  const policies = new FakePolicies();
  policies.seed(QUEUE, QUEUE_POLICY);
  policies.seed(KEY, KEY_POLICY);
  return policies;
}

const principals = (text: string | undefined): unknown[] =>
  (JSON.parse(text ?? '{}') as { Statement: Array<{ Principal: { AWS: unknown } }> }).Statement.flatMap((s) => [s.Principal.AWS].flat());

describe('resource policies in-process', () => {
  it('the sweep plans the queue; apply adds the new roles, retire takes the shared role out, rollback restores the text', async () => {
    const body = await bodyWithPolicies(seeded());
    expect(body.resourcePolicies.policies.map((p) => p.id)).toEqual([QUEUE.id]);
    const { planPath, account } = await planned(body, {}, (a) => {
      a.policies.seed(QUEUE, QUEUE_POLICY);
      a.policies.seed(KEY, KEY_POLICY);
    });
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    const after = principals(account.policies.text(QUEUE));
    expect(after).not.toContain(SHARED_ARN);
    expect(after).toEqual(
      expect.arrayContaining([`arn:aws:iam::${ACCOUNT}:role/${EC2_ROLE}`, `arn:aws:iam::${ACCOUNT}:role/${LAMBDA_ROLE}`]),
    );
    expect(account.policies.text(KEY)).toBe(KEY_POLICY);

    expect(await rollbackPlan(planPath, account.opener(), yes())).toBe('completed');
    expect(JSON.parse(account.policies.text(QUEUE) ?? '')).toEqual(JSON.parse(QUEUE_POLICY));
  });

  it('retire stops while a policy in another enabled region names the shared role, and keeps the role', async () => {
    const body = await bodyWithPolicies(seeded());
    const farPolicy = QUEUE_POLICY.replace('sqs:SendMessage', 'kms:Decrypt').replace(QUEUE.arn, '*');
    const { planPath, account } = await planned(body, { enabledRegions: [REGION, OTHER_REGION] }, (a) => {
      a.policies.seed(QUEUE, QUEUE_POLICY);
      a.policies.seed(FAR_KEY, farPolicy);
    });
    await expect(applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).rejects.toMatchObject({
      code: 'SharedRoleInPolicies',
      message: expect.stringContaining(`kms-key ${FAR_KEY.arn} in ${OTHER_REGION} names it`),
    });
    expect(account.iam.roleNames()).toContain(SHARED_NAME);
    // The sweep asked the other region too.
    expect(account.policies.calls).toContain(`list kms-key ${[OTHER_REGION, REGION].sort().join(',')}`);
  });
});
