import { describe, expect, it } from 'vitest';
import type { AccountAuthorization } from '../../src/aws/iam.js';
import { findReferences, globMatches } from '../../src/plan/references.js';
import { ACCOUNT, policyDoc, SHARED_ARN } from './fixtures/plan-fixtures.js';

type Json = Record<string, unknown>;
const NEW = ['app-shared-ec2', 'app-shared-lambda'];
const empty = (): AccountAuthorization => ({ roles: [], users: [], groups: [], policies: [] });
const passRole = (Resource: unknown, extra: Json = {}): Json => ({ Effect: 'Allow', Action: 'iam:PassRole', Resource, ...extra });

describe('findReferences: PassRole grants', () => {
  const cases: Array<{ name: string; statement: Json; found: boolean }> = [
    { name: 'on the exact ARN', statement: passRole(SHARED_ARN), found: true },
    { name: 'in a Resource list', statement: passRole(['arn:aws:s3:::x', SHARED_ARN]), found: true },
    { name: 'on a wildcard pattern naming it', statement: passRole(`arn:aws:iam::${ACCOUNT}:role/app-*`), found: true },
    { name: 'on a ? pattern naming it', statement: passRole(`arn:aws:iam::${ACCOUNT}:role/app-share?`), found: true },
    { name: 'on every role of the account', statement: passRole(`arn:aws:iam::${ACCOUNT}:role/*`), found: true },
    { name: 'through iam:Pass*', statement: { Effect: 'Allow', Action: 'iam:Pass*', Resource: SHARED_ARN }, found: true },
    { name: 'through iam:*', statement: { Effect: 'Allow', Action: ['s3:GetObject', 'iam:*'], Resource: SHARED_ARN }, found: true },
    { name: 'action case-insensitively', statement: { Effect: 'Allow', Action: 'IAM:passrole', Resource: SHARED_ARN }, found: true },
    {
      name: 'through NotAction that does not exclude it',
      statement: { Effect: 'Allow', NotAction: 's3:*', Resource: SHARED_ARN },
      found: true,
    },
    {
      name: 'not through NotAction that excludes it',
      statement: { Effect: 'Allow', NotAction: 'iam:*', Resource: SHARED_ARN },
      found: false,
    },
    { name: 'not on bare "*"', statement: passRole('*'), found: false },
    { name: 'not on another role', statement: passRole(`arn:aws:iam::${ACCOUNT}:role/other`), found: false },
    { name: 'not on a pattern that misses it', statement: passRole(`arn:aws:iam::${ACCOUNT}:role/db-*`), found: false },
    { name: 'not on a role whose name only starts the same', statement: passRole(`${SHARED_ARN}-old`), found: false },
    { name: 'not in another account', statement: passRole(`arn:aws:iam::999999999999:role/app-shared`), found: false },
    { name: 'not case-insensitively on the ARN', statement: passRole(SHARED_ARN.toUpperCase()), found: false },
    { name: 'not a Deny', statement: { Effect: 'Deny', Action: 'iam:PassRole', Resource: SHARED_ARN }, found: false },
    { name: 'not another action', statement: { Effect: 'Allow', Action: 'iam:GetRole', Resource: SHARED_ARN }, found: false },
  ];

  const holders: Array<{ where: string; place: (doc: Json) => AccountAuthorization; resource: string; label: RegExp }> = [
    {
      where: 'a customer-managed policy',
      place: (doc) => ({ ...empty(), policies: [{ name: 'deploy', arn: `arn:aws:iam::${ACCOUNT}:policy/deploy`, document: doc }] }),
      resource: `arn:aws:iam::${ACCOUNT}:policy/deploy`,
      label: /^managed policy deploy \(/,
    },
    {
      where: "a user's inline policy",
      place: (doc) => ({
        ...empty(),
        users: [{ name: 'ci', arn: `arn:aws:iam::${ACCOUNT}:user/ci`, inlinePolicies: [{ name: 'pass', document: doc }] }],
      }),
      resource: `arn:aws:iam::${ACCOUNT}:user/ci`,
      label: /^inline policy pass \(/,
    },
    {
      where: "a group's inline policy",
      place: (doc) => ({
        ...empty(),
        groups: [{ name: 'devs', arn: `arn:aws:iam::${ACCOUNT}:group/devs`, inlinePolicies: [{ name: 'pass', document: doc }] }],
      }),
      resource: `arn:aws:iam::${ACCOUNT}:group/devs`,
      label: /^inline policy pass \(/,
    },
    {
      where: "another role's inline policy",
      place: (doc) => ({
        ...empty(),
        roles: [
          {
            name: 'pipeline',
            arn: `arn:aws:iam::${ACCOUNT}:role/pipeline`,
            trustPolicy: policyDoc({ Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' }, Action: 'sts:AssumeRole' }),
            inlinePolicies: [{ name: 'pass', document: doc }],
          },
        ],
      }),
      resource: `arn:aws:iam::${ACCOUNT}:role/pipeline`,
      label: /^inline policy pass \(/,
    },
  ];

  for (const holder of holders) {
    describe(`in ${holder.where}`, () => {
      it.each(cases)('$name → $found', ({ statement, found }) => {
        const followUps = findReferences(holder.place(policyDoc(statement)), SHARED_ARN, NEW);
        if (!found) {
          expect(followUps).toEqual([]);
          return;
        }
        expect(followUps).toEqual([
          { kind: 'passrole-reference', resource: holder.resource, message: expect.stringMatching(holder.label) },
        ]);
        expect(followUps[0]?.message).toContain('app-shared-ec2, app-shared-lambda');
      });
    });
  }

  it('accepts URL-encoded documents and survives unparseable ones', () => {
    const account: AccountAuthorization = {
      ...empty(),
      policies: [
        {
          name: 'encoded',
          arn: `arn:aws:iam::${ACCOUNT}:policy/encoded`,
          document: encodeURIComponent(JSON.stringify(policyDoc(passRole(SHARED_ARN)))),
        },
        { name: 'broken', arn: `arn:aws:iam::${ACCOUNT}:policy/broken`, document: { Statement: [{ Effect: 'Maybe' }] } },
      ],
    };
    expect(findReferences(account, SHARED_ARN, NEW).map((f) => f.resource)).toEqual([`arn:aws:iam::${ACCOUNT}:policy/encoded`]);
  });

  it('reports each holder once per policy, across holders', () => {
    const doc = policyDoc(passRole(SHARED_ARN));
    const account: AccountAuthorization = {
      ...empty(),
      policies: [{ name: 'p', arn: 'arn:p', document: doc }],
      users: [
        {
          name: 'u',
          arn: 'arn:u',
          inlinePolicies: [
            { name: 'a', document: doc },
            { name: 'b', document: policyDoc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) },
          ],
        },
      ],
    };
    expect(findReferences(account, SHARED_ARN, NEW).map((f) => f.resource)).toEqual(['arn:p', 'arn:u']);
  });
});

describe('findReferences: roles trusting the shared role', () => {
  const role = (name: string, trustPolicy: unknown) => ({
    name,
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    trustPolicy,
    inlinePolicies: [],
  });
  const cases: Array<{ name: string; trust: unknown; found: boolean }> = [
    {
      name: 'AWS principal = the shared ARN',
      trust: policyDoc({ Effect: 'Allow', Principal: { AWS: SHARED_ARN }, Action: 'sts:AssumeRole' }),
      found: true,
    },
    {
      name: 'the shared ARN in a list',
      trust: policyDoc({ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111111111111:root', SHARED_ARN] }, Action: 'sts:AssumeRole' }),
      found: true,
    },
    {
      name: 'URL-encoded trust',
      trust: encodeURIComponent(JSON.stringify(policyDoc({ Effect: 'Allow', Principal: { AWS: SHARED_ARN }, Action: 'sts:AssumeRole' }))),
      found: true,
    },
    {
      name: 'only a Deny names it',
      trust: policyDoc({ Effect: 'Deny', Principal: { AWS: SHARED_ARN }, Action: 'sts:AssumeRole' }),
      found: false,
    },
    {
      name: 'the account root',
      trust: policyDoc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }),
      found: false,
    },
    { name: '"*"', trust: policyDoc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }), found: false },
    {
      name: 'a service',
      trust: policyDoc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }),
      found: false,
    },
  ];
  it.each(cases)('$name → $found', ({ trust, found }) => {
    const followUps = findReferences({ ...empty(), roles: [role('downstream', trust)] }, SHARED_ARN, NEW);
    expect(followUps).toEqual(
      found
        ? [
            {
              kind: 'trust-reference',
              resource: `arn:aws:iam::${ACCOUNT}:role/downstream`,
              message: expect.stringContaining('role downstream trusts the shared role'),
            },
          ]
        : [],
    );
  });

  it('the shared role itself is not reported as trusting itself', () => {
    const self = {
      name: 'app-shared',
      arn: SHARED_ARN,
      trustPolicy: policyDoc({ Effect: 'Allow', Principal: { AWS: SHARED_ARN }, Action: 'sts:AssumeRole' }),
      inlinePolicies: [],
    };
    expect(findReferences({ ...empty(), roles: [self] }, SHARED_ARN, NEW)).toEqual([]);
  });
});

describe('globMatches', () => {
  const cases: Array<[pattern: string, value: string, matches: boolean]> = [
    ['arn:aws:iam::1:role/a*', 'arn:aws:iam::1:role/abc', true],
    ['arn:aws:iam::1:role/a?c', 'arn:aws:iam::1:role/abc', true],
    ['arn:aws:iam::1:role/a?c', 'arn:aws:iam::1:role/abbc', false],
    ['arn:aws:iam::1:role/a.c', 'arn:aws:iam::1:role/abc', false],
    ['arn:aws:iam::1:role/(x)', 'arn:aws:iam::1:role/(x)', true],
    ['arn:aws:iam::1:role/A*', 'arn:aws:iam::1:role/abc', false],
  ];
  it.each(cases)('%s ~ %s → %s', (pattern, value, matches) => {
    expect(globMatches(pattern, value)).toBe(matches);
  });
});
