import { describe, expect, it } from 'vitest';
import { actionMatches } from '../../src/policy/actions.js';
import { narrowGrants } from '../../src/policy/narrow.js';
import { packPolicies } from '../../src/policy/size.js';
import { assertSubset, PolicySubsetError } from '../../src/policy/subset.js';
import type { IamPolicyDocument, IamStatement, PolicySource } from '../../src/policy/types.js';

const OBJECTS = 'arn:aws:s3:::reports/*';
const BUCKET = 'arn:aws:s3:::reports';
const TLS = { Bool: { 'aws:SecureTransport': 'true' } };

function source(...Statement: unknown[]): PolicySource {
  return { kind: 'inline', name: 'shared', document: { Version: '2012-10-17', Statement } };
}

function doc(...Statement: IamStatement[]): IamPolicyDocument {
  return { Version: '2012-10-17', Statement };
}

describe('assertSubset rejects', () => {
  const shared = [
    source(
      { Effect: 'Allow', Action: 's3:GetObject', Resource: [OBJECTS, BUCKET], Condition: TLS },
      { Effect: 'Allow', Action: 'sqs:*', NotResource: 'arn:aws:sqs:*:*:admin' },
      { Sid: 'NoIam', Effect: 'Deny', Action: 'iam:*', Resource: '*' },
    ),
  ];
  const deny: IamStatement = { Effect: 'Deny', Action: 'iam:*', Resource: '*' };
  const cases: Array<{ name: string; candidate: IamPolicyDocument[]; message: RegExp }> = [
    {
      name: 'an extra action',
      candidate: [doc({ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [OBJECTS, BUCKET], Condition: TLS }, deny)],
      message: /s3:PutObject/,
    },
    {
      name: 'a widened resource',
      candidate: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: TLS }, deny)],
      message: /s3:GetObject on Resource \["\*"\]/,
    },
    {
      name: 'an added resource',
      candidate: [
        doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: [OBJECTS, BUCKET, 'arn:aws:s3:::other/*'], Condition: TLS }, deny),
      ],
      message: /arn:aws:s3:::other/,
    },
    {
      name: 'a dropped condition',
      candidate: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: [OBJECTS, BUCKET] }, deny)],
      message: /s3:GetObject/,
    },
    {
      name: 'a changed condition value',
      candidate: [
        doc(
          { Effect: 'Allow', Action: 's3:GetObject', Resource: [OBJECTS, BUCKET], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          deny,
        ),
      ],
      message: /SecureTransport/,
    },
    {
      name: 'NotResource turned into Resource',
      candidate: [doc({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:*:*:admin' }, deny)],
      message: /sqs:SendMessage/,
    },
    {
      name: 'a missing Deny',
      candidate: [doc({ Effect: 'Allow', Action: 'sqs:SendMessage', NotResource: 'arn:aws:sqs:*:*:admin' })],
      message: /Deny "NoIam"/,
    },
    {
      name: 'a Deny that lost its scope',
      candidate: [doc({ Effect: 'Deny', Action: 'iam:*', Resource: BUCKET })],
      message: /Deny "NoIam"/,
    },
    {
      name: 'a wildcard action',
      candidate: [doc({ Effect: 'Allow', Action: 'sqs:Send*', NotResource: 'arn:aws:sqs:*:*:admin' }, deny)],
      message: /wildcard action sqs:Send\*/,
    },
    {
      name: 'an Allow with NotAction',
      candidate: [doc({ Effect: 'Allow', NotAction: 'iam:*', NotResource: 'arn:aws:sqs:*:*:admin' }, deny)],
      message: /NotAction/,
    },
    {
      name: 'an unexpected element such as Principal',
      candidate: [
        doc({ Effect: 'Allow', Action: 'sqs:SendMessage', NotResource: 'arn:aws:sqs:*:*:admin', Principal: '*' } as IamStatement, deny),
      ],
      message: /unexpected element Principal/,
    },
    {
      name: 'a document of another version',
      candidate: [{ Version: '2008-10-17', Statement: [deny] } as unknown as IamPolicyDocument],
      message: /2012-10-17/,
    },
  ];

  it.each(cases)('$name', ({ candidate, message }) => {
    expect(() => assertSubset(shared, candidate)).toThrow(PolicySubsetError);
    expect(() => assertSubset(shared, candidate)).toThrow(message);
  });

  it('a legacy document\'s literal "${" may not become a live policy variable', () => {
    const legacy: PolicySource[] = [
      {
        kind: 'managed',
        name: 'old',
        document: { Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}' } },
      },
    ];
    expect(() =>
      assertSubset(legacy, [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}' })]),
    ).toThrow(PolicySubsetError);
    expect(() =>
      assertSubset(legacy, [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${$}{aws:username}' })]),
    ).not.toThrow();
  });
});

describe('assertSubset accepts', () => {
  const cases: Array<{ name: string; shared: PolicySource[]; candidate: IamPolicyDocument[] }> = [
    {
      name: 'any scope under a shared Resource "*" without Condition',
      shared: [source({ Effect: 'Allow', Action: 's3:*', Resource: '*' })],
      candidate: [doc({ Effect: 'Allow', Action: 's3:GetObject', NotResource: OBJECTS, Condition: TLS })],
    },
    {
      name: 'resources in another order and condition keys in another order',
      shared: [
        source({
          Effect: 'Allow',
          Action: 's3:Get*',
          Resource: [OBJECTS, BUCKET],
          Condition: { Bool: { a: 'true' }, StringLike: { b: 'x*' } },
        }),
      ],
      candidate: [
        doc({
          Effect: 'Allow',
          Action: 'S3:GETOBJECT',
          Resource: [BUCKET, OBJECTS],
          Condition: { StringLike: { b: 'x*' }, Bool: { a: 'true' } },
        }),
      ],
    },
    {
      name: 'actions granted through NotAction',
      shared: [source({ Effect: 'Allow', NotAction: ['iam:*'], Resource: '*', Condition: TLS })],
      candidate: [doc({ Effect: 'Allow', Action: ['s3:GetObject', 'sqs:SendMessage'], Resource: '*', Condition: TLS })],
    },
    {
      name: 'an extra Deny and Denies spread over several documents',
      shared: [
        source(
          { Effect: 'Deny', Action: ['iam:*', 'sts:*'], Resource: '*' },
          { Effect: 'Deny', NotAction: 's3:*', Resource: '*', Condition: TLS },
        ),
      ],
      candidate: [
        doc({ Effect: 'Deny', Action: ['STS:*', 'iam:*'], Resource: ['*'] }),
        doc({ Effect: 'Deny', NotAction: 's3:*', Resource: '*', Condition: TLS }, { Effect: 'Deny', Action: 'ec2:*', Resource: '*' }),
      ],
    },
    {
      name: 'no candidate documents when the shared role has no Deny',
      shared: [source({ Effect: 'Allow', Action: '*', Resource: '*' })],
      candidate: [],
    },
  ];
  it.each(cases)('$name', ({ shared, candidate }) => {
    expect(() => assertSubset(shared, candidate)).not.toThrow();
  });
});

/** mulberry32: a tiny seeded generator, so every failure reproduces from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CONCRETE = [
  's3:GetObject',
  's3:PutObject',
  's3:ListBucket',
  's3:DeleteObject',
  'sqs:SendMessage',
  'sqs:ReceiveMessage',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'iam:PassRole',
  'logs:PutLogEvents',
  'logs:CreateLogStream',
  'ec2:DescribeInstances',
];
const PATTERNS = [...CONCRETE, 's3:*', 's3:Get*', '*', 'sqs:*Message', 'dynamodb:?etItem', 'iam:Pass*', 'logs:*', 'ec2:Describe*'];
const RESOURCES = ['*', OBJECTS, BUCKET, 'arn:aws:sqs:eu-west-1:123456789012:jobs', 'arn:aws:s3:::home/${aws:username}/*'];
const CONDITIONS = [undefined, TLS, { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] } }];

function generate(next: () => number): { sources: PolicySource[]; used: string[] } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const some = <T>(items: readonly T[], max: number): T[] => [
    ...new Set(Array.from({ length: 1 + Math.floor(next() * max) }, () => pick(items))),
  ];
  const sources: PolicySource[] = [];
  const policies = 1 + Math.floor(next() * 3);
  for (let p = 0; p < policies; p += 1) {
    const statements: Record<string, unknown>[] = [];
    const count = 1 + Math.floor(next() * 4);
    for (let s = 0; s < count; s += 1) {
      const statement: Record<string, unknown> = { Effect: next() < 0.8 ? 'Allow' : 'Deny' };
      if (next() < 0.5) statement.Sid = `S${p}x${s}`;
      statement[next() < 0.8 ? 'Action' : 'NotAction'] = some(PATTERNS, 3).map((a) => (next() < 0.2 ? a.toUpperCase() : a));
      statement[next() < 0.85 ? 'Resource' : 'NotResource'] = some(RESOURCES, 2);
      const condition = pick(CONDITIONS);
      if (condition) statement.Condition = condition;
      statements.push(statement);
    }
    const document: Record<string, unknown> = { Statement: statements };
    if (next() < 0.8) document.Version = '2012-10-17';
    const encoding = next();
    sources.push({
      kind: next() < 0.5 ? 'inline' : 'managed',
      name: `policy-${p}`,
      document: encoding < 0.4 ? document : encoding < 0.7 ? JSON.stringify(document) : encodeURIComponent(JSON.stringify(document)),
    });
  }
  const used = some(CONCRETE, 6).map((a) => (next() < 0.2 ? a.toLowerCase() : a));
  return { sources, used };
}

function allowsAnywhere(statements: IamStatement[], action: string): boolean {
  return statements.some((s) => s.Effect === 'Allow' && [s.Action ?? []].flat().some((a) => a.toLowerCase() === action.toLowerCase()));
}

describe('assertSubset against narrowGrants (property loop)', () => {
  it('accepts the narrowed (and packed) policies of 500 generated roles, and rejects any one-action widening', () => {
    for (let seed = 1; seed <= 500; seed += 1) {
      const next = random(seed);
      const { sources, used } = generate(next);
      const { statements, grantedActions } = narrowGrants(sources, used);
      const context = `seed ${seed}`;

      expect(() => assertSubset(sources, [doc(...statements)]), context).not.toThrow();
      const packed = packPolicies('generated-role', statements);
      expect(
        () =>
          assertSubset(
            sources,
            [...packed.inline, ...packed.managed].map((p) => p.document),
          ),
        context,
      ).not.toThrow();

      // Oracle, written with actions.ts: a used action is granted exactly when some shared Allow covers it.
      const parsedAllows = sources.flatMap((s) => {
        const raw =
          typeof s.document === 'string'
            ? JSON.parse(s.document.startsWith('{') ? s.document : decodeURIComponent(s.document))
            : s.document;
        return (raw as { Statement: Array<Record<string, unknown>> }).Statement.filter((st) => st.Effect === 'Allow');
      });
      for (const action of CONCRETE) {
        const wasUsed = used.some((u) => u.toLowerCase() === action.toLowerCase());
        const sharedCovers = parsedAllows.some((st) =>
          st.Action
            ? (st.Action as string[]).some((p) => actionMatches(p, action))
            : !(st.NotAction as string[]).some((p) => actionMatches(p, action)),
        );
        expect(allowsAnywhere(statements, action), `${context} ${action}`).toBe(wasUsed && sharedCovers);
        expect(
          grantedActions.some((g) => g.toLowerCase() === action.toLowerCase()),
          `${context} ${action}`,
        ).toBe(wasUsed && sharedCovers);
      }

      // Mutation: an action no shared Allow grants, slipped into a surviving Allow, must be caught.
      const firstAllow = statements.findIndex((s) => s.Effect === 'Allow');
      if (firstAllow >= 0) {
        const widened = statements.map((s, i) => (i === firstAllow ? { ...s, Action: [s.Action ?? []].flat().concat('kms:Decrypt') } : s));
        const kmsGranted = parsedAllows.some((st) => !st.Action || (st.Action as string[]).some((p) => actionMatches(p, 'kms:Decrypt')));
        if (!kmsGranted) expect(() => assertSubset(sources, [doc(...widened)]), context).toThrow(PolicySubsetError);
      }
      // Mutation: dropping any Deny must be caught.
      const firstDeny = statements.findIndex((s) => s.Effect === 'Deny');
      if (firstDeny >= 0) {
        const removed = statements[firstDeny] as IamStatement;
        const stillThere = statements.some(
          (s, i) => i !== firstDeny && JSON.stringify({ ...s, Sid: 0 }) === JSON.stringify({ ...removed, Sid: 0 }),
        );
        if (!stillThere) {
          expect(() => assertSubset(sources, [doc(...statements.filter((_, i) => i !== firstDeny))]), context).toThrow(PolicySubsetError);
        }
      }
    }
  });
});
