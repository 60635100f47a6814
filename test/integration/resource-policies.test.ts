/**
 * Resource policies end to end against moto: plan finds a KMS key policy, a
 * bucket policy and a queue policy naming the shared role; apply adds the new
 * roles beside it, retire takes it out, rollback restores each original text;
 * a policy changed after planning is drift and nothing is written.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readPlan } from '../../src/plan/plan-file.js';
import type { Plan } from '../../src/plan/schema.js';
import { findRoleStatements } from '../../src/resource-policy/statements.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { resetMoto } from '../support/moto-server.js';
import { seedResourcePolicies, type SeededPolicies } from '../support/resource-policies.js';
import { planScenario, seedOrdersScenario, type OrdersScenario } from '../support/scenario.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { applyThroughRetire } from '../support/retire.js';

const endpoint = workerMotoEndpoint();

describe.skipIf(!endpoint)('resource policies against moto', () => {
  const motoEndpoint = endpoint as string;
  const cli = (args: string[]) =>
    runCli(args, isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: motoEndpoint, SPLIT_ROLE_FAST_WAITS: '1' }));
  let workdir: string;
  let scenario: OrdersScenario;
  let seeded: SeededPolicies;
  let planPath: string;
  let plan: Plan;

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'split-role-policies-'));
  });
  beforeEach(async () => {
    await resetMoto(motoEndpoint);
    scenario = await seedOrdersScenario(motoEndpoint);
    seeded = await seedResourcePolicies(motoEndpoint, TEST_REGION, scenario.account, scenario.roleArn);
    planPath = await planScenario(motoEndpoint, scenario, workdir);
    plan = await readPlan(planPath);
  });

  const shared = () => ({ arn: scenario.roleArn, roleId: plan.sharedRole.roleId });

  it('plans each statement with the new roles it needs, and the review shows them', async () => {
    const { policies, problems, mode } = plan.resourcePolicies;
    expect(mode).toBe('sweep');
    expect(problems).toEqual([]);
    expect(policies.map((p) => p.kind).sort()).toEqual(['kms-key', 's3-bucket', 'sqs-queue']);
    const newRoles = plan.newRoles.map((r) => r.roleName).sort();
    for (const policy of policies) {
      expect(policy.statements).toHaveLength(1);
      // The trail files name no resources, so evidence cannot tell: every new role, marked so.
      expect(policy.statements[0]).toMatchObject({ basis: 'every-service' });
      expect([...(policy.statements[0]?.roles ?? [])].sort()).toEqual(newRoles);
    }
    expect(policies.find((p) => p.kind === 's3-bucket')?.statements[0]?.mentions).toEqual(['aws:PrincipalArn']);
    const shown = await cli(['show', planPath]);
    expect(shown.stdout).toContain('## Resource policies that name the shared role');
    expect(shown.stdout).toContain(seeded.queueUrl.split('/').pop());
  });

  it('apply adds the new roles, retire removes the shared role, rollback restores the exact original texts', async () => {
    const applied = await applyThroughRetire(cli, planPath);
    expect(applied.code, applied.stderr).toBe(0);
    const after = await seeded.read();
    for (const text of Object.values(after)) {
      expect(findRoleStatements(text, shared(), { exact: true })).toEqual([]);
      for (const role of plan.newRoles) expect(text).toContain(role.roleArn);
    }
    // The bucket's Deny keeps its other exempt principal.
    expect(after.bucket).toContain(`arn:aws:iam::${scenario.account}:role/admin`);

    const rolledBack = await cli(['rollback', planPath, '--yes']);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    const restored = await seeded.read();
    expect(JSON.parse(restored.key)).toEqual(JSON.parse(seeded.original.key));
    expect(JSON.parse(restored.bucket)).toEqual(JSON.parse(seeded.original.bucket));
    expect(JSON.parse(restored.queue)).toEqual(JSON.parse(seeded.original.queue));
    expect(restored.key).toBe(seeded.original.key);
  }, 300_000);

  it('covers every region in --regions, and refuses an unknown one before reading anything', async () => {
    const bad = await cli([
      'plan',
      '--role',
      'orders',
      '--yes',
      '--regions',
      'us-east-1,mars-central-1',
      '--out',
      join(workdir, 'bad.plan.json'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/UsageError: --regions names unknown region\(s\): mars-central-1/);

    const eu = await seedResourcePolicies(motoEndpoint, 'eu-west-1', scenario.account, scenario.roleArn, '-eu');
    const twoRegionPath = await planScenario(motoEndpoint, scenario, workdir, ['--regions', 'us-east-1,eu-west-1']);
    const twoRegions = await readPlan(twoRegionPath);
    expect(twoRegions.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(twoRegions.resourcePolicies.policies.map((p) => `${p.kind}@${p.region}`).sort()).toEqual([
      'kms-key@eu-west-1',
      'kms-key@us-east-1',
      's3-bucket@eu-west-1',
      's3-bucket@us-east-1',
      'sqs-queue@eu-west-1',
      'sqs-queue@us-east-1',
    ]);
    const applied = await applyThroughRetire(cli, twoRegionPath);
    expect(applied.code, applied.stderr).toBe(0);
    for (const text of Object.values(await eu.read())) {
      expect(findRoleStatements(text, { arn: scenario.roleArn, roleId: twoRegions.sharedRole.roleId }, { exact: true })).toEqual([]);
      for (const role of twoRegions.newRoles) expect(text).toContain(role.roleArn);
    }
  }, 300_000);

  it('plan --yes refuses a bucket policy that would pass S3’s 20 KB, and --grant-by action makes it fit', async () => {
    // 19,968 bytes: the seeded statement, forty legacy grants to the shared role that no service used, and padding.
    const original = JSON.parse(seeded.original.bucket) as { Statement: unknown[] };
    const legacy = Array.from({ length: 40 }, (_, i) => ({
      Sid: `Legacy${i}`,
      Effect: 'Allow',
      Principal: { AWS: scenario.roleArn },
      Action: 's3:GetObjectVersion',
      Resource: `arn:aws:s3:::${seeded.bucket}/archive/${2000 + i}/*`,
    }));
    const body = (id: string) => JSON.stringify({ Version: '2012-10-17', Id: id, Statement: [...original.Statement, ...legacy] });
    const large = body('p'.repeat(19_968 - Buffer.byteLength(body(''))));
    expect(Buffer.byteLength(large)).toBe(19_968);
    const s3 = new S3Client({ endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, forcePathStyle: true });
    await s3.send(new PutBucketPolicyCommand({ Bucket: seeded.bucket, Policy: large }));

    await expect(planScenario(motoEndpoint, scenario, workdir)).rejects.toThrow(
      new RegExp(
        // A progress line (plain, at most every 2 s) may come before the error when the sweep is slow.
        `\\(2\\): [\\s\\S]*ResourcePolicyTooLarge: the policy of s3-bucket arn:aws:s3:::${seeded.bucket} would grow to \\d{2},\\d{3} bytes ` +
          "with --grant-by resource, over S3's limit of 20,480.*--grant-by action",
      ),
    );
    const fits = await readPlan(await planScenario(motoEndpoint, scenario, workdir, ['--grant-by', 'action']));
    const bucket = fits.resourcePolicies.policies.find((p) => p.kind === 's3-bucket');
    expect(fits.resourcePolicies.grantBy).toBe('action');
    expect(bucket?.size?.grown).toBeGreaterThan(19_968);
    expect(bucket?.size?.grown).toBeLessThanOrEqual(20_480);
  });

  it('a policy changed after planning is drift: apply refuses before any change', async () => {
    const sqs = new SQSClient({ endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    const edited = seeded.original.queue.replace('sqs:ReceiveMessage', 'sqs:DeleteMessage');
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: seeded.queueUrl, Attributes: { Policy: edited } }));
    const applied = await cli(['apply', planPath, '--yes', '--soak', '0']);
    expect(applied.code).toBe(2);
    expect(applied.stderr).toMatch(/Drift: .*sqs-queue .* changed/);
    const now = await seeded.read();
    expect(now.key).toBe(seeded.original.key);
    expect(JSON.parse(now.queue)).toEqual(JSON.parse(edited));
  });
});
