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
