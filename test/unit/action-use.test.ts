/**
 * Summing action uses (evidence/action-use.ts): the same calls give the same
 * use whatever their order or grouping — per call (the Attributor) or per
 * aggregate row (Athena, Lake) — and the resource and error lists stay bounded.
 */
import { describe, expect, it } from 'vitest';
import { addCall, addUse, callUse, MAX_DETAIL } from '../../src/evidence/action-use.js';
import type { ActionUse } from '../../src/evidence/types.js';

const sum = (uses: ActionUse[]) => {
  const actions = new Map<string, ActionUse>();
  for (const use of uses) addUse(actions, 's3:GetObject', use);
  return actions.get('s3:GetObject');
};

describe('callUse', () => {
  it('takes the last listed resource (an S3 object’s bucket), the error code, and the time as first and last seen', () => {
    const use = callUse({
      eventTime: '2024-03-05T10:00:00Z',
      errorCode: 'NoSuchKey',
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::b/k' },
        { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::b' },
      ],
    });
    expect(use).toEqual({
      count: 1,
      firstSeen: '2024-03-05T10:00:00Z',
      lastSeen: '2024-03-05T10:00:00Z',
      resources: ['arn:aws:s3:::b'],
      errorCodes: ['NoSuchKey'],
    });
  });

  it('names nothing for no resources, a last resource without an ARN, an empty error code, or a resources value that is not a list', () => {
    const bare = { count: 1, firstSeen: 't', lastSeen: 't' };
    expect(callUse({ eventTime: 't' })).toEqual(bare);
    expect(callUse({ eventTime: 't', errorCode: '', resources: [{ ARN: 'arn:aws:s3:::b' }, { type: 'AWS::S3::Object' }] })).toEqual(bare);
    expect(callUse({ eventTime: 't', resources: 'arn:aws:s3:::b' as unknown as [] })).toEqual(bare);
  });
});

describe('addUse', () => {
  const calls = Array.from({ length: 40 }, (_, i) =>
    callUse({
      eventTime: `2024-03-05T10:${String(i).padStart(2, '0')}:00Z`,
      resources: [{ ARN: `arn:aws:s3:::bucket-${String(i % 30).padStart(2, '0')}` }],
      ...(i % 7 === 0 ? { errorCode: `Error${i % 3}` } : {}),
    }),
  );

  it('sums counts, widens first and last seen, and lists distinct resources and error codes, sorted', () => {
    expect(sum(calls.slice(0, 3))).toEqual({
      count: 3,
      firstSeen: '2024-03-05T10:00:00Z',
      lastSeen: '2024-03-05T10:02:00Z',
      resources: ['arn:aws:s3:::bucket-00', 'arn:aws:s3:::bucket-01', 'arn:aws:s3:::bucket-02'],
      errorCodes: ['Error0'],
    });
  });

  it('keeps the smallest MAX_DETAIL resources and says there were more, whatever the order or grouping of the calls', () => {
    const oneByOne = sum(calls);
    expect(oneByOne?.count).toBe(40);
    expect(oneByOne?.resources).toHaveLength(MAX_DETAIL);
    expect(oneByOne?.resources?.[0]).toBe('arn:aws:s3:::bucket-00');
    expect(oneByOne?.moreDetail).toBe(true);
    expect(sum([...calls].reverse())).toEqual(oneByOne);
    // As an engine returns them: partial sums, each already capped.
    const halves = [sum(calls.filter((_, i) => i % 2 === 0))!, sum(calls.filter((_, i) => i % 2 === 1))!];
    expect(sum(halves)).toEqual(oneByOne);
  });

  it('never shares its lists with the uses it was given', () => {
    const use = callUse({ eventTime: 't', resources: [{ ARN: 'arn:aws:s3:::a' }] });
    const actions = new Map<string, ActionUse>();
    addUse(actions, 'x:A', use);
    addUse(actions, 'x:A', callUse({ eventTime: 'u', resources: [{ ARN: 'arn:aws:s3:::b' }] }));
    expect(use.resources).toEqual(['arn:aws:s3:::a']);
  });
});

describe('addCall', () => {
  it('sums a call exactly as addUse of its callUse does: times, resources past the cap, error codes, odd times', () => {
    const calls = Array.from({ length: 200 }, (_, i) => ({
      eventTime: i % 37 === 5 ? (undefined as unknown as string) : `2024-03-${String(1 + ((i * 7) % 28)).padStart(2, '0')}T10:00:00Z`,
      ...(i % 3 === 0 ? {} : { resources: [{ type: 'AWS::S3::Bucket', ARN: i % 11 === 0 ? '' : `arn:aws:s3:::b${(i * 13) % 40}` }] }),
      ...(i % 5 === 0 ? { errorCode: i % 10 === 0 ? '' : `E${i % 4}` } : {}),
    }));
    const byUse = new Map<string, ActionUse>();
    const byCall = new Map<string, ActionUse>();
    for (const call of calls) {
      addUse(byUse, 's3:ListBucket', callUse(call));
      addCall(byCall, 's3:ListBucket', call);
    }
    expect(byCall).toEqual(byUse);
    expect(byCall.get('s3:ListBucket')?.moreDetail).toBe(true);
  });
});
