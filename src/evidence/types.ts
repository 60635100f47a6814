/**
 * The shapes evidence flows through: CloudTrail records in, per-service usage
 * out. Every source (see evidence/sources.ts) ends in a UsageEvidence.
 */

/** CloudTrail's record shape is the AWS adapter's; evidence reads it from here. */
export type { CloudTrailRecord } from '../aws/cloudtrail-record.js';

/** How often an action was used, when first and last, on what, and with which errors. */
export interface ActionUse {
  count: number;
  /** ISO-8601 time of the latest call seen. */
  lastSeen: string;
  /** ISO-8601 time of the earliest call seen. */
  firstSeen?: string;
  /** The resources the calls named (each record's last `resources` ARN), sorted; the first MAX_DETAIL of them. */
  resources?: string[];
  /** Error codes of calls that failed other than by refusal (the permission was still used), sorted; the first MAX_DETAIL. */
  errorCodes?: string[];
  /** True when the calls named more resources or error codes than the lists keep. */
  moreDetail?: boolean;
}

/** What one service (or the unattributed pool) did with the role. */
export interface ServiceUsage {
  /** IAM action (e.g. "s3:GetObject") → use. */
  actions: Map<string, ActionUse>;
  /** Distinct role sessions seen. */
  sessions: number;
  /** Events counted (calls made with the role's credentials). */
  events: number;
  /** Resource names (ARNs, names, URLs) the calls touched, for resource-policy attribution. */
  resources?: Set<string>;
}

/** A registered source's name, as `--evidence` takes it (the list is evidence/sources.ts). */
export type EvidenceSource = string;

/** Attribution of a role's usage to the services that can assume it. */
export interface UsageEvidence {
  source: EvidenceSource;
  window: { start: string; end: string };
  /** Service principal (e.g. "ec2.amazonaws.com") → its usage. Every service of the role has an entry. */
  byService: Map<string, ServiceUsage>;
  /** Calls made with the role's credentials that no service could be tied to. */
  unattributed: ServiceUsage;
  /**
   * Service principal → workload name → the part of that service's usage whose sessions are tied to that one
   * workload (SessionHints.workloads). The rest of byService is the service's, but no one workload's. Absent
   * when the source cannot tell sessions apart (aggregating sources).
   */
  byWorkload?: Map<string, Map<string, ServiceUsage>>;
  /**
   * Sessions of the role opened by a person or another non-service principal
   * (their AssumeRole was not invoked by a service). No split role will serve
   * them, so the plan must report them; they are never counted for a service.
   */
  nonService?: ServiceUsage;
  /** eventSources (e.g. "s3.amazonaws.com") with data events among the role's calls: the source records data events for them. */
  dataEventSources?: Set<string>;
  /** IAM prefixes Access Analyzer reported only at service level ("dynamodb:*"): their actions come from CloudTrail or are unobservable. */
  serviceLevelPrefixes?: string[];
  /** Records whose userIdentity is missing or unreadable: granted to no one, listed in the plan. */
  unreadableIdentities?: UnreadableIdentity[];
  /** Records read, and records skipped because they were someone else's. */
  recordsRead: number;
  /** Of recordsRead, those the evidence cache held from an earlier run (absent when no cache was used). */
  recordsFromCache?: number;
  /** Warnings for the plan: corrupt files skipped, truncated sources, … */
  warnings: string[];
}

/** Records of one event whose userIdentity could not be read, and why. */
export interface UnreadableIdentity {
  eventSource: string;
  eventName: string;
  reason: string;
  count: number;
}

/** A shape a service gives its role session names, by the service's workload key (see workloadKey). */
export interface SessionShape {
  /** Workload key of the service ("ec2", "ecs-tasks", "codebuild"). */
  workload: string;
  pattern: RegExp;
}

/**
 * What ties a role session name to a service. The workload kinds supply it
 * (src/workloads registry): evidence knows no kind by name.
 */
export interface SessionHints {
  /** Names of workloads seen in the account that their sessions are named after, by workload key ("lambda" → function names). */
  names: Readonly<Record<string, ReadonlySet<string>>>;
  /** The shapes each kind's service gives session names: a guess, used when no name above matches. */
  shapes: readonly SessionShape[];
  /** By workload key: session name → the one workload that opens sessions of that name (for `plan --per-workload`). */
  workloads?: Readonly<Record<string, ReadonlyMap<string, string>>>;
}
