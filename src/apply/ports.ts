/**
 * The account as apply, rollback, retire, the drift check and the journal
 * cross-check see it: narrow ports, not an AwsSession's raw clients. An
 * AwsSession implements them over the SDK (sessionPorts); tests hand in an
 * in-memory fake account (test/support/fake-account) instead.
 */
import type { Clocks } from '../aws/aws-clock.js';
import { sdkCloudFormationPort, type CloudFormationPort } from '../aws/cloudformation.js';
import { sdkIamPort, type IamPort } from '../aws/iam-port.js';
import type { AwsSession } from '../aws/session.js';
import type { IndexClients } from '../inventory/workloads.js';
import { sdkPolicyPort, type PolicyPort } from '../resource-policy/port.js';

/** One account's ports. */
export interface AccountPorts {
  /** IAM (global). */
  readonly iam: IamPort;
  /** Resource-based policies of every kind, in any region. */
  readonly policies: PolicyPort;
  /** The workload services of one region of the account. */
  workloads(region: string): Promise<IndexClients>;
  /** The regions enabled for the account, sorted. */
  enabledRegions(): Promise<string[]>;
  /** CloudFormation of one region: when a stack's deploy finished (a code cutover), and what a stack holds now. */
  cloudFormation(region: string): Promise<CloudFormationPort>;
  /**
   * Where the evidence sources read the trail (CloudTrail, S3, Athena, Lake):
   * the retire gate's and verify's after-cutover calls. Undefined for an
   * account without a trail (in memory): the sources then see no calls.
   */
  readonly evidence?: AwsSession;
  /**
   * The host's clock and AWS's (from response Date headers): cutover is
   * journaled on AWS's, and a host clock far from it is refused. Undefined:
   * only the host's clock is known.
   */
  readonly clock?: Clocks;
}

/** The ports of a session's account, over the SDK. */
export function sessionPorts(session: AwsSession): AccountPorts {
  return {
    iam: sdkIamPort(session),
    policies: sdkPolicyPort(session),
    workloads: (region) => session.inRegion(region),
    enabledRegions: () => session.enabledRegions(),
    cloudFormation: async (region) => sdkCloudFormationPort(await session.inRegion(region)),
    evidence: session,
    clock: session.clock,
  };
}
