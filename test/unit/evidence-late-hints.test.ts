/**
 * Plan reads the regions while the evidence is read: the workloads' names
 * (the session hints) arrive as a promise, and a record-reading source reads
 * every record before it waits for them, then uses them to tie sessions to
 * services. Nothing here reaches AWS.
 */
import { describe, expect, it } from 'vitest';
import { openAwsSession } from '../../src/aws/session.js';
import { attributeRecords } from '../../src/evidence/source.js';
import type { CloudTrailRecord, SessionHints } from '../../src/evidence/types.js';
import { RecordingIoHost } from '../support/recording-io-host.js';

const ROLE = { arn: 'arn:aws:iam::123456789012:role/app', name: 'app' };
const SERVICES = ['lambda.amazonaws.com', 'ec2.amazonaws.com'];

/** A call of the role's session named after a Lambda function (no AssumeRole in the window to say who opened it). */
function call(n: number): CloudTrailRecord {
  return {
    eventTime: '2026-11-01T10:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/app/orders-fn', accessKeyId: `ASIA${n}` },
  };
}

describe('session hints that arrive while the records are read', () => {
  it('reads every record first, then ties the sessions with the hints that came', async () => {
    let resolveHints: (hints: SessionHints) => void = () => undefined;
    const hints = new Promise<SessionHints>((resolve) => (resolveHints = resolve));
    let read = 0;
    async function* records(): AsyncIterable<CloudTrailRecord> {
      for (let n = 0; n < 3; n++) {
        read += 1;
        yield call(n);
      }
      // The sweep finishes only after the last record: the source must not have waited for it before.
      resolveHints({ names: { lambda: new Set(['orders-fn']) }, shapes: [] });
    }
    const session = await openAwsSession({ region: 'us-east-1' }, { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' });
    const window = { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-11-02T00:00:00Z') };
    const evidence = await attributeRecords(
      {
        session,
        io: new RecordingIoHost(),
        subject: { role: ROLE, services: SERVICES, hints },
        request: { source: 'logs', config: {}, window },
        warnings: [],
      },
      records(),
    );
    session.destroy();
    expect(read).toBe(3);
    expect(evidence.byService.get('lambda.amazonaws.com')).toMatchObject({ events: 3, sessions: 3 });
    expect(evidence.unattributed.events).toBe(0);
  });
});
