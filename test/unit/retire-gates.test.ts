import { describe, expect, it } from 'vitest';
import {
  cutoverTime,
  evidenceGate,
  pendingRetire,
  soakGate,
  unusedGate,
  type GateContext,
  type RetireGate,
} from '../../src/apply/gates.js';
import type { EvidenceReach } from '../../src/evidence/evidence-reach.js';
import { Journal } from '../../src/apply/journal.js';
import { parseDuration } from '../../src/cli/duration.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { FakeAccount } from '../support/fake-account/index.js';
import { FAKE_TIMINGS } from '../support/fake-account/workload-context.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { samplePlan } from './fixtures/plan-fixtures.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CUTOVER = new Date('2026-11-20T10:00:00.000Z');
const HOUR = 3_600_000;

/** A gate context over an in-memory account whose IAM answers RoleLastUsed from `lastUsed`. */
function gateContext(
  now: Date,
  soakMs: number,
  lastUsed?: Date,
  calls: Array<{ lastSeen: string; eventName: string; eventSource: string; sessionName: string; count: number }> | undefined = [],
  // Evidence that reaches well past cutover + the delivery margin, unless a test says otherwise.
  reach: EvidenceReach = { records: 120, latest: '2026-11-20T11:00:00Z' },
): GateContext {
  const sample = samplePlan();
  const plan = { ...sample, sharedRole: { ...sample.sharedRole, roleName: 'orders', arn: 'arn:aws:iam::123456789012:role/orders' } };
  const account = new FakeAccount({ region: plan.region });
  account.iam.seedRole(plan.sharedRole);
  if (lastUsed) account.iam.useRole('orders', lastUsed, 'eu-west-1');
  const journal = Journal.open(join(mkdtempSync(join(tmpdir(), 'gates-')), 'p.journal.jsonl'), plan.planId);
  return {
    ctx: { plan, account, journal, timings: FAKE_TIMINGS, io: new RecordingIoHost() },
    cutover: CUTOVER,
    now,
    soakMs,
    sharedRoleCalls: () => Promise.resolve(calls && { calls, reach, source: '/trail' }),
  };
}

describe('retire gates (time injected)', () => {
  it('(a) waits for the soak, then holds', async () => {
    expect(await pendingRetire(gateContext(new Date(CUTOVER.getTime() + HOUR), 6 * HOUR))).toBe(
      'retire pending until 2026-11-20T16:00:00.000Z',
    );
    expect(await pendingRetire(gateContext(new Date(CUTOVER.getTime() + 6 * HOUR), 6 * HOUR))).toBeUndefined();
    expect(await soakGate.check(gateContext(CUTOVER, 0))).toBeUndefined();
  });

  it("(a) --soak 0 holds even when this run reads AWS's clock a little before the recorded cutover", async () => {
    // A run started right after cutover estimates AWS's clock from few Date headers (whole seconds), up to a second early.
    expect(await soakGate.check(gateContext(new Date(CUTOVER.getTime() - 800), 0))).toBeUndefined();
    expect(await soakGate.check(gateContext(new Date(CUTOVER.getTime() - 800), 1000))).toEqual({
      until: new Date(CUTOVER.getTime() + 1000),
    });
  });

  it('(b) RoleLastUsed after cutover blocks, even with --soak 0', async () => {
    const line = await pendingRetire(gateContext(new Date(CUTOVER.getTime() + HOUR), 0, new Date(CUTOVER.getTime() + 60_000)));
    expect(line).toBe(
      'retire pending: orders was last used at 2026-11-20T10:01:00.000Z in eu-west-1, after cutover at 2026-11-20T10:00:00.000Z',
    );
    expect(await unusedGate.check(gateContext(CUTOVER, 0, new Date(CUTOVER.getTime() - 60_000)))).toBeUndefined();
  });

  it('(b) a CloudTrail call with the shared role after cutover blocks', async () => {
    const calls = [
      { lastSeen: '2026-11-20T10:05:00Z', eventName: 'GetObject', eventSource: 's3.amazonaws.com', sessionName: 'i-0abc', count: 1 },
      { lastSeen: '2026-11-20T11:05:00Z', eventName: 'Decrypt', eventSource: 'kms.amazonaws.com', sessionName: 'i-0abc', count: 1 },
    ];
    expect(await pendingRetire(gateContext(new Date(CUTOVER.getTime() + 7 * HOUR), 6 * HOUR, undefined, calls))).toBe(
      'retire pending: CloudTrail shows 2 call(s) with orders since cutover, latest kms:Decrypt by session i-0abc at 2026-11-20T11:05:00Z',
    );
    // Calls come counted (an engine sends back aggregates): the line gives the total.
    expect(
      await pendingRetire(
        gateContext(new Date(CUTOVER.getTime() + 7 * HOUR), 6 * HOUR, undefined, [{ ...calls[0]!, count: 4000 }, calls[1]!]),
      ),
    ).toBe(
      'retire pending: CloudTrail shows 4001 call(s) with orders since cutover, latest kms:Decrypt by session i-0abc at 2026-11-20T11:05:00Z',
    );
    // A source that cannot see calls leaves RoleLastUsed to decide.
    expect(await unusedGate.check(gateContext(CUTOVER, 0, undefined, undefined))).toBeUndefined();
  });

  it('(c) evidence that does not reach cutover + the delivery margin holds retirement: never "no use"', async () => {
    const later = new Date(CUTOVER.getTime() + 7 * HOUR);
    // Right after apply: a 23-second window holding no record at all. It holds until the margin has passed at least…
    const rightAfter = gateContext(new Date(CUTOVER.getTime() + 23_000), 0, undefined, [], { records: 0 });
    expect(await pendingRetire(rightAfter, [soakGate, unusedGate, evidenceGate])).toBe('retire pending until 2026-11-20T10:15:00.000Z');
    // …and after it, while the evidence still holds nothing, with the reason.
    expect(await pendingRetire({ ...rightAfter, now: new Date(CUTOVER.getTime() + HOUR) })).toBe(
      'retire pending: not enough evidence yet: 0 record(s) read from /trail, latest event none; the evidence must reach 2026-11-20T10:15:00Z (cutover + 15 min delivery margin, --delivery-lag)',
    );
    // The newest trail file predates cutover: hours later, still not enough.
    expect(await pendingRetire(gateContext(later, 6 * HOUR, undefined, [], { records: 5000, latest: '2026-11-20T09:55:00Z' }))).toMatch(
      /^retire pending: not enough evidence yet: 5000 record\(s\) read from \/trail, latest event 2026-11-20T09:55:00Z;/,
    );
    // Past cutover but inside the margin: still not enough; past it, the gate holds.
    expect(await evidenceGate.check(gateContext(later, 0, undefined, [], { records: 9, latest: '2026-11-20T10:14:59Z' }))).toHaveProperty(
      'reason',
    );
    expect(await evidenceGate.check(gateContext(later, 0, undefined, [], { records: 9, latest: '2026-11-20T10:15:00Z' }))).toBeUndefined();
    // --delivery-lag 0: evidence up to cutover itself is enough.
    const noLag = { ...gateContext(later, 0, undefined, [], { records: 1, latest: '2026-11-20T10:00:00Z' }), deliveryLagMs: 0 };
    expect(await evidenceGate.check(noLag)).toBeUndefined();
    // A source that cannot list calls: RoleLastUsed decides, after the margin.
    const blind = (now: Date): GateContext => ({ ...gateContext(now, 0), sharedRoleCalls: () => Promise.resolve(undefined) });
    expect(await evidenceGate.check(blind(new Date(CUTOVER.getTime() + 60_000)))).toEqual({ until: new Date('2026-11-20T10:15:00.000Z') });
    expect(await evidenceGate.check(blind(later))).toBeUndefined();
  });

  it('cutover is AWS’s time of the move when the journal has it, not the host’s: a host 2 h fast hides nothing', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gates-')), 'p.journal.jsonl');
    // The host clock ran 2 h fast: each line's `at` is 2 h late; awsAt is AWS's (the repoint answer's Date).
    const line = (step: string, awsAt: string) =>
      JSON.stringify({
        at: new Date(Date.parse(awsAt) + 2 * HOUR).toISOString(),
        planId: 'plan-1',
        event: 'step-done',
        step,
        data: { awsAt },
      });
    writeFileSync(path, `${line('repoint:a', '2026-11-20T09:59:00.000Z')}\n${line('repoint:b', '2026-11-20T10:00:00.000Z')}\n`);
    const cutover = cutoverTime(Journal.open(path, 'plan-1'), ['repoint:a', 'repoint:b']);
    expect(cutover?.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    // A call with the shared role one minute after the real cutover is seen.
    const oneMinuteAfter = new Date(CUTOVER.getTime() + 60_000);
    const seen = await pendingRetire({ ...gateContext(new Date(CUTOVER.getTime() + 3 * HOUR), 0, oneMinuteAfter), cutover: cutover! });
    expect(seen).toMatch(/^retire pending: orders was last used at 2026-11-20T10:01:00.000Z/);
    // A time edited into awsAt refuses like one in `at`.
    writeFileSync(
      path,
      `${JSON.stringify({ at: '2026-11-20T10:00:00.000Z', planId: 'plan-1', event: 'step-done', step: 'repoint:a', data: { awsAt: 'soon' } })}\n`,
    );
    expect(() => cutoverTime(Journal.open(path, 'plan-1'), ['repoint:a'])).toThrow(/cannot tell when step repoint:a finished/);
  });

  it('composes: every reason is listed, and a reason beats a time', async () => {
    const open: RetireGate = { name: 'follow-ups', check: () => Promise.resolve({ reason: '1 manual follow-up is open' }) };
    const line = await pendingRetire(gateContext(new Date(CUTOVER.getTime() + HOUR), 6 * HOUR), [soakGate, open]);
    expect(line).toBe('retire pending: 1 manual follow-up is open');
  });

  it('cutover is when the last repoint finished, and unknown before every repoint is done', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gates-')), 'p.journal.jsonl');
    const journal = Journal.open(path, 'plan-1');
    journal.append({ event: 'step-done', step: 'repoint:a' });
    expect(cutoverTime(journal, ['repoint:a', 'repoint:b'])).toBeUndefined();
    journal.append({ event: 'step-done', step: 'repoint:b' });
    const last = journal.entries.at(-1)?.at as string;
    expect(cutoverTime(journal, ['repoint:a', 'repoint:b'])?.toISOString()).toBe(last);
    journal.append({ event: 'step-done', step: 'verify' });
    expect(cutoverTime(journal, [])?.toISOString()).toBe(journal.entries.at(-1)?.at);
  });
});

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['6h', 6 * HOUR],
    ['30m', 30 * 60_000],
    ['2d', 48 * HOUR],
    ['45s', 45_000],
  ])('%s', (text, ms) => expect(parseDuration(text, '--soak')).toBe(ms));

  it.each(['', '6', '-1h', '1.5h', 'six hours', '6x'])('refuses %j with a usage error', (text) => {
    expect(() => parseDuration(text, '--soak')).toThrow(expect.objectContaining({ code: 'UsageError', exitCode: 2 }));
  });

  it('an empty or unparseable time on a finished repoint refuses (JournalCorrupt), never reads as "not cut over"', () => {
    // Lines from before the hash chain (no seq) are accepted as written: the way an edited `at` gets in.
    const journalWith = (ats: string[]) => {
      const path = join(mkdtempSync(join(tmpdir(), 'gates-')), 'p.journal.jsonl');
      const steps = ['repoint:a', 'repoint:b'];
      writeFileSync(path, ats.map((at, i) => `${JSON.stringify({ at, planId: 'plan-1', event: 'step-done', step: steps[i] })}\n`).join(''));
      return Journal.open(path, 'plan-1');
    };
    const ids = ['repoint:a', 'repoint:b'];
    expect(cutoverTime(journalWith(['2026-11-20T10:00:00.000Z', '2026-11-20T10:05:00.000Z']), ids)?.toISOString()).toBe(
      '2026-11-20T10:05:00.000Z',
    );
    for (const bad of ['', 'yesterday', '2026-13-45T99:00:00Z', '2026']) {
      expect(() => cutoverTime(journalWith(['2026-11-20T10:00:00.000Z', bad]), ids), JSON.stringify(bad)).toThrow(
        /JournalCorrupt|cannot tell when step repoint:b finished .*cutover time is unknown/,
      );
      try {
        cutoverTime(journalWith([bad, '2026-11-20T10:05:00.000Z']), ids);
        expect.unreachable(`${JSON.stringify(bad)} on the first repoint was accepted`);
      } catch (error) {
        expect((error as { code?: string }).code).toBe('JournalCorrupt');
      }
    }
  });
});
