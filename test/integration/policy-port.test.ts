/**
 * The in-memory resource-policy fake against moto: the same PolicyPort calls
 * on the kind adapters over moto and on FakePolicies, seeded alike, must give
 * the same answers, and a resource that is not there the same error name in
 * every kind. Services may re-serialise a policy, so texts compare as JSON.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSessionProvider, type SessionProvider } from '../../src/aws/session.js';
import { awsErrorName } from '../../src/core/aws-error-names.js';
import { POLICY_KINDS, type PolicyResource } from '../../src/resource-policy/kinds/types.js';
import { sdkPolicyPort, type PolicyPort } from '../../src/resource-policy/port.js';
import { MOTO_ACCOUNT, TEST_REGION } from '../support/aws-clients.js';
import { FakePolicies } from '../support/fake-account/policies.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { useFakeCredentialsInProcess } from '../support/process-credentials.js';
import { resetMoto } from '../support/moto-server.js';
import { seedResourcePolicies } from '../support/resource-policies.js';

const endpoint = workerMotoEndpoint();
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/orders`;
const R = TEST_REGION;

/** A resource of each kind that does not exist. */
const MISSING: PolicyResource[] = [
  {
    kind: 'kms-key',
    region: R,
    id: '11111111-2222-3333-4444-555555555555',
    arn: `arn:aws:kms:${R}:${MOTO_ACCOUNT}:key/11111111-2222-3333-4444-555555555555`,
  },
  { kind: 's3-bucket', region: R, id: 'no-such-bucket-here', arn: 'arn:aws:s3:::no-such-bucket-here' },
  { kind: 'sqs-queue', region: R, id: `https://sqs.${R}.amazonaws.com/${MOTO_ACCOUNT}/nope`, arn: `arn:aws:sqs:${R}:${MOTO_ACCOUNT}:nope` },
  { kind: 'sns-topic', region: R, id: `arn:aws:sns:${R}:${MOTO_ACCOUNT}:nope`, arn: `arn:aws:sns:${R}:${MOTO_ACCOUNT}:nope` },
  {
    kind: 'secret',
    region: R,
    id: `arn:aws:secretsmanager:${R}:${MOTO_ACCOUNT}:secret:nope-AbCdEf`,
    arn: `arn:aws:secretsmanager:${R}:${MOTO_ACCOUNT}:secret:nope-AbCdEf`,
  },
  { kind: 'ecr-repository', region: R, id: 'nope', arn: `arn:aws:ecr:${R}:${MOTO_ACCOUNT}:repository/nope` },
  { kind: 'lambda-function', region: R, id: 'nope', arn: `arn:aws:lambda:${R}:${MOTO_ACCOUNT}:function:nope` },
];

/** What a call answered (texts parsed), or the AWS error name it failed with. */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    const value = await call();
    return { ok: typeof value === 'string' ? (JSON.parse(value) as unknown) : value };
  } catch (error) {
    return { error: awsErrorName(error) ?? 'unnamed' };
  }
}

/** The script: list every kind, read each listed policy, rewrite each, read it back, then the missing ones. */
async function transcript(port: PolicyPort): Promise<Record<string, unknown>> {
  const t: Record<string, unknown> = {};
  const listed: PolicyResource[] = [];
  for (const kind of POLICY_KINDS) {
    const found = await port.list(kind, [R]);
    t[`list ${kind}`] = found.length;
    listed.push(...found);
  }
  for (const resource of listed) {
    const before = await port.read(resource);
    t[`read ${resource.kind}`] = await outcome(() => Promise.resolve(before));
    const statements = (JSON.parse(before ?? '{"Statement":[]}') as { Statement: unknown[] }).Statement;
    const narrowed = JSON.stringify({ Version: '2012-10-17', Statement: statements.slice(0, 1) });
    t[`write ${resource.kind}`] = await outcome(() => port.write(resource, narrowed, before ?? ''));
    t[`reread ${resource.kind}`] = await outcome(() => port.read(resource));
  }
  for (const resource of MISSING) t[`missing ${resource.kind}`] = await outcome(() => port.read(resource));
  return t;
}

describe.skipIf(!endpoint)('the resource-policy fake agrees with moto through the policy port', () => {
  const motoEndpoint = endpoint as string;
  let provider: SessionProvider;

  useFakeCredentialsInProcess();
  beforeEach(async () => {
    await resetMoto(motoEndpoint);
    provider = await openSessionProvider({ region: R, endpointUrl: motoEndpoint, enabledRegions: [R] });
  });
  afterEach(() => provider.destroy());

  it('KMS, S3 and SQS policies: the same listing, reads and writes, and each kind names a missing resource alike', async () => {
    await seedResourcePolicies(motoEndpoint, R, MOTO_ACCOUNT, ROLE);
    const moto = sdkPolicyPort(provider.home);
    // The fake holds the same resources with the same texts, as moto lists and returns them.
    const fake = new FakePolicies();
    for (const kind of POLICY_KINDS) for (const resource of await moto.list(kind, [R])) fake.seed(resource, await moto.read(resource));

    const onMoto = await transcript(moto);
    expect(onMoto).toMatchObject({
      'list kms-key': 1,
      'list s3-bucket': 1,
      'list sqs-queue': 1,
      'missing s3-bucket': { error: 'NoSuchBucket' },
    });
    const onFake = await transcript(fake);
    expect(onFake).toEqual(onMoto);
  });
});
