/** S3 bucket policies. Buckets are listed once for the account and kept when they live in one of the regions. */
import { partitionOf } from '../../core/regions.js';
import { readPolicy, type PolicyKindAdapter, type PolicyResource } from './types.js';
import { loadSdk } from '../../aws/sdk-modules.js';

/** S3 buckets of the regions. */
export const s3Buckets: PolicyKindAdapter = {
  kind: 's3-bucket',
  service: 'S3',
  // "Bucket policies are limited to 20 KB in size."
  sizeLimit: { max: 20_480, unit: 'bytes', source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html' },
  async list(session, regions) {
    const { ListBucketsCommand, GetBucketLocationCommand } = await loadSdk('client-s3');
    const client = await (await session.inRegion(regions[0] ?? session.region)).s3();
    const found: PolicyResource[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListBucketsCommand({ ContinuationToken: token }));
      for (const bucket of page.Buckets ?? []) {
        if (!bucket.Name) continue;
        const name = bucket.Name;
        // An empty LocationConstraint is us-east-1 (S3's oldest convention).
        const region =
          bucket.BucketRegion ?? ((await client.send(new GetBucketLocationCommand({ Bucket: name }))).LocationConstraint || 'us-east-1');
        if (regions.includes(region))
          found.push({ kind: 's3-bucket', region, id: name, arn: `arn:${partitionOf(session.region)}:s3:::${name}` });
      }
      token = page.ContinuationToken;
    } while (token);
    return found;
  },
  async read(session, resource) {
    const { GetBucketPolicyCommand } = await loadSdk('client-s3');
    const client = await (await session.inRegion(resource.region)).s3();
    return readPolicy(
      'NoSuchBucketPolicy',
      async () => (await client.send(new GetBucketPolicyCommand({ Bucket: resource.id }))).Policy ?? undefined,
    );
  },
  async write(session, resource, desired) {
    const { PutBucketPolicyCommand } = await loadSdk('client-s3');
    const client = await (await session.inRegion(resource.region)).s3();
    await client.send(new PutBucketPolicyCommand({ Bucket: resource.id, Policy: desired }));
  },
  names: (resource) => [resource.arn, resource.id],
};
