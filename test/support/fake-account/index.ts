/**
 * A whole AWS account in memory, typed against the ports the code uses
 * (aws-cdk-cli's fake CloudFormation is the model): IAM, resource policies,
 * and per region the workload services. Hand `opener()` to applyPlan,
 * rollbackPlan or openOperation to run them in-process; seed and inspect
 * through `iam`, `policies` and `region(name).services`. SPEC.md says what
 * it models and what it deliberately does not.
 */
import type { AccountOpener } from '../../../src/apply/operation.js';
import type { AccountPorts } from '../../../src/apply/ports.js';
import type { Clocks } from '../../../src/aws/aws-clock.js';
import type { AwsSession } from '../../../src/aws/session.js';
import { FakeCloudFormation } from './cloudformation.js';
import { FakeIam } from './iam.js';
import { FakePolicies } from './policies.js';
import { FAKE_TIMINGS } from './workload-context.js';
import { FakeWorkloads } from './workloads.js';

export { FakeServiceError } from './aws-error.js';
export { FakeCloudFormation } from './cloudformation.js';
export { FakeIam } from './iam.js';
export { FakePolicies } from './policies.js';
export { FakeWorkloads } from './workloads.js';

/** Who and where the account is. */
export interface FakeAccountOptions {
  account?: string;
  partition?: string;
  /** The credentials' default region (a plan's region must match it). */
  region?: string;
  /** The regions DescribeRegions would call enabled (default: just `region`). */
  enabledRegions?: readonly string[];
  /** Reads an update or deployment takes to settle (default 1). */
  settleReads?: number;
}

/** One account: the ports apply talks to, implemented in memory. */
export class FakeAccount implements AccountPorts {
  readonly account: string;
  readonly partition: string;
  /** The default region. */
  readonly home: string;
  readonly iam: FakeIam;
  readonly policies = new FakePolicies();
  private readonly enabled: string[];
  private readonly regions = new Map<string, FakeWorkloads>();
  private readonly stacks = new Map<string, FakeCloudFormation>();
  private readonly settleReads: number;
  /**
   * The host's clock and AWS's: by default both the real one, as when a
   * response's Date header agrees with the host. Tests move either
   * (`clock.localNow`, `clock.awsNow`); `awsNow` undefined means no response
   * has shown AWS's clock.
   */
  readonly clock: Clocks & { localNow: () => Date; awsNow: (() => Date) | undefined } = {
    localNow: () => new Date(),
    awsNow: () => new Date(),
    local() {
      return this.localNow();
    },
    aws() {
      return this.awsNow?.();
    },
  };

  /** Where checks after cutover read the trail: unset (no trail in memory) unless a test hands in a session, e.g. for local trail files. */
  evidence?: AwsSession;

  constructor(options: FakeAccountOptions = {}) {
    this.account = options.account ?? '123456789012';
    this.partition = options.partition ?? 'aws';
    this.home = options.region ?? 'us-east-1';
    this.enabled = [...new Set(options.enabledRegions ?? [this.home])].sort();
    this.settleReads = options.settleReads ?? 1;
    this.iam = new FakeIam(this.account, this.partition);
  }

  /** The workload services of a region (made on first use), to seed and inspect. */
  region(name: string = this.home): FakeWorkloads {
    let region = this.regions.get(name);
    if (!region) {
      region = new FakeWorkloads({
        account: this.account,
        region: name,
        // The services check new roles and profiles against IAM, as AWS does.
        knowsRole: (arn) => this.iam.hasRoleArn(arn),
        knowsProfile: (arn) => this.iam.hasProfileArn(arn),
        settleReads: this.settleReads,
      });
      this.regions.set(name, region);
    }
    return region;
  }

  async workloads(region: string): Promise<FakeWorkloads> {
    return this.region(region);
  }

  /** CloudFormation of a region (made on first use), to seed stacks and inspect its calls. */
  stacksIn(name: string = this.home): FakeCloudFormation {
    let cfn = this.stacks.get(name);
    if (!cfn) this.stacks.set(name, (cfn = new FakeCloudFormation(this.account, name)));
    return cfn;
  }

  async cloudFormation(region: string): Promise<FakeCloudFormation> {
    return this.stacksIn(region);
  }

  async enabledRegions(): Promise<string[]> {
    return [...this.enabled];
  }

  /** Opens this account for a plan, as the CLI opens AWS: the identity is this account's, the region the default one. */
  opener(): AccountOpener {
    return async () => ({
      ports: this,
      identity: { account: this.account, partition: this.partition, arn: `arn:${this.partition}:iam::${this.account}:user/tester` },
      region: this.home,
      timings: FAKE_TIMINGS,
      close: () => undefined,
    });
  }
}
