/**
 * Resource policies grow when apply adds the new roles. Plan measures the
 * grown text of every edited policy against its service's quota and refuses
 * before apply, naming the resource, the grown size and the limit; the
 * smaller `--grant-by action` strategy can make the same policy fit without
 * granting any new role more than the shared role had.
 */
import { describe, expect, it } from 'vitest';
import type { ServiceUsage } from '../../src/evidence/types.js';
import { finaliseWithinQuotas, ResourcePolicyTooLargeError } from '../../src/resource-policy/grown-size.js';
import { POLICY_ADAPTERS } from '../../src/resource-policy/kinds/index.js';
import { planResourcePolicies, type PolicyRole } from '../../src/resource-policy/plan-policies.js';
import { findRoleStatements } from '../../src/resource-policy/statements.js';

const ACCOUNT = '111122223333';
const SHARED = { arn: `arn:aws:iam::${ACCOUNT}:role/orders`, roleId: 'AROAEXAMPLESHARED0001' };
const BUCKET = { kind: 's3-bucket' as const, region: 'eu-west-1', id: 'orders-data', arn: 'arn:aws:s3:::orders-data' };
const role = (service: string, roleName: string): PolicyRole => ({
  service,
  roleName,
  roleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
});
const ROLES = [
  role('ec2.amazonaws.com', 'orders-ec2'),
  role('lambda.amazonaws.com', 'orders-lambda'),
  role('ecs-tasks.amazonaws.com', 'orders-ecs'),
];
const used = (...actions: string[]): ServiceUsage => ({
  actions: new Map(actions.map((a) => [a, { count: 1, lastSeen: '2026-11-01T00:00:00Z' }])),
  sessions: 1,
  events: actions.length,
});
// Each service used one action; none of them named the bucket in the evidence (S3 data events unrecorded), so "evidence cannot tell".
const USAGE = new Map([
  ['ec2.amazonaws.com', used('s3:PutObject')],
  ['lambda.amazonaws.com', used('s3:GetObject')],
  ['ecs-tasks.amazonaws.com', used('sqs:ReceiveMessage')],
]);
const SIZE = 19_968;

/** A bucket policy of exactly SIZE bytes: two used grants, forty legacy per-prefix grants nobody used, a Deny, and padding. */
function bucketPolicy(): string {
  const grant = (sid: string, action: string, prefix: string) => ({
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: SHARED.arn },
    Action: action,
    Resource: `${BUCKET.arn}/${prefix}/*`,
  });
  const statements: Array<Record<string, unknown>> = [
    grant('Read', 's3:GetObject', 'in'),
    grant('Write', 's3:PutObject', 'out'),
    ...Array.from({ length: 40 }, (_, i) => grant(`Legacy${i}`, 's3:GetObjectVersion', `archive/${2000 + i}`)),
    { Sid: 'NoDelete', Effect: 'Deny', Principal: { AWS: SHARED.arn }, Action: 's3:DeleteBucket', Resource: BUCKET.arn },
  ];
  const pad = {
    Sid: 'Pad',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: 's3:ListBucket',
    Resource: BUCKET.arn,
  };
  const base = JSON.stringify({
    Version: '2012-10-17',
    Statement: [...statements, { ...pad, Condition: { StringLike: { 's3:prefix': '' } } }],
  });
  const filler = 'p'.repeat(SIZE - Buffer.byteLength(base));
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [...statements, { ...pad, Condition: { StringLike: { 's3:prefix': filler } } }],
  });
}

function plan(text: string, grantBy?: 'resource' | 'action') {
  const found = { ...BUCKET, text, statements: findRoleStatements(text, SHARED) };
  return planResourcePolicies({ policies: [found], problems: [] }, 'sweep', SHARED, ROLES, USAGE, grantBy ? { grantBy } : {});
}

describe('resource policy size limits', () => {
  it('refuses a 19,968-byte bucket policy that would pass S3’s 20,480 with the default, naming the resource, size and limit', () => {
    const text = bucketPolicy();
    expect(Buffer.byteLength(text)).toBe(SIZE);
    let refusal: unknown;
    try {
      plan(text);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ResourcePolicyTooLargeError);
    const error = refusal as ResourcePolicyTooLargeError;
    expect(error.code).toBe('ResourcePolicyTooLarge');
    expect(error.message).toMatch(
      /^the policy of s3-bucket arn:aws:s3:::orders-data would grow to \d{2},\d{3} bytes with --grant-by resource, over S3's limit of 20,480$/,
    );
    expect(error.overflows[0]?.grown).toBeGreaterThan(20_480);
    expect(error.hint).toMatch(/pass --grant-by action \(it would be 20,\d{3} bytes/);
  });

  it('fits the same policy with --grant-by action: an Allow gets only the roles whose actions it allows, a Deny every role', () => {
    const section = plan(bucketPolicy(), 'action');
    const policy = section.policies[0];
    expect(section.grantBy).toBe('action');
    expect(policy?.size).toEqual({ grown: expect.any(Number), max: 20_480, unit: 'bytes' });
    expect(policy?.size?.grown).toBeGreaterThan(SIZE);
    expect(policy?.size?.grown).toBeLessThanOrEqual(20_480);
    const bySid = new Map(policy?.statements.map((s) => [s.sid, s.roles]));
    expect(bySid.get('Read')).toEqual(['orders-lambda']);
    expect(bySid.get('Write')).toEqual(['orders-ec2']);
    expect(bySid.get('Legacy0')).toEqual([]);
    expect(bySid.get('NoDelete')).toEqual(['orders-ec2', 'orders-lambda', 'orders-ecs']);
  });

  it('records the grown size of a policy that fits, and the strategy', () => {
    const small = JSON.stringify({
      Statement: [{ Sid: 'Read', Effect: 'Allow', Principal: { AWS: SHARED.arn }, Action: 's3:GetObject', Resource: `${BUCKET.arn}/*` }],
    });
    const section = plan(small);
    expect(section.grantBy).toBe('resource');
    const grown = section.policies[0]?.size?.grown ?? 0;
    // The shared role's ARN plus the three new ones, each quoted and comma-separated.
    expect(grown).toBe(Buffer.byteLength(small) + 2 + ROLES.reduce((n, r) => n + r.roleArn.length + 3, 0));
  });

  it('each kind carries its AWS quota and the page that states it', () => {
    expect(Object.fromEntries(POLICY_ADAPTERS.map((a) => [a.kind, [a.sizeLimit.max, a.sizeLimit.unit]]))).toEqual({
      's3-bucket': [20_480, 'bytes'],
      'sqs-queue': [8_192, 'bytes'],
      'sns-topic': [30_720, 'bytes'],
      'kms-key': [32_768, 'bytes'],
      secret: [20_480, 'characters'],
      'ecr-repository': [10_240, 'characters'],
      'lambda-function': [20_480, 'bytes'],
    });
    for (const adapter of POLICY_ADAPTERS) expect(adapter.sizeLimit.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
  });

  it('asks a person only when the other strategy fits; without a person (--yes, no terminal) the refusal stands', async () => {
    const text = bucketPolicy();
    const asked: string[] = [];
    const ask = (answer: boolean) => async (error: ResourcePolicyTooLargeError) => {
      asked.push(`${error.overflows[0]?.grown} -> ${error.overflows[0]?.alternative?.grown}`);
      return answer;
    };
    const finalise = (grantBy?: 'resource' | 'action') => plan(text, grantBy);
    await expect(finaliseWithinQuotas(finalise)).rejects.toBeInstanceOf(ResourcePolicyTooLargeError);
    await expect(finaliseWithinQuotas(finalise, ask(false))).rejects.toThrow(/over S3's limit of 20,480/);
    const accepted = await finaliseWithinQuotas(finalise, ask(true));
    expect(accepted.grantBy).toBe('action');
    expect(asked).toHaveLength(2);
    // A policy that fits neither way is refused without a question.
    const hopeless = text.replaceAll('s3:GetObjectVersion', 's3:Get*');
    asked.length = 0;
    await expect(finaliseWithinQuotas((grantBy) => plan(hopeless, grantBy), ask(true))).rejects.toMatchObject({
      hint: expect.stringMatching(/^shorten the policy/),
    });
    expect(asked).toEqual([]);
  });
});
