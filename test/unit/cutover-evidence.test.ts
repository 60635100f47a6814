/**
 * Issue 21 items 3, 4 and 13, in-process on the fake account: cutover on
 * AWS's clock and a host clock far off refused; verify's "not enough
 * evidence yet" (records read, latest event, distinct from "Clean."); and
 * --grant-missing matching the role's account and granting only what the
 * role's own service used before cutover unless --grant-any.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyPlan } from '../../src/apply/run.js';
import { openAwsSession } from '../../src/aws/session.js';
import { renderVerify } from '../../src/cli/commands/verify.js';
import { verifyCutover } from '../../src/cutover/verify.js';
import { planStatus } from '../../src/apply/status.js';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import type { FakeAccount } from '../support/fake-account/index.js';
import { useFakeCredentialsInProcess } from '../support/process-credentials.js';
import { writeTrailFiles } from '../support/trail-files.js';
import { LAMBDA_ROLE, planned, yes } from './fixtures/in-process.js';
import { ACCOUNT, REGION, SHARED_NAME } from './fixtures/plan-fixtures.js';

const MINUTE = 60_000;

afterEach(() => {
  vi.useRealTimers();
});

/** Runs `body` with the host clock `skewMs` off AWS's (AWS's is the real one, as the fake account's Date says). */
async function withHostClock<T>(account: FakeAccount, skewMs: number, body: () => Promise<T>): Promise<T> {
  const real = Date.now();
  vi.useFakeTimers({ toFake: ['Date'], now: real + skewMs });
  account.clock.awsNow = () => new Date(Date.now() - skewMs);
  try {
    return await body();
  } finally {
    vi.useRealTimers();
  }
}

describe('cutover on AWS’s clock (item 4)', () => {
  it('refuses to apply, changing nothing, when the host clock is 2 h fast', async () => {
    const { planPath, account } = await planned();
    await expect(
      withHostClock(account, 2 * 60 * MINUTE, () => applyPlan(planPath, account.opener(), yes(), { soakMs: 0 })),
    ).rejects.toThrow(/ClockSkew|this host's clock is 120 min ahead of AWS's/);
    expect(account.iam.roleNames()).toEqual([SHARED_NAME]);
  });

  it('refuses to verify when the host clock is 2 h fast: its window would start after calls it must see', async () => {
    const { planPath, account } = await planned();
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    await expect(
      withHostClock(account, 2 * 60 * MINUTE, () =>
        verifyCutover(planPath, account.opener(), yes(), { source: () => ({ source: 'logs', config: { location: tmpdir() } }) }),
      ),
    ).rejects.toMatchObject({ code: 'ClockSkew', message: expect.stringMatching(/this host's clock is 120 min ahead of AWS's/) });
  });

  it('journals cutover from AWS’s clock, so a shared-role call one minute after the real cutover holds retirement', async () => {
    const { planPath, account } = await planned();
    // Within the limit, the host clock 4 min fast: cutover on it would be 4 min late, hiding the call at +1 min.
    account.iam.useRole(SHARED_NAME, new Date(Date.now() + MINUTE), REGION);
    const result = await withHostClock(account, 4 * MINUTE, () => applyPlan(planPath, account.opener(), yes(), { soakMs: 0 }));
    expect(result.outcome).toBe('retire-pending');
    expect(result.pending).toMatch(new RegExp(`^retire pending: ${SHARED_NAME} was last used at .* after cutover at `));
    expect(account.iam.roleNames()).toContain(SHARED_NAME);
    const { cutoverAt } = await planStatus(planPath);
    expect(Date.parse(cutoverAt!)).toBeLessThan(Date.now() + MINUTE);
  });
});

describe('verify over the trail’s files after cutover (items 3 and 13)', () => {
  useFakeCredentialsInProcess();
  let session: Awaited<ReturnType<typeof openAwsSession>>;
  beforeAll(async () => {
    // A real session the logs source is handed; local trail files make it call nothing.
    session = await openAwsSession({ region: REGION });
  });

  /** The plan applied with the shared role kept, a trail folder holding `records`, and verify's report one hour after cutover. */
  async function verifyWith(
    records: (cutover: number) => CloudTrailRecord[],
    options: { grantMissing?: boolean; grantAny?: boolean } = {},
  ) {
    const { planPath, account } = await planned();
    account.evidence = session;
    expect((await applyPlan(planPath, account.opener(), yes(), { soakMs: 0, keepSharedRole: true })).outcome).toBe('verified');
    const cutover = Date.parse((await planStatus(planPath)).cutoverAt!);
    const trail = mkdtempSync(join(tmpdir(), 'verify-trail-'));
    await writeTrailFiles(trail, records(cutover), { account: ACCOUNT, region: REGION });
    const io = yes();
    const report = await verifyCutover(planPath, account.opener(), io, {
      source: () => ({ source: 'logs', config: { location: trail } }),
      now: new Date(cutover + 60 * MINUTE),
      ...options,
    });
    return { report, io, account };
  }

  const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  /** A call by a session of `role` in `account`, with the issuer CloudTrail writes unless `issuer` is false. */
  const call = (account: string, role: string, eventSource: string, eventName: string, time: number, errorCode?: string, issuer = true) =>
    ({
      eventTime: at(time),
      eventSource,
      eventName,
      ...(errorCode ? { errorCode } : {}),
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${account}:assumed-role/${role}/orders-fn`,
        ...(issuer ? { sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${account}:role/${role}` } } } : {}),
      },
    }) satisfies CloudTrailRecord;
  /** Someone else's call: evidence that CloudTrail delivered up to `time`. */
  const other = (time: number): CloudTrailRecord => ({
    eventTime: at(time),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/ops` },
  });

  it('says "not enough evidence yet", not "Clean.", while nothing read reaches cutover + 15 min', async () => {
    const { report, io } = await verifyWith(() => []);
    expect(report).toMatchObject({ callsVisible: true, enoughEvidence: false, problems: 0, reach: { records: 0 } });
    expect(report.reach?.latest).toBeUndefined();
    const text = renderVerify(report);
    expect(text).toMatch(/Read 0 record\(s\); latest event none \(must reach \S+: cutover \+ --delivery-lag\)\./);
    expect(text).toMatch(/Not enough evidence yet/);
    expect(text).not.toMatch(/Clean\./);
    expect(io.messages.map((m) => m.code)).toContain('SR_APPLY_W4013');
    // Evidence that stops short of the margin is no better.
    let fiveAfter = '';
    const short = await verifyWith((cutover) => [other(cutover + 5 * MINUTE)].map((r) => ((fiveAfter = r.eventTime), r)));
    expect(short.report).toMatchObject({ enoughEvidence: false, problems: 0, reach: { records: 1, latest: fiveAfter } });
  });

  it('is clean once the evidence reaches past the margin, and names the records read and the latest event', async () => {
    const { report } = await verifyWith((cutover) => [other(cutover + 20 * MINUTE)]);
    expect(report).toMatchObject({ enoughEvidence: true, problems: 0, reach: { records: 1 } });
    expect(renderVerify(report)).toMatch(/Read 1 record\(s\); latest event \S+Z .*\n[\s\S]*Clean\.$/);
  });

  it('does not count another account’s session of a role with the same name (no issuer) as the new role’s', async () => {
    const { report } = await verifyWith((cutover) => [
      call('999999999999', LAMBDA_ROLE, 'ssm.amazonaws.com', 'GetParameter', cutover + MINUTE, 'AccessDenied', false),
      other(cutover + 20 * MINUTE),
    ]);
    expect(report.denied).toEqual([]);
    expect(report.problems).toBe(0);
  });

  it('--grant-missing grants only what the role’s own service used before cutover; --grant-any the rest too', async () => {
    const refusals = (cutover: number) => [
      // Lambda never used ssm:GetParameter (EC2 did): a probe, not a need.
      call(ACCOUNT, LAMBDA_ROLE, 'ssm.amazonaws.com', 'GetParameter', cutover + MINUTE, 'AccessDenied'),
      call(ACCOUNT, LAMBDA_ROLE, 'secretsmanager.amazonaws.com', 'GetSecretValue', cutover + 2 * MINUTE, 'AccessDenied'),
      other(cutover + 20 * MINUTE),
    ];
    const strict = await verifyWith(refusals, { grantMissing: true });
    expect(strict.report.granted).toEqual([{ roleName: LAMBDA_ROLE, actions: ['secretsmanager:GetSecretValue'] }]);
    expect(strict.report.notGranted).toEqual([{ roleName: LAMBDA_ROLE, actions: ['ssm:GetParameter'] }]);
    expect(strict.io.messages.filter((m) => m.code === 'SR_APPLY_W4012').map((m) => m.data?.actions)).toEqual([['ssm:GetParameter']]);
    const granted = (await strict.account.iam.roleSnapshot(LAMBDA_ROLE)).inlinePolicies.find(
      (p) => p.name === 'split-role-granted-after-verify',
    );
    expect(JSON.stringify(granted?.document)).toContain('secretsmanager:GetSecretValue');
    expect(JSON.stringify(granted?.document)).not.toContain('ssm:GetParameter');

    const any = await verifyWith(refusals, { grantMissing: true, grantAny: true });
    expect(any.report.granted).toEqual([{ roleName: LAMBDA_ROLE, actions: ['secretsmanager:GetSecretValue', 'ssm:GetParameter'] }]);
    expect(any.report.notGranted).toEqual([]);
  });
});
