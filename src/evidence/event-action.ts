/**
 * CloudTrail event → IAM action. Most events map by rule: the service prefix
 * is the first label of `eventSource` and the action is `eventName`. The
 * exceptions live in the tables below, and only here, so one unit test can
 * pin every one of them.
 */

/** eventSources whose IAM prefix is not the first label of the host name. */
const PREFIX_BY_SOURCE: Readonly<Record<string, string>> = {
  'monitoring.amazonaws.com': 'cloudwatch',
  'appstream2.amazonaws.com': 'appstream',
  'models.lex.amazonaws.com': 'lex',
  'runtime.lex.amazonaws.com': 'lex',
  'runtime.sagemaker.amazonaws.com': 'sagemaker',
  'streams.dynamodb.amazonaws.com': 'dynamodb',
  'tagging.amazonaws.com': 'tag',
  'mturk-requester.amazonaws.com': 'mechanicalturk',
  // Bedrock's runtime API logs under the control plane's source and prefix.
  'bedrock-runtime.amazonaws.com': 'bedrock',
  'metering-marketplace.amazonaws.com': 'aws-marketplace',
  'api.ecr.amazonaws.com': 'ecr',
  'email.amazonaws.com': 'ses',
  // Pinpoint's API is authorised under its old name.
  'pinpoint.amazonaws.com': 'mobiletargeting',
};

/**
 * Event names that are not the action's name, per IAM prefix. A value may
 * name several actions when the API needs all of them (e.g. a copy reads one
 * object and writes another).
 */
const ACTIONS_BY_EVENT: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>> = {
  s3: {
    // Object reads and writes whose permission is the plain object action.
    HeadObject: 'GetObject',
    SelectObjectContent: 'GetObject',
    CopyObject: ['PutObject', 'GetObject'],
    UploadPartCopy: ['PutObject', 'GetObject'],
    CreateMultipartUpload: 'PutObject',
    UploadPart: 'PutObject',
    CompleteMultipartUpload: 'PutObject',
    DeleteObjects: 'DeleteObject',
    // Listing is authorised on the bucket, under other names.
    ListObjects: 'ListBucket',
    ListObjectsV2: 'ListBucket',
    HeadBucket: 'ListBucket',
    ListObjectVersions: 'ListBucketVersions',
    ListMultipartUploads: 'ListBucketMultipartUploads',
    ListParts: 'ListMultipartUploadParts',
    ListBuckets: 'ListAllMyBuckets',
    // Bucket sub-resources: IAM names them "…Configuration", and a delete is a put.
    GetBucketAccelerateConfiguration: 'GetAccelerateConfiguration',
    PutBucketAccelerateConfiguration: 'PutAccelerateConfiguration',
    GetBucketAnalyticsConfiguration: 'GetAnalyticsConfiguration',
    ListBucketAnalyticsConfigurations: 'GetAnalyticsConfiguration',
    PutBucketAnalyticsConfiguration: 'PutAnalyticsConfiguration',
    DeleteBucketAnalyticsConfiguration: 'PutAnalyticsConfiguration',
    GetBucketCors: 'GetBucketCORS',
    PutBucketCors: 'PutBucketCORS',
    DeleteBucketCors: 'PutBucketCORS',
    GetBucketEncryption: 'GetEncryptionConfiguration',
    PutBucketEncryption: 'PutEncryptionConfiguration',
    DeleteBucketEncryption: 'PutEncryptionConfiguration',
    GetBucketIntelligentTieringConfiguration: 'GetIntelligentTieringConfiguration',
    ListBucketIntelligentTieringConfigurations: 'GetIntelligentTieringConfiguration',
    PutBucketIntelligentTieringConfiguration: 'PutIntelligentTieringConfiguration',
    DeleteBucketIntelligentTieringConfiguration: 'PutIntelligentTieringConfiguration',
    GetBucketInventoryConfiguration: 'GetInventoryConfiguration',
    ListBucketInventoryConfigurations: 'GetInventoryConfiguration',
    PutBucketInventoryConfiguration: 'PutInventoryConfiguration',
    DeleteBucketInventoryConfiguration: 'PutInventoryConfiguration',
    GetBucketLifecycle: 'GetLifecycleConfiguration',
    GetBucketLifecycleConfiguration: 'GetLifecycleConfiguration',
    PutBucketLifecycle: 'PutLifecycleConfiguration',
    PutBucketLifecycleConfiguration: 'PutLifecycleConfiguration',
    DeleteBucketLifecycle: 'PutLifecycleConfiguration',
    GetBucketMetricsConfiguration: 'GetMetricsConfiguration',
    ListBucketMetricsConfigurations: 'GetMetricsConfiguration',
    PutBucketMetricsConfiguration: 'PutMetricsConfiguration',
    DeleteBucketMetricsConfiguration: 'PutMetricsConfiguration',
    GetBucketNotificationConfiguration: 'GetBucketNotification',
    PutBucketNotificationConfiguration: 'PutBucketNotification',
    DeleteBucketOwnershipControls: 'PutBucketOwnershipControls',
    DeleteBucketPublicAccessBlock: 'PutBucketPublicAccessBlock',
    GetBucketReplication: 'GetReplicationConfiguration',
    PutBucketReplication: 'PutReplicationConfiguration',
    DeleteBucketReplication: 'PutReplicationConfiguration',
    DeleteBucketTagging: 'PutBucketTagging',
    GetObjectLockConfiguration: 'GetBucketObjectLockConfiguration',
    PutObjectLockConfiguration: 'PutBucketObjectLockConfiguration',
    // The bucket-level Block Public Access API drops "Bucket" from its operation names.
    GetPublicAccessBlock: 'GetBucketPublicAccessBlock',
    PutPublicAccessBlock: 'PutBucketPublicAccessBlock',
    DeletePublicAccessBlock: 'PutBucketPublicAccessBlock',
    // S3 Metadata: IAM names the journal table configuration.
    CreateBucketMetadataConfiguration: 'CreateBucketMetadataTableConfiguration',
    GetBucketMetadataConfiguration: 'GetBucketMetadataTableConfiguration',
    DeleteBucketMetadataConfiguration: 'DeleteBucketMetadataTableConfiguration',
    // Directory buckets and Object Lambda are authorised under their own prefixes.
    CreateSession: 's3express:CreateSession',
    ListDirectoryBuckets: 's3express:ListAllMyDirectoryBuckets',
    WriteGetObjectResponse: 's3-object-lambda:WriteGetObjectResponse',
  },
  dynamodb: {
    // A transaction is authorised as the item actions it carries (TransactWriteItems:
    // see REQUEST_DEPENDENT, which reads the kinds of item from the record).
    TransactGetItems: 'GetItem',
  },
  bedrock: {
    // The Converse API runs a model: it is authorised as the invoke it wraps.
    Converse: 'InvokeModel',
    ConverseStream: 'InvokeModelWithResponseStream',
    StartAsyncInvoke: 'InvokeModel',
  },
  lambda: {
    // The data event is "Invoke"; the permission is InvokeFunction.
    Invoke: 'InvokeFunction',
    InvokeWithResponseStream: 'InvokeFunction',
    // Reading a layer by ARN is authorised as GetLayerVersion.
    GetLayerVersionByArn: 'GetLayerVersion',
  },
  kms: {
    // Re-encryption needs both halves.
    ReEncrypt: ['ReEncryptFrom', 'ReEncryptTo'],
  },
  sqs: {
    // Batch APIs are authorised as their single-message action.
    SendMessageBatch: 'SendMessage',
    DeleteMessageBatch: 'DeleteMessage',
    ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
  },
  sns: { PublishBatch: 'Publish' },
  // The V2 result API reads the same statement results.
  'redshift-data': { GetStatementResultV2: 'GetStatementResult' },
  // Creating a distribution with tags creates it and tags it.
  cloudfront: { CreateDistributionWithTags: ['CreateDistribution', 'TagResource'] },
  sts: {
    // GetCallerIdentity needs no permission and cannot be denied: granting it means nothing.
    GetCallerIdentity: [],
  },
};

/**
 * Some services version their CloudTrail event names: Lambda's
 * "GetFunction20150331v2", "ListFunctions20150331", CloudFront's
 * "GetDistribution2020_05_31". The API date is not part of the action.
 */
const VERSION_SUFFIX: Readonly<Record<string, RegExp>> = {
  lambda: /\d{8}(?:v\d+)?$/,
  cloudfront: /\d{4}_\d{2}_\d{2}$/,
};

/** API Gateway's management API is authorised by HTTP verb, not by operation name. */
const APIGATEWAY_VERBS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?:Get|List|Describe)/, 'GET'],
  [/^(?:Create|Generate|Test|Flush|Reject)/, 'POST'],
  [/^(?:Update|Reset)/, 'PATCH'],
  [/^(?:Delete|Untag)/, 'DELETE'],
  [/^(?:Put|Import|Tag)/, 'PUT'],
];

/** eventSources that never stand for a permission the role needs (console sign-in, …). */
const NOT_AUTHORISED_BY_IAM = new Set(['signin.amazonaws.com']);

/** The IAM prefix of an eventSource: "s3" for "s3.amazonaws.com", "cloudwatch" for "monitoring.amazonaws.com". */
export function eventSourcePrefix(eventSource: string): string | undefined {
  const source = eventSource.trim().toLowerCase();
  const special = own(PREFIX_BY_SOURCE, source);
  if (special) return special;
  const dot = source.indexOf('.');
  const prefix = dot < 0 ? source : source.slice(0, dot);
  return prefix === '' ? undefined : prefix;
}

/**
 * Every IAM action a CloudTrail event needed, e.g. ["s3:PutObject",
 * "s3:GetObject"] for CopyObject. Empty when the event needs no permission or
 * cannot be mapped. `requestParameters` is read only for the few events whose
 * action depends on the request (DynamoDB PartiQL statements).
 */
export function eventToActions(eventSource: string, eventName: string, requestParameters?: unknown): readonly string[] {
  // Looked up by source, then name: no key is built for each of a trail's calls.
  let byName = bySource.get(eventSource);
  let actions = byName?.get(eventName);
  if (!actions) {
    const cacheKey = `${eventSource}\u0000${eventName}`;
    actions = cache.get(cacheKey) ?? Object.freeze(computeActions(eventSource, eventName));
    // The cache only ever holds distinct (source, name) pairs: a few thousand at most.
    cache.set(cacheKey, actions);
    if (!byName) bySource.set(eventSource, (byName = new Map<string, readonly string[]>()));
    byName.set(eventName, actions);
  }
  const dependent = READERS.get(actions);
  return dependent ? requestActions(dependent, requestParameters) : actions;
}

/** The IAM action a CloudTrail event stands for (the first, when it needs several), or undefined. */
export function eventToAction(eventSource: string, eventName: string): string | undefined {
  return eventToActions(eventSource, eventName)[0];
}

const cache = new Map<string, readonly string[]>();
/** The same lists by eventSource, then eventName. */
const bySource = new Map<string, Map<string, readonly string[]>>();

/**
 * The events mapped so far in this process that yield `action`, for naming an
 * action the catalog does not know by the event behind it. Walks the cache
 * (distinct event names only), so it is for the few unmapped actions, not the
 * record stream.
 */
export function eventsMappedTo(action: string): Array<{ eventSource: string; eventName: string }> {
  const out: Array<{ eventSource: string; eventName: string }> = [];
  for (const [key, actions] of cache) {
    if (!actions.includes(action)) continue;
    const [eventSource = '', eventName = ''] = key.split('\u0000');
    out.push({ eventSource, eventName });
  }
  return out;
}

/**
 * Events whose actions depend on the request. Without a readable request the
 * mapping gives every action the API may need (`all`); with one, `read`
 * narrows it. CloudTrail records DynamoDB's transactions and PartiQL batches
 * as `requestItems` (an operation or a statement per item).
 */
interface RequestDependent {
  all: readonly string[];
  read: (item: Record<string, unknown>) => string | undefined;
}

const PARTIQL_BY_VERB: Readonly<Record<string, string>> = {
  SELECT: 'dynamodb:PartiQLSelect',
  INSERT: 'dynamodb:PartiQLInsert',
  UPDATE: 'dynamodb:PartiQLUpdate',
  DELETE: 'dynamodb:PartiQLDelete',
};
const TRANSACT_WRITE_BY_OPERATION: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};
const PARTIQL: RequestDependent = {
  all: Object.freeze(Object.values(PARTIQL_BY_VERB)),
  read: (item) => {
    const verb = typeof item.statement === 'string' ? /^\s*([A-Za-z]+)/.exec(item.statement)?.[1]?.toUpperCase() : undefined;
    return verb === undefined ? undefined : own(PARTIQL_BY_VERB, verb);
  },
};
const TRANSACT_WRITE: RequestDependent = {
  all: Object.freeze(Object.values(TRANSACT_WRITE_BY_OPERATION)),
  read: (item) => (typeof item.operation === 'string' ? own(TRANSACT_WRITE_BY_OPERATION, item.operation) : undefined),
};
const REQUEST_DEPENDENT: Readonly<Record<string, RequestDependent>> = {
  ExecuteStatement: PARTIQL,
  BatchExecuteStatement: PARTIQL,
  ExecuteTransaction: PARTIQL,
  TransactWriteItems: TRANSACT_WRITE,
};
/** The cached `all` list → its reader: the cache hands back `all`, and only those lists look at the request. */
const READERS = new Map<readonly string[], RequestDependent>(Object.values(REQUEST_DEPENDENT).map((d) => [d.all, d]));

/** The actions a request's items need: one per kind, or every action when any item cannot be read. */
function requestActions(dependent: RequestDependent, requestParameters: unknown): readonly string[] {
  const params = requestParameters as Record<string, unknown> | null | undefined;
  if (typeof params !== 'object' || params === null) return dependent.all;
  const list = params.statement !== undefined ? [params] : (params.requestItems ?? params.statements ?? params.transactStatements);
  if (!Array.isArray(list) || list.length === 0) return dependent.all;
  const out = new Set<string>();
  for (const item of list) {
    const action = typeof item === 'object' && item !== null ? dependent.read(item as Record<string, unknown>) : undefined;
    if (action === undefined) return dependent.all;
    out.add(action);
  }
  return [...out];
}

function computeActions(eventSource: string, eventName: string): readonly string[] {
  const name = eventName.trim();
  if (name === '' || NOT_AUTHORISED_BY_IAM.has(eventSource.trim().toLowerCase())) return [];
  const prefix = eventSourcePrefix(eventSource);
  if (!prefix) return [];
  if (prefix === 'apigateway') {
    const verb = APIGATEWAY_VERBS.find(([pattern]) => pattern.test(name));
    return verb ? [`apigateway:${verb[1]}`] : [];
  }
  const suffix = own(VERSION_SUFFIX, prefix);
  const unversioned = suffix ? name.replace(suffix, '') : name;
  const dependent = prefix === 'dynamodb' ? own(REQUEST_DEPENDENT, unversioned) : undefined;
  if (dependent) return dependent.all;
  const table = own(ACTIONS_BY_EVENT, prefix);
  const special = table ? own(table, unversioned) : undefined;
  const names = special === undefined ? [unversioned] : typeof special === 'string' ? [special] : special;
  // A table entry may name another prefix ("s3express:CreateSession").
  return names.map((action) => (action.includes(':') ? action : `${prefix}:${action}`));
}

/** A table lookup that ignores inherited keys: an event named "constructor" must not find Object's. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
