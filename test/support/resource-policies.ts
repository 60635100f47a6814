/**
 * Resource policies that name the orders role, seeded in moto: a KMS key
 * policy (Principal), a bucket policy (aws:PrincipalArn condition) and a
 * queue policy (Principal), with readers that return each policy's text.
 * Shapes follow the AWS documentation examples named beside each one.
 */
import { CreateKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { TEST_CREDENTIALS } from './aws-clients.js';

/** The seeded policies' handles and original texts. */
export interface SeededPolicies {
  keyId: string;
  bucket: string;
  queueUrl: string;
  original: { key: string; bucket: string; queue: string };
  read(): Promise<{ key: string; bucket: string; queue: string }>;
}

/** Seeds the three policies in `region`, each naming `roleArn`. */
export async function seedResourcePolicies(
  endpoint: string,
  region: string,
  account: string,
  roleArn: string,
  suffix = '',
): Promise<SeededPolicies> {
  const config = { endpoint, region, credentials: TEST_CREDENTIALS };
  const kms = new KMSClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const sqs = new SQSClient(config);
  // "Allows key users to use the KMS key": https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
  const key = JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'Allow use of the key',
        Effect: 'Allow',
        Principal: { AWS: roleArn },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      },
    ],
  });
  const bucket = `orders-data${suffix}`;
  // aws:PrincipalArn in a bucket policy: https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html
  const bucketPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyOrders',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { StringNotEquals: { 'aws:PrincipalArn': [roleArn, `arn:aws:iam::${account}:role/admin`] } },
      },
    ],
  });
  const queueName = `orders-events${suffix}`;
  const queueArn = `arn:aws:sqs:${region}:${account}:${queueName}`;
  // Queue policy granting a role SendMessage: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-examples-of-sqs-policies.html
  const queuePolicy = JSON.stringify({
    Version: '2012-10-17',
    Id: 'Queue1_Policy',
    Statement: [
      {
        Sid: 'Send',
        Effect: 'Allow',
        Principal: { AWS: [roleArn] },
        Action: ['sqs:SendMessage', 'sqs:ReceiveMessage'],
        Resource: queueArn,
      },
    ],
  });
  const keyId = (await kms.send(new CreateKeyCommand({ Policy: key }))).KeyMetadata?.KeyId as string;
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
    }),
  );
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: bucketPolicy }));
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: { Policy: queuePolicy } })))
    .QueueUrl as string;
  return {
    keyId,
    bucket,
    queueUrl,
    original: { key, bucket: bucketPolicy, queue: queuePolicy },
    read: async () => ({
      key: (await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy ?? '',
      bucket: (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '',
      queue: (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['Policy'] }))).Attributes?.Policy ?? '',
    }),
  };
}
