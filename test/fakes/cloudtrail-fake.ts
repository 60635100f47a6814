/**
 * A loopback CloudTrail that serves LookupEvents over the real JSON 1.1 wire
 * protocol, so the real @aws-sdk/client-cloudtrail can talk to it (moto has no
 * LookupEvents). Tests seed it with CloudTrail records in log-file shape; it
 * answers like AWS does:
 *
 * - `POST /`, `X-Amz-Target: CloudTrail_20131101.LookupEvents`,
 *   `Content-Type: application/x-amz-json-1.1`, SigV4-signed.
 * - At most one LookupAttribute (else InvalidLookupAttributesException);
 *   StartTime/EndTime as epoch seconds; MaxResults 1–50, default 50 (else
 *   InvalidMaxResultsException); opaque NextToken bound to the query (else
 *   InvalidNextTokenException); newest event first; only the signing region's
 *   events from the last 90 days.
 * - Event shape as AWS returns it: `Username` is the session name for an
 *   assumed-role caller and absent for an AWS service (a service-invoked
 *   AssumeRole has neither Username nor AccessKeyId); an AssumeRole event lists
 *   the new access key, the session and the role (`AWS::IAM::Role`, role ARN)
 *   in `Resources`; `EventTime` is epoch seconds; `ReadOnly` is "true"/"false".
 * - 2 requests per second per account and region (token bucket, burst 2);
 *   excess gets HTTP 400 `{"__type":"ThrottlingException","message":"Rate exceeded"}`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import { callerOf, listen, readBody, sendJson, TokenBuckets, type Listening } from './fake-http.js';

/** A record as it appears in a trail's log file; what tests seed. */
export type SeedRecord = CloudTrailRecord & {
  eventID?: string;
  eventVersion?: string;
  eventType?: string;
  readOnly?: boolean;
  awsRegion?: string;
  recipientAccountId?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  requestID?: string;
  managementEvent?: boolean;
  resources?: Array<{ ARN?: string; type?: string; accountId?: string }>;
  userIdentity?: CloudTrailRecord['userIdentity'] & { principalId?: string; accountId?: string; userName?: string };
};

/** The attribute keys LookupEvents accepts. */
export const LOOKUP_ATTRIBUTE_KEYS = [
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
] as const;

/** One LookupEvents request as the fake parsed it, for assertions. */
export interface LookupCall {
  attributes: Array<{ AttributeKey?: string; AttributeValue?: string }>;
  maxResults?: number;
  startTime?: number;
  endTime?: number;
  nextToken?: string;
  region: string;
}

/** The Event shape LookupEvents returns. */
interface WireEvent {
  EventId: string;
  EventName: string;
  ReadOnly: string;
  AccessKeyId?: string;
  EventTime: number;
  EventSource: string;
  Username?: string;
  Resources: Array<{ ResourceType: string; ResourceName: string }>;
  CloudTrailEvent: string;
}

interface Stored {
  region: string;
  time: number;
  event: WireEvent;
}

interface TokenState {
  query: string;
  ids: string[];
  offset: number;
}

/** Options for a fake. */
export interface CloudTrailFakeOptions {
  /** The account every caller belongs to (default 123456789012). */
  accountId?: string;
  /** Requests per second per account and region (default 2, as AWS). */
  ratePerSecond?: number;
  /** Bucket size (default = ratePerSecond). */
  burst?: number;
}

const NINETY_DAYS_MS = 90 * 24 * 3600 * 1000;
const NAMESPACE = 'com.amazonaws.cloudtrail.v20131101';
const TARGET = 'CloudTrail_20131101.LookupEvents';

/** A running fake CloudTrail. */
export class CloudTrailFake {
  /** HTTP requests received. */
  requests = 0;
  /** Requests answered with ThrottlingException. */
  throttled = 0;
  /** LookupEvents requests parsed (throttled ones included), in order. */
  readonly calls: LookupCall[] = [];
  /** Fault switches. */
  readonly ops = { accessDenied: false };
  /** Held requests: from the `from`th LookupEvents call on, each waits until released. */
  private gate?: { from: number; arrived: () => void; released: Promise<void> };

  private readonly events = new Map<string, Stored>();
  private readonly tokens = new Map<string, TokenState>();
  private readonly buckets: TokenBuckets;
  private listening!: Listening;

  private constructor(
    readonly accountId: string,
    ratePerSecond: number,
    burst: number,
  ) {
    this.buckets = new TokenBuckets(ratePerSecond, burst);
  }

  /** Starts a fake on a free loopback port. */
  static async start(options: CloudTrailFakeOptions = {}): Promise<CloudTrailFake> {
    const rate = options.ratePerSecond ?? 2;
    const fake = new CloudTrailFake(options.accountId ?? '123456789012', rate, options.burst ?? rate);
    fake.listening = await listen((req, res) => fake.handle(req, res));
    return fake;
  }

  /** The URL for AWS_ENDPOINT_URL_CLOUDTRAIL. */
  get endpoint(): string {
    return this.listening.endpoint;
  }

  /**
   * Adds records (log-file shape). Missing eventID, eventType, readOnly, … are
   * filled in as CloudTrail would. Data events are dropped: LookupEvents
   * serves management events only, and that blind spot is what callers must
   * report.
   */
  seed(records: readonly SeedRecord[]): void {
    for (const record of records) {
      if (record.eventCategory === 'Data' || record.managementEvent === false) continue;
      const full = completeRecord(record, this.accountId);
      this.events.set(full.eventID, {
        region: full.awsRegion,
        time: Date.parse(full.eventTime),
        event: toWireEvent(full),
      });
    }
  }

  /** Same as seed. */
  addRecords(records: readonly SeedRecord[]): void {
    this.seed(records);
  }

  /**
   * Holds LookupEvents calls from the `from`th (counted from now, 1-based) on
   * until `release()`: `reached` resolves when the first held call arrives, so
   * a test can interrupt a reader exactly there (every earlier answer has been
   * consumed: a reader sends its next call only after that).
   */
  holdFrom(from: number): { reached: Promise<void>; release: () => void } {
    let arrived!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.gate = { from: this.calls.length + from, arrived, released };
    return {
      reached,
      release: () => {
        this.gate = undefined;
        release();
      },
    };
  }

  /** Forgets every event, token, call and counter, and refills the rate-limit buckets. */
  reset(): void {
    this.events.clear();
    this.tokens.clear();
    this.buckets.reset();
    this.calls.length = 0;
    this.requests = 0;
    this.throttled = 0;
    this.ops.accessDenied = false;
  }

  /** Empties the rate-limit buckets (every account and region starts full). */
  resetRateLimit(): void {
    this.buckets.reset();
  }

  /** Stops the server. */
  close(): Promise<void> {
    return this.listening.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests += 1;
    const body = await readBody(req);
    if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') {
      return sendJson(res, 404, { __type: 'UnknownOperationException', message: `no route for ${req.method} ${req.url}` });
    }
    const caller = callerOf(req);
    if (!caller) {
      return error(res, 'MissingAuthenticationTokenException', 'Missing Authentication Token', 'message');
    }
    const target = req.headers['x-amz-target'];
    if (target !== TARGET) {
      return error(res, 'UnknownOperationException', `unsupported target ${String(target)}`, 'message');
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) {
      return error(res, 'SerializationException', 'expected Content-Type application/x-amz-json-1.1', 'message');
    }
    let input: Record<string, unknown>;
    try {
      input = (body.trim() === '' ? {} : JSON.parse(body)) as Record<string, unknown>;
    } catch {
      return error(res, 'SerializationException', 'request body is not JSON', 'message');
    }
    const call: LookupCall = {
      attributes: Array.isArray(input.LookupAttributes) ? (input.LookupAttributes as LookupCall['attributes']) : [],
      region: caller.region,
    };
    if (typeof input.MaxResults === 'number') call.maxResults = input.MaxResults;
    if (typeof input.StartTime === 'number') call.startTime = input.StartTime;
    if (typeof input.EndTime === 'number') call.endTime = input.EndTime;
    if (typeof input.NextToken === 'string') call.nextToken = input.NextToken;
    this.calls.push(call);
    const gate = this.gate;
    if (gate && this.calls.length >= gate.from) {
      gate.arrived();
      await gate.released;
    }

    // LookupEvents is limited per account and region; the caller's key stands in for its account.
    if (!this.buckets.take(`${this.accountId}:${caller.region}`)) {
      this.throttled += 1;
      // CloudTrail answers throttling with HTTP 400, not the 429 its model declares.
      return sendJson(res, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' }, jsonType());
    }
    if (this.ops.accessDenied) {
      return error(
        res,
        'AccessDeniedException',
        `User: arn:aws:iam::${this.accountId}:user/${caller.accessKeyId} is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action`,
        'Message',
      );
    }
    return this.lookup(res, input, caller.region);
  }

  private lookup(res: ServerResponse, input: Record<string, unknown>, region: string): void {
    const attributes = (input.LookupAttributes ?? []) as Array<{ AttributeKey?: string; AttributeValue?: string }>;
    if (!Array.isArray(attributes) || attributes.length > 1) {
      return modeled(res, 'InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
    }
    const attribute = attributes[0];
    if (
      attribute &&
      (!LOOKUP_ATTRIBUTE_KEYS.includes(attribute.AttributeKey as (typeof LOOKUP_ATTRIBUTE_KEYS)[number]) ||
        typeof attribute.AttributeValue !== 'string' ||
        attribute.AttributeValue === '')
    ) {
      return modeled(res, 'InvalidLookupAttributesException', `Invalid lookup attribute: ${JSON.stringify(attribute)}`);
    }
    const maxResults = input.MaxResults ?? 50;
    if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 50) {
      return modeled(res, 'InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
    }
    for (const key of ['StartTime', 'EndTime'] as const) {
      if (input[key] !== undefined && typeof input[key] !== 'number') {
        return error(res, 'SerializationException', `${key} must be epoch seconds`, 'message');
      }
    }
    const now = Date.now();
    const end = input.EndTime === undefined ? now : (input.EndTime as number) * 1000;
    const start = input.StartTime === undefined ? now - NINETY_DAYS_MS : (input.StartTime as number) * 1000;
    if (start > end) {
      return modeled(res, 'InvalidTimeRangeException', 'Start time must be before end time.');
    }
    const category = input.EventCategory;
    if (category !== undefined && category !== 'insight') {
      return modeled(
        res,
        'InvalidEventCategoryException',
        `Invalid EventCategory: ${typeof category === 'string' ? category : JSON.stringify(category)}`,
      );
    }
    const query = JSON.stringify([attribute?.AttributeKey, attribute?.AttributeValue, start, end, category ?? null, region]);

    let state: TokenState;
    if (input.NextToken !== undefined) {
      const found = typeof input.NextToken === 'string' ? this.tokens.get(input.NextToken) : undefined;
      // A token only continues the query it came from, as AWS documents.
      if (!found || found.query !== query) {
        return modeled(res, 'InvalidNextTokenException', 'Invalid NextToken.');
      }
      state = found;
    } else {
      // Management events only; Insights events are not modelled, so "insight" finds none.
      const matches =
        category === 'insight'
          ? []
          : [...this.events.values()].filter(
              (stored) =>
                stored.region === region &&
                stored.time >= start &&
                stored.time <= end &&
                stored.time >= now - NINETY_DAYS_MS &&
                (!attribute || matchesAttribute(stored.event, attribute.AttributeKey!, attribute.AttributeValue!)),
            );
      matches.sort((a, b) => b.time - a.time || (a.event.EventId < b.event.EventId ? -1 : 1));
      state = { query, ids: matches.map((m) => m.event.EventId), offset: 0 };
    }
    const page = state.ids.slice(state.offset, state.offset + maxResults);
    const output: { Events: WireEvent[]; NextToken?: string } = {
      Events: page.map((id) => this.events.get(id)!.event),
    };
    if (state.offset + maxResults < state.ids.length) {
      const token = randomBytes(48).toString('base64');
      this.tokens.set(token, { query, ids: state.ids, offset: state.offset + maxResults });
      output.NextToken = token;
    }
    sendJson(res, 200, output, jsonType());
  }
}

function jsonType(): Record<string, string> {
  return { 'content-type': 'application/x-amz-json-1.1' };
}

/** An error in JSON 1.1 shape: HTTP 400 with `__type` (the SDK strips any `namespace#` prefix). */
function error(res: ServerResponse, type: string, message: string, messageKey: 'message' | 'Message'): void {
  sendJson(res, 400, { __type: type, [messageKey]: message }, jsonType());
}

/** A modelled CloudTrail exception: fully-qualified `__type`, member `Message`. */
function modeled(res: ServerResponse, type: string, message: string): void {
  error(res, `${NAMESPACE}#${type}`, message, 'Message');
}

function matchesAttribute(event: WireEvent, key: string, value: string): boolean {
  switch (key) {
    case 'EventId':
      return event.EventId === value;
    case 'EventName':
      return event.EventName === value;
    case 'ReadOnly':
      return event.ReadOnly === value;
    case 'Username':
      return event.Username === value;
    case 'EventSource':
      return event.EventSource === value;
    case 'AccessKeyId':
      return event.AccessKeyId === value;
    case 'ResourceType':
      return event.Resources.some((r) => r.ResourceType === value);
    case 'ResourceName':
      return event.Resources.some((r) => r.ResourceName === value);
    default:
      return false;
  }
}

type CompleteRecord = SeedRecord & { eventID: string; awsRegion: string; readOnly: boolean };

function completeRecord(record: SeedRecord, accountId: string): CompleteRecord {
  return {
    eventVersion: '1.08',
    ...record,
    eventID: record.eventID ?? randomUUID(),
    awsRegion: record.awsRegion ?? 'us-east-1',
    readOnly: record.readOnly ?? /^(Get|List|Describe|Head|Lookup|AssumeRole)/.test(record.eventName),
    eventType: record.eventType ?? 'AwsApiCall',
    managementEvent: record.managementEvent ?? true,
    eventCategory: record.eventCategory ?? 'Management',
    recipientAccountId: record.recipientAccountId ?? accountId,
  };
}

/** Username as LookupEvents reports it: the session name for a role session, nothing for an AWS service. */
function usernameOf(record: SeedRecord): string | undefined {
  const identity = record.userIdentity;
  if (!identity?.type) return undefined;
  switch (identity.type) {
    case 'AssumedRole':
    case 'FederatedUser':
      return identity.arn?.split('/').pop();
    case 'IAMUser':
      return identity.userName ?? identity.arn?.split('/').pop();
    case 'Root':
      return 'root';
    default:
      return undefined;
  }
}

function toWireEvent(record: CompleteRecord): WireEvent {
  const resources: WireEvent['Resources'] = [];
  if (record.eventName.startsWith('AssumeRole') && record.eventSource === 'sts.amazonaws.com') {
    const response = (record.responseElements ?? {}) as {
      credentials?: { accessKeyId?: string };
      assumedRoleUser?: { assumedRoleId?: string; arn?: string };
    };
    const request = (record.requestParameters ?? {}) as { roleArn?: string; roleSessionName?: string };
    if (response.credentials?.accessKeyId) {
      resources.push({ ResourceType: 'AWS::IAM::AccessKey', ResourceName: response.credentials.accessKeyId });
    }
    if (request.roleSessionName) resources.push({ ResourceType: 'AWS::STS::AssumedRole', ResourceName: request.roleSessionName });
    if (response.assumedRoleUser?.assumedRoleId) {
      resources.push({ ResourceType: 'AWS::STS::AssumedRole', ResourceName: response.assumedRoleUser.assumedRoleId });
    }
    if (response.assumedRoleUser?.arn) {
      resources.push({ ResourceType: 'AWS::STS::AssumedRole', ResourceName: response.assumedRoleUser.arn });
    }
    if (!record.resources && request.roleArn) resources.push({ ResourceType: 'AWS::IAM::Role', ResourceName: request.roleArn });
  }
  for (const resource of record.resources ?? []) {
    if (resource.type && resource.ARN) resources.push({ ResourceType: resource.type, ResourceName: resource.ARN });
  }
  const event: WireEvent = {
    EventId: record.eventID,
    EventName: record.eventName,
    ReadOnly: String(record.readOnly),
    EventTime: Date.parse(record.eventTime) / 1000,
    EventSource: record.eventSource,
    Resources: resources,
    CloudTrailEvent: JSON.stringify(record),
  };
  const accessKeyId = record.userIdentity?.accessKeyId;
  if (accessKeyId) event.AccessKeyId = accessKeyId;
  const username = usernameOf(record);
  if (username) event.Username = username;
  return event;
}

/** Starts a fake CloudTrail on a free loopback port (same as CloudTrailFake.start). */
export function startCloudTrailFake(options: CloudTrailFakeOptions = {}): Promise<CloudTrailFake> {
  return CloudTrailFake.start(options);
}

// ---------------------------------------------------------------------------
// Record builders for tests: the shapes real trails hold.

let keyCounter = 0;
/** A fresh temporary access key id (ASIA…). */
export function tempAccessKeyId(): string {
  keyCounter += 1;
  return `ASIA${keyCounter.toString(36).toUpperCase().padStart(16, 'X')}`;
}

/** Splits arn:aws:iam::ACCOUNT:role/path/NAME. */
function roleParts(roleArn: string): { partition: string; account: string; name: string } {
  const [, partition = 'aws', , , account = '', resource = ''] = roleArn.split(':');
  return { partition, account, name: resource.split('/').pop() ?? '' };
}

/** A service assuming a role: `userIdentity.type = AWSService`, `invokedBy = service`. */
export function assumeRoleRecord(args: {
  roleArn: string;
  sessionName: string;
  service: string;
  accessKeyId: string;
  time: Date;
  region?: string;
}): SeedRecord {
  const { partition, account, name } = roleParts(args.roleArn);
  const roleId = `AROA${name
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .padEnd(16, 'X')
    .slice(0, 17)}`;
  return {
    eventTime: args.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    awsRegion: args.region ?? 'us-east-1',
    sourceIPAddress: args.service,
    userAgent: args.service,
    userIdentity: { type: 'AWSService', invokedBy: args.service },
    requestParameters: { roleArn: args.roleArn, roleSessionName: args.sessionName },
    responseElements: {
      credentials: { accessKeyId: args.accessKeyId, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE', expiration: 'Jan 1, 2030, 1:00:00 AM' },
      assumedRoleUser: {
        assumedRoleId: `${roleId}:${args.sessionName}`,
        arn: `arn:${partition}:sts::${account}:assumed-role/${name}/${args.sessionName}`,
      },
    },
    resources: [{ accountId: account, type: 'AWS::IAM::Role', ARN: args.roleArn }],
  };
}

/** A call made with a role session's credentials. */
export function sessionCallRecord(args: {
  roleArn: string;
  sessionName: string;
  accessKeyId: string;
  eventSource: string;
  eventName: string;
  time: Date;
  invokedBy?: string;
  region?: string;
}): SeedRecord {
  const { partition, account, name } = roleParts(args.roleArn);
  const roleId = `AROA${name
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .padEnd(16, 'X')
    .slice(0, 17)}`;
  const userIdentity: SeedRecord['userIdentity'] = {
    type: 'AssumedRole',
    principalId: `${roleId}:${args.sessionName}`,
    arn: `arn:${partition}:sts::${account}:assumed-role/${name}/${args.sessionName}`,
    accountId: account,
    accessKeyId: args.accessKeyId,
    sessionContext: { sessionIssuer: { type: 'Role', arn: args.roleArn, userName: name } },
  };
  if (args.invokedBy) userIdentity.invokedBy = args.invokedBy;
  return {
    eventTime: args.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: args.eventSource,
    eventName: args.eventName,
    awsRegion: args.region ?? 'us-east-1',
    userIdentity,
    requestParameters: null,
    responseElements: null,
  };
}
