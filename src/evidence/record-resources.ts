/**
 * The resources a CloudTrail record names: its `resources` list and the
 * request parameters that identify a key, bucket, queue, topic, secret,
 * repository or function. Used to tell which service touched which resource
 * policy's resource.
 */
import type { CloudTrailRecord } from './types.js';

const RESOURCE_PARAMETERS = ['keyId', 'bucketName', 'queueUrl', 'topicArn', 'targetArn', 'secretId', 'repositoryName', 'functionName'];

/** Every resource name (ARN, name, id or URL) the record carries. */
export function resourcesOf(record: CloudTrailRecord): string[] {
  const names: string[] = [];
  for (const resource of record.resources ?? []) if (typeof resource?.ARN === 'string') names.push(resource.ARN);
  const params = record.requestParameters;
  if (params) for (const key of RESOURCE_PARAMETERS) if (typeof params[key] === 'string') names.push(params[key] as string);
  return names;
}
