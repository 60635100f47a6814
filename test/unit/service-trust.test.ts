import { describe, expect, it } from 'vitest';
import { PolicyParseError } from '../../src/policy/document.js';
import { trustPolicyForService, type TrustStatement } from '../../src/trust/service-trust.js';

type Json = Record<string, unknown>;
const EC2 = 'ec2.amazonaws.com';
const LAMBDA = 'lambda.amazonaws.com';
const EDGE = 'edgelambda.amazonaws.com';
const ECS = 'ecs-tasks.amazonaws.com';
const doc = (...Statement: Json[]): Json => ({ Version: '2012-10-17', Statement });
const SOURCE_ACCOUNT = { StringEquals: { 'aws:SourceAccount': '123456789012' } };

describe('trustPolicyForService', () => {
  const cases: Array<{ name: string; policy: unknown; principals: string[]; expected: TrustStatement[] }> = [
    {
      name: 'keeps only the statements naming the service',
      policy: doc(
        { Effect: 'Allow', Principal: { Service: EC2 }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { Service: LAMBDA }, Action: 'sts:AssumeRole' },
      ),
      principals: [EC2],
      expected: [{ Effect: 'Allow', Principal: { Service: EC2 }, Action: 'sts:AssumeRole' }],
    },
    {
      name: 'cuts a shared statement down to the service',
      policy: doc({ Effect: 'Allow', Principal: { Service: [EC2, LAMBDA, ECS] }, Action: 'sts:AssumeRole' }),
      principals: [LAMBDA],
      expected: [{ Effect: 'Allow', Principal: { Service: LAMBDA }, Action: 'sts:AssumeRole' }],
    },
    {
      name: 'keeps Sid and Condition, and every action',
      policy: doc({
        Sid: 'Tasks',
        Effect: 'Allow',
        Principal: { Service: [ECS, EC2] },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: SOURCE_ACCOUNT,
      }),
      principals: [ECS],
      expected: [
        {
          Sid: 'Tasks',
          Effect: 'Allow',
          Principal: { Service: ECS },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: SOURCE_ACCOUNT,
        },
      ],
    },
    {
      name: 'keeps both principals of a workload group, sorted',
      policy: doc({ Effect: 'Allow', Principal: { Service: [LAMBDA, EC2, EDGE] }, Action: 'sts:AssumeRole' }),
      principals: [LAMBDA, EDGE],
      expected: [{ Effect: 'Allow', Principal: { Service: [EDGE, LAMBDA] }, Action: 'sts:AssumeRole' }],
    },
    {
      name: 'keeps Deny statements for the service',
      policy: doc(
        { Effect: 'Allow', Principal: { Service: [EC2, LAMBDA] }, Action: 'sts:AssumeRole' },
        {
          Sid: 'NoOtherAccounts',
          Effect: 'Deny',
          Principal: { Service: EC2 },
          Action: 'sts:AssumeRole',
          Condition: { StringNotEquals: { 'aws:SourceAccount': '123456789012' } },
        },
      ),
      principals: [EC2],
      expected: [
        { Effect: 'Allow', Principal: { Service: EC2 }, Action: 'sts:AssumeRole' },
        {
          Sid: 'NoOtherAccounts',
          Effect: 'Deny',
          Principal: { Service: EC2 },
          Action: 'sts:AssumeRole',
          Condition: { StringNotEquals: { 'aws:SourceAccount': '123456789012' } },
        },
      ],
    },
    {
      name: 'drops Deny statements for another service',
      policy: doc(
        { Effect: 'Allow', Principal: { Service: [EC2, LAMBDA] }, Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: { Service: LAMBDA }, Action: 'sts:AssumeRole' },
      ),
      principals: [EC2],
      expected: [{ Effect: 'Allow', Principal: { Service: EC2 }, Action: 'sts:AssumeRole' }],
    },
    {
      name: 'drops "*" principal statements',
      policy: doc(
        { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } },
        { Effect: 'Allow', Principal: { Service: EC2 }, Action: 'sts:AssumeRole' },
      ),
      principals: [EC2],
      expected: [{ Effect: 'Allow', Principal: { Service: EC2 }, Action: 'sts:AssumeRole' }],
    },
    {
      name: 'drops AWS and Federated principals, even beside the service',
      policy: doc(
        { Effect: 'Allow', Principal: { Service: EC2, AWS: 'arn:aws:iam::999999999999:root' }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/x' }, Action: 'sts:AssumeRoleWithWebIdentity' },
      ),
      principals: [EC2],
      expected: [{ Effect: 'Allow', Principal: { Service: EC2 }, Action: 'sts:AssumeRole' }],
    },
    {
      name: 'drops NotPrincipal statements (they name no service)',
      policy: doc(
        { Effect: 'Allow', Principal: { Service: EC2 }, Action: 'sts:AssumeRole' },
        { Effect: 'Deny', NotPrincipal: { Service: EC2 }, Action: 'sts:AssumeRole' },
      ),
      principals: [EC2],
      expected: [{ Effect: 'Allow', Principal: { Service: EC2 }, Action: 'sts:AssumeRole' }],
    },
    {
      name: 'keeps NotAction',
      policy: doc({ Effect: 'Allow', Principal: { Service: EC2 }, NotAction: 'sts:AssumeRoleWithSAML' }),
      principals: [EC2],
      expected: [{ Effect: 'Allow', Principal: { Service: EC2 }, NotAction: 'sts:AssumeRoleWithSAML' }],
    },
    {
      name: 'matches principals case-insensitively and trims them',
      policy: doc({ Effect: 'Allow', Principal: { Service: ' EC2.AmazonAWS.com ' }, Action: 'sts:AssumeRole' }),
      principals: ['Ec2.amazonaws.com'],
      expected: [{ Effect: 'Allow', Principal: { Service: EC2 }, Action: 'sts:AssumeRole' }],
    },
    {
      name: 'collapses a principal listed twice',
      policy: doc({ Effect: 'Allow', Principal: { Service: [EC2, 'ec2.amazonaws.com'] }, Action: 'sts:AssumeRole' }),
      principals: [EC2],
      expected: [{ Effect: 'Allow', Principal: { Service: EC2 }, Action: 'sts:AssumeRole' }],
    },
    {
      name: 'a single statement object (not a list) is accepted',
      policy: { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { Service: [EC2, LAMBDA] }, Action: 'sts:AssumeRole' } },
      principals: [LAMBDA],
      expected: [{ Effect: 'Allow', Principal: { Service: LAMBDA }, Action: 'sts:AssumeRole' }],
    },
    {
      name: 'no statement names the service: empty',
      policy: doc({ Effect: 'Allow', Principal: { Service: LAMBDA }, Action: 'sts:AssumeRole' }),
      principals: [EC2],
      expected: [],
    },
  ];

  const encodings: Array<{ name: string; encode: (policy: unknown) => unknown }> = [
    { name: 'object', encode: (policy) => policy },
    { name: 'JSON text', encode: (policy) => JSON.stringify(policy) },
    { name: 'URL-encoded', encode: (policy) => encodeURIComponent(JSON.stringify(policy)) },
  ];

  for (const encoding of encodings) {
    describe(`given ${encoding.name}`, () => {
      it.each(cases)('$name', ({ policy, principals, expected }) => {
        expect(trustPolicyForService(encoding.encode(policy), principals)).toEqual({ Version: '2012-10-17', Statement: expected });
      });
    });
  }

  it('always writes Version 2012-10-17', () => {
    const out = trustPolicyForService(
      { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: EC2 }, Action: 'sts:AssumeRole' }] },
      [EC2],
    );
    expect(out.Version).toBe('2012-10-17');
  });

  it('refuses a document that is not a policy', () => {
    expect(() => trustPolicyForService('not a policy %%', [EC2])).toThrow(PolicyParseError);
    expect(() => trustPolicyForService({ Statement: [{ Effect: 'Allow' }] }, [EC2])).toThrow(PolicyParseError);
  });
});

describe('trustPolicyForService keeps guards that apply to everyone', () => {
  it('carries a Deny on "*" into the service role', () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com', 'lambda.amazonaws.com'] }, Action: 'sts:AssumeRole' },
        {
          Sid: 'Guard',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sts:AssumeRole',
          Condition: { StringNotEquals: { 'aws:SourceAccount': '111122223333' } },
        },
        { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
      ],
    };
    expect(trustPolicyForService(policy, ['ec2.amazonaws.com']).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      {
        Sid: 'Guard',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sts:AssumeRole',
        Condition: { StringNotEquals: { 'aws:SourceAccount': '111122223333' } },
      },
    ]);
  });
});
