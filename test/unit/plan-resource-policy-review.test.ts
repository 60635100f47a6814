/**
 * The review (plan.md) shows a reviewer, before apply, what resource-policy
 * edits do beyond the table: statements naming a session of the shared role
 * and which new role gets the same session (from the plan's own workloads),
 * the Deny + NotPrincipal exemptions, each policy's grown size against its
 * quota, the --grant-by strategy, and aws:userid conditions that name the
 * shared role's unique id.
 */
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/plan/builder.js';
import { renderPlanMarkdown } from '../../src/plan/markdown.js';
import { resourcePolicyProblems } from '../../src/plan/policy-invariants.js';
import { sealPlan } from '../../src/plan/plan-file.js';
import { planResourcePolicies } from '../../src/resource-policy/plan-policies.js';
import { findRoleStatements } from '../../src/resource-policy/statements.js';
import { ACCOUNT, context, DROP_ALL, REGION, SHARED_ARN, SHARED_NAME, sampleAnalysis } from './fixtures/plan-fixtures.js';

const SHARED_ID = 'AROAEXAMPLE000000001';
const BUCKET = { kind: 's3-bucket' as const, region: REGION, id: 'orders-audit', arn: 'arn:aws:s3:::orders-audit' };
// The function orders-fn is one of the plan's workloads: its sessions are named orders-fn.
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'OnlyTheApp',
      Effect: 'Deny',
      NotPrincipal: { AWS: [`arn:aws:sts::${ACCOUNT}:assumed-role/${SHARED_NAME}/orders-fn`, SHARED_ARN, `arn:aws:iam::${ACCOUNT}:root`] },
      Action: 's3:*',
      Resource: [BUCKET.arn, `${BUCKET.arn}/*`],
    },
    {
      Sid: 'BySession',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `${BUCKET.arn}/*`,
      Condition: { StringLike: { 'aws:userid': `${SHARED_ID}:*` } },
    },
  ],
});

function review(
  grantBy?: 'resource' | 'action',
  resource: { kind: 's3-bucket' | 'kms-key'; region: string; id: string; arn: string } = BUCKET,
  text = POLICY,
): { markdown: string; plan: ReturnType<typeof sealPlan> } {
  const shared = { arn: SHARED_ARN, roleId: SHARED_ID };
  const found = { ...resource, text, statements: findRoleStatements(text, shared) };
  const body = buildPlan(
    sampleAnalysis(),
    DROP_ALL,
    context({
      resourcePolicies: (roles, usage, sessions) =>
        planResourcePolicies({ policies: [found], problems: [] }, 'sweep', shared, roles, usage, {
          sessions,
          ...(grantBy ? { grantBy } : {}),
        }),
    }),
  );
  const plan = sealPlan(body);
  return { markdown: renderPlanMarkdown(plan), plan };
}

describe('the review of resource-policy edits', () => {
  it('warns about aws:userid conditions naming the shared role’s unique id before apply', () => {
    const { markdown } = review();
    const warning = markdown.slice(markdown.indexOf('> [!WARNING]\n> These statements name'));
    expect(warning).toContain(`by its unique id \`${SHARED_ID}\` in an \`aws:userid\` condition`);
    expect(warning).toMatch(/deleted and created again gets a new id/);
    expect(warning).toContain('> - s3-bucket `arn:aws:s3:::orders-audit` statement `BySession` (Allow)');
  });

  it('lists the session statements with the new role the plan’s own workload gives them, and the NotPrincipal exemption', () => {
    const { markdown, plan } = review();
    const lambdaRole = plan.newRoles.find((r) => r.service === 'lambda.amazonaws.com')?.roleName ?? '';
    expect(plan.resourcePolicies.policies[0]?.statements[0]?.sessions).toEqual([{ name: 'orders-fn', roles: [lambdaRole] }]);
    expect(markdown).toContain(
      `- s3-bucket \`arn:aws:s3:::orders-audit\` statement \`OnlyTheApp\` (Deny; NotPrincipal): session \`orders-fn\` → \`${lambdaRole}\``,
    );
    expect(markdown).toContain('exempt `app-shared` through `NotPrincipal`');
    expect(markdown).toContain('https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html');
  });

  it('shows the strategy and each policy’s grown size against its quota', () => {
    const { markdown, plan } = review();
    const size = plan.resourcePolicies.policies[0]?.size;
    expect(size?.max).toBe(20_480);
    expect(markdown).toContain('Granted by `resource` (`--grant-by`)');
    expect(markdown).toContain(`- s3-bucket \`arn:aws:s3:::orders-audit\`: ${size?.grown.toLocaleString('en-US')} of 20,480 bytes`);
  });
});

describe('the review under --grant-by action', () => {
  it('does not claim every new role for an Allow it gave only the roles whose actions it allows', () => {
    const key = { kind: 'kms-key' as const, region: REGION, id: 'k', arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/k` };
    // The EC2 service used kms:Decrypt; the Lambda service used no KMS action.
    const keyPolicy = JSON.stringify({
      Statement: [
        { Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'Use', Effect: 'Allow', Principal: { AWS: SHARED_ARN }, Action: ['kms:Decrypt', 'kms:Encrypt'], Resource: '*' },
      ],
    });
    const { markdown, plan } = review('action', key, keyPolicy);
    const ec2Role = plan.newRoles.find((r) => r.service === 'ec2.amazonaws.com')?.roleName ?? '';
    expect(plan.resourcePolicies.policies[0]?.statements[0]?.roles).toEqual([ec2Role]);
    expect(markdown).toContain('Granted by `action` (`--grant-by`)');
    const row = markdown.split('\n').find((line) => line.includes('`Use`') && line.startsWith('|'));
    expect(row).toContain('only roles whose actions it allows (--grant-by action)');
    expect(row).not.toContain('every new role');
  });
});

describe('the plan invariants of session entries', () => {
  it('refuse a session the policy text does not name, or a role the plan does not create', () => {
    const { plan } = review();
    expect(resourcePolicyProblems(plan)).toEqual([]);
    const policy = plan.resourcePolicies.policies[0];
    const statement = policy?.statements[0];
    if (!policy || !statement?.sessions) throw new Error('no session entry');
    const tampered = (sessions: typeof statement.sessions) => ({
      ...plan,
      resourcePolicies: { ...plan.resourcePolicies, policies: [{ ...policy, statements: [{ ...statement, sessions }] }] },
    });
    expect(resourcePolicyProblems(tampered([{ name: 'admin', roles: [plan.newRoles[0]?.roleName ?? ''] }]))).toEqual([
      expect.stringContaining('lists session admin, which it does not name'),
    ]);
    expect(resourcePolicyProblems(tampered([{ name: 'orders-fn', roles: ['intruder'] }]))).toEqual([
      expect.stringContaining('adds intruder, which this plan does not create'),
    ]);
  });
});
