/**
 * The one place AWS clients are built: a provider hands out a session per
 * (account, region) target, like aws-cdk-cli's SdkProvider.forEnvironment.
 * Another account is reached by assuming `--assume-role NAME` there from the
 * caller's credentials. Every client shares the profile, retry policy, user
 * agent, call counter and pacing (rate-limit.ts), and honours the SDK's own endpoint settings
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, config files) unless
 * --endpoint-url overrides them.
 */
import type { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import type { AthenaClient } from '@aws-sdk/client-athena';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { STSClient } from '@aws-sdk/client-sts';
import { usageError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { CallCounter, countCalls, type CountableStack } from './call-counter.js';
import { translateErrors, type TranslatableStack } from './error-middleware.js';
import { AwsClock, recordServerDates, type DateRecordingStack } from './aws-clock.js';
import { noRegionError } from './errors.js';
import { paceCalls, RateLimits, rateRulesFromEnv } from './rate-limit.js';
import { BudgetRetryStrategy, retryBudgetFromEnv, serviceName, type RetryBudget, type RetryListener } from './retry-budget.js';
import { assumeRoleCredentials, validateAccess, type AccountAccess, type CredentialProvider } from './assume-role.js';
import { accountRegions, parseRegionList, type AccountRegion } from './regions.js';
import { getCallerIdentity, type CallerIdentity } from './sts.js';
import { sdkWorkloadPorts, type WorkloadPorts } from './workload-ports.js';
import { loadSdk } from './sdk-modules.js';
import { sharedLookups, type SharedLookups } from './shared-lookups.js';

export { CallCounter } from './call-counter.js';
export type { AccountAccess } from './assume-role.js';

/** What the user chose on the command line. */
export interface AwsOptions {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  /** Used only when no flag, variable or profile names a region (e.g. a plan's own region). */
  defaultRegion?: string;
  /** The role to assume in every account that is not the caller's own (`--assume-role`). */
  assumeRole?: string;
  /**
   * The regions to treat as the enabled ones instead of asking DescribeRegions
   * (SPLIT_ROLE_ENABLED_REGIONS): an emulator reports every region, and a sweep
   * of twenty empty ones is most of a local run's time.
   */
  enabledRegions?: readonly string[];
  /** The external id the role's trust policy asks for (`--external-id`). */
  externalId?: string;
  /** Hears of every wait before a throttled or failed call is sent again (commands report the long ones). */
  onRetry?: RetryListener;
}

/** The client settings common to every service. */
export interface SharedClientConfig {
  region: string;
  profile?: string;
  endpoint?: string;
  /** Adaptive paces a client after throttling; an emulator (SPLIT_ROLE_FAST_WAITS=1) needs no pacing. */
  retryMode: 'adaptive' | 'standard';
  customUserAgent: string;
}

/** An (account, region) an AWS call is for; a missing part means the caller's own. */
export interface AwsTarget {
  account?: string;
  region?: string;
}

type Client = { middlewareStack: CountableStack & TranslatableStack & DateRecordingStack; destroy(): void };
type ClientConfig = SharedClientConfig & { credentials?: CredentialProvider };
/** What every session client is (its middleware gets the counters, pacing and error translation), and the settings it is built with. */
export type { Client as SessionClient, ClientConfig as SessionClientConfig };

/** Clients for one (account, region), built lazily and cached. */
export class AwsSession {
  private readonly cache = new Map<string, Promise<Client>>();

  constructor(
    readonly config: ClientConfig,
    /** The account these clients reach; undefined for the caller's own credentials. */
    readonly account: string | undefined,
    private readonly provider: SessionProvider,
    /** The role assumed to reach `account`; undefined when the caller's own credentials are used. */
    readonly access?: AccountAccess,
  ) {}

  /** The region every client uses. */
  get region(): string {
    return this.config.region;
  }

  /** Counts of every AWS call the run made (shared by all targets). */
  get calls(): CallCounter {
    return this.provider.calls;
  }

  /** AWS's clock, from the Date header of every response of the run (shared by all targets). */
  get clock(): AwsClock {
    return this.provider.clock;
  }

  /**
   * The caller's own session (default region): where an organization's shared
   * data (the trail's Athena table, a Lake event data store) is queried from,
   * whichever account a plan reads.
   */
  get caller(): AwsSession {
    return this.account === undefined ? this : this.provider.home;
  }

  /** The same account in another region. */
  inRegion(region: string): Promise<AwsSession> {
    return this.provider.forTarget({ account: this.account, region });
  }

  /** Every region of this account's partition, with whether the account can use it (asked once per run). */
  accountRegions(): Promise<AccountRegion[]> {
    return this.provider.accountRegions(this.account);
  }

  /** The regions enabled for this account, sorted (asked once per run). */
  async enabledRegions(): Promise<string[]> {
    return (await this.accountRegions())
      .filter((r) => r.enabled)
      .map((r) => r.name)
      .sort();
  }

  // Clients load lazily: the SDK's service modules take most of the CLI's start-up time.
  iam(): Promise<IAMClient> {
    return this.client('iam', async () => new (await loadSdk('client-iam')).IAMClient(this.clientConfig('IAMClient')));
  }
  sts(): Promise<STSClient> {
    return this.client('sts', async () => new (await loadSdk('client-sts')).STSClient(this.clientConfig('STSClient')));
  }
  ec2(): Promise<EC2Client> {
    return this.client('ec2', async () => new (await loadSdk('client-ec2')).EC2Client(this.clientConfig('EC2Client')));
  }
  lambda(): Promise<LambdaClient> {
    return this.client('lambda', async () => new (await loadSdk('client-lambda')).LambdaClient(this.clientConfig('LambdaClient')));
  }
  autoScaling(): Promise<AutoScalingClient> {
    return this.client(
      'autoscaling',
      async () => new (await loadSdk('client-auto-scaling')).AutoScalingClient(this.clientConfig('AutoScalingClient')),
    );
  }
  ecs(): Promise<ECSClient> {
    return this.client('ecs', async () => new (await loadSdk('client-ecs')).ECSClient(this.clientConfig('ECSClient')));
  }
  cloudFormation(): Promise<CloudFormationClient> {
    return this.client(
      'cloudformation',
      async () => new (await loadSdk('client-cloudformation')).CloudFormationClient(this.clientConfig('CloudFormationClient')),
    );
  }
  cloudTrail(): Promise<CloudTrailClient> {
    return this.client(
      'cloudtrail',
      async () => new (await loadSdk('client-cloudtrail')).CloudTrailClient(this.clientConfig('CloudTrailClient')),
    );
  }
  accessAnalyzer(): Promise<AccessAnalyzerClient> {
    return this.client(
      'accessanalyzer',
      async () => new (await loadSdk('client-accessanalyzer')).AccessAnalyzerClient(this.clientConfig('AccessAnalyzerClient')),
    );
  }
  organizations(): Promise<OrganizationsClient> {
    return this.client(
      'organizations',
      async () => new (await loadSdk('client-organizations')).OrganizationsClient(this.clientConfig('OrganizationsClient')),
    );
  }
  athena(): Promise<AthenaClient> {
    return this.client('athena', async () => new (await loadSdk('client-athena')).AthenaClient(this.clientConfig('AthenaClient')));
  }
  s3(): Promise<S3Client> {
    // Emulators and private endpoints rarely resolve bucket sub-domains.
    return this.client(
      's3',
      async () =>
        new (await loadSdk('client-s3')).S3Client({
          ...this.clientConfig('S3Client'),
          forcePathStyle: this.usesCustomS3Endpoint(),
        }),
    );
  }

  kms(): Promise<KMSClient> {
    return this.client('kms', async () => new (await loadSdk('client-kms')).KMSClient(this.clientConfig('KMSClient')));
  }
  sqs(): Promise<SQSClient> {
    // The queue URL's host must not override the endpoint: with --endpoint-url or AWS_ENDPOINT_URL the calls
    // would bypass it, and without one the URL's host is the regional endpoint anyway.
    return this.client(
      'sqs',
      async () => new (await loadSdk('client-sqs')).SQSClient({ ...this.clientConfig('SQSClient'), useQueueUrlAsEndpoint: false }),
    );
  }
  sns(): Promise<SNSClient> {
    return this.client('sns', async () => new (await loadSdk('client-sns')).SNSClient(this.clientConfig('SNSClient')));
  }
  secretsManager(): Promise<SecretsManagerClient> {
    return this.client(
      'secretsmanager',
      async () => new (await loadSdk('client-secrets-manager')).SecretsManagerClient(this.clientConfig('SecretsManagerClient')),
    );
  }
  ecr(): Promise<ECRClient> {
    return this.client('ecr', async () => new (await loadSdk('client-ecr')).ECRClient(this.clientConfig('ECRClient')));
  }

  /**
   * A client of any service, built on first use with this session's settings
   * (region, credentials, retries, pacing, call counts): how a workload kind
   * gets its SDK client without a method here. `service` keys the cache and
   * the pacing ("codebuild"); `clientName` is the SDK class ("CodeBuildClient").
   */
  sdkClient<T extends Client>(service: string, clientName: string, build: (config: ClientConfig) => T): Promise<T> {
    return this.client(service, () => Promise.resolve(build(this.clientConfig(clientName))));
  }

  /** The workload services (EC2, Lambda, ECS, Auto Scaling) behind the narrow ports the workload adapters use. */
  workloadPorts(): WorkloadPorts {
    return (this.ports ??= sdkWorkloadPorts(this));
  }
  private ports?: WorkloadPorts;

  /** Destroys every client of the run (all targets) so the process can exit promptly. */
  destroy(): void {
    this.provider.destroy();
  }

  /** Destroys this target's clients only. */
  closeClients(): void {
    for (const pending of this.cache.values())
      void pending.then(
        (client) => client.destroy(),
        () => undefined,
      );
    this.cache.clear();
  }

  /**
   * The settings of one client. While the retry budget applies each client
   * gets its own strategy (its pacing is per client, like the SDK's adaptive
   * mode, and its progress lines name the service).
   */
  private clientConfig(clientName: string): ClientConfig & SharedLookups & { retryStrategy?: BudgetRetryStrategy } {
    const shared = { ...this.config, ...this.provider.lookups() };
    const budget = this.provider.retry;
    if (!budget) return shared;
    const pacer =
      this.config.retryMode === 'adaptive' ? async () => new (await import('@smithy/core/retry')).DefaultRateLimiter() : undefined;
    return { ...shared, retryStrategy: new BudgetRetryStrategy(budget, serviceName(clientName), pacer) };
  }

  private usesCustomS3Endpoint(): boolean {
    return Boolean(this.config.endpoint || process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL);
  }

  private client<T extends Client>(key: string, build: () => Promise<T>): Promise<T> {
    let client = this.cache.get(key) as Promise<T> | undefined;
    if (!client) {
      client = build().then((built) => {
        countCalls(built.middlewareStack, this.provider.calls);
        paceCalls(built.middlewareStack, this.provider.rateLimits, { service: key, account: this.account, region: this.region });
        translateErrors(built.middlewareStack);
        recordServerDates(built.middlewareStack, this.provider.clock);
        return built;
      });
      this.cache.set(key, client);
    }
    return client;
  }
}

/**
 * Hands out one cached session per (account, region). The caller's own
 * account uses the caller's credentials; any other account is reached through
 * the access role, whose credentials the SDK refreshes before they expire.
 */
export class SessionProvider {
  readonly calls = new CallCounter();
  /** AWS's clock as its responses show it. */
  readonly clock = new AwsClock();
  /** The caller's own account in the default region. */
  readonly home: AwsSession;
  private readonly sessions = new Map<string, Promise<AwsSession>>();
  private readonly regions = new Map<string, Promise<AccountRegion[]>>();
  private identity?: Promise<CallerIdentity>;

  constructor(
    readonly config: SharedClientConfig,
    readonly access?: AccountAccess,
    /** Stands in for DescribeRegions in every account (see AwsOptions.enabledRegions). */
    private readonly enabledOverride?: readonly string[],
    /** How every client re-sends throttled and failed calls; undefined leaves it to the SDK (AWS_MAX_ATTEMPTS). */
    readonly retry?: RetryBudget,
    /** The client-side pacing of every call, one bucket per (service, account, region) for the whole run. */
    readonly rateLimits: RateLimits = new RateLimits([]),
  ) {
    this.home = new AwsSession(config, undefined, this);
    this.sessions.set(key({ region: config.region }), Promise.resolve(this.home));
  }

  /** The default region. */
  get region(): string {
    return this.config.region;
  }

  /** Who the caller's own credentials belong to (asked once). */
  callerIdentity(): Promise<CallerIdentity> {
    return (this.identity ??= this.home.sts().then(getCallerIdentity));
  }

  /**
   * The session for a target. An account other than the caller's needs the
   * access role: without one this fails before any call is made there.
   */
  forTarget(target: AwsTarget): Promise<AwsSession> {
    const region = target.region ?? this.config.region;
    const id = key({ account: target.account, region });
    let session = this.sessions.get(id);
    if (!session) {
      session = this.open(target.account, region);
      this.sessions.set(id, session);
      // A failed open (e.g. no access role) is not cached: the next ask gets the same clear error afresh.
      session.catch(() => this.sessions.delete(id));
    }
    return session;
  }

  /**
   * The regions of an account (undefined: the caller's own), read once per run
   * from its default region: retire's re-check, rollback's guard and the
   * policy sweep all ask, and the answer does not change within a run.
   */
  accountRegions(account: string | undefined): Promise<AccountRegion[]> {
    if (this.enabledOverride) return Promise.resolve(this.enabledOverride.map((name) => ({ name, enabled: true })));
    const id = account ?? 'caller';
    let regions = this.regions.get(id);
    if (!regions) {
      regions = this.forTarget({ account }).then(async (session) => accountRegions(await session.ec2()));
      this.regions.set(id, regions);
      regions.catch(() => this.regions.delete(id));
    }
    return regions;
  }

  /** The settings every client would look up alike, looked up once for the run (shared-lookups.ts). */
  lookups(): SharedLookups {
    return (this.shared ??= sharedLookups(this.config.profile));
  }
  private shared?: SharedLookups;

  /** Destroys every client of every target. */
  destroy(): void {
    for (const pending of this.sessions.values())
      void pending.then(
        (s) => s.closeClients(),
        () => undefined,
      );
  }

  private async open(account: string | undefined, region: string): Promise<AwsSession> {
    const config = { ...this.config, region };
    if (account === undefined) return new AwsSession(config, undefined, this);
    const caller = await this.callerIdentity();
    if (caller.account === account) return new AwsSession(config, account, this);
    if (!this.access) {
      throw usageError(
        `account ${account} is not the caller's (${caller.account}) and no role to reach it was given`,
        'pass --assume-role NAME (a role deployed in that account; docs/many-accounts.md)',
      );
    }
    const credentials = assumeRoleCredentials({ ...this.access, account, partition: caller.partition }, config, this.calls);
    return new AwsSession({ ...config, credentials }, account, this, this.access);
  }
}

function key(target: AwsTarget): string {
  return `${target.account ?? 'caller'}/${target.region}`;
}

/**
 * Opens a session provider. Region precedence: --region, AWS_REGION,
 * AWS_DEFAULT_REGION, the profile's region in the shared config file, then
 * the caller's default.
 */
export async function openSessionProvider(options: AwsOptions, env: NodeJS.ProcessEnv = process.env): Promise<SessionProvider> {
  const profile = nonEmpty(options.profile);
  const region =
    nonEmpty(options.region) ??
    nonEmpty(env.AWS_REGION) ??
    nonEmpty(env.AWS_DEFAULT_REGION) ??
    (await regionFromProfile(profile)) ??
    nonEmpty(options.defaultRegion);
  if (!region) throw noRegionError();
  const config: SharedClientConfig = {
    region,
    // The adaptive mode's pacing sleeps on the real clock, which a test clock (SPLIT_ROLE_TEST_CLOCK) cannot move on.
    retryMode: env.SPLIT_ROLE_FAST_WAITS === '1' || env.SPLIT_ROLE_TEST_CLOCK ? 'standard' : 'adaptive',
    customUserAgent: `split-role/${VERSION}`,
  };
  if (profile) config.profile = profile;
  const endpoint = nonEmpty(options.endpointUrl);
  if (endpoint) config.endpoint = endpoint;
  const roleName = nonEmpty(options.assumeRole);
  const externalId = nonEmpty(options.externalId);
  if (externalId && !roleName) throw usageError('--external-id needs --assume-role', 'pass --assume-role NAME');
  const access = roleName ? { roleName, ...(externalId ? { externalId } : {}) } : undefined;
  if (access) validateAccess(access);
  // Without a budget (AWS_MAX_ATTEMPTS set) the SDK's own retries apply, with that many attempts.
  const budget = retryBudgetFromEnv(env);
  const retry = budget && options.onRetry ? { ...budget, onRetry: options.onRetry } : budget;
  return new SessionProvider(
    config,
    access,
    options.enabledRegions ?? enabledRegionsFromEnv(env),
    retry,
    new RateLimits(rateRulesFromEnv(env)),
  );
}

/** Opens the caller's own (account, default region) session: the single-target view of a new provider. */
export async function openAwsSession(options: AwsOptions, env: NodeJS.ProcessEnv = process.env): Promise<AwsSession> {
  return (await openSessionProvider(options, env)).home;
}

/** Lets the SDK's own config loader find the profile's region (AWS_PROFILE or `profile`). */
async function regionFromProfile(profile: string | undefined): Promise<string | undefined> {
  const { STSClient } = await loadSdk('client-sts');
  const probe = new STSClient(profile ? { profile } : {});
  try {
    return nonEmpty(await probe.config.region());
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

/** SPLIT_ROLE_ENABLED_REGIONS=us-east-1,eu-west-1 stands in for DescribeRegions; empty or unset asks AWS. */
function enabledRegionsFromEnv(env: NodeJS.ProcessEnv): string[] | undefined {
  const regions = parseRegionList(env.SPLIT_ROLE_ENABLED_REGIONS ?? '');
  return regions.length > 0 ? [...new Set(regions)].sort() : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value.trim() : undefined;
}
