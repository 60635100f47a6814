/**
 * IAM's eventual consistency around apply's and rollback's own changes: a
 * role or profile just stripped of its policies and memberships may refuse
 * deletion with DeleteConflict for a while (Terraform retries it for 2 min,
 * hashicorp/terraform#14707), and an entity just created may read as
 * NoSuchEntity. Both are retried within the consistency budget.
 */
import type { IamPort } from '../aws/iam-port.js';
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

/** deleteEmptyInstanceProfile said no: the profile still lists a role. */
class StillHoldsRole extends Error {}

/**
 * Deletes an instance profile whose role this run has just removed; true when
 * it is gone. For a while IAM may still list the removed role (the delete
 * answers false) or refuse with DeleteConflict: both are retried within the
 * consistency budget. A profile that still holds a role after that is kept.
 */
export async function deleteEmptiedProfile(
  timings: Timings,
  iam: Pick<IamPort, 'deleteEmptyInstanceProfile'>,
  profileName: string,
): Promise<boolean> {
  try {
    return await retryWhileSettling(
      timings,
      (error) => isDeleteConflict(error) || error instanceof StillHoldsRole,
      async () => {
        if (await iam.deleteEmptyInstanceProfile(profileName)) return true;
        throw new StillHoldsRole(profileName);
      },
    );
  } catch (error) {
    if (error instanceof StillHoldsRole) return false;
    throw error;
  }
}
