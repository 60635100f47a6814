/**
 * Session attribution: which service made each of a role's calls. Calls are
 * aggregated per session (access key id + session name) while records stream
 * past, in any order, and joined to the sessions' AssumeRole events only at
 * the end. Memory therefore grows with distinct sessions × actions, never with
 * the number of records.
 */
import { ACCESS_DENIED_NAMES } from '../core/aws-error-names.js';
import { workloadKey } from '../trust/service-principals.js';
import { addCall, addUse } from './action-use.js';
import { eventToActions } from './event-action.js';
import { resourcesOf } from './record-resources.js';
import type {
  ActionUse,
  CloudTrailRecord,
  EvidenceSource,
  ServiceUsage,
  SessionHints,
  UnreadableIdentity,
  UsageEvidence,
} from './types.js';

/** Who opened a session: a service principal, or a person / non-service principal. */
type Origin = string | typeof NON_SERVICE;
const NON_SERVICE = Symbol('non-service');
/** A session name opened by two different origins: the name alone cannot decide. */
const AMBIGUOUS = Symbol('ambiguous');

/** One role session's calls so far. */
interface SessionCalls {
  accessKeyId: string;
  sessionName: string;
  events: number;
  actions: Map<string, ActionUse>;
  resources: Set<string>;
}

/** Distinct (reason, event) rows of unreadable identities kept before the rest are summed as "(more)". */
const MAX_UNREADABLE_ROWS = 200;

/**
 * The service a session name points to, from the shapes services give their
 * sessions and the workloads discovered in the account. Undefined when no
 * shape matches, or more than one does.
 */
export function serviceForSessionName(sessionName: string, services: readonly string[], hints: SessionHints): string | undefined {
  const byKey = new Map(services.map((service) => [workloadKey(service), service] as const));
  const distinct = (matches: Array<string | undefined>) => new Set(matches.filter((m): m is string => m !== undefined));
  // Names of workloads seen in the account beat shapes: they are facts, not guesses.
  const exact = distinct(Object.entries(hints.names).map(([key, names]) => (names.has(sessionName) ? byKey.get(key) : undefined)));
  const matches =
    exact.size > 0
      ? exact
      : distinct(hints.shapes.map((shape) => (shape.pattern.test(sessionName) ? byKey.get(shape.workload) : undefined)));
  return matches.size === 1 ? [...matches][0] : undefined;
}

/** The role's own spelling of each workload's service principal (the first, when it lists several spellings). */
export function servicesByWorkload(services: readonly string[]): Map<string, string> {
  const byWorkload = new Map<string, string>();
  for (const service of services) {
    const key = workloadKey(service);
    if (!byWorkload.has(key)) byWorkload.set(key, service);
  }
  return byWorkload;
}

/** No workload names known: sessions are tied to services by their AssumeRole events and name shapes only. */
export const NO_HINTS: SessionHints = { names: {}, shapes: [] };

/** Streams CloudTrail records in and attributes one role's calls to the services that can assume it. */
export class Attributor {
  /** eventSources seen with eventCategory "Data" among this role's calls. */
  readonly dataEventSources = new Set<string>();
  private records = 0;
  private readonly services: readonly string[];
  private readonly serviceByWorkload: Map<string, string>;
  private readonly assumedRolePrefix: string;
  private readonly sessions = new Map<string, SessionCalls>();
  /** The same sessions by access key id, then session name: found per call without building the key. */
  private readonly sessionIndex = new Map<string, Map<string, SessionCalls>>();
  /** Records with a missing or unreadable userIdentity, by reason and event. */
  private readonly unreadable = new Map<string, UnreadableIdentity>();
  /** accessKeyId → the AssumeRole that issued it. */
  private readonly assumes = new Map<string, { sessionName: string; origin: Origin; inWindow: boolean }>();
  /** session name → who opened sessions of that name, for calls whose AssumeRole lies outside the window. */
  private readonly originByName = new Map<string, Origin | typeof AMBIGUOUS>();

  private readonly windowStart: number;
  private readonly windowEnd: number;

  /**
   * `options.window` limits the calls counted, but not the AssumeRole events
   * read: a session opened just before the window is still joined by key.
   */
  constructor(
    private readonly role: { arn: string; name: string },
    services: readonly string[],
    private readonly hints: SessionHints,
    options: { window?: { start: Date; end: Date } } = {},
  ) {
    this.windowStart = options.window?.start.getTime() ?? -Infinity;
    this.windowEnd = options.window?.end.getTime() ?? Infinity;
    this.services = [...new Set(services)];
    this.serviceByWorkload = servicesByWorkload(this.services);
    // Session ARNs drop the role's path: arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION.
    const [, partition = 'aws', , , account = ''] = role.arn.split(':');
    this.assumedRolePrefix = `arn:${partition}:sts::${account}:assumed-role/${role.name}/`;
  }

  /** Records passed to add() so far. */
  get recordsRead(): number {
    return this.records;
  }

  /** Feeds one record; records of other roles and principals are ignored cheaply. */
  add(record: CloudTrailRecord): void {
    this.records += 1;
    if (record.eventName === 'AssumeRole' && record.eventSource === 'sts.amazonaws.com' && this.noteAssume(record)) return;
    // AWS acting for itself (a service event, an AWSService identity) is no role's usage.
    if (record.eventType === 'AwsServiceEvent') return;
    const identity = record.userIdentity;
    if (typeof identity !== 'object' || identity === null) {
      this.noteUnreadable(record, 'no userIdentity');
      return;
    }
    if (identity.type === 'AWSService') return;
    if (identity.arn !== undefined && typeof identity.arn !== 'string') {
      this.noteUnreadable(record, 'a userIdentity ARN that is not text');
      return;
    }
    // A forward-access call (an AssumedRole identity with invokedBy: S3 calling KMS for the
    // session, say) carries the session's own ARN, so it counts for the session's service below.
    const sessionName = this.sessionNameOf(identity);
    if (sessionName === undefined) {
      const odd = oddIdentity(identity);
      if (odd) this.noteUnreadable(record, odd);
      return;
    }
    if (record.errorCode && ACCESS_DENIED_NAMES.has(record.errorCode)) return;
    if (!this.inWindow(record.eventTime)) return;

    const accessKeyId = identity.accessKeyId ?? '';
    // As the key spells it: a key id that is not text (hostile input) shares a session with its text form.
    const keyText = typeof accessKeyId === 'string' ? accessKeyId : String(accessKeyId);
    let byName = this.sessionIndex.get(keyText);
    let session = byName?.get(sessionName);
    if (!session) {
      session = { accessKeyId, sessionName, events: 0, actions: new Map(), resources: new Set() };
      this.sessions.set(`${keyText}\u0000${sessionName}`, session);
      if (!byName) this.sessionIndex.set(keyText, (byName = new Map<string, SessionCalls>()));
      byName.set(sessionName, session);
    }
    session.events += 1;
    for (const name of resourcesOf(record)) session.resources.add(name);
    if (typeof record.eventSource !== 'string' || typeof record.eventName !== 'string') return;
    if (record.eventCategory === 'Data') this.dataEventSources.add(record.eventSource);
    for (const action of eventToActions(record.eventSource, record.eventName, record.requestParameters)) {
      addCall(session.actions, action, record);
    }
  }

  /**
   * Counts a record whose identity cannot be read. It may be anyone's, so it
   * is granted to no one, but it is listed rather than dropped silently. Rows
   * are capped so hostile input cannot grow memory without bound.
   */
  private noteUnreadable(record: CloudTrailRecord, reason: string): void {
    const eventSource = typeof record.eventSource === 'string' ? record.eventSource : '(none)';
    const eventName = typeof record.eventName === 'string' ? record.eventName : '(none)';
    let key = `${reason}\u0000${eventSource}\u0000${eventName}`;
    let row = this.unreadable.get(key);
    if (!row && this.unreadable.size >= MAX_UNREADABLE_ROWS) {
      key = `${reason}\u0000(more)`;
      row = this.unreadable.get(key) ?? { eventSource: '(more)', eventName: '(more)', reason, count: 0 };
    }
    row ??= { eventSource, eventName, reason, count: 0 };
    row.count += 1;
    this.unreadable.set(key, row);
  }

  /**
   * Joins sessions to their origins and sums usage per service. Does not
   * change the attributor. `hints` stands in for the constructor's when the
   * workloads were discovered while the records were read.
   */
  result(
    meta: { source: EvidenceSource; window: { start: string; end: string }; warnings: string[] },
    hints: SessionHints = this.hints,
  ): UsageEvidence {
    const byService = new Map<string, ServiceUsage>(this.services.map((service) => [service, emptyUsage()]));
    const unattributed = emptyUsage();
    const nonService = emptyUsage();
    const usageFor = (origin: Origin | undefined): ServiceUsage => {
      if (origin === NON_SERVICE) return nonService;
      return (origin !== undefined && byService.get(origin)) || unattributed;
    };

    const byWorkload = new Map<string, Map<string, ServiceUsage>>();
    // A session's workload, when its service's kind names the one workload that opens sessions of that name.
    const workloadUsage = (origin: Origin | undefined, sessionName: string): ServiceUsage | undefined => {
      if (typeof origin !== 'string' || !byService.has(origin)) return undefined;
      const workload = hints.workloads?.[workloadKey(origin)]?.get(sessionName);
      if (workload === undefined) return undefined;
      const mine = byWorkload.get(origin) ?? new Map<string, ServiceUsage>();
      byWorkload.set(origin, mine);
      const usage = mine.get(workload) ?? emptyUsage();
      mine.set(workload, usage);
      return usage;
    };
    for (const session of this.sessions.values()) {
      const origin = this.originOf(session.accessKeyId, session.sessionName, hints);
      for (const usage of [usageFor(origin), workloadUsage(origin, session.sessionName)]) {
        if (!usage) continue;
        usage.sessions += 1;
        usage.events += session.events;
        for (const [action, use] of session.actions) addUse(usage.actions, action, use);
        for (const name of session.resources) (usage.resources ??= new Set()).add(name);
      }
    }
    // Sessions that were opened but made no call in the window still count as seen.
    for (const [accessKeyId, assume] of this.assumes) {
      if (assume.inWindow && !this.sessions.has(`${accessKeyId}\u0000${assume.sessionName}`)) {
        const origin = this.attributable(assume.origin);
        usageFor(origin).sessions += 1;
        const own = workloadUsage(origin, assume.sessionName);
        if (own) own.sessions += 1;
      }
    }

    const evidence: UsageEvidence = {
      source: meta.source,
      window: meta.window,
      byService,
      unattributed,
      recordsRead: this.records,
      warnings: meta.warnings,
      dataEventSources: new Set(this.dataEventSources),
    };
    if (this.unreadable.size > 0) evidence.unreadableIdentities = [...this.unreadable.values()].map((row) => ({ ...row }));
    if (nonService.sessions > 0) evidence.nonService = nonService;
    if (hints.workloads) evidence.byWorkload = byWorkload;
    return evidence;
  }

  private inWindow(eventTime: string): boolean {
    if (this.windowStart === -Infinity && this.windowEnd === Infinity) return true;
    const time = Date.parse(eventTime);
    // An unreadable time cannot be placed outside the window.
    return Number.isNaN(time) || (time >= this.windowStart && time <= this.windowEnd);
  }

  /** The session name when the identity is one of this role's sessions, else undefined. */
  private sessionNameOf(identity: NonNullable<CloudTrailRecord['userIdentity']>): string | undefined {
    const arn = identity.arn;
    // EC2's instance identity credentials are AWS's, not the role's, whatever else the record says.
    if (arn && arn.includes(':assumed-role/aws:ec2-instance/')) return undefined;
    const issuer = identity.sessionContext?.sessionIssuer?.arn;
    if (issuer !== undefined) {
      if (issuer !== this.role.arn) return undefined;
      if (!arn) return '';
      return arn.startsWith(this.assumedRolePrefix) ? arn.slice(this.assumedRolePrefix.length) : arn.slice(arn.lastIndexOf('/') + 1);
    }
    return arn?.startsWith(this.assumedRolePrefix) ? arn.slice(this.assumedRolePrefix.length) : undefined;
  }

  /** Records an AssumeRole of this role. False when the record assumes some other role. */
  private noteAssume(record: CloudTrailRecord): boolean {
    const params = record.requestParameters;
    if (!params || params.roleArn !== this.role.arn) return false;
    // A failed AssumeRole issued no credentials, so no call can follow from it.
    if (record.errorCode) return true;
    const sessionName = typeof params.roleSessionName === 'string' ? params.roleSessionName : '';
    const origin = assumeOrigin(record);
    const credentials = record.responseElements?.credentials as { accessKeyId?: unknown } | undefined;
    if (typeof credentials?.accessKeyId === 'string') {
      this.assumes.set(credentials.accessKeyId, { sessionName, origin, inWindow: this.inWindow(record.eventTime) });
    }
    const known = this.originByName.get(sessionName);
    if (known === undefined) this.originByName.set(sessionName, origin);
    else if (known !== origin) this.originByName.set(sessionName, AMBIGUOUS);
    return true;
  }

  /**
   * Who opened a session, best evidence first: its own AssumeRole (joined on
   * the access key), an AssumeRole of the same session name, then the shape of
   * the name.
   */
  private originOf(accessKeyId: string, sessionName: string, hints: SessionHints): Origin | undefined {
    const assume = accessKeyId ? this.assumes.get(accessKeyId) : undefined;
    if (assume) return this.attributable(assume.origin);
    const byName = this.originByName.get(sessionName);
    if (byName !== undefined && byName !== AMBIGUOUS) return this.attributable(byName);
    return serviceForSessionName(sessionName, this.services, hints);
  }

  /** Maps an AssumeRole's service to the role's own spelling of it; services the role does not trust stay unattributed. */
  private attributable(origin: Origin): Origin | undefined {
    if (origin === NON_SERVICE) return origin;
    return this.serviceByWorkload.get(workloadKey(origin));
  }
}

/**
 * The principal behind an AssumeRole: the invoking service, or NON_SERVICE for
 * people and other principals. A user or role calling through a service (the
 * console, CloudFormation) also carries invokedBy, but with its own type: the
 * session is still theirs, not the service's.
 */
function assumeOrigin(record: CloudTrailRecord): Origin {
  const identity = record.userIdentity;
  if (!identity || (identity.type !== undefined && identity.type !== 'AWSService')) return NON_SERVICE;
  return identity.invokedBy ?? record.sourceIPAddress ?? NON_SERVICE;
}

/**
 * Why an identity that is not this role's cannot be read at all, or undefined
 * when it is simply someone else's (a user, another role).
 */
function oddIdentity(identity: NonNullable<CloudTrailRecord['userIdentity']>): string | undefined {
  if (identity.type === undefined && identity.arn === undefined) return 'a userIdentity with neither type nor ARN';
  if (identity.type === 'AssumedRole' && !identity.arn && !identity.sessionContext?.sessionIssuer?.arn) {
    return 'an AssumedRole userIdentity without a session ARN';
  }
  return undefined;
}

/** A ServiceUsage with nothing in it yet. */
export function emptyUsage(): ServiceUsage {
  return { actions: new Map(), sessions: 0, events: 0 };
}
