/**
 * What rollback writes back, in-process on the fake account (issue 21 items
 * 6, 7, 9, 10 and 11): restored texts are checked against the live policy and
 * the plan's sealed snapshot, never taken on trust from a re-sealed plan or
 * an edited journal; a crash inside retire's policy write does not break the
 * rollback after the resume; a colleague's unrelated statement does not block
 * it; a journal cut after a policy write is refused; and a recreated shared
 * role's new unique id replaces the old one in aws:userid conditions.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { journalPathFor, type JournalEntry } from '../../src/apply/journal.js';
import { applyPlan, rollbackPlan } from '../../src/apply/run.js';
import { readPlan, sealPlan, writePlan } from '../../src/plan/plan-file.js';
import { FakeServiceError } from '../support/fake-account/index.js';
import { EC2_ROLE, LAMBDA_ROLE, planned, yes } from './fixtures/in-process.js';
import { KEY, KEY_POLICY, plannedWithKey, SHARED_ID } from './fixtures/key-policy-plan.js';
import { ACCOUNT, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

const FOREIGN = 'arn:aws:iam::999999999999:root';
const COLLEAGUE = {
  Sid: 'colleague',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/auditor` },
  Action: 'kms:DescribeKey',
  Resource: '*',
};

type Doc = { Statement: Array<Record<string, unknown>> };
const doc = (text: string | undefined): Doc => JSON.parse(text ?? '{"Statement":[]}') as Doc;
const withStatement = (text: string | undefined, statement: Record<string, unknown>): string => {
  const d = doc(text);
  return JSON.stringify({ ...d, Statement: [...d.Statement, statement] });
};

/** Rewrites the journal through `edit` and recomputes its (unkeyed) hash chain, as an attacker with write access could. */
function editJournal(planPath: string, edit: (entries: JournalEntry[]) => JournalEntry[]): void {
  const path = journalPathFor(planPath);
  const entries = edit(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as JournalEntry),
  );
  const hash = (text: string) => createHash('sha256').update(text).digest('hex');
  let prev = hash(`split-role journal ${entries[0]?.planId ?? ''}`);
  const lines = entries.map((entry, i) => {
    const line = JSON.stringify({ ...entry, seq: i + 1, prev });
    prev = hash(line);
    return line;
  });
  writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
}

const newRoleArns = [`arn:aws:iam::${ACCOUNT}:role/${EC2_ROLE}`, `arn:aws:iam::${ACCOUNT}:role/${LAMBDA_ROLE}`];

describe('rollback restores only what the plan changed', () => {
  it('refuses a re-sealed plan whose key policy text names a foreign account, and writes nothing', async () => {
    const { planPath, account } = await plannedWithKey();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    const applied = account.policies.text(KEY);
    // The plan is edited after apply and sealed again: its "original" key policy now also trusts another account.
    const plan = await readPlan(planPath);
    const forged = JSON.stringify({
      ...doc(KEY_POLICY),
      Statement: doc(KEY_POLICY).Statement.map((s) => (s.Sid === 'use' ? { ...s, Principal: { AWS: [SHARED_ARN, FOREIGN] } } : s)),
    });
    const { digest: _digest, ...body } = plan;
    const resealed = sealPlan({
      ...body,
      resourcePolicies: { ...body.resourcePolicies, policies: body.resourcePolicies.policies.map((p) => ({ ...p, text: forged })) },
    });
    await writePlan(planPath, resealed);
    await expect(rollbackPlan(planPath, account.opener(), yes())).rejects.toMatchObject({
      code: 'ResourcePolicyChanged',
      message: expect.stringContaining(FOREIGN),
    });
    expect(account.policies.text(KEY)).toBe(applied);
    // --expect-digest pins the reviewed plan: the re-sealed one is refused before anything is read from AWS.
    await expect(rollbackPlan(planPath, account.opener(), yes(), { expectDigest: plan.digest })).rejects.toMatchObject({
      code: 'PlanNotApproved',
    });
  });

  it('an edited journal snapshot cannot make rollback recreate the shared role trusting another account', async () => {
    const { planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    editJournal(planPath, (entries) =>
      entries.map((e) => {
        if (e.step !== 'retire:snapshot' || e.event !== 'step-done') return e;
        const snapshot = (e.data as { snapshot: { trustPolicy: Doc } }).snapshot;
        const trust = {
          ...snapshot.trustPolicy,
          Statement: [...snapshot.trustPolicy.Statement, { Effect: 'Allow', Principal: { AWS: FOREIGN }, Action: 'sts:AssumeRole' }],
        };
        return { ...e, data: { snapshot: { ...snapshot, trustPolicy: trust } } };
      }),
    );
    await expect(rollbackPlan(planPath, account.opener(), yes())).rejects.toMatchObject({
      code: 'JournalCorrupt',
      message: expect.stringContaining('trust policy changed'),
    });
    expect(account.iam.roleNames()).not.toContain(SHARED_NAME);
  });

  it('an edited policy-remove `before` cannot make rollback put a foreign principal into the key policy', async () => {
    const { planPath, account } = await plannedWithKey();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    const retired = account.policies.text(KEY);
    editJournal(planPath, (entries) =>
      entries.map((e) => {
        if (!e.step?.startsWith('policy-remove:') || e.event !== 'step-done') return e;
        const data = e.data as { before: string; after: string };
        const before = doc(data.before);
        const forged = before.Statement.map((s) =>
          s.Sid === 'use' ? { ...s, Principal: { AWS: [...[(s.Principal as { AWS: string[] }).AWS].flat(), FOREIGN] } } : s,
        );
        return { ...e, data: { ...data, before: JSON.stringify({ ...before, Statement: forged }) } };
      }),
    );
    await expect(rollbackPlan(planPath, account.opener(), yes())).rejects.toMatchObject({ code: 'ResourcePolicyChanged' });
    expect(account.policies.text(KEY)).toBe(retired);
    expect(account.policies.text(KEY)).not.toContain(FOREIGN);
  });

  it('a crash inside retire’s policy write, then resume, still rolls back to the original text', async () => {
    const { planPath, account } = await plannedWithKey();
    const write = account.policies.write.bind(account.policies);
    let crashed = false;
    // The write lands, then the process "dies" before the journal hears of it (the step stays begun, not done).
    account.policies.write = async (resource, desired, current) => {
      await write(resource, desired, current);
      if (!crashed && !desired.includes(`"${SHARED_ARN}"`)) {
        crashed = true;
        throw new Error('killed after the policy write');
      }
    };
    await expect(applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).rejects.toThrow(/killed after the policy write/);
    expect(account.iam.roleNames()).toContain(SHARED_NAME);
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    expect(await rollbackPlan(planPath, account.opener(), yes())).toBe('completed');
    const restored = doc(account.policies.text(KEY));
    // The original statements, the recreated role's new id in the aws:userid condition (checked in its own test).
    expect(restored.Statement.map((s) => s.Sid)).toEqual(['root', 'use', 'sessions']);
    expect(restored.Statement[1]).toEqual(doc(KEY_POLICY).Statement[1]);
  });

  it("keeps a colleague's statement that names none of the plan's roles, whether rollback or a person restores the rest", async () => {
    const { planPath, account } = await plannedWithKey();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    account.policies.seed(KEY, withStatement(account.policies.text(KEY), COLLEAGUE));
    const io = yes();
    expect(await rollbackPlan(planPath, account.opener(), io)).toBe('completed');
    expect(doc(account.policies.text(KEY)).Statement).toEqual([...doc(KEY_POLICY).Statement, COLLEAGUE]);
    expect(io.messages.filter((m) => m.code === 'SR_APPLY_I4302').map((m) => m.message)).toEqual([expect.stringContaining('colleague')]);
  });

  it('accepts a policy the operator restored by hand keeping the colleague’s statement', async () => {
    const { planPath, account } = await plannedWithKey();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    // Rollback refused earlier (say), and the operator put the original back by hand, keeping the colleague's statement.
    account.policies.seed(KEY, withStatement(KEY_POLICY, COLLEAGUE));
    expect(await rollbackPlan(planPath, account.opener(), yes())).toBe('completed');
    expect(doc(account.policies.text(KEY)).Statement).toEqual([...doc(KEY_POLICY).Statement, COLLEAGUE]);
  });

  it('refuses, naming the statement, when someone changed a statement naming the plan’s roles', async () => {
    const { planPath, account } = await plannedWithKey();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    const edited = { Sid: 'more', Effect: 'Allow', Principal: { AWS: newRoleArns[0] }, Action: 'kms:*', Resource: '*' };
    const before = withStatement(account.policies.text(KEY), edited);
    account.policies.seed(KEY, before);
    await expect(rollbackPlan(planPath, account.opener(), yes())).rejects.toMatchObject({
      code: 'ResourcePolicyChanged',
      message: expect.stringMatching(/in the policy but not expected: more \{.*kms:\*/),
    });
    expect(account.policies.text(KEY)).toBe(before);
  });

  it('refuses a journal cut after the policy write: rollback would delete roles the key policy still names', async () => {
    const { planPath, account } = await plannedWithKey();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    // The lines of the policy write (and the create stage's marker, which counts it) are gone; the chain is made whole again.
    editJournal(planPath, (entries) =>
      entries.filter((e) => !e.step?.startsWith('policy-add:') && !(e.event === 'stage-done' && e.stage === 'create')),
    );
    await expect(rollbackPlan(planPath, account.opener(), yes())).rejects.toMatchObject({
      code: 'JournalIncomplete',
      message: expect.stringContaining(`kms-key policy of ${KEY.arn} in ${REGION} names ${EC2_ROLE}, ${LAMBDA_ROLE}`),
    });
    expect(account.iam.roleNames()).toEqual(expect.arrayContaining([EC2_ROLE, LAMBDA_ROLE]));
  });

  it('refuses, rather than reading it as unchanged, a policy the journal cross-check cannot read', async () => {
    const { planPath, account } = await plannedWithKey();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    editJournal(planPath, (entries) =>
      entries.filter((e) => !e.step?.startsWith('policy-add:') && !(e.event === 'stage-done' && e.stage === 'create')),
    );
    account.policies.faults.failNext('read', new FakeServiceError('AccessDeniedException', 'not authorized to perform kms:GetKeyPolicy'));
    await expect(rollbackPlan(planPath, account.opener(), yes())).rejects.toThrow(/kms:GetKeyPolicy/);
    // Nothing was undone on a journal the account could not be checked against: the key policy still names the new roles.
    expect(account.iam.roleNames()).toEqual(expect.arrayContaining([EC2_ROLE, LAMBDA_ROLE]));
  });

  it('refuses a journal cut after retire took the shared role out of a policy, before undoing anything', async () => {
    const { planPath, account } = await plannedWithKey();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    const retired = account.policies.text(KEY);
    // The removal's lines (and the retire stage's marker) are gone; the chain is made whole again.
    editJournal(planPath, (entries) =>
      entries.filter((e) => !e.step?.startsWith('policy-remove:') && !(e.event === 'stage-done' && e.stage === 'retire')),
    );
    await expect(rollbackPlan(planPath, account.opener(), yes())).rejects.toMatchObject({
      code: 'JournalIncomplete',
      message: expect.stringContaining(`kms-key policy of ${KEY.arn} in ${REGION} no longer names ${SHARED_NAME}`),
    });
    // Nothing was undone on the strength of the short journal: the shared role was not recreated.
    expect(account.iam.roleNames()).not.toContain(SHARED_NAME);
    expect(account.policies.text(KEY)).toBe(retired);
  });

  it("rewrites the recreated shared role's new unique id into the restored aws:userid condition, and says so", async () => {
    const { planPath, account } = await plannedWithKey();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })).outcome).toBe('completed');
    const io = yes();
    expect(await rollbackPlan(planPath, account.opener(), io)).toBe('completed');
    const newId = (await account.iam.findRole(SHARED_NAME))?.roleId ?? '';
    expect(newId).not.toBe(SHARED_ID);
    const restored = doc(account.policies.text(KEY));
    expect(restored).toEqual(doc(KEY_POLICY.replace(`${SHARED_ID}:*`, `${newId}:*`)));
    // Once for the text before retire, once for the sealed original.
    const said = expect.objectContaining({ oldRoleId: SHARED_ID, newRoleId: newId, rewritten: 1 });
    expect(io.messages.filter((m) => m.code === 'SR_APPLY_I4301').map((m) => m.data)).toEqual([said, said]);
  });
});
