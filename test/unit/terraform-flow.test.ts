/**
 * A split of a Terraform-owned role from owners to both pull requests, on one
 * tree: the owners come from the state of `test/fixtures/rewrite/terraform/app`,
 * apply refuses to change them live, and rewrite's cutover and retire leave
 * files that parse, that `check` reads as split, and whose unrelated bytes
 * are unchanged.
 */
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/run.js';
import { planOwnership, readTerraformStates } from '../../src/plan-run/ownership.js';
import { sealPlan } from '../../src/plan/plan-file.js';
import type { PlanBody } from '../../src/plan/schema.js';
import { rewritePaths } from '../../src/rewrite/run.js';
import { planned, yes } from './fixtures/in-process.js';
import { ACCOUNT, REGION, SHARED_NAME, sampleBody } from './fixtures/plan-fixtures.js';
import { reportsPolicyPlan } from './fixtures/rewrite-plans.js';

const TREE = fileURLToPath(new URL('../fixtures/rewrite/terraform/app', import.meta.url));
const STATE = fileURLToPath(new URL('../fixtures/rewrite/terraform/app.tfstate', import.meta.url));

/**
 * The sample plan (app-shared for ec2 and lambda) with the owners the state gives; with `reports`, also the rewrite
 * tests' bucket policy entry (a placeholder text: enough for rewrite, which apply's re-derivation would refuse).
 */
async function ownedBody(reports: boolean): Promise<PlanBody> {
  const body: PlanBody = reports ? { ...sampleBody(), resourcePolicies: reportsPolicyPlan().resourcePolicies } : sampleBody();
  const states = await readTerraformStates([STATE], { account: ACCOUNT, regions: [REGION] }, () => Promise.reject(new Error('no S3')));
  const ownership = await planOwnership(body, { regions: [REGION], stacks: [], states, template: () => Promise.resolve(undefined) });
  return { ...body, ownership };
}

describe('a Terraform-owned role, from its state to both pull requests', () => {
  it('owners from the state, apply refuses, rewrite cutover and retire pass check and leave other bytes alone', async () => {
    const body = await ownedBody(true);
    const owners = Object.fromEntries(
      (body.ownership?.resources ?? []).map((r) => [`${r.kind} ${r.name}`, r.owner.tool === 'terraform' ? r.owner.address : r.owner.tool]),
    );
    expect(owners).toEqual({
      [`shared-role ${SHARED_NAME}`]: 'aws_iam_role.app',
      [`instance-profile ${SHARED_NAME}`]: 'aws_iam_instance_profile.app',
      'workload EC2 i-0abc': 'aws_instance.web',
      'workload Lambda orders-fn': 'aws_lambda_function.orders',
      'resource-policy s3-bucket app-reports': 'aws_s3_bucket_policy.reports',
    });

    // Apply changes none of it live: exit 2's error, before any call that changes the account.
    const { planPath, account } = await planned(await ownedBody(false));
    await expect(applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).rejects.toMatchObject({ code: 'IacOwned' });
    expect(account.iam.roleNames()).toEqual([SHARED_NAME]);

    const dir = await mkdtemp(join(tmpdir(), 'split-role-tf-flow-'));
    await cp(TREE, dir, { recursive: true });
    const plan = sealPlan(body);
    const cutover = await rewritePaths(plan, [dir], 'cutover', false, dir);
    expect(cutover.written).toBe(true);
    expect(cutover.checked).toEqual([
      `ok: aws_iam_role.app_shared_ec2 is trusted by ec2.amazonaws.com`,
      `ok: aws_iam_role.app_shared_lambda is trusted by lambda.amazonaws.com`,
      `${SHARED_NAME} is still defined, so rollback is a revert; retire removes it after the deploy, verify and soak`,
    ]);
    expect(await readFile(join(dir, 'network.tf'), 'utf8')).toBe(await readFile(join(TREE, 'network.tf'), 'utf8'));

    const retire = await rewritePaths(plan, [dir], 'retire', false, dir);
    expect(retire.checked).toEqual([`ok: no role named ${SHARED_NAME} is left`]);
    expect(await readFile(join(dir, 'network.tf'), 'utf8')).toBe(await readFile(join(TREE, 'network.tf'), 'utf8'));
  });
});
