import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { besideEdits, statementPerRoleEdits } from '../../src/resource-policy/edits.js';
import { addRoles, findRoleStatements, PolicyEditError, removeRole } from '../../src/resource-policy/statements.js';

const SHARED = { arn: 'arn:aws:iam::111122223333:role/orders', roleId: 'AROAEXAMPLESHARED0001' };
const EC2 = { arn: 'arn:aws:iam::111122223333:role/orders-ec2', roleId: 'AROAEXAMPLEEC2000001' };
const LAMBDA = { arn: 'arn:aws:iam::111122223333:role/orders-lambda', roleId: 'AROAEXAMPLELAMBDA001' };

const JsonObject = z.record(z.string(), z.unknown());

/** The statements of a policy text, each kept whole. */
function statements(text: string): Array<Record<string, unknown>> {
  return z.object({ Statement: z.array(JsonObject) }).parse(JSON.parse(text)).Statement;
}

// Shape: "Allows key users to use the KMS key", https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
const KMS_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Id: 'key-default-1',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'kms:*',
      Resource: '*',
    },
    {
      Sid: 'Allow use of the key',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:role/orders' },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
    },
  ],
});

// Shape: "Restricting access to a specific VPC endpoint"-style condition policies,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html
const BUCKET_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyOthers',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::orders-data', 'arn:aws:s3:::orders-data/*'],
      Condition: { StringNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/orders' } },
    },
    {
      Sid: 'BySession',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::orders-data/*',
      Condition: { StringLike: { 'aws:userid': 'AROAEXAMPLESHARED0001:*' } },
    },
  ],
});

describe('findRoleStatements', () => {
  it.each([
    ['ARN principal', KMS_POLICY, [{ index: 1, sid: 'Allow use of the key', mentions: ['Principal'] }]],
    [
      'conditions',
      BUCKET_POLICY,
      [
        { index: 0, sid: 'DenyOthers', mentions: ['aws:PrincipalArn'] },
        { index: 1, sid: 'BySession', mentions: ['aws:userid'] },
      ],
    ],
    [
      'orphan unique id',
      JSON.stringify({ Statement: { Effect: 'Allow', Principal: { AWS: ['AROAEXAMPLESHARED0001'] }, Action: 'sqs:*' } }),
      [{ index: 0, mentions: ['Principal'] }],
    ],
    [
      'other roles only',
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/ordersx' }, Action: '*' }] }),
      [],
    ],
  ])('%s', (_name, text, expected) => {
    expect(findRoleStatements(text, SHARED).map(({ index, sid, mentions }) => ({ index, ...(sid ? { sid } : {}), mentions }))).toEqual(
      expected,
    );
  });

  it('counts a wildcard pattern as naming the role, but not when exact names are asked for', () => {
    const text = JSON.stringify({
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: '*',
          Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/ord*' } },
        },
      ],
    });
    expect(findRoleStatements(text, SHARED)).toHaveLength(1);
    expect(findRoleStatements(text, SHARED, { exact: true })).toHaveLength(0);
  });

  it('refuses text that is not a policy, with the reason', () => {
    expect(() => findRoleStatements('{"Statement": 3}', SHARED)).toThrow(PolicyEditError);
    expect(() => findRoleStatements('not json', SHARED)).toThrow(/not JSON/);
  });
});

describe('addRoles and removeRole', () => {
  it('adds the new ARNs beside the shared one, keeps key order, and is idempotent', () => {
    const added = addRoles(KMS_POLICY, SHARED, [{ index: 1, roles: [EC2, LAMBDA] }]);
    expect(statements(added)[1]).toHaveProperty(['Principal', 'AWS'], [SHARED.arn, EC2.arn, LAMBDA.arn]);
    expect(statements(added)[0]).toEqual(statements(KMS_POLICY)[0]);
    expect(Object.keys(JsonObject.parse(JSON.parse(added)))).toEqual(['Version', 'Id', 'Statement']);
    expect(addRoles(added, SHARED, [{ index: 1, roles: [EC2, LAMBDA] }])).toBe(added);
  });

  it('adds ARNs to aws:PrincipalArn and ids to aws:userid, keeping the session suffix', () => {
    const doc = statements(
      addRoles(BUCKET_POLICY, SHARED, [
        { index: 0, roles: [EC2] },
        { index: 1, roles: [EC2] },
      ]),
    );
    expect(doc[0]).toHaveProperty(['Condition', 'StringNotEquals', 'aws:PrincipalArn'], [SHARED.arn, EC2.arn]);
    expect(doc[1]).toHaveProperty(['Condition', 'StringLike', 'aws:userid'], ['AROAEXAMPLESHARED0001:*', 'AROAEXAMPLEEC2000001:*']);
  });

  it('removes the shared role at retire and leaves the new roles', () => {
    const added = addRoles(BUCKET_POLICY, SHARED, [
      { index: 0, roles: [EC2] },
      { index: 1, roles: [EC2] },
    ]);
    const removed = removeRole(added, SHARED);
    expect(findRoleStatements(removed, SHARED)).toEqual([]);
    const doc = statements(removed);
    expect(doc[0]).toHaveProperty(['Condition', 'StringNotEquals', 'aws:PrincipalArn'], [EC2.arn]);
    expect(doc[1]).toHaveProperty(['Condition', 'StringLike', 'aws:userid'], ['AROAEXAMPLEEC2000001:*']);
  });

  it('refuses to remove the only principal of a Deny or the only condition value: that would widen the statement', () => {
    const denyOnly = KMS_POLICY.replace(
      '"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/orders"}',
      '"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:role/orders"}',
    );
    expect(denyOnly).not.toBe(KMS_POLICY);
    expect(() => removeRole(denyOnly, SHARED)).toThrow(/no principal but/);
    expect(() => removeRole(BUCKET_POLICY, SHARED)).toThrow(/names only the shared role/);
  });

  it('drops an Allow whose only principal was the shared role: that only takes away', () => {
    expect(statements(removeRole(KMS_POLICY, SHARED)).map((s) => s.Sid)).toEqual(['Enable IAM User Permissions']);
  });

  it('refuses to add to a statement that no longer names the role', () => {
    expect(() => addRoles(KMS_POLICY, SHARED, [{ index: 0, roles: [EC2] }])).toThrow(/no longer names/);
  });

  it("copies a Lambda statement per new role, and drops the shared role's at retire", () => {
    // Shape: GetPolicy output, https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
    const lambdaPolicy = JSON.stringify({
      Version: '2012-10-17',
      Id: 'default',
      Statement: [
        {
          Sid: 'invoke',
          Effect: 'Allow',
          Principal: { AWS: SHARED.arn },
          Action: 'lambda:InvokeFunction',
          Resource: 'arn:aws:lambda:us-east-1:111122223333:function:f',
        },
      ],
    });
    const added = statementPerRoleEdits.add(lambdaPolicy, SHARED, [{ index: 0, roles: [EC2] }]);
    expect(statements(added).map((s) => [s.Sid, s.Principal])).toEqual([
      ['invoke', { AWS: SHARED.arn }],
      ['invoke-orders-ec2', { AWS: EC2.arn }],
    ]);
    expect(statements(statementPerRoleEdits.remove(added, SHARED)).map((s) => s.Sid)).toEqual(['invoke-orders-ec2']);
    // eslint-disable-next-line @typescript-eslint/unbound-method -- compared by identity, never called unbound
    expect(besideEdits.add).toBe(addRoles);
  });
});
