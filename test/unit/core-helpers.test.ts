import { describe, expect, it } from 'vitest';
import { percent } from '../../src/core/percent.js';
import { REGION_NAME } from '../../src/core/regions.js';
import { exponentialMs, poll, retry } from '../../src/core/timing.js';

/** A sleep that only records what it was asked to wait. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

describe('poll', () => {
  it('returns the first defined answer, sleeping the interval between checks', async () => {
    const { sleep, waits } = recordingSleep();
    let calls = 0;
    const answer = await poll(
      async () => (++calls === 3 ? 'done' : undefined),
      { intervalMs: 7, deadline: Date.now() + 60_000, sleep },
      () => {
        throw new Error('no timeout expected');
      },
    );
    expect(answer).toBe('done');
    expect(calls).toBe(3);
    expect(waits).toEqual([7, 7]);
  });

  it('checks once more at the last moment, then times out through onTimeout', async () => {
    const { sleep } = recordingSleep();
    let calls = 0;
    const outcome = poll(
      async () => void calls++,
      { intervalMs: 10_000, deadline: Date.now() + 5_000, sleep },
      () => {
        throw new Error(`gave up after ${calls}`);
      },
    );
    await expect(outcome).rejects.toThrow('gave up after 1');
  });

  it('passes a failing check straight through', async () => {
    await expect(
      poll(
        async () => Promise.reject(new Error('boom')),
        { intervalMs: 1, deadline: Date.now() + 1_000 },
        () => {
          throw new Error('not this');
        },
      ),
    ).rejects.toThrow('boom');
  });
});

describe('retry', () => {
  it('retries with the waits backOff chooses, then succeeds', async () => {
    const { sleep, waits } = recordingSleep();
    const rounds: number[] = [];
    const result = await retry(
      async (round) => {
        rounds.push(round);
        if (round < 2) throw new Error(`try ${round}`);
        return 'ok';
      },
      (_error, round) => 100 * (round + 1),
      sleep,
    );
    expect(result).toBe('ok');
    expect(rounds).toEqual([0, 1, 2]);
    expect(waits).toEqual([100, 200]);
  });

  it('stops at the error backOff throws', async () => {
    const { sleep, waits } = recordingSleep();
    const outcome = retry(
      async (round) => {
        throw new Error(`try ${round}`);
      },
      (error, round) => {
        if (round >= 1) throw error;
        return 5;
      },
      sleep,
    );
    await expect(outcome).rejects.toThrow('try 1');
    expect(waits).toEqual([5]);
  });

  it('doubles up to a ceiling', () => {
    expect([0, 1, 2, 3, 4].map((round) => exponentialMs(round, 1_000, 5_000))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });
});

describe('REGION_NAME', () => {
  it.each([
    'us-east-1',
    'eu-central-2',
    'ap-southeast-4',
    'cn-north-1',
    'us-gov-west-1',
    'us-iso-east-1',
    'us-isob-east-1',
    'eu-isoe-west-1',
    'us-isof-south-1',
  ])('knows %s', (region) => expect(REGION_NAME.test(region)).toBe(true));
  it.each(['', 'us-east', 'useast-1', 'US-EAST-1', 'us-east-1a', '2026', 'aws-global'])('refuses %j', (text) =>
    expect(REGION_NAME.test(text)).toBe(false),
  );
});

describe('percent', () => {
  it.each([
    [0, 0, 100],
    [1, 3, 33.3],
    [2, 3, 66.6],
    [999, 1000, 99.9],
    [3, 3, 100],
  ])('%i of %i is %d', (part, whole, expected) => expect(percent(part, whole)).toBe(expected));
});
