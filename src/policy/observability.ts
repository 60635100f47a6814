/**
 * Blind spots: actions the shared role grants that the chosen evidence could
 * never show as used. Pure. Narrowing drops every action nobody was seen
 * using, so these must be listed for review rather than silently lost.
 */
import { statementCoversAction } from './actions.js';
import { parsePolicy } from './document.js';
import type { PolicySource } from './types.js';

/** Why an action cannot be seen: never recorded by CloudTrail, or recorded only as an opt-in data event. */
export type BlindSpotKind = 'not-logged' | 'data-event';

/** One row of the blind-spot table. */
export interface BlindSpot {
  action: string;
  kind: BlindSpotKind;
  /** For data events: the CloudTrail eventSource whose data events would show the action. */
  eventSource?: string;
  /** What the action is, in a few words, for the reason line. */
  what: string;
}

/** An action the shared role grants that the evidence cannot show, with the reason. */
export interface UnobservableGrant {
  action: string;
  reason: string;
}

function rows(kind: BlindSpotKind, what: string, actions: string[], eventSource?: string): BlindSpot[] {
  return actions.map((action) => (eventSource ? { action, kind, eventSource, what } : { action, kind, what }));
}

/**
 * The single table of blind spots. Not exhaustive: it holds the actions that
 * service roles commonly need. Uncertain cases are filed as data events on
 * purpose: a data-event row is only dropped when the trail's own files prove
 * that service's data events are recorded, so a wrong guess still errs
 * towards listing the action for review.
 */
export const BLIND_SPOTS: readonly BlindSpot[] = [
  ...rows('not-logged', 'a permission checked when the role is handed to a service, not an API call', ['iam:PassRole']),
  ...rows('not-logged', 'CloudWatch Logs log-event reads and writes are not recorded by CloudTrail', [
    'logs:PutLogEvents',
    'logs:GetLogEvents',
    'logs:FilterLogEvents',
  ]),
  ...rows('not-logged', 'CloudWatch metric data calls are not recorded as management events', [
    'cloudwatch:PutMetricData',
    'cloudwatch:GetMetricData',
    'cloudwatch:GetMetricStatistics',
    'cloudwatch:ListMetrics',
  ]),
  ...rows('not-logged', 'X-Ray trace and sampling calls are not recorded by CloudTrail', [
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'xray:GetSamplingRules',
    'xray:GetSamplingTargets',
    'xray:GetSamplingStatisticSummaries',
  ]),
  ...rows('not-logged', 'API Gateway invocations are not CloudTrail events (CloudTrail records only the management API)', [
    'execute-api:Invoke',
    'execute-api:ManageConnections',
  ]),
  ...rows('not-logged', 'RDS IAM database authentication happens at connect time, outside CloudTrail', ['rds-db:connect']),
  ...rows('not-logged', 'OpenSearch HTTP (data plane) requests are not recorded by CloudTrail', [
    'es:ESHttpGet',
    'es:ESHttpHead',
    'es:ESHttpPost',
    'es:ESHttpPut',
    'es:ESHttpPatch',
    'es:ESHttpDelete',
  ]),
  ...rows('not-logged', 'a permission checked inside other S3 object calls, never an event of its own', ['s3:BypassGovernanceRetention']),
  ...rows(
    'data-event',
    'S3 object-level and object-listing calls',
    [
      's3:GetObject',
      's3:GetObjectVersion',
      's3:GetObjectAcl',
      's3:GetObjectVersionAcl',
      's3:GetObjectTagging',
      's3:GetObjectVersionTagging',
      's3:GetObjectAttributes',
      's3:GetObjectVersionAttributes',
      's3:GetObjectRetention',
      's3:GetObjectLegalHold',
      's3:GetObjectTorrent',
      's3:GetObjectVersionTorrent',
      's3:PutObject',
      's3:PutObjectAcl',
      's3:PutObjectVersionAcl',
      's3:PutObjectTagging',
      's3:PutObjectVersionTagging',
      's3:PutObjectRetention',
      's3:PutObjectLegalHold',
      's3:DeleteObject',
      's3:DeleteObjectVersion',
      's3:DeleteObjectTagging',
      's3:DeleteObjectVersionTagging',
      's3:RestoreObject',
      's3:AbortMultipartUpload',
      's3:ListMultipartUploadParts',
      's3:ListBucket',
      's3:ListBucketVersions',
      's3:ListBucketMultipartUploads',
    ],
    's3.amazonaws.com',
  ),
  ...rows(
    'data-event',
    'DynamoDB item-level and stream-record calls',
    [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:PartiQLSelect',
      'dynamodb:PartiQLInsert',
      'dynamodb:PartiQLUpdate',
      'dynamodb:PartiQLDelete',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
    ],
    'dynamodb.amazonaws.com',
  ),
  ...rows('data-event', 'Lambda function invocations', ['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl'], 'lambda.amazonaws.com'),
  ...rows('data-event', 'SNS message publishing', ['sns:Publish'], 'sns.amazonaws.com'),
  ...rows(
    'data-event',
    'SQS message calls',
    ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
    'sqs.amazonaws.com',
  ),
  ...rows(
    'data-event',
    'Kinesis Data Streams record calls',
    ['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:SubscribeToShard'],
    'kinesis.amazonaws.com',
  ),
  ...rows('data-event', 'Firehose record ingestion', ['firehose:PutRecord', 'firehose:PutRecordBatch'], 'firehose.amazonaws.com'),
  ...rows(
    'data-event',
    'EBS direct API snapshot-block calls',
    ['ebs:GetSnapshotBlock', 'ebs:PutSnapshotBlock', 'ebs:ListSnapshotBlocks', 'ebs:ListChangedBlocks'],
    'ebs.amazonaws.com',
  ),
];

/** What an evidence source can show of data events: the part of its visibility the blind-spot table depends on. */
export interface DataEventVisibility {
  /** Data events, when the trail records them. */
  dataEvents: boolean;
  /** Why data events are never seen (set when `dataEvents` is false). */
  dataEventsBlindReason?: string;
}

/**
 * Lists the table's actions that an Allow statement of the shared policies
 * grants (directly, by wildcard or through NotAction) and that the evidence
 * cannot show. Data-event actions are left out only when the source sees data
 * events, and only for services in `dataEventSourcesSeen` (eventSource
 * hostnames that appeared with eventCategory "Data" in what it read).
 */
export function unobservableGrants(
  sources: PolicySource[],
  visibility: DataEventVisibility,
  dataEventSourcesSeen: ReadonlySet<string>,
): UnobservableGrant[] {
  const allows = sources.flatMap((source) => parsePolicy(source.document).statements.filter((s) => s.effect === 'Allow'));
  const seen = new Set([...dataEventSourcesSeen].map((host) => host.toLowerCase()));
  const out: UnobservableGrant[] = [];
  for (const spot of BLIND_SPOTS) {
    if (!allows.some((statement) => statementCoversAction(statement, spot.action))) continue;
    const reason = reasonFor(spot, visibility, seen);
    if (reason !== undefined) out.push({ action: spot.action, reason });
  }
  return out.sort((a, b) => (a.action < b.action ? -1 : a.action > b.action ? 1 : 0));
}

/** The reason line, or undefined when the evidence can in fact see the action. */
function reasonFor(spot: BlindSpot, visibility: DataEventVisibility, seen: ReadonlySet<string>): string | undefined {
  if (spot.kind === 'not-logged') return `never logged: ${spot.what}`;
  const source = spot.eventSource ?? 'unknown';
  if (!visibility.dataEvents)
    return `data event (${spot.what}, ${source}): ${visibility.dataEventsBlindReason ?? 'the evidence source does not see data events'}`;
  if (seen.has(source)) return undefined;
  return `data event (${spot.what}, ${source}): the trail's log files held no ${source} data events in the window; the trail may not record them`;
}
