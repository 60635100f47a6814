import { describe, expect, it } from 'vitest';
import { narrowGrants, unusedGrants } from '../../src/policy/narrow.js';
import { assertSubset } from '../../src/policy/subset.js';
import type { IamStatement, PolicySource } from '../../src/policy/types.js';

const BUCKET = 'arn:aws:s3:::reports';
const OBJECTS = 'arn:aws:s3:::reports/*';
const QUEUE = 'arn:aws:sqs:eu-west-1:123456789012:jobs';

function inline(name: string, ...Statement: unknown[]): PolicySource {
  return { kind: 'inline', name, document: { Version: '2012-10-17', Statement } };
}

function managed(name: string, ...Statement: unknown[]): PolicySource {
  return { kind: 'managed', name, arn: `arn:aws:iam::123456789012:policy/${name}`, document: { Version: '2012-10-17', Statement } };
}

/** Drops Sids so expectations can focus on what a statement grants. */
function withoutSids(statements: IamStatement[]): IamStatement[] {
  return statements.map(({ Sid: _sid, ...rest }) => rest);
}

describe('narrowGrants', () => {
  const cases: Array<{ name: string; sources: PolicySource[]; used: string[]; expected: IamStatement[]; granted: string[] }> = [
    {
      name: 'a prefix wildcard keeps only the used actions it covers',
      sources: [inline('app', { Effect: 'Allow', Action: 's3:Get*', Resource: OBJECTS })],
      used: ['s3:GetObject', 's3:PutObject', 's3:GetObjectTagging'],
      expected: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectTagging'], Resource: OBJECTS }],
      granted: ['s3:GetObject', 's3:GetObjectTagging'],
    },
    {
      name: '"*" expands to every used action',
      sources: [inline('admin', { Effect: 'Allow', Action: '*', Resource: '*' })],
      used: ['sqs:SendMessage', 's3:GetObject'],
      expected: [{ Effect: 'Allow', Action: ['s3:GetObject', 'sqs:SendMessage'], Resource: '*' }],
      granted: ['s3:GetObject', 'sqs:SendMessage'],
    },
    {
      name: 'NotAction expands to the used actions it does not exclude',
      sources: [inline('most', { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' })],
      used: ['iam:PassRole', 's3:GetObject', 'organizations:DescribeOrganization'],
      expected: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
      granted: ['s3:GetObject'],
    },
    {
      name: 'Resource and Condition are copied unchanged',
      sources: [
        inline('tls', {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: [OBJECTS, BUCKET],
          Condition: { Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { 's3:x-amz-acl': ['private'] } },
        }),
      ],
      used: ['s3:PutObject'],
      expected: [
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: [OBJECTS, BUCKET],
          Condition: { Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { 's3:x-amz-acl': ['private'] } },
        },
      ],
      granted: ['s3:PutObject'],
    },
    {
      name: 'NotResource is copied unchanged',
      sources: [inline('not-secrets', { Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secrets/*' })],
      used: ['s3:GetObject'],
      expected: [{ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secrets/*' }],
      granted: ['s3:GetObject'],
    },
    {
      name: 'a statement that covers nothing used is dropped',
      sources: [
        inline(
          'two',
          { Effect: 'Allow', Action: 'sqs:*', Resource: QUEUE },
          { Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECTS },
        ),
      ],
      used: ['s3:GetObject'],
      expected: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECTS }],
      granted: ['s3:GetObject'],
    },
    {
      name: 'Deny statements are carried over unchanged, even when no Allow survives',
      sources: [
        inline(
          'guard',
          { Effect: 'Allow', Action: 'sqs:*', Resource: QUEUE },
          { Effect: 'Deny', NotAction: ['s3:*'], NotResource: [OBJECTS], Condition: { Bool: { 'aws:ViaAWSService': 'false' } } },
        ),
      ],
      used: ['ec2:DescribeInstances'],
      expected: [{ Effect: 'Deny', NotAction: 's3:*', NotResource: OBJECTS, Condition: { Bool: { 'aws:ViaAWSService': 'false' } } }],
      granted: [],
    },
    {
      name: "matching is case-insensitive and the output keeps the caller's spelling",
      sources: [inline('shouty', { Effect: 'Allow', Action: ['S3:GETOBJECT', 'sqs:send*'], Resource: '*' })],
      used: ['s3:GetObject', 'SQS:SendMessage', 's3:getobject'],
      expected: [{ Effect: 'Allow', Action: ['s3:GetObject', 'SQS:SendMessage'], Resource: '*' }],
      granted: ['s3:GetObject', 'SQS:SendMessage'],
    },
    {
      name: 'inline and managed sources with the same scope merge into one statement',
      sources: [
        inline('reads', { Effect: 'Allow', Action: 's3:GetObject', Resource: [OBJECTS, BUCKET] }),
        managed('writes', { Effect: 'Allow', Action: ['s3:PutObject', 's3:ListBucket'], Resource: [BUCKET, OBJECTS] }),
        managed('queue', { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE }),
      ],
      used: ['s3:PutObject', 's3:GetObject', 'sqs:SendMessage'],
      expected: [
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [OBJECTS, BUCKET] },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE },
      ],
      granted: ['s3:GetObject', 's3:PutObject', 'sqs:SendMessage'],
    },
    {
      name: 'different Conditions are never merged',
      sources: [
        inline(
          'split',
          { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
          { Effect: 'Allow', Action: 's3:PutObject', Resource: '*' },
        ),
      ],
      used: ['s3:GetObject', 's3:PutObject'],
      expected: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
        { Effect: 'Allow', Action: 's3:PutObject', Resource: '*' },
      ],
      granted: ['s3:GetObject', 's3:PutObject'],
    },
    {
      name: 'URL-encoded and plain-JSON string documents are read',
      sources: [
        {
          kind: 'inline',
          name: 'encoded',
          document: encodeURIComponent(
            JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECTS } }),
          ),
        },
        {
          kind: 'managed',
          name: 'plain',
          document: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: QUEUE }] }),
        },
      ],
      used: ['s3:GetObject', 'sqs:ReceiveMessage'],
      expected: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECTS },
        { Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: QUEUE },
      ],
      granted: ['s3:GetObject', 'sqs:ReceiveMessage'],
    },
    {
      name: 'a legacy (pre-2012) document keeps "${" literal by escaping it',
      sources: [
        {
          kind: 'inline',
          name: 'old',
          document: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*' }] },
        },
      ],
      used: ['s3:GetObject'],
      expected: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${$}{aws:username}/*' }],
      granted: ['s3:GetObject'],
    },
    {
      name: 'identical Denies from two policies are written once',
      sources: [
        inline('a', { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }),
        managed('b', { Effect: 'Deny', Action: ['s3:DeleteBucket'], Resource: ['*'] }),
      ],
      used: [],
      expected: [{ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }],
      granted: [],
    },
  ];

  it.each(cases)('$name', ({ sources, used, expected, granted }) => {
    const result = narrowGrants(sources, used);
    expect(withoutSids(result.statements)).toEqual(expected);
    expect(result.grantedActions).toEqual(granted);
    // Whatever narrowing produced must pass the independent subset check.
    expect(() => assertSubset(sources, [{ Version: '2012-10-17', Statement: result.statements }])).not.toThrow();
  });

  it('copies Sids, derives missing ones from the policy name, and keeps them alphanumeric and unique', () => {
    const result = narrowGrants(
      [
        inline(
          'my-app.policy',
          { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECTS },
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE },
        ),
        managed(
          'other',
          { Sid: 'Read', Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: '*' },
          { Sid: 'No-Go', Effect: 'Deny', Action: 'iam:*', Resource: '*' },
        ),
      ],
      ['s3:GetObject', 'sqs:SendMessage', 'sqs:ReceiveMessage'],
    );
    const sids = result.statements.map((s) => s.Sid);
    expect(sids).toEqual(['Read', 'myapppolicy1', 'ReadN2', 'NoGo']);
    for (const sid of sids) expect(sid).toMatch(/^[A-Za-z0-9]+$/);
  });

  it('never merges statements across Sids, so each Sid still describes its actions', () => {
    const result = narrowGrants(
      [
        inline(
          'task',
          { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' },
          { Sid: 'Images', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetAuthorizationToken'], Resource: '*' },
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' },
          { Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: '*' },
        ),
      ],
      ['logs:PutLogEvents', 'ecr:BatchGetImage', 'sqs:SendMessage', 'sqs:ReceiveMessage'],
    );
    expect(result.statements.map((s) => [s.Sid, s.Action])).toEqual([
      ['Logs', 'logs:PutLogEvents'],
      ['Images', 'ecr:BatchGetImage'],
      // Statements without a Sid still merge: there is no label to mislead.
      ['task2', ['sqs:ReceiveMessage', 'sqs:SendMessage']],
    ]);
  });

  it.each(['s3:*', 's3:Get?bject', 'GetObject', ''])('refuses the non-concrete used action %j', (action) => {
    expect(() => narrowGrants([inline('p', { Effect: 'Allow', Action: '*', Resource: '*' })], [action])).toThrow(/not a concrete/);
  });

  it('never copies the shared policy wholesale: unused wildcard grants do not survive', () => {
    const sources = [inline('broad', { Effect: 'Allow', Action: ['s3:*', 'dynamodb:*', 'iam:*'], Resource: '*' })];
    const { statements } = narrowGrants(sources, ['dynamodb:GetItem']);
    expect(statements).toEqual([{ Sid: 'broad0', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }]);
  });
});

describe('unusedGrants', () => {
  const sources = [
    inline(
      'app',
      { Sid: 'Objects', Effect: 'Allow', Action: ['s3:GetObject', 's3:Put*', 'S3:DeleteObject'], Resource: OBJECTS },
      { Effect: 'Deny', Action: 'iam:*', Resource: '*' },
    ),
    managed('everything-else', { Effect: 'Allow', NotAction: ['iam:*', 'sts:*', 's3:*'], Resource: '*' }),
  ];
  const cases: Array<{ name: string; used: string[]; expected: ReturnType<typeof unusedGrants> }> = [
    {
      name: 'lists unmatched patterns and a NotAction clause that covered nothing used',
      used: ['s3:getobject', 'iam:PassRole'],
      expected: [
        { policy: 'app', policyKind: 'inline', sid: 'Objects', statementIndex: 0, patterns: ['s3:Put*', 'S3:DeleteObject'] },
        { policy: 'everything-else', policyKind: 'managed', statementIndex: 0, patterns: ['NotAction: iam:*, sts:*, s3:*'] },
      ],
    },
    {
      name: 'a NotAction statement that covered a used action is not listed',
      used: ['s3:GetObject', 's3:PutObjectAcl', 's3:DeleteObject', 'ec2:DescribeInstances'],
      expected: [],
    },
    {
      name: 'with nothing used, every Allow pattern is listed and Deny statements never are',
      used: [],
      expected: [
        {
          policy: 'app',
          policyKind: 'inline',
          sid: 'Objects',
          statementIndex: 0,
          patterns: ['s3:GetObject', 's3:Put*', 'S3:DeleteObject'],
        },
        { policy: 'everything-else', policyKind: 'managed', statementIndex: 0, patterns: ['NotAction: iam:*, sts:*, s3:*'] },
      ],
    },
  ];
  it.each(cases)('$name', ({ used, expected }) => {
    expect(unusedGrants(sources, used)).toEqual(expected);
  });
});
