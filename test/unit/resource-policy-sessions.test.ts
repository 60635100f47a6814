/**
 * Statements that name a session of the shared role
 * (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`): found, planned with the
 * workload's new role, and written so that a Deny with NotPrincipal never
 * comes to deny a new role and an Allow never comes to cover a whole role.
 * The NotPrincipal shape is the IAM User Guide's own example ("AWS JSON
 * policy elements: NotPrincipal", role in the same or a different account).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { besideEdits, statementPerRoleEdits } from '../../src/resource-policy/edits.js';
import { planResourcePolicies, type PolicyRole } from '../../src/resource-policy/plan-policies.js';
import { addRoles, findRoleStatements, PolicyEditError, removeRole, sessionArn } from '../../src/resource-policy/statements.js';

const ACCOUNT = '111122223333';
const SHARED = { arn: `arn:aws:iam::${ACCOUNT}:role/app/orders`, roleId: 'AROAEXAMPLESHARED0001' };
const role = (service: string, roleName: string): PolicyRole => ({
  service,
  roleName,
  roleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
});
const ROLES = [role('ec2.amazonaws.com', 'orders-ec2'), role('lambda.amazonaws.com', 'orders-lambda')];
const REF = (name: string) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, roleId: 'AROAEXAMPLENEWROLE001' });
// The plan's workloads: Lambda function orders-fn (session name = function name) and EC2 instance i-0abc.
const SESSIONS = new Map([
  ['orders-fn', ['orders-lambda']],
  ['i-0abc', ['orders-ec2']],
]);
const BUCKET = { kind: 's3-bucket' as const, region: 'eu-west-1', id: 'orders-audit', arn: 'arn:aws:s3:::orders-audit' };
const sharedSession = (name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/orders/${name}`;

// The documented pattern: deny everyone except the role, its session and its account.
const DENY_NOT_PRINCIPAL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Deny',
      NotPrincipal: { AWS: [sharedSession('orders-fn'), SHARED.arn, `arn:aws:iam::${ACCOUNT}:root`] },
      Action: 's3:*',
      Resource: [BUCKET.arn, `${BUCKET.arn}/*`],
    },
    { Sid: 'Read', Effect: 'Allow', Principal: { AWS: sharedSession('orders-fn') }, Action: 's3:GetObject', Resource: `${BUCKET.arn}/*` },
  ],
});

const Statements = z.object({
  Statement: z.array(z.object({ NotPrincipal: z.object({ AWS: z.array(z.string()) }).optional(), Principal: z.unknown().optional() })),
});
const statementsOf = (text: string) => Statements.parse(JSON.parse(text)).Statement;

function plan(text: string) {
  const found = { ...BUCKET, text, statements: findRoleStatements(text, SHARED) };
  return planResourcePolicies({ policies: [found], problems: [] }, 'sweep', SHARED, ROLES, new Map(), { sessions: SESSIONS });
}

/** The planned edit, written as apply writes it. */
function applied(text: string): string {
  const entry = plan(text).policies[0];
  if (!entry) throw new Error('not planned');
  return besideEdits.add(
    text,
    SHARED,
    entry.statements.map((s) => ({
      index: s.index,
      roles: s.roles.map(REF),
      ...(s.sessions ? { sessions: s.sessions.map((x) => ({ name: x.name, roles: x.roles.map(REF) })) } : {}),
    })),
  );
}

describe('statements naming a session of the shared role', () => {
  it('finds a statement whose only mention is a session ARN, with the session name', () => {
    expect(findRoleStatements(DENY_NOT_PRINCIPAL, SHARED)).toEqual([
      { index: 0, effect: 'Deny', mentions: ['NotPrincipal'], sessions: ['orders-fn'] },
      { index: 1, sid: 'Read', effect: 'Allow', mentions: ['Principal'], sessions: ['orders-fn'] },
    ]);
    // Another role's session, or another account's, is not ours.
    const other = DENY_NOT_PRINCIPAL.replaceAll('assumed-role/orders/', 'assumed-role/billing/');
    expect(findRoleStatements(other, SHARED).map((s) => s.index)).toEqual([0]);
  });

  it('plans each session for the role whose workload opens it, and lists it', () => {
    const statements = plan(DENY_NOT_PRINCIPAL).policies[0]?.statements;
    expect(statements?.[0]).toMatchObject({
      roles: ['orders-ec2', 'orders-lambda'],
      sessions: [{ name: 'orders-fn', roles: ['orders-lambda'] }],
    });
    expect(statements?.[1]).toMatchObject({ sessions: [{ name: 'orders-fn', roles: ['orders-lambda'] }] });
  });

  it('a Deny with NotPrincipal exempts each new role in the forms the shared role is exempted in, so it never denies one', () => {
    const [deny] = statementsOf(applied(DENY_NOT_PRINCIPAL));
    const exempted = deny?.NotPrincipal?.AWS ?? [];
    // Each new role's ARN, and the Lambda role's session of the same name (the session the function opens).
    expect(exempted).toEqual(
      expect.arrayContaining([REF('orders-ec2').arn, REF('orders-lambda').arn, sessionArn(REF('orders-lambda'), 'orders-fn')]),
    );
    expect(sessionArn(REF('orders-lambda'), 'orders-fn')).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/orders-lambda/orders-fn`);
    // Nobody else's session is exempted: the EC2 role opens i-0abc, which the shared role's exemption never covered.
    expect(exempted.filter((v) => v.includes(':sts:'))).toEqual([
      sharedSession('orders-fn'),
      sessionArn(REF('orders-lambda'), 'orders-fn'),
    ]);
  });

  it('an Allow naming one session gets the new role’s same session, never the whole role', () => {
    const [, read] = statementsOf(applied(DENY_NOT_PRINCIPAL));
    expect(read?.Principal).toEqual({ AWS: [sharedSession('orders-fn'), sessionArn(REF('orders-lambda'), 'orders-fn')] });
  });

  it('a session no planned workload opens is not carried over in an Allow, and goes to every role in a Deny', () => {
    const text = JSON.stringify({
      Statement: [
        {
          Sid: 'Admin',
          Effect: 'Allow',
          Principal: { AWS: [sharedSession('alice'), `arn:aws:iam::${ACCOUNT}:role/admin`] },
          Action: 's3:*',
          Resource: '*',
        },
        {
          Sid: 'NoDelete',
          Effect: 'Deny',
          Principal: { AWS: [SHARED.arn, sharedSession('batch-7')] },
          Action: 's3:DeleteObject',
          Resource: '*',
        },
      ],
    });
    const statements = plan(text).policies[0]?.statements;
    expect(statements?.[0]?.sessions).toEqual([{ name: 'alice', roles: [] }]);
    expect(statements?.[1]?.sessions).toEqual([{ name: 'batch-7', roles: ['orders-ec2', 'orders-lambda'] }]);
    const [admin] = Statements.parse(JSON.parse(applied(text))).Statement;
    expect(admin?.Principal).toEqual({ AWS: [sharedSession('alice'), `arn:aws:iam::${ACCOUNT}:role/admin`] });
  });

  it('a policy whose only statement names only a session of the shared role is listed as a problem: retire would leave it empty', () => {
    const text = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: { AWS: sharedSession('alice') }, Action: 's3:*', Resource: '*' }],
    });
    const section = plan(text);
    expect(section.policies).toEqual([]);
    expect(section.problems[0]?.reason).toMatch(/cannot write: no statement would be left once .* is taken out/);
  });

  it('retire takes the shared role’s sessions out with its ARN', () => {
    const stripped = removeRole(applied(DENY_NOT_PRINCIPAL), SHARED);
    expect(stripped).not.toContain('assumed-role/orders/');
    expect(findRoleStatements(stripped, SHARED, { exact: true })).toEqual([]);
    expect(stripped).toContain(sessionArn(REF('orders-lambda'), 'orders-fn'));
  });

  it('does not widen a session statement into a whole role where the API takes one principal (Lambda)', () => {
    const text = JSON.stringify({
      Statement: [{ Sid: 'inv', Effect: 'Allow', Principal: { AWS: sharedSession('orders-fn') }, Action: 'lambda:InvokeFunction' }],
    });
    expect(() => statementPerRoleEdits.add(text, SHARED, [{ index: 0, roles: [REF('orders-lambda')] }])).toThrow(PolicyEditError);
    // And the generic edit adds no role ARN where only a session is named.
    expect(addRoles(text, SHARED, [{ index: 0, roles: [REF('orders-lambda')] }])).not.toContain(REF('orders-lambda').arn);
  });
});
