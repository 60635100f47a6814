/** The Kinesis Data Firehose delivery stream kind: everything it contributes, as one registry entry. */
import { defineKind } from '../kind.js';
import { firehoseStreamAdapter } from './adapter.js';
import { firehoseStreamMove } from './schema.js';

/** Firehose delivery streams, moved by UpdateDestination with the destination's role fields alone (at once). */
export const firehoseStream = defineKind({
  schema: firehoseStreamMove,
  adapter: firehoseStreamAdapter,
  followUpKinds: ['firehose-fixed-role'],
  // Firehose gives its role sessions no stable name.
  sessionShapes: [],
  baselines: [
    {
      // https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3: S3 object writes are data
      // events, which trails rarely log, so the evidence seldom shows them.
      workload: 'firehose',
      why: 'Firehose: delivering to the S3 bucket (the S3 destination policy of the Firehose guide)',
      actions: [
        's3:AbortMultipartUpload',
        's3:GetBucketLocation',
        's3:GetObject',
        's3:ListBucket',
        's3:ListBucketMultipartUploads',
        's3:PutObject',
      ],
    },
    {
      // The same page: error logging to CloudWatch Logs, and reading a Kinesis data stream source.
      workload: 'firehose',
      why: 'Firehose: logging delivery errors to CloudWatch Logs (the Firehose guide’s policy)',
      actions: ['logs:PutLogEvents'],
    },
    {
      workload: 'firehose',
      why: 'Firehose: reading a Kinesis data stream source (the Firehose guide’s policy)',
      actions: ['kinesis:DescribeStream', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'],
    },
    {
      workload: 'firehose',
      why: 'Firehose: invoking a Lambda function that transforms records (the Firehose guide’s policy)',
      actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
    },
  ],
  errorCodes: {
    FirehoseNotActive: 'a Firehose delivery stream is not ACTIVE, and UpdateDestination takes only an active one: wait, then resume',
  },
  iamActions: {
    discover: ['firehose:ListDeliveryStreams', 'firehose:DescribeDeliveryStream'],
    apply: ['firehose:UpdateDestination'],
  },
});
