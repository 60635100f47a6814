/** The narrow interface every resource-policy kind implements: list, read, write. */
import { mapLimit } from '../../core/concurrency.js';
import { awsErrorName } from '../../core/aws-error-names.js';
import type { PolicyEdits } from '../edits.js';
import type { AwsSession } from '../../aws/session.js';

/** The kinds of resource-based policy split-role keeps in step with the split. */
export const POLICY_KINDS = ['kms-key', 's3-bucket', 'sqs-queue', 'sns-topic', 'secret', 'ecr-repository', 'lambda-function'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** One resource whose policy may name the shared role. */
export interface PolicyResource {
  kind: PolicyKind;
  region: string;
  /** What the kind's API takes: key id, bucket name, queue URL, topic ARN, secret ARN, repository name, function name. */
  id: string;
  arn: string;
}

/** The most a kind's policy may hold, as the service counts it, and the AWS page that says so. */
export interface PolicySizeLimit {
  max: number;
  unit: 'bytes' | 'characters';
  /** The AWS documentation page stating the quota. */
  source: string;
}

/** Reads and writes one kind's policy through the session's client for the resource's region. */
export interface PolicyKindAdapter {
  kind: PolicyKind;
  /** Every resource of the kind in these regions. */
  list(session: AwsSession, regions: readonly string[]): Promise<PolicyResource[]>;
  /** The policy text exactly as the service returns it; undefined when the resource has none. */
  read(session: AwsSession, resource: PolicyResource): Promise<string | undefined>;
  /**
   * Makes the live policy `desired` in one call where the API allows it.
   * `current` is the live text, for kinds edited statement by statement (Lambda).
   */
  write(session: AwsSession, resource: PolicyResource, desired: string, current: string): Promise<void>;
  /** Kind-specific edits, where the generic ones (new ARNs beside the shared one) do not fit the kind's API. */
  edits?: PolicyEdits;
  /** Names that evidence may use for the resource (ARNs, names, URLs). */
  names(resource: PolicyResource): string[];
  /** The service's size quota for one policy: plan refuses an edit that would grow past it. */
  sizeLimit: PolicySizeLimit;
  /** How the review names the service ("S3"). */
  service: string;
}

/** How many regions one kind is listed in at once. */
const REGION_CONCURRENCY = 4;

/** Lists a kind in every region, a few regions at once, results in region order. */
export async function perRegion(
  regions: readonly string[],
  list: (region: string) => Promise<PolicyResource[]>,
): Promise<PolicyResource[]> {
  return (await mapLimit(regions, REGION_CONCURRENCY, list)).flat();
}

/** Runs a policy read; undefined when the service answers with `missing` (no policy set). */
export async function readPolicy(missing: string, read: () => Promise<string | undefined>): Promise<string | undefined> {
  try {
    return await read();
  } catch (error) {
    // The session's clients translate errors and keep AWS's name in awsName.
    if (awsErrorName(error) === missing) return undefined;
    throw error;
  }
}
