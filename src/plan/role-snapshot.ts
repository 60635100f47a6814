/** The shared role as read from IAM: moved to core (aws reads it, plan records it); kept here for older importers. */
export type { AttachedPolicySnapshot, RoleSnapshot } from '../core/role-snapshot.js';
