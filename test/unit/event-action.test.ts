import { describe, expect, it } from 'vitest';
import { eventSourcePrefix, eventToAction, eventToActions } from '../../src/evidence/event-action.js';

describe('eventToAction', () => {
  const cases: Array<[source: string, name: string, expected: string | undefined, why: string]> = [
    // The rule: first label of the host, event name unchanged.
    ['ec2.amazonaws.com', 'DescribeInstances', 'ec2:DescribeInstances', 'default rule'],
    ['ssm.amazonaws.com', 'GetParameter', 'ssm:GetParameter', 'default rule'],
    ['logs.amazonaws.com', 'CreateLogStream', 'logs:CreateLogStream', 'CloudWatch Logs keeps its own prefix'],
    ['logs.amazonaws.com', 'FilterLogEvents', 'logs:FilterLogEvents', 'CloudWatch Logs read'],
    ['secretsmanager.amazonaws.com', 'GetSecretValue', 'secretsmanager:GetSecretValue', 'default rule'],
    ['dynamodb.amazonaws.com', 'GetItem', 'dynamodb:GetItem', 'DynamoDB data event'],
    ['execute-api.amazonaws.com', 'Invoke', 'execute-api:Invoke', 'API Gateway invoke keeps its hyphenated prefix'],
    ['execute-api.amazonaws.com', 'ManageConnections', 'execute-api:ManageConnections', 'WebSocket callbacks'],
    ['elasticloadbalancing.amazonaws.com', 'DescribeTargetHealth', 'elasticloadbalancing:DescribeTargetHealth', 'long prefix'],
    ['ecr.amazonaws.com', 'GetAuthorizationToken', 'ecr:GetAuthorizationToken', 'ECR'],
    ['sts.amazonaws.com', 'AssumeRole', 'sts:AssumeRole', 'role chaining is an action the role needs'],
    ['sts.amazonaws.com', 'GetCallerIdentity', undefined, 'GetCallerIdentity needs no permission'],
    ['sts.amazonaws.com', 'GetSessionToken', 'sts:GetSessionToken', 'other sts calls map by rule'],
    // Prefixes that are not the host's first label.
    ['monitoring.amazonaws.com', 'PutMetricData', 'cloudwatch:PutMetricData', 'CloudWatch metrics are "monitoring"'],
    ['monitoring.amazonaws.com', 'GetMetricData', 'cloudwatch:GetMetricData', 'CloudWatch metrics are "monitoring"'],
    ['streams.dynamodb.amazonaws.com', 'GetRecords', 'dynamodb:GetRecords', 'DynamoDB streams'],
    ['tagging.amazonaws.com', 'GetResources', 'tag:GetResources', 'Resource Groups Tagging'],
    ['appstream2.amazonaws.com', 'DescribeFleets', 'appstream:DescribeFleets', 'AppStream 2.0'],
    ['runtime.lex.amazonaws.com', 'PostText', 'lex:PostText', 'Lex runtime'],
    ['models.lex.amazonaws.com', 'GetBot', 'lex:GetBot', 'Lex models'],
    ['runtime.sagemaker.amazonaws.com', 'InvokeEndpoint', 'sagemaker:InvokeEndpoint', 'SageMaker runtime'],
    ['mturk-requester.amazonaws.com', 'ListHITs', 'mechanicalturk:ListHITs', 'Mechanical Turk'],
    // Lambda: versioned event names, and the data event.
    ['lambda.amazonaws.com', 'GetFunction20150331v2', 'lambda:GetFunction', 'versioned name, v2'],
    ['lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', 'lambda:UpdateFunctionConfiguration', 'versioned name, v2'],
    ['lambda.amazonaws.com', 'ListFunctions20150331', 'lambda:ListFunctions', 'versioned name, no v'],
    ['lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', 'lambda:UpdateFunctionCode', 'versioned name'],
    ['lambda.amazonaws.com', 'ListTags20170331', 'lambda:ListTags', 'another API date'],
    ['lambda.amazonaws.com', 'PublishLayerVersion20181031', 'lambda:PublishLayerVersion', 'layers API date'],
    ['lambda.amazonaws.com', 'GetFunctionUrlConfig', 'lambda:GetFunctionUrlConfig', 'unversioned name stays'],
    ['lambda.amazonaws.com', 'Invoke', 'lambda:InvokeFunction', 'the data event is Invoke'],
    ['lambda.amazonaws.com', 'InvokeWithResponseStream', 'lambda:InvokeFunction', 'streaming invoke'],
    ['cloudfront.amazonaws.com', 'GetDistribution2020_05_31', 'cloudfront:GetDistribution', 'CloudFront versioned names'],
    ['cloudfront.amazonaws.com', 'CreateInvalidation2019_03_26', 'cloudfront:CreateInvalidation', 'CloudFront versioned names'],
    // S3 data and bucket events.
    ['s3.amazonaws.com', 'GetObject', 's3:GetObject', 'GetObject stays'],
    ['s3.amazonaws.com', 'PutObject', 's3:PutObject', 'PutObject stays'],
    ['s3.amazonaws.com', 'HeadObject', 's3:GetObject', 'HEAD needs GetObject'],
    ['s3.amazonaws.com', 'ListObjects', 's3:ListBucket', 'listing is ListBucket'],
    ['s3.amazonaws.com', 'ListObjectsV2', 's3:ListBucket', 'V2 listing is ListBucket'],
    ['s3.amazonaws.com', 'HeadBucket', 's3:ListBucket', 'HEAD bucket needs ListBucket'],
    ['s3.amazonaws.com', 'ListObjectVersions', 's3:ListBucketVersions', 'versions listing'],
    ['s3.amazonaws.com', 'ListBuckets', 's3:ListAllMyBuckets', 'account-level listing'],
    ['s3.amazonaws.com', 'DeleteObjects', 's3:DeleteObject', 'batch delete'],
    ['s3.amazonaws.com', 'CreateMultipartUpload', 's3:PutObject', 'multipart start'],
    ['s3.amazonaws.com', 'UploadPart', 's3:PutObject', 'multipart part'],
    ['s3.amazonaws.com', 'CompleteMultipartUpload', 's3:PutObject', 'multipart end'],
    ['s3.amazonaws.com', 'AbortMultipartUpload', 's3:AbortMultipartUpload', 'abort is its own action'],
    ['s3.amazonaws.com', 'ListMultipartUploads', 's3:ListBucketMultipartUploads', 'multipart listing'],
    ['s3.amazonaws.com', 'ListParts', 's3:ListMultipartUploadParts', 'parts listing'],
    ['s3.amazonaws.com', 'SelectObjectContent', 's3:GetObject', 'S3 Select reads the object'],
    ['s3.amazonaws.com', 'GetBucketCors', 's3:GetBucketCORS', 'CORS spelling'],
    ['s3.amazonaws.com', 'DeleteBucketCors', 's3:PutBucketCORS', 'deleting CORS is a put'],
    ['s3.amazonaws.com', 'GetBucketLifecycleConfiguration', 's3:GetLifecycleConfiguration', 'lifecycle read'],
    ['s3.amazonaws.com', 'DeleteBucketLifecycle', 's3:PutLifecycleConfiguration', 'deleting lifecycle is a put'],
    ['s3.amazonaws.com', 'GetBucketEncryption', 's3:GetEncryptionConfiguration', 'encryption read'],
    ['s3.amazonaws.com', 'PutBucketReplication', 's3:PutReplicationConfiguration', 'replication write'],
    ['s3.amazonaws.com', 'DeleteBucketTagging', 's3:PutBucketTagging', 'deleting tags is a put'],
    ['s3.amazonaws.com', 'GetBucketNotificationConfiguration', 's3:GetBucketNotification', 'notification read'],
    ['s3.amazonaws.com', 'GetObjectLockConfiguration', 's3:GetBucketObjectLockConfiguration', 'object lock is bucket-level'],
    ['s3.amazonaws.com', 'GetBucketLocation', 's3:GetBucketLocation', 'unchanged bucket read'],
    // Batch APIs and others.
    ['sqs.amazonaws.com', 'SendMessageBatch', 'sqs:SendMessage', 'batch send'],
    ['sqs.amazonaws.com', 'DeleteMessageBatch', 'sqs:DeleteMessage', 'batch delete'],
    ['sns.amazonaws.com', 'PublishBatch', 'sns:Publish', 'batch publish'],
    ['kms.amazonaws.com', 'Decrypt', 'kms:Decrypt', 'KMS by rule'],
    ['kms.amazonaws.com', 'ReEncrypt', 'kms:ReEncryptFrom', 'first of the two re-encrypt actions'],
    ['apigateway.amazonaws.com', 'GetRestApis', 'apigateway:GET', 'API Gateway management is by verb'],
    ['apigateway.amazonaws.com', 'CreateDeployment', 'apigateway:POST', 'create is POST'],
    ['apigateway.amazonaws.com', 'UpdateStage', 'apigateway:PATCH', 'update is PATCH'],
    ['apigateway.amazonaws.com', 'DeleteRestApi', 'apigateway:DELETE', 'delete is DELETE'],
    ['apigateway.amazonaws.com', 'PutIntegration', 'apigateway:PUT', 'put is PUT'],
    // Nothing to grant.
    ['signin.amazonaws.com', 'ConsoleLogin', undefined, 'console sign-in is not an IAM action'],
    ['', 'Anything', undefined, 'no source'],
    ['s3.amazonaws.com', '', undefined, 'no name'],
    ['s3.amazonaws.com', 'constructor', 's3:constructor', 'inherited object keys are not table entries'],
  ];

  it.each(cases)('%s %s → %s (%s)', (source, name, expected) => {
    expect(eventToAction(source, name)).toBe(expected);
  });
});

describe('eventToActions', () => {
  it('lists every action an event needs', () => {
    expect(eventToActions('s3.amazonaws.com', 'CopyObject')).toEqual(['s3:PutObject', 's3:GetObject']);
    expect(eventToActions('s3.amazonaws.com', 'UploadPartCopy')).toEqual(['s3:PutObject', 's3:GetObject']);
    expect(eventToActions('kms.amazonaws.com', 'ReEncrypt')).toEqual(['kms:ReEncryptFrom', 'kms:ReEncryptTo']);
  });

  it('is empty for events that need no permission', () => {
    expect(eventToActions('sts.amazonaws.com', 'GetCallerIdentity')).toEqual([]);
  });

  it('returns the same frozen array for repeated lookups', () => {
    const first = eventToActions('ec2.amazonaws.com', 'DescribeTags');
    expect(eventToActions('ec2.amazonaws.com', 'DescribeTags')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});

describe('eventSourcePrefix', () => {
  it('is case-insensitive and handles partition suffixes', () => {
    expect(eventSourcePrefix('MONITORING.amazonaws.com')).toBe('cloudwatch');
    expect(eventSourcePrefix('s3.amazonaws.com.cn')).toBe('s3');
    expect(eventSourcePrefix('custom')).toBe('custom');
  });
});
