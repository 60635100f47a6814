/** Pieces of CloudTrail records for tests. */
import type { CloudTrailRecord } from '../../src/evidence/types.js';

/** The userIdentity of a call made with a session of `role` (its issuer and session ARN, as CloudTrail writes them). */
export function sessionIdentity(
  role: { arn: string; name: string },
  session: string,
  accessKeyId: string,
): NonNullable<CloudTrailRecord['userIdentity']> {
  const account = role.arn.split(':')[4];
  return {
    type: 'AssumedRole',
    arn: `arn:aws:sts::${account}:assumed-role/${role.name}/${session}`,
    accessKeyId,
    sessionContext: { sessionIssuer: { type: 'Role', arn: role.arn, userName: role.name } },
  };
}

/** One service's session of a shared role: the service that assumed it, the session name, and the calls made with it. */
export interface ServiceSession {
  principal: string;
  name: string;
  calls: ReadonlyArray<readonly [eventSource: string, eventName: string]>;
}

/**
 * A trail of one role shared by services: for the i-th session, the service's AssumeRole 60 + i minutes ago (with
 * an access key of its own) and its calls 50 + i minutes ago, sorted by time. It is what a plan narrows each new
 * role to.
 */
export function serviceSessionRecords(role: { arn: string; name: string }, sessions: readonly ServiceSession[]): CloudTrailRecord[] {
  const at = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
  return sessions
    .flatMap(({ principal, name, calls }, index) => {
      const n = index + 1;
      const accessKeyId = `ASIA${String(n).padStart(16, '0')}`;
      return [
        {
          eventTime: at(60 + n),
          eventSource: 'sts.amazonaws.com',
          eventName: 'AssumeRole',
          userIdentity: { type: 'AWSService', invokedBy: principal },
          requestParameters: { roleArn: role.arn, roleSessionName: name },
          responseElements: { credentials: { accessKeyId, sessionToken: 'x', expiration: at(0) } },
        },
        ...calls.map(([eventSource, eventName]) => ({
          eventTime: at(50 + n),
          eventSource,
          eventName,
          userIdentity: sessionIdentity(role, name, accessKeyId),
        })),
      ];
    })
    .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
}
