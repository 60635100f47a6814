/**
 * The resource-policy port: list, read and write resource-based policies by
 * kind, in any region of one account. The kind adapters implement it over
 * the SDK; tests implement it in memory (test/support/fake-account). The
 * sweep (discover.ts) and apply's policy steps talk only to this port.
 */
import type { AwsSession } from '../aws/session.js';
import { policyAdapter } from './kinds/index.js';
import type { PolicyKind, PolicyResource } from './kinds/types.js';

/**
 * Resource policies of one account. `read` answers undefined when the
 * resource has no policy, and throws (with the service's exception name)
 * when the resource itself is gone or cannot be read.
 */
export interface PolicyPort {
  /** Every resource of the kind in these regions, in region order. */
  list(kind: PolicyKind, regions: readonly string[]): Promise<PolicyResource[]>;
  /** The policy text exactly as the service returns it; undefined when none is set. */
  read(resource: PolicyResource): Promise<string | undefined>;
  /** Makes the live policy `desired`; `current` is the live text, for kinds edited statement by statement. */
  write(resource: PolicyResource, desired: string, current: string): Promise<void>;
}

/** What the services answer a read of a resource that no longer exists (KMS and SNS, S3, SQS, Secrets Manager, ECR). */
export const RESOURCE_GONE: ReadonlySet<string> = new Set([
  'NotFoundException',
  'NoSuchBucket',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'ResourceNotFoundException',
  'RepositoryNotFoundException',
]);

/** The port over a session's SDK clients, one kind adapter per kind. */
export function sdkPolicyPort(session: AwsSession): PolicyPort {
  return {
    list: (kind, regions) => policyAdapter(kind).list(session, regions),
    read: (resource) => policyAdapter(resource.kind).read(session, resource),
    write: (resource, desired, current) => policyAdapter(resource.kind).write(session, resource, desired, current),
  };
}
