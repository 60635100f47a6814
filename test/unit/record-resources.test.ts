/**
 * The resource names a record carries for resource-policy attribution
 * (evidence/record-resources.ts): every `resources` ARN and the request
 * parameters that name a policy's resource, but no S3 object ARNs (no policy
 * sits on an object) and no empty names. usage-sql.ts applies the same rules.
 */
import { describe, expect, it } from 'vitest';
import { resourcesOf } from '../../src/evidence/record-resources.js';
import type { CloudTrailRecord } from '../../src/evidence/types.js';

const record = (fields: Partial<CloudTrailRecord>): CloudTrailRecord => ({
  eventTime: 't',
  eventSource: 's3.amazonaws.com',
  eventName: 'GetObject',
  ...fields,
});

describe('resourcesOf', () => {
  it('keeps a bucket, drops its objects (in any partition), and reads the bucket from the request', () => {
    const names = resourcesOf(
      record({
        resources: [
          { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::orders/2024/a.json' },
          { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::orders' },
          { type: 'AWS::S3::Object', ARN: 'arn:aws-cn:s3:::orders-cn/k' },
        ],
        requestParameters: { bucketName: 'orders', key: '2024/a.json' },
      }),
    );
    expect(names).toEqual(['arn:aws:s3:::orders', 'orders']);
  });

  it('keeps access points and other services’ ARNs with slashes; drops empty names and non-text values', () => {
    const names = resourcesOf(
      record({
        resources: [{ ARN: 'arn:aws:s3:us-east-1:123456789012:accesspoint/ap' }, { ARN: '' }, { type: 'AWS::S3::Object' }],
        requestParameters: { keyId: 'arn:aws:kms:us-east-1:123456789012:key/1234', functionName: 7, queueUrl: '' },
      }),
    );
    expect(names).toEqual(['arn:aws:s3:us-east-1:123456789012:accesspoint/ap', 'arn:aws:kms:us-east-1:123456789012:key/1234']);
  });
});
