/**
 * The resources a CloudTrail record names: its `resources` list and the
 * request parameters that identify a key, bucket, queue, topic, secret,
 * repository or function. Used to tell which service touched which resource
 * policy's resource. The engine sources (usage-sql.ts) apply the same rules.
 */
import type { CloudTrailRecord } from './types.js';

/** Request parameters whose value names a resource a resource policy can sit on. */
export const RESOURCE_PARAMETERS = [
  'keyId',
  'bucketName',
  'queueUrl',
  'topicArn',
  'targetArn',
  'secretId',
  'repositoryName',
  'functionName',
] as const;

/**
 * S3 object ARNs (`arn:PARTITION:s3:::BUCKET/KEY`, as SQL's LIKE
 * 'arn:%:s3:::%/%'): no resource policy sits on an object, and a busy role
 * touches millions of them, so they are not kept.
 */
const S3_OBJECT_ARN = /^arn:.*:s3:::.*\//s;

/** Whether a name is kept: non-empty, and not an S3 object's ARN. */
function isPolicyResourceName(name: string): boolean {
  return name !== '' && !S3_OBJECT_ARN.test(name);
}

/** Every resource name (ARN, name, id or URL) the record carries that a resource policy could be on. */
export function resourcesOf(record: CloudTrailRecord): string[] {
  const names: string[] = [];
  for (const resource of record.resources ?? []) if (typeof resource?.ARN === 'string') names.push(resource.ARN);
  const params = record.requestParameters;
  if (params) for (const key of RESOURCE_PARAMETERS) if (typeof params[key] === 'string') names.push(params[key]);
  return names.filter(isPolicyResourceName);
}
