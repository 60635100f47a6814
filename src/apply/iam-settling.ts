/**
 * IAM's eventual consistency around apply's and rollback's own changes: a
 * role or profile just stripped of its policies and memberships may refuse
 * deletion with DeleteConflict for a while (Terraform retries it for 2 min,
 * hashicorp/terraform#14707), and an entity just created may read as
 * NoSuchEntity. Both are retried within the consistency budget.
 */
import { isDeleteConflict, isNoSuchEntity } from '../core/aws-error-names.js';
import { retryWhileSettling, type Timings } from '../core/waits.js';

/** Runs a delete of a role or instance profile whose attachments were just removed, retrying DeleteConflict. */
export function deleteAfterDetaching<T>(timings: Timings, remove: () => Promise<T>): Promise<T> {
  return retryWhileSettling(timings, isDeleteConflict, remove);
}

/** Runs a change to an entity this run just created, retrying while IAM still says it does not exist. */
export function retryWhileJustCreated<T>(timings: Timings, change: () => Promise<T>): Promise<T> {
  return retryWhileSettling(timings, isNoSuchEntity, change);
}
