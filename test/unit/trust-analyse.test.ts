import { describe, expect, it } from 'vitest';
import { PolicyParseError } from '../../src/policy/document.js';
import { analyseTrustPolicy, type FindingKind, type OtherPrincipal } from '../../src/trust/analyse.js';

const ACCOUNT = '111111111111';
const OTHER = '222222222222';
const EC2 = 'ec2.amazonaws.com';
const LAMBDA = 'lambda.amazonaws.com';
const EDGE = 'edgelambda.amazonaws.com';
const SAML = `arn:aws:iam::${ACCOUNT}:saml-provider/Okta`;
const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const COGNITO = 'cognito-identity.amazonaws.com';
const ASSUME = 'sts:AssumeRole';
const WEB = 'sts:AssumeRoleWithWebIdentity';
const SAML_ASSUME = 'sts:AssumeRoleWithSAML';
const MULTI: FindingKind[] = ['multi-service'];
const CROSS: FindingKind[] = ['service-and-cross-account'];
const BOTH: FindingKind[] = ['multi-service', 'service-and-cross-account'];

type Json = Record<string, unknown>;
const doc = (...statements: Json[]): Json => ({ Version: '2012-10-17', Statement: statements });
const allow = (Principal: unknown, Action: unknown = ASSUME, extra: Json = {}): Json => ({ Effect: 'Allow', Principal, Action, ...extra });
const deny = (Principal: unknown, Action: unknown = ASSUME, extra: Json = {}): Json => ({ Effect: 'Deny', Principal, Action, ...extra });
const svc = (...names: string[]) => ({ Service: names.length === 1 ? names[0] : names });
const aws = (...ids: string[]) => ({ AWS: ids.length === 1 ? ids[0] : ids });
const fed = (id: string) => ({ Federated: id });
const cond = (key: string, value: string): Json => ({ Condition: { StringEquals: { [key]: value } } });

type Other = Pick<OtherPrincipal, 'principal' | 'type' | 'crossAccount' | 'account'>;
const other = (principal: string, type: OtherPrincipal['type'], crossAccount: boolean, account?: string): Other => ({
  principal,
  type,
  crossAccount,
  account,
});
const STAR = other('*', '*', true);
const otherAws = (id: string, account = OTHER) => other(id, 'AWS', account !== ACCOUNT, account);

interface Case {
  name: string;
  policy: unknown;
  expect: {
    services: string[];
    workloads?: string[];
    kinds: FindingKind[];
    /** Every non-service principal, in order; [] when omitted. */
    others?: Other[];
    /** principal → statement indexes whose conditions stay attached; every other grant must have none. */
    conditions?: Record<string, number[]>;
    /** principal → the statements that grant it. */
    indexes?: Record<string, number[]>;
    /** One pattern per expected note; no notes when omitted. */
    notes?: RegExp[];
  };
}

const cases: Case[] = [
  // ── Statement and Principal shapes ─────────────────────────────────────────
  {
    name: 'Statement as a single object',
    policy: { Version: '2012-10-17', Statement: allow(svc(EC2)) },
    expect: { services: [EC2], workloads: ['ec2'], kinds: [] },
  },
  {
    name: 'Service as an array of two',
    policy: doc(allow(svc(EC2, LAMBDA))),
    expect: { services: [EC2, LAMBDA], workloads: ['ec2', 'lambda'], kinds: MULTI },
  },
  {
    name: 'two statements, one service each',
    policy: doc(allow(svc(LAMBDA)), allow(svc(EC2))),
    expect: { services: [EC2, LAMBDA], kinds: MULTI, indexes: { [EC2]: [1], [LAMBDA]: [0] } },
  },
  { name: 'empty Statement array', policy: doc(), expect: { services: [], workloads: [], kinds: [] } },
  {
    name: 'statement without any Principal grants nothing',
    policy: doc({ Effect: 'Allow', Action: ASSUME }),
    expect: { services: [], kinds: [] },
  },
  {
    name: 'same service in two statements counts once',
    policy: doc(allow(svc(EC2)), allow(svc(EC2), [ASSUME, 'sts:TagSession'])),
    expect: { services: [EC2], kinds: [], indexes: { [EC2]: [0, 1] } },
  },
  {
    name: 'same service listed twice in one statement counts once',
    policy: doc(allow(svc(EC2, EC2))),
    expect: { services: [EC2], kinds: [], indexes: { [EC2]: [0] } },
  },
  {
    name: 'service names differing only in case count once',
    policy: doc(allow(svc('EC2.AmazonAWS.com', ` ${EC2}`))),
    expect: { services: [EC2], kinds: [], indexes: { [EC2]: [0] } },
  },
  { name: 'Principal "*" alone is not a shared role', policy: doc(allow('*')), expect: { services: [], kinds: [], others: [STAR] } },
  { name: 'service + Principal "*"', policy: doc(allow(svc(EC2)), allow('*')), expect: { services: [EC2], kinds: CROSS, others: [STAR] } },
  {
    name: 'service + {"AWS":"*"} is the same as "*"',
    policy: doc(allow(svc(EC2)), allow(aws('*'))),
    expect: { services: [EC2], kinds: CROSS, others: [STAR] },
  },
  {
    name: '"*" and {"AWS":"*"} merge into one principal',
    policy: doc(allow('*'), allow(aws('*'))),
    expect: { services: [], kinds: [], others: [STAR], indexes: { '*': [0, 1] } },
  },
  // ── AWS principals ─────────────────────────────────────────────────────────
  {
    name: 'service + other account id',
    policy: doc(allow(svc(EC2)), allow(aws(OTHER))),
    expect: { services: [EC2], kinds: CROSS, others: [otherAws(OTHER)] },
  },
  {
    name: 'service + own account id',
    policy: doc(allow(svc(EC2)), allow(aws(ACCOUNT))),
    expect: { services: [EC2], kinds: [], others: [otherAws(ACCOUNT, ACCOUNT)] },
  },
  {
    name: 'service + other account root ARN',
    policy: doc(allow({ ...svc(LAMBDA), ...aws(`arn:aws:iam::${OTHER}:root`) })),
    expect: { services: [LAMBDA], kinds: CROSS, others: [otherAws(`arn:aws:iam::${OTHER}:root`)] },
  },
  {
    name: 'service + own account root ARN',
    policy: doc(allow({ ...svc(LAMBDA), ...aws(`arn:aws:iam::${ACCOUNT}:root`) })),
    expect: { services: [LAMBDA], kinds: [], others: [otherAws(`arn:aws:iam::${ACCOUNT}:root`, ACCOUNT)] },
  },
  {
    name: 'service + other account role ARN',
    policy: doc(allow(svc(EC2)), allow(aws(`arn:aws:iam::${OTHER}:role/path/Deployer`))),
    expect: { services: [EC2], kinds: CROSS, others: [otherAws(`arn:aws:iam::${OTHER}:role/path/Deployer`)] },
  },
  {
    name: 'service + own account role ARN',
    policy: doc(allow(svc(EC2)), allow(aws(`arn:aws:iam::${ACCOUNT}:role/Admin`))),
    expect: { services: [EC2], kinds: [], others: [otherAws(`arn:aws:iam::${ACCOUNT}:role/Admin`, ACCOUNT)] },
  },
  {
    name: 'service + other account user ARN',
    policy: doc(allow(svc(EC2)), allow(aws(`arn:aws:iam::${OTHER}:user/alice`))),
    expect: { services: [EC2], kinds: CROSS, others: [otherAws(`arn:aws:iam::${OTHER}:user/alice`)] },
  },
  {
    name: 'service + other account assumed-role ARN',
    policy: doc(allow(svc(EC2)), allow(aws(`arn:aws:sts::${OTHER}:assumed-role/Ops/bob`))),
    expect: { services: [EC2], kinds: CROSS, others: [otherAws(`arn:aws:sts::${OTHER}:assumed-role/Ops/bob`)] },
  },
  {
    name: 'service + China-partition role ARN of another account',
    policy: doc(allow(svc('ec2.amazonaws.com.cn')), allow(aws(`arn:aws-cn:iam::${OTHER}:role/R`))),
    expect: { services: ['ec2.amazonaws.com.cn'], workloads: ['ec2'], kinds: CROSS, others: [otherAws(`arn:aws-cn:iam::${OTHER}:role/R`)] },
  },
  // A unique id is what IAM shows once the named role is deleted: its account is unknown.
  {
    name: 'service + unique id of a deleted role',
    policy: doc(allow(svc(EC2)), allow(aws('AROAXXXXXXXXXXXXXXXXX'))),
    expect: { services: [EC2], kinds: [], others: [other('AROAXXXXXXXXXXXXXXXXX', 'AWS', false)] },
  },
  {
    name: 'cross-account principal without a service is not a finding',
    policy: doc(allow(aws(OTHER, `arn:aws:iam::${OTHER}:root`))),
    expect: { services: [], kinds: [], others: [otherAws(OTHER), otherAws(`arn:aws:iam::${OTHER}:root`)] },
  },
  // ── Federated and CanonicalUser ────────────────────────────────────────────
  {
    name: 'SAML provider with AssumeRoleWithSAML',
    policy: doc(allow(svc(EC2)), allow(fed(SAML), SAML_ASSUME)),
    expect: { services: [EC2], kinds: [], others: [other(SAML, 'Federated', false, ACCOUNT)] },
  },
  {
    name: 'SAML provider with only AssumeRoleWithWebIdentity cannot assume',
    policy: doc(allow(fed(SAML), WEB)),
    expect: { services: [], kinds: [] },
  },
  { name: 'SAML provider with only AssumeRole cannot assume', policy: doc(allow(fed(SAML))), expect: { services: [], kinds: [] } },
  {
    name: 'Cognito with AssumeRoleWithWebIdentity, conditions attached',
    policy: doc(allow(fed(COGNITO), WEB, cond('cognito-identity.amazonaws.com:aud', 'eu-west-1:pool'))),
    expect: { services: [], kinds: [], others: [other(COGNITO, 'Federated', false)], conditions: { [COGNITO]: [0] } },
  },
  {
    name: 'GitHub OIDC provider with AssumeRoleWithWebIdentity',
    policy: doc(
      allow(svc(LAMBDA)),
      allow(fed(GITHUB), WEB, cond('token.actions.githubusercontent.com:sub', 'repo:org/app:ref:refs/heads/main')),
    ),
    expect: { services: [LAMBDA], kinds: [], others: [other(GITHUB, 'Federated', false, ACCOUNT)], conditions: { [GITHUB]: [1] } },
  },
  {
    name: 'GitHub OIDC provider with only AssumeRoleWithSAML cannot assume',
    policy: doc(allow(fed(GITHUB), SAML_ASSUME)),
    expect: { services: [], kinds: [] },
  },
  {
    name: 'OIDC provider with sts:AssumeRole* can assume',
    policy: doc(allow(fed(GITHUB), 'sts:AssumeRole*')),
    expect: { services: [], kinds: [], others: [other(GITHUB, 'Federated', false, ACCOUNT)] },
  },
  {
    name: 'service with only AssumeRoleWithWebIdentity cannot assume',
    policy: doc(allow(svc(EC2, LAMBDA), WEB)),
    expect: { services: [], kinds: [] },
  },
  {
    name: 'AWS principal with only AssumeRoleWithSAML cannot assume',
    policy: doc(allow(svc(EC2)), allow(aws(OTHER), SAML_ASSUME)),
    expect: { services: [EC2], kinds: [] },
  },
  {
    name: 'CanonicalUser has no known account',
    policy: doc(allow({ ...svc(EC2), CanonicalUser: 'a'.repeat(64) })),
    expect: { services: [EC2], kinds: [], others: [other('a'.repeat(64), 'CanonicalUser', false)] },
  },
  // ── Action forms ───────────────────────────────────────────────────────────
  {
    name: 'Action array with AssumeRole',
    policy: doc(allow(svc(EC2, LAMBDA), ['sts:TagSession', ASSUME])),
    expect: { services: [EC2, LAMBDA], kinds: MULTI },
  },
  { name: 'Action sts:*', policy: doc(allow(svc(EC2, LAMBDA), 'sts:*')), expect: { services: [EC2, LAMBDA], kinds: MULTI } },
  { name: 'Action *', policy: doc(allow(svc(EC2, LAMBDA), '*')), expect: { services: [EC2, LAMBDA], kinds: MULTI } },
  { name: 'Action sts:Assume*', policy: doc(allow(svc(EC2, LAMBDA), 'sts:Assume*')), expect: { services: [EC2, LAMBDA], kinds: MULTI } },
  {
    name: 'Action in lower case',
    policy: doc(allow(svc(EC2, LAMBDA), 'sts:assumerole')),
    expect: { services: [EC2, LAMBDA], kinds: MULTI },
  },
  {
    name: 'Action sts:AssumeRole? needs one more character',
    policy: doc(allow(svc(EC2, LAMBDA), 'sts:AssumeRole?')),
    expect: { services: [], kinds: [] },
  },
  {
    name: 'Action sts:AssumeRoleWith* does not cover AssumeRole',
    policy: doc(allow(svc(EC2, LAMBDA), 'sts:AssumeRoleWith*')),
    expect: { services: [], kinds: [] },
  },
  {
    name: 'NotAction not excluding AssumeRole grants it',
    policy: doc({ Effect: 'Allow', Principal: svc(EC2, LAMBDA), NotAction: 'sts:TagSession' }),
    expect: { services: [EC2, LAMBDA], kinds: MULTI },
  },
  {
    name: 'NotAction excluding AssumeRole grants nothing',
    policy: doc({ Effect: 'Allow', Principal: svc(EC2, LAMBDA), NotAction: [ASSUME] }),
    expect: { services: [], kinds: [] },
  },
  {
    name: 'NotAction sts:* grants nothing',
    policy: doc({ Effect: 'Allow', Principal: svc(EC2, LAMBDA), NotAction: 'sts:*' }),
    expect: { services: [], kinds: [] },
  },
  {
    name: 'TagSession-only statement: nobody can assume',
    policy: doc(allow(svc(EC2, LAMBDA), 'sts:TagSession')),
    expect: { services: [], kinds: [] },
  },
  {
    name: 'SetSourceIdentity-only statement: nobody can assume',
    policy: doc(allow(svc(EC2, LAMBDA), ['sts:SetSourceIdentity'])),
    expect: { services: [], kinds: [] },
  },
  {
    name: 'TagSession for one service, AssumeRole for another',
    policy: doc(allow(svc(EC2)), allow(svc(LAMBDA), 'sts:TagSession')),
    expect: { services: [EC2], kinds: [] },
  },
  // ── Deny ───────────────────────────────────────────────────────────────────
  {
    name: 'unconditional Deny removes a service',
    policy: doc(allow(svc(EC2, LAMBDA)), deny(svc(LAMBDA))),
    expect: { services: [EC2], kinds: [] },
  },
  {
    name: 'unconditional Deny matches services case-insensitively',
    policy: doc(allow(svc(EC2, LAMBDA)), deny(svc('LAMBDA.AmazonAWS.com'))),
    expect: { services: [EC2], kinds: [] },
  },
  {
    name: 'conditional Deny keeps the service and notes it',
    policy: doc(allow(svc(EC2, LAMBDA)), deny(svc(LAMBDA), ASSUME, cond('aws:SourceAccount', OTHER))),
    expect: { services: [EC2, LAMBDA], kinds: MULTI, notes: [/Statement\[1\] denies lambda\.amazonaws\.com under a condition/] },
  },
  {
    name: 'Deny of TagSession only removes nothing',
    policy: doc(allow(svc(EC2, LAMBDA)), deny(svc(LAMBDA), 'sts:TagSession')),
    expect: { services: [EC2, LAMBDA], kinds: MULTI },
  },
  {
    name: 'Deny with NotAction covering AssumeRole removes',
    policy: doc(allow(svc(EC2, LAMBDA)), { Effect: 'Deny', Principal: svc(LAMBDA), NotAction: 'sts:TagSession' }),
    expect: { services: [EC2], kinds: [] },
  },
  {
    name: 'Deny "*" removes every principal',
    policy: doc(allow(svc(EC2, LAMBDA)), allow(aws(OTHER)), allow('*'), deny('*', 'sts:*')),
    expect: { services: [], kinds: [] },
  },
  {
    name: 'Deny of the cross-account principal clears that finding',
    policy: doc(allow(svc(EC2)), allow(aws(OTHER)), deny(aws(OTHER))),
    expect: { services: [EC2], kinds: [] },
  },
  {
    name: 'Deny of one AWS principal leaves "*" in place',
    policy: doc(allow(svc(EC2)), allow('*'), deny(aws(OTHER))),
    expect: { services: [EC2], kinds: CROSS, others: [STAR] },
  },
  {
    name: 'Deny with NotPrincipal removes everyone not listed',
    policy: doc(allow(svc(EC2, LAMBDA)), allow(aws(OTHER)), { Effect: 'Deny', NotPrincipal: svc(EC2), Action: ASSUME }),
    expect: { services: [EC2], kinds: [] },
  },
  {
    name: 'Deny AssumeRole does not remove a SAML provider',
    policy: doc(allow(fed(SAML), SAML_ASSUME), deny(fed(SAML))),
    expect: { services: [], kinds: [], others: [other(SAML, 'Federated', false, ACCOUNT)] },
  },
  {
    name: 'Deny AssumeRoleWithSAML removes a SAML provider',
    policy: doc(allow(fed(SAML), SAML_ASSUME), deny(fed(SAML), SAML_ASSUME)),
    expect: { services: [], kinds: [] },
  },
  // ── Workloads ──────────────────────────────────────────────────────────────
  {
    name: 'Lambda@Edge pair is one workload',
    policy: doc(allow(svc(LAMBDA, EDGE))),
    expect: { services: [EDGE, LAMBDA], workloads: ['lambda'], kinds: [] },
  },
  {
    name: 'Lambda@Edge pair + EC2 is multi-service',
    policy: doc(allow(svc(LAMBDA, EDGE, EC2))),
    expect: { services: [EC2, EDGE, LAMBDA], workloads: ['ec2', 'lambda'], kinds: MULTI },
  },
  {
    name: 'China-partition ec2 equals ec2',
    policy: doc(allow(svc(EC2, 'ec2.amazonaws.com.cn'))),
    expect: { services: [EC2, 'ec2.amazonaws.com.cn'], workloads: ['ec2'], kinds: [] },
  },
  {
    name: 'regional and global states are one workload',
    policy: doc(allow(svc('states.us-east-1.amazonaws.com', 'states.amazonaws.com'))),
    expect: { services: ['states.amazonaws.com', 'states.us-east-1.amazonaws.com'], workloads: ['states'], kinds: [] },
  },
  {
    name: 'regional states + lambda is multi-service',
    policy: doc(allow(svc('states.us-east-1.amazonaws.com', LAMBDA))),
    expect: { services: [LAMBDA, 'states.us-east-1.amazonaws.com'], workloads: ['lambda', 'states'], kinds: MULTI },
  },
  {
    name: 'multi-service and cross-account, kinds in order',
    policy: doc(allow(svc(LAMBDA, EC2)), allow(aws(`arn:aws:iam::${OTHER}:root`))),
    expect: { services: [EC2, LAMBDA], kinds: BOTH, others: [otherAws(`arn:aws:iam::${OTHER}:root`)] },
  },
  // ── Conditions ─────────────────────────────────────────────────────────────
  {
    name: 'condition on a service grant is attached',
    policy: doc(allow(svc(EC2), ASSUME, cond('aws:SourceAccount', ACCOUNT))),
    expect: { services: [EC2], kinds: [], conditions: { [EC2]: [0] } },
  },
  {
    name: 'an unconditional statement clears the conditions',
    policy: doc(allow(svc(EC2), ASSUME, cond('aws:SourceAccount', ACCOUNT)), allow(svc(EC2))),
    expect: { services: [EC2], kinds: [], indexes: { [EC2]: [0, 1] } },
  },
  {
    name: 'two conditional statements keep both conditions',
    policy: doc(allow(svc(EC2), ASSUME, cond('aws:SourceAccount', ACCOUNT)), allow(svc(EC2), ASSUME, cond('aws:SourceArn', 'x'))),
    expect: { services: [EC2], kinds: [], conditions: { [EC2]: [0, 1] } },
  },
  {
    name: 'a principal listed twice keeps its condition once',
    policy: doc(allow(svc(EC2, EC2), ASSUME, cond('aws:SourceAccount', ACCOUNT))),
    expect: { services: [EC2], kinds: [], conditions: { [EC2]: [0] } },
  },
  {
    name: 'cross-account with ExternalId is still cross-account',
    policy: doc(allow(svc(EC2)), allow(aws(OTHER), ASSUME, cond('sts:ExternalId', 'xyz'))),
    expect: { services: [EC2], kinds: CROSS, others: [otherAws(OTHER)], conditions: { [OTHER]: [1] } },
  },
  // ── NotPrincipal with Allow ────────────────────────────────────────────────
  {
    name: 'Allow with NotPrincipal admits "*"',
    policy: doc(allow(svc(EC2)), { Effect: 'Allow', NotPrincipal: aws(OTHER), Action: ASSUME }),
    expect: { services: [EC2], kinds: CROSS, others: [STAR], notes: [/Statement\[1\] allows with NotPrincipal/] },
  },
  {
    name: 'Allow with NotPrincipal alone is not a shared role',
    policy: doc({ Effect: 'Allow', NotPrincipal: svc(EC2), Action: ASSUME }),
    expect: { services: [], kinds: [], others: [STAR], notes: [/NotPrincipal/] },
  },
  // ── Input encodings ────────────────────────────────────────────────────────
  {
    name: 'URL-encoded document (as IAM returns it)',
    policy: encodeURIComponent(JSON.stringify(doc(allow(svc(EC2, LAMBDA))))),
    expect: { services: [EC2, LAMBDA], kinds: MULTI },
  },
  {
    name: 'URL-encoded document with conditions',
    policy: encodeURIComponent(
      JSON.stringify(doc(allow(svc(EC2)), allow(fed(GITHUB), WEB, cond('token.actions.githubusercontent.com:sub', 'repo:o/r:*'))), null, 2),
    ),
    expect: { services: [EC2], kinds: [], others: [other(GITHUB, 'Federated', false, ACCOUNT)], conditions: { [GITHUB]: [1] } },
  },
  {
    name: 'plain JSON text (as an emulator returns it)',
    policy: JSON.stringify(doc(allow(svc(EC2)), allow(aws(OTHER)))),
    expect: { services: [EC2], kinds: CROSS, others: [otherAws(OTHER)] },
  },
  {
    name: 'plain JSON text with surrounding whitespace',
    policy: `\n  ${JSON.stringify(doc(allow(svc(EC2, LAMBDA))), null, 2)}\n`,
    expect: { services: [EC2, LAMBDA], kinds: MULTI },
  },
];

describe('analyseTrustPolicy', () => {
  it('has a table of at least 40 cases with unique names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases)('$name', ({ policy, expect: want }) => {
    const result = analyseTrustPolicy(policy, ACCOUNT);
    expect(result.services).toEqual(want.services);
    if (want.workloads) expect(result.workloads).toEqual(want.workloads);
    expect(result.kinds).toEqual(want.kinds);
    expect(result.serviceGrants.map((g) => g.principal)).toEqual(want.services);
    expect(
      result.otherPrincipals.map(({ principal, type, crossAccount, account }) => ({ principal, type, crossAccount, account })),
    ).toEqual(want.others ?? []);

    for (const grant of [...result.serviceGrants, ...result.otherPrincipals]) {
      const conditionIndexes = grant.conditions.map((c) => c.statementIndex);
      expect(conditionIndexes, `conditions of ${grant.principal}`).toEqual(want.conditions?.[grant.principal] ?? []);
      const indexes = want.indexes?.[grant.principal];
      if (indexes) expect(grant.statementIndexes, `statements of ${grant.principal}`).toEqual(indexes);
    }

    const notes = want.notes ?? [];
    expect(result.notes).toHaveLength(notes.length);
    notes.forEach((pattern, i) => expect(result.notes[i]).toMatch(pattern));
  });

  it('carries the Sid and the Condition block of a conditional grant', () => {
    const condition = { StringEquals: { 'aws:SourceAccount': ACCOUNT } };
    const result = analyseTrustPolicy(doc(allow(svc(EC2), ASSUME, { Sid: 'Ec2Only', Condition: condition })), ACCOUNT);
    expect(result.serviceGrants[0]?.conditions).toEqual([{ statementIndex: 0, sid: 'Ec2Only', condition }]);
  });

  it('gives the same answer for object, JSON text and URL-encoded input', () => {
    const policy = doc(allow(svc(LAMBDA, EC2)), allow(aws(OTHER), ASSUME, cond('sts:ExternalId', 'a b&c=d%')));
    const fromObject = analyseTrustPolicy(policy, ACCOUNT);
    expect(analyseTrustPolicy(JSON.stringify(policy), ACCOUNT)).toEqual(fromObject);
    expect(analyseTrustPolicy(encodeURIComponent(JSON.stringify(policy)), ACCOUNT)).toEqual(fromObject);
    expect(fromObject.kinds).toEqual(BOTH);
  });

  it('merges a regional service principal with its global form (literal region or template variable)', () => {
    const logs = analyseTrustPolicy(doc(allow(svc('logs.amazonaws.com', 'logs.${AWS::Region}.amazonaws.com'))), ACCOUNT);
    expect(logs.workloads).toEqual(['logs']);
    expect(logs.kinds).toEqual([]);
    const states = analyseTrustPolicy(doc(allow(svc('states.amazonaws.com', 'states.eu-west-1.amazonaws.com'))), ACCOUNT);
    expect(states.workloads).toEqual(['states']);
    expect(states.kinds).toEqual([]);
  });

  it('judges "own account" against the account it is given', () => {
    const policy = doc(allow(svc(EC2)), allow(aws(OTHER)));
    expect(analyseTrustPolicy(policy, OTHER).kinds).toEqual([]);
    expect(analyseTrustPolicy(policy, ACCOUNT).kinds).toEqual(CROSS);
  });
});

describe('analyseTrustPolicy rejects malformed documents', () => {
  const bad: Array<[name: string, input: unknown, message: RegExp]> = [
    ['text that is not JSON', 'not a policy', /not valid JSON/],
    ['truncated JSON', '{"Version":"2012-10-17","Statement":[', /not valid JSON/],
    ['broken percent-encoding', '%7B%E0%A4%A', /neither JSON nor URL-encoded JSON/],
    ['URL-encoded text that is not JSON', encodeURIComponent('Statement: none'), /not valid JSON/],
    ['a JSON array', '[]', /must be a JSON object/],
    ['null', null, /must be a JSON object/],
    ['Statement missing', { Version: '2012-10-17' }, /no Statement/],
    ['Effect in lower case', doc({ Effect: 'allow', Principal: svc(EC2), Action: ASSUME }), /Statement\[0\] has Effect "allow"/],
    ['Effect missing', doc(allow(svc(EC2)), { Principal: svc(EC2), Action: ASSUME }), /Statement\[1\] has Effect undefined/],
    ['neither Action nor NotAction', doc({ Effect: 'Allow', Principal: svc(EC2) }), /neither Action nor NotAction/],
    ['statement that is not an object', { Statement: ['Allow'] }, /Statement\[0\] is not an object/],
    ['Principal that is neither "*" nor an object', doc(allow('ec2.amazonaws.com')), /Principal must be "\*" or an object/],
    ['Action that is a number', doc(allow(svc(EC2), 42)), /Action must be a string or an array of strings/],
    ['Service list holding a number', doc(allow({ Service: [EC2, 7] })), /Principal\.Service must be a string or an array/],
    ['Condition that is not an object', doc(allow(svc(EC2), ASSUME, { Condition: 'x' })), /Condition is not an object/],
  ];

  it.each(bad)('%s', (_name, input, message) => {
    expect(() => analyseTrustPolicy(input, ACCOUNT)).toThrow(PolicyParseError);
    expect(() => analyseTrustPolicy(input, ACCOUNT)).toThrow(message);
  });
});
