/**
 * Deterministic CloudTrail corpus: gzip log files in the AWSLogs layout, with
 * one shared role's sessions (EC2, Lambda, ECS, plus a person and an
 * unattributable one) among realistic foreign noise. The generator also
 * computes what attribution should find, so the benchmark and tests can check
 * the result, not just the speed.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const MANIFEST = 'corpus-manifest.json';
/** Bump when the generated content changes, so cached corpora are rebuilt. */
const FORMAT_VERSION = 1;

/** What to generate. */
export interface CorpusOptions {
  dir: string;
  records: number;
  /** Mean records per file; real trails write a few thousand per file per 5 minutes. */
  recordsPerFile?: number;
  seed?: number;
  /** Days the records span, starting at `start`. */
  days?: number;
  start?: Date;
  /** Write every n-th file as plain .json instead of .json.gz (0: never). */
  plainEvery?: number;
}

/** What was generated, and what attribution should find in it. */
export interface CorpusManifest {
  version: number;
  options: { records: number; recordsPerFile: number; seed: number; days: number; start: string; plainEvery: number };
  dir: string;
  files: number;
  records: number;
  compressedBytes: number;
  uncompressedBytes: number;
  role: { arn: string; name: string };
  services: string[];
  hints: { ec2InstanceIds: string[]; lambdaFunctionNames: string[] };
  /** Calls of the role per service principal, and those that attribution must keep apart. */
  expected: { byService: Record<string, number>; unattributed: number; nonService: number; roleCalls: number };
}

/** The account and role every corpus uses. */
export const CORPUS_ACCOUNT = '123456789012';
export const CORPUS_ROLE = { arn: `arn:aws:iam::${CORPUS_ACCOUNT}:role/app/shared-app-role`, name: 'shared-app-role' };
export const CORPUS_SERVICES = ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'];

/** Returns the corpus in `options.dir` when it was generated with the same options, else generates it. */
export async function loadOrGenerateCorpus(options: CorpusOptions): Promise<{ manifest: CorpusManifest; reused: boolean }> {
  const wanted = normalise(options);
  try {
    const manifest = JSON.parse(await readFile(join(options.dir, MANIFEST), 'utf8')) as CorpusManifest;
    if (manifest.version === FORMAT_VERSION && JSON.stringify(manifest.options) === JSON.stringify(wanted)) {
      return { manifest, reused: true };
    }
  } catch {
    // no usable corpus yet
  }
  await rm(options.dir, { recursive: true, force: true });
  return { manifest: await generateCorpus(options), reused: false };
}

/** Writes the corpus under options.dir/AWSLogs/… and returns its manifest. */
export async function generateCorpus(options: CorpusOptions): Promise<CorpusManifest> {
  const opts = normalise(options);
  const world = new World(opts.seed, Date.parse(opts.start), (opts.days * 86_400_000) / opts.records);
  const manifest: CorpusManifest = {
    version: FORMAT_VERSION,
    options: opts,
    dir: options.dir,
    files: 0,
    records: 0,
    compressedBytes: 0,
    uncompressedBytes: 0,
    role: CORPUS_ROLE,
    services: CORPUS_SERVICES,
    hints: { ec2InstanceIds: world.instances, lambdaFunctionNames: world.functions },
    expected: { byService: {}, unattributed: 0, nonService: 0, roleCalls: 0 },
  };
  const writes = new Set<Promise<void>>();
  let written = 0;
  while (written < opts.records) {
    const size = Math.min(opts.records - written, Math.max(1, Math.round(opts.recordsPerFile * (0.75 + world.rng() / 2))));
    const records = Array.from({ length: size }, () => world.next());
    written += size;
    const region = REGIONS[manifest.files % REGIONS.length]!;
    const plain = opts.plainEvery > 0 && manifest.files % opts.plainEvery === opts.plainEvery - 1;
    const path = filePath(options.dir, region, records[0]!.eventTime as string, world.hex(16), plain);
    manifest.files += 1;
    manifest.records += size;
    const text = Buffer.from(JSON.stringify({ Records: records }));
    manifest.uncompressedBytes += text.length;
    // Two files compress at once on libuv's pool while the next batch is generated.
    const write = (async () => {
      const bytes = plain ? text : await gzipAsync(text);
      manifest.compressedBytes += bytes.length;
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, bytes);
    })();
    writes.add(write);
    void write.finally(() => writes.delete(write));
    if (writes.size >= 2) await Promise.race(writes);
  }
  await Promise.all(writes);
  world.flushDelayed();
  manifest.expected = world.expected();
  await writeFile(join(options.dir, MANIFEST), JSON.stringify(manifest, null, 2));
  return manifest;
}

function normalise(options: CorpusOptions): CorpusManifest['options'] {
  return {
    records: options.records,
    recordsPerFile: options.recordsPerFile ?? 3000,
    seed: options.seed ?? 42,
    days: options.days ?? 7,
    start: (options.start ?? new Date('2024-03-01T00:00:00Z')).toISOString(),
    plainEvery: options.plainEvery ?? 0,
  };
}

const REGIONS = ['us-east-1', 'eu-west-1'];

function filePath(dir: string, region: string, time: string, suffix: string, plain: boolean): string {
  const [y, m, d] = [time.slice(0, 4), time.slice(5, 7), time.slice(8, 10)];
  const stamp = `${y}${m}${d}T${time.slice(11, 13)}${time.slice(14, 16)}Z`;
  const name = `${CORPUS_ACCOUNT}_CloudTrail_${region}_${stamp}_${suffix}.json${plain ? '' : '.gz'}`;
  return join(dir, 'AWSLogs', CORPUS_ACCOUNT, 'CloudTrail', region, y, m, d, name);
}

type Rec = Record<string, unknown>;
type Kind = 'ec2' | 'lambda' | 'ecs' | 'human' | 'unknown';

interface Session {
  kind: Kind;
  name: string;
  accessKeyId: string;
  callsLeft: number;
  calls: number;
  /** Where its calls must land: a service principal, "unattributed" or "nonService". */
  bucket: string;
}

const SERVICE_OF: Record<'ec2' | 'lambda' | 'ecs', string> = {
  ec2: 'ec2.amazonaws.com',
  lambda: 'lambda.amazonaws.com',
  ecs: 'ecs-tasks.amazonaws.com',
};

/** What each kind of workload calls: [eventSource, eventName, data event?]. */
const CALLS: Record<Kind, ReadonlyArray<readonly [string, string, boolean]>> = {
  ec2: [
    ['s3.amazonaws.com', 'GetObject', true],
    ['s3.amazonaws.com', 'PutObject', true],
    ['ssm.amazonaws.com', 'GetParameter', false],
    ['monitoring.amazonaws.com', 'PutMetricData', false],
    ['ec2.amazonaws.com', 'DescribeTags', false],
  ],
  lambda: [
    ['dynamodb.amazonaws.com', 'GetItem', true],
    ['dynamodb.amazonaws.com', 'PutItem', true],
    ['sqs.amazonaws.com', 'SendMessage', false],
    ['kms.amazonaws.com', 'Decrypt', false],
    ['lambda.amazonaws.com', 'GetFunction20150331v2', false],
  ],
  ecs: [
    ['s3.amazonaws.com', 'ListObjects', true],
    ['sns.amazonaws.com', 'Publish', false],
    ['secretsmanager.amazonaws.com', 'GetSecretValue', false],
    ['sts.amazonaws.com', 'GetCallerIdentity', false],
  ],
  human: [
    ['iam.amazonaws.com', 'ListRoles', false],
    ['s3.amazonaws.com', 'ListBuckets', false],
  ],
  unknown: [['ec2.amazonaws.com', 'DescribeInstances', false]],
};

/** The simulated account: a seeded random stream of records, in time order except for delayed AssumeRoles. */
class World {
  readonly instances: string[];
  readonly functions: string[];
  private state: number;
  private seq = 0;
  private readonly active: Session[] = [];
  private readonly sessions: Session[] = [];
  /** AssumeRole records held back so they land after their session's first calls. */
  private readonly delayed: Array<{ due: number; record: Rec; session: Session }> = [];

  constructor(
    seed: number,
    private readonly startMs: number,
    private readonly stepMs: number,
  ) {
    this.state = seed >>> 0;
    this.instances = Array.from({ length: 20 }, () => `i-${this.hex(17)}`);
    this.functions = ['orders-api', 'thumbnailer', 'billing-sync', 'report-builder', 'audit-hook', 'cart-expiry'];
  }

  /** mulberry32: small, fast and good enough for test data. */
  rng(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += '0123456789abcdef'[(this.rng() * 16) | 0];
    return out;
  }

  private pick<T>(items: readonly T[]): T {
    return items[(this.rng() * items.length) | 0]!;
  }

  /** The next record of the stream. */
  next(): Rec {
    const seq = this.seq++;
    const time = new Date(this.startMs + seq * this.stepMs).toISOString().slice(0, 19) + 'Z';
    const due = this.delayed[0];
    if (due && due.due <= seq) {
      this.delayed.shift();
      return { ...due.record, eventTime: time };
    }
    const roll = this.rng();
    if (roll < 0.1) return this.roleRecord(time, seq);
    return this.noise(time, roll);
  }

  /**
   * Drops the AssumeRoles still held back: they would land after the corpus
   * ends. Workload sessions are still attributed by name; a person's session
   * name says nothing, so those calls become unattributed.
   */
  flushDelayed(): void {
    for (const { session } of this.delayed) if (session.kind === 'human') session.bucket = 'unattributed';
    this.delayed.length = 0;
  }

  expected(): CorpusManifest['expected'] {
    const out: CorpusManifest['expected'] = { byService: {}, unattributed: 0, nonService: 0, roleCalls: 0 };
    for (const service of CORPUS_SERVICES) out.byService[service] = 0;
    for (const session of this.sessions) {
      out.roleCalls += session.calls;
      if (session.bucket === 'unattributed') out.unattributed += session.calls;
      else if (session.bucket === 'nonService') out.nonService += session.calls;
      else out.byService[session.bucket]! += session.calls;
    }
    return out;
  }

  private roleRecord(time: string, seq: number): Rec {
    if (this.active.length < 40 || this.rng() < 0.02) {
      const opened = this.open(time, seq);
      if (opened) return opened;
    }
    const session = this.pick(this.active);
    session.calls += 1;
    if (--session.callsLeft <= 0) this.active.splice(this.active.indexOf(session), 1);
    const [source, name, data] = this.pick(CALLS[session.kind]);
    return this.call(time, source, name, data, roleIdentity(session, this.hex(16)));
  }

  /** Opens a session; returns its AssumeRole record unless that is missing or delayed. */
  private open(time: string, seq: number): Rec | undefined {
    const roll = this.rng();
    const kind: Kind = roll < 0.4 ? 'ec2' : roll < 0.7 ? 'lambda' : roll < 0.95 ? 'ecs' : roll < 0.975 ? 'human' : 'unknown';
    const name =
      kind === 'ec2'
        ? this.pick(this.instances)
        : kind === 'lambda'
          ? this.pick(this.functions)
          : kind === 'ecs'
            ? this.hex(32)
            : kind === 'human'
              ? `alice-${this.hex(6)}`
              : `adhoc-${this.hex(8)}`;
    const session: Session = {
      kind,
      name,
      accessKeyId: `ASIA${this.hex(16).toUpperCase()}`,
      callsLeft: 20 + ((this.rng() * 400) | 0),
      calls: 0,
      bucket: kind === 'human' ? 'nonService' : kind === 'unknown' ? 'unattributed' : SERVICE_OF[kind],
    };
    this.active.push(session);
    this.sessions.push(session);
    // Workload sessions sometimes began before the corpus: attribution must fall back on the session name.
    if (kind === 'unknown' || (kind !== 'human' && this.rng() < 0.15)) return undefined;
    const record = this.assumeRole(time, session);
    if (this.rng() < 0.2) {
      this.delayed.push({ due: seq + 1 + ((this.rng() * 5000) | 0), record, session });
      this.delayed.sort((a, b) => a.due - b.due);
      return undefined;
    }
    return record;
  }

  private assumeRole(time: string, session: Session): Rec {
    const identity =
      session.kind === 'human'
        ? {
            type: 'IAMUser',
            principalId: 'AIDAEXAMPLEALICE',
            arn: `arn:aws:iam::${CORPUS_ACCOUNT}:user/alice`,
            accountId: CORPUS_ACCOUNT,
            accessKeyId: 'AKIAEXAMPLEALICE',
            userName: 'alice',
          }
        : { type: 'AWSService', invokedBy: SERVICE_OF[session.kind as 'ec2'] };
    const record = this.call(time, 'sts.amazonaws.com', 'AssumeRole', false, identity);
    record.requestParameters = { roleArn: CORPUS_ROLE.arn, roleSessionName: session.name, durationSeconds: 3600 };
    record.responseElements = {
      credentials: { accessKeyId: session.accessKeyId, sessionToken: `IQoJb3JpZ2luX2VjE${this.hex(48)}`, expiration: time },
      assumedRoleUser: { assumedRoleId: `AROAEXAMPLESHARED:${session.name}`, arn: assumedArn(CORPUS_ROLE.name, session.name) },
    };
    record.resources = [{ accountId: CORPUS_ACCOUNT, type: 'AWS::IAM::Role', ARN: CORPUS_ROLE.arn }];
    return record;
  }

  /** Foreign records: other roles, people, EC2 instance identities, services, other roles' AssumeRoles. */
  private noise(time: string, roll: number): Rec {
    if (roll < 0.5) {
      const role = this.pick(OTHER_ROLES);
      const [source, name, data] = this.pick(CALLS[this.pick(['ec2', 'lambda', 'ecs'] as const)]);
      return this.call(time, source, name, data, otherRoleIdentity(role.account, role.name, role.path, `i-${this.hex(17)}`, this.hex(16)));
    }
    if (roll < 0.65) {
      const [source, name] = this.pick(CALLS.human);
      return this.call(time, source, name, false, {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLEBOB',
        arn: `arn:aws:iam::${CORPUS_ACCOUNT}:user/bob`,
        accountId: CORPUS_ACCOUNT,
        accessKeyId: `AKIA${this.hex(16).toUpperCase()}`,
        userName: 'bob',
      });
    }
    if (roll < 0.75) {
      // The instance identity role shares the instance id as its session name: never the shared role's.
      return this.call(
        time,
        'ssm.amazonaws.com',
        'UpdateInstanceInformation',
        false,
        otherRoleIdentity(CORPUS_ACCOUNT, 'aws:ec2-instance', '/', this.pick(this.instances), this.hex(16)),
      );
    }
    if (roll < 0.85) {
      return this.call(time, 'kms.amazonaws.com', 'Decrypt', false, { type: 'AWSService', invokedBy: 's3.amazonaws.com' });
    }
    const role = this.pick(OTHER_ROLES);
    const record = this.call(time, 'sts.amazonaws.com', 'AssumeRole', false, { type: 'AWSService', invokedBy: 'lambda.amazonaws.com' });
    record.requestParameters = {
      roleArn: `arn:aws:iam::${role.account}:role${role.path}${role.name}`,
      roleSessionName: this.pick(this.functions),
    };
    record.responseElements = { credentials: { accessKeyId: `ASIA${this.hex(16).toUpperCase()}`, expiration: time } };
    return record;
  }

  private call(time: string, source: string, name: string, data: boolean, userIdentity: Rec): Rec {
    const host = `${source.replace('.amazonaws.com', '')}.us-east-1.amazonaws.com`;
    return {
      eventVersion: '1.09',
      userIdentity,
      eventTime: time,
      eventSource: source,
      eventName: name,
      awsRegion: 'us-east-1',
      sourceIPAddress:
        userIdentity.type === 'AWSService' ? userIdentity.invokedBy : `10.0.${(this.rng() * 255) | 0}.${(this.rng() * 255) | 0}`,
      userAgent:
        userIdentity.type === 'AWSService'
          ? userIdentity.invokedBy
          : 'aws-sdk-java/2.25.11 Linux/5.10.215 OpenJDK_64-Bit_Server_VM/17.0.10',
      requestParameters: {
        bucketName: 'app-data-bucket',
        key: `orders/2024/${this.hex(12)}.json`,
        Host: `app-data-bucket.s3.amazonaws.com`,
      },
      responseElements: null,
      requestID: this.hex(16).toUpperCase(),
      eventID: `${this.hex(8)}-${this.hex(4)}-${this.hex(4)}-${this.hex(4)}-${this.hex(12)}`,
      readOnly: name.startsWith('Get') || name.startsWith('List') || name.startsWith('Describe'),
      eventType: 'AwsApiCall',
      managementEvent: !data,
      recipientAccountId: CORPUS_ACCOUNT,
      eventCategory: data ? 'Data' : 'Management',
      tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: host },
    };
  }
}

const OTHER_ROLES = [
  { account: CORPUS_ACCOUNT, name: 'payments-worker', path: '/' },
  { account: CORPUS_ACCOUNT, name: 'shared-app-role-v2', path: '/app/' },
  { account: CORPUS_ACCOUNT, name: 'ci-deployer', path: '/ci/' },
  // Same name, another account: only the full ARN tells it apart.
  { account: '999988887777', name: 'shared-app-role', path: '/app/' },
];

function assumedArn(roleName: string, session: string, account = CORPUS_ACCOUNT): string {
  return `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`;
}

function roleIdentity(session: Session, principalSuffix: string): Rec {
  return otherRoleIdentity(CORPUS_ACCOUNT, CORPUS_ROLE.name, '/app/', session.name, principalSuffix, session.accessKeyId);
}

function otherRoleIdentity(
  account: string,
  name: string,
  path: string,
  session: string,
  suffix: string,
  accessKeyId = `ASIA${suffix.toUpperCase()}`,
): Rec {
  return {
    type: 'AssumedRole',
    principalId: `AROA${suffix.toUpperCase().slice(0, 12)}:${session}`,
    arn: assumedArn(name, session, account),
    accountId: account,
    accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: `AROA${suffix.toUpperCase().slice(0, 12)}`,
        arn: `arn:aws:iam::${account}:role${path}${name}`,
        accountId: account,
        userName: name,
      },
      webIdFederationData: {},
      attributes: { creationDate: '2024-03-01T00:00:00Z', mfaAuthenticated: 'false' },
    },
  };
}
