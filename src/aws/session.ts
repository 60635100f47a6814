/**
 * The one place AWS clients are built. Every client shares the same region,
 * profile, retry policy, user agent and call counter, and honours the SDK's own
 * endpoint settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, config
 * files) unless --endpoint-url overrides them.
 */
import type { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { VERSION } from '../core/version.js';
import { noRegionError } from './errors.js';

/** What the user chose on the command line. */
export interface AwsOptions {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  /** Used only when no flag, variable or profile names a region (e.g. a plan's own region). */
  defaultRegion?: string;
}

/** Counts of AWS requests made in this run, for --debug output and benchmarks. */
export class CallCounter {
  /** HTTP requests sent, retries included. */
  requests = 0;
  /** Commands issued, each counted once however often it was retried. */
  readonly commands = new Map<string, number>();

  /** Total commands issued. */
  get commandTotal(): number {
    let total = 0;
    for (const n of this.commands.values()) total += n;
    return total;
  }
}

/** The client settings common to every service. */
export interface SharedClientConfig {
  region: string;
  profile?: string;
  endpoint?: string;
  retryMode: 'adaptive';
  customUserAgent: string;
}

type Client = { middlewareStack: { add: (...args: never[]) => void } };

/** Builds and caches one client per service for a run. */
export class AwsSession {
  readonly calls = new CallCounter();
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(readonly config: SharedClientConfig) {}

  /** The region every client uses. */
  get region(): string {
    return this.config.region;
  }

  // Clients load lazily: the SDK's service modules take most of the CLI's start-up time.
  iam(): Promise<IAMClient> {
    return this.client('iam', async () => new (await import('@aws-sdk/client-iam')).IAMClient(this.config));
  }
  sts(): Promise<STSClient> {
    return this.client('sts', async () => new STSClient(this.config));
  }
  ec2(): Promise<EC2Client> {
    return this.client('ec2', async () => new (await import('@aws-sdk/client-ec2')).EC2Client(this.config));
  }
  lambda(): Promise<LambdaClient> {
    return this.client('lambda', async () => new (await import('@aws-sdk/client-lambda')).LambdaClient(this.config));
  }
  autoScaling(): Promise<AutoScalingClient> {
    return this.client('autoscaling', async () => new (await import('@aws-sdk/client-auto-scaling')).AutoScalingClient(this.config));
  }
  ecs(): Promise<ECSClient> {
    return this.client('ecs', async () => new (await import('@aws-sdk/client-ecs')).ECSClient(this.config));
  }
  cloudTrail(): Promise<CloudTrailClient> {
    return this.client('cloudtrail', async () => new (await import('@aws-sdk/client-cloudtrail')).CloudTrailClient(this.config));
  }
  accessAnalyzer(): Promise<AccessAnalyzerClient> {
    return this.client(
      'accessanalyzer',
      async () => new (await import('@aws-sdk/client-accessanalyzer')).AccessAnalyzerClient(this.config),
    );
  }
  s3(): Promise<S3Client> {
    // Emulators and private endpoints rarely resolve bucket sub-domains.
    return this.client(
      's3',
      async () => new (await import('@aws-sdk/client-s3')).S3Client({ ...this.config, forcePathStyle: this.usesCustomS3Endpoint() }),
    );
  }

  /** Destroys every client's sockets so the process can exit promptly. */
  destroy(): void {
    for (const pending of this.cache.values()) {
      void pending.then((client) => (client as { destroy(): void }).destroy(), () => undefined);
    }
    this.cache.clear();
  }

  private usesCustomS3Endpoint(): boolean {
    return Boolean(this.config.endpoint || process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL);
  }

  private client<T extends Client>(key: string, build: () => Promise<T>): Promise<T> {
    let client = this.cache.get(key) as Promise<T> | undefined;
    if (!client) {
      client = build().then((built) => {
        this.count(built);
        return built;
      });
      this.cache.set(key, client);
    }
    return client;
  }

  private count(client: Client): void {
    const calls = this.calls;
    const stack = client.middlewareStack as unknown as {
      add: (mw: unknown, opts: { step: string; name: string }) => void;
    };
    stack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const name = context.commandName ?? 'unknown';
        calls.commands.set(name, (calls.commands.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'splitRoleCommandCounter' },
    );
    // The deserialize step runs once per HTTP attempt, inside the retry loop.
    stack.add(
      (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
        calls.requests += 1;
        return next(args);
      },
      { step: 'deserialize', name: 'splitRoleRequestCounter' },
    );
  }
}

/**
 * Opens a session. Region precedence: --region, AWS_REGION,
 * AWS_DEFAULT_REGION, the profile's region in the shared config file, then
 * the caller's default.
 */
export async function openAwsSession(options: AwsOptions, env: NodeJS.ProcessEnv = process.env): Promise<AwsSession> {
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
    retryMode: 'adaptive',
    customUserAgent: `split-role/${VERSION}`,
  };
  if (profile) config.profile = profile;
  const endpoint = nonEmpty(options.endpointUrl);
  if (endpoint) config.endpoint = endpoint;
  return new AwsSession(config);
}

/** Lets the SDK's own config loader find the profile's region (AWS_PROFILE or `profile`). */
async function regionFromProfile(profile: string | undefined): Promise<string | undefined> {
  const probe = new STSClient(profile ? { profile } : {});
  try {
    return nonEmpty(await probe.config.region());
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value.trim() : undefined;
}
