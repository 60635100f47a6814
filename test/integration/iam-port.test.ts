/**
 * The in-memory IAM fake against moto: the same script of IamPort calls runs
 * on the SDK port (over moto) and on FakeIam, and the transcripts (answers,
 * AWS error names, split-role error codes) must agree. This keeps the fake
 * that the in-process apply tests run on honest about IAM's behaviour.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sdkIamPort, type IamPort } from '../../src/aws/iam-port.js';
import { openSessionProvider, type SessionProvider } from '../../src/aws/session.js';
import { awsErrorName } from '../../src/core/aws-error-names.js';
import { SplitRoleError } from '../../src/core/errors.js';
import { decodePolicyDocument } from '../../src/policy/document.js';
import { MOTO_ACCOUNT, TEST_REGION } from '../support/aws-clients.js';
import { FakeIam } from '../support/fake-account/iam.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { useFakeCredentialsInProcess } from '../support/process-credentials.js';
import { resetMoto } from '../support/moto-server.js';

const endpoint = workerMotoEndpoint();
const TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
const DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] };
const TAG = { Key: 'split-role:plan-id', Value: 'plan-1' };
const POLICY_ARN = `arn:aws:iam::${MOTO_ACCOUNT}:policy/app/orders-mp`;

/** What a call answered, or how it failed: AWS's error name, or split-role's code for its own errors. */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await call() };
  } catch (error) {
    if (error instanceof SplitRoleError && !error.awsName) return { code: error.code };
    return { error: awsErrorName(error) ?? 'unnamed' };
  }
}

/** Unique ids differ between any two accounts: blank them, keep everything else. */
function withoutIds(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null, (key, v: unknown) => (key === 'roleId' || key === 'id' ? '' : v))) as unknown;
}

/** The script: every operation apply uses, in the order apply, retire and rollback use them, with the edge cases. */
async function transcript(iam: IamPort): Promise<Record<string, unknown>> {
  const t: Record<string, unknown> = {};
  const spec = {
    roleName: 'orders-ec2',
    path: '/app/',
    trustPolicy: TRUST,
    description: 'the EC2 half',
    maxSessionDuration: 3600,
    tags: [TAG],
  };
  t.missingSnapshot = await outcome(() => iam.roleSnapshot('nobody'));
  t.missingTags = await outcome(() => iam.roleTags('nobody'));
  t.missingLastUsed = await outcome(() => iam.roleLastUsed('nobody'));
  t.create = await outcome(() => iam.createRole(spec));
  t.createAgain = await outcome(() => iam.createRole(spec));
  t.tags = await outcome(() => iam.roleTags('orders-ec2'));
  const found = await iam.findRole('orders-ec2');
  t.found = found && { ...(withoutIds(found) as object), trustPolicy: decodePolicyDocument(found.trustPolicy) };
  t.putInline = await outcome(() => iam.putRolePolicy('orders-ec2', 'inline', DOC));
  t.putInlineMissingRole = await outcome(() => iam.putRolePolicy('nobody', 'inline', DOC));
  t.deleteInlineMissingRole = await outcome(() => iam.deleteRolePolicy('nobody', 'inline'));
  t.createPolicy = await outcome(() =>
    iam.createManagedPolicy({ name: 'orders-mp', path: '/app/', arn: POLICY_ARN, document: DOC, tags: [TAG] }),
  );
  t.createPolicyAgain = await outcome(() =>
    iam.createManagedPolicy({ name: 'orders-mp', path: '/app/', arn: POLICY_ARN, document: DOC, tags: [TAG] }),
  );
  t.policyTags = await outcome(() => iam.managedPolicyTags(POLICY_ARN));
  t.attach = await outcome(() => iam.attachRolePolicy('orders-ec2', POLICY_ARN));
  t.attachAgain = await outcome(() => iam.attachRolePolicy('orders-ec2', POLICY_ARN));
  t.attachMissingPolicy = await outcome(() => iam.attachRolePolicy('orders-ec2', `arn:aws:iam::${MOTO_ACCOUNT}:policy/none`));
  t.profile = await outcome(() => iam.ensureInstanceProfile({ name: 'orders-ec2', path: '/app/', roleName: 'orders-ec2', tags: [TAG] }));
  t.profileAgain = await outcome(() =>
    iam.ensureInstanceProfile({ name: 'orders-ec2', path: '/app/', roleName: 'orders-ec2', tags: [TAG] }),
  );
  t.profileTags = await outcome(() => iam.instanceProfileTags('orders-ec2'));
  await iam.createRole({ ...spec, roleName: 'other', tags: [] });
  t.profileTaken = await outcome(() => iam.ensureInstanceProfile({ name: 'orders-ec2', path: '/app/', roleName: 'other', tags: [] }));
  t.profileMissingRole = await outcome(() => iam.ensureInstanceProfile({ name: 'empty', path: '/', roleName: 'nobody', tags: [] }));
  t.snapshot = withoutIds(await outcome(() => iam.roleSnapshot('orders-ec2')));
  t.lastUsed = await outcome(() => iam.roleLastUsed('orders-ec2'));
  t.profileStillHolding = await outcome(() => iam.deleteEmptyInstanceProfile('orders-ec2'));
  t.removeFromProfile = await outcome(() => iam.removeRoleFromProfile('orders-ec2', 'orders-ec2'));
  t.removeFromProfileAgain = await outcome(() => iam.removeRoleFromProfile('orders-ec2', 'orders-ec2'));
  t.deleteProfile = await outcome(() => iam.deleteEmptyInstanceProfile('orders-ec2'));
  t.deleteProfileAgain = await outcome(() => iam.deleteEmptyInstanceProfile('orders-ec2'));
  t.detach = await outcome(() => iam.detachRolePolicy('orders-ec2', POLICY_ARN));
  t.detachAgain = await outcome(() => iam.detachRolePolicy('orders-ec2', POLICY_ARN));
  t.deletePolicy = await outcome(() => iam.deleteManagedPolicy(POLICY_ARN));
  t.deletePolicyAgain = await outcome(() => iam.deleteManagedPolicy(POLICY_ARN));
  t.policyTagsGone = await outcome(() => iam.managedPolicyTags(POLICY_ARN));
  await iam.attachRolePolicy('orders-ec2', 'arn:aws:iam::aws:policy/ReadOnlyAccess').catch(() => undefined);
  t.deleteRole = await outcome(() => iam.deleteRoleCompletely('orders-ec2'));
  t.deleteRoleAgain = await outcome(() => iam.deleteRoleCompletely('orders-ec2'));
  t.roleGone = await outcome(() => iam.roleTags('orders-ec2'));
  t.findGone = await outcome(() => iam.findRole('orders-ec2'));
  return t;
}

describe.skipIf(!endpoint)('the IAM fake agrees with moto through the IAM port', () => {
  const motoEndpoint = endpoint as string;
  let provider: SessionProvider;

  useFakeCredentialsInProcess();
  beforeEach(async () => {
    await resetMoto(motoEndpoint);
    provider = await openSessionProvider({ region: TEST_REGION, endpointUrl: motoEndpoint });
  });
  afterEach(() => provider.destroy());

  it('the same calls give the same answers and error names', async () => {
    const onMoto = await transcript(sdkIamPort(provider.home));
    const onFake = await transcript(new FakeIam(MOTO_ACCOUNT));
    // The script reaches every kind of answer it is about: not found, exists, the port's own refusal.
    expect(onMoto).toMatchObject({
      missingSnapshot: { error: expect.stringMatching(/^NoSuchEntity/) },
      createAgain: { ok: false },
      profileTaken: { code: 'ProfileTaken' },
    });
    expect(onFake).toEqual(onMoto);
  });

  it('the fake refuses to delete an attached policy, as IAM does (moto deletes it: not compared)', async () => {
    const fake = new FakeIam(MOTO_ACCOUNT);
    await fake.createRole({ roleName: 'r', path: '/', trustPolicy: TRUST, maxSessionDuration: 3600, tags: [] });
    await fake.createManagedPolicy({ name: 'orders-mp', path: '/app/', arn: POLICY_ARN, document: DOC, tags: [] });
    await fake.attachRolePolicy('r', POLICY_ARN);
    expect(await outcome(() => fake.deleteManagedPolicy(POLICY_ARN))).toEqual({ error: 'DeleteConflictException' });
  });
});
