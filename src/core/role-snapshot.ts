/** The shared role as read from IAM: what a plan narrows, records and restores on rollback. */

/** A managed policy attached to a role, with its default version's document. */
export interface AttachedPolicySnapshot {
  arn: string;
  name: string;
  defaultVersionId: string;
  /** AWS-managed policies are re-attached on rollback, never recreated. */
  awsManaged: boolean;
  document: unknown;
}

/** Everything needed to narrow a role's grants and to recreate it. */
export interface RoleSnapshot {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundaryArn?: string;
  trustPolicy: unknown;
  tags: Array<{ Key: string; Value: string }>;
  inlinePolicies: Array<{ name: string; document: unknown }>;
  attachedPolicies: AttachedPolicySnapshot[];
  instanceProfiles: Array<{ name: string; arn: string; path: string; id: string; tags?: Array<{ Key: string; Value: string }> }>;
}
