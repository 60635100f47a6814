/**
 * The IAM port: the narrow set of IAM operations apply, rollback, retire,
 * the drift check and the journal cross-check make, at the level they think
 * in (a role's snapshot, an idempotent create, a complete delete). The SDK
 * implementation below wraps the functions of iam.ts and iam-write.ts;
 * tests implement the same interface in memory (test/support/fake-account).
 */
import type { IAMClient, Tag } from '@aws-sdk/client-iam';
import type { RoleSnapshot } from '../core/role-snapshot.js';
import { findRole, getRoleSnapshot, type RoleSummary } from './iam.js';
import {
  attachRolePolicy,
  createManagedPolicy,
  createRole,
  deleteEmptyInstanceProfile,
  deleteManagedPolicy,
  deleteRoleCompletely,
  deleteRolePolicy,
  detachRolePolicy,
  ensureInstanceProfile,
  instanceProfileTags,
  managedPolicyTags,
  putRolePolicy,
  removeRoleFromProfile,
  roleTags,
  type RoleSpec,
} from './iam-write.js';
import { loadSdk } from './sdk-modules.js';

export type { RoleSpec } from './iam-write.js';
export type { RoleSummary } from './iam.js';

/** A customer-managed policy as apply creates it. */
export interface ManagedPolicySpec {
  name: string;
  path: string;
  /** The ARN IAM will give it (account, path and name), read back when it already exists. */
  arn: string;
  document: unknown;
  tags: Tag[];
}

/** An instance profile holding one role, as apply creates it. */
export interface InstanceProfileSpec {
  name: string;
  path: string;
  roleName: string;
  tags: Tag[];
}

/** What a create found: made now, or there already with these tags (ownership is decided by them). */
export interface Created {
  created: boolean;
  tags?: Tag[];
}

/** IAM's RoleLastUsed: when (and in which region) the role's credentials were last used; empty when never or unknown. */
export interface RoleLastUsed {
  at?: Date;
  region?: string;
}

/**
 * IAM as apply sees it. Contract (both implementations keep it): creates are
 * idempotent (an existing entity answers `false` / `created: false`),
 * removals of what is already gone succeed, and "not found" anywhere else is
 * an error named NoSuchEntity, as the SDK names it.
 */
export interface IamPort {
  /** A role's name, ARN, unique id, path, trust (as IAM returns it) and tags; undefined when it does not exist. */
  findRole(roleName: string): Promise<RoleSummary | undefined>;
  /** The role with every policy and profile; throws NoSuchEntity when it does not exist. */
  roleSnapshot(roleName: string): Promise<RoleSnapshot>;
  /** GetRole's RoleLastUsed; throws NoSuchEntity when the role does not exist. */
  roleLastUsed(roleName: string): Promise<RoleLastUsed>;
  /** A role's tags; undefined when it does not exist (missing and untagged differ). */
  roleTags(roleName: string): Promise<Tag[] | undefined>;
  /** A managed policy's tags; undefined when it does not exist. */
  managedPolicyTags(arn: string): Promise<Tag[] | undefined>;
  /** An instance profile's tags; undefined when it does not exist. */
  instanceProfileTags(name: string): Promise<Tag[] | undefined>;
  /** Creates a role; false when one of that name already exists. */
  createRole(spec: RoleSpec): Promise<boolean>;
  /** Creates or overwrites an inline policy; NoSuchEntity when the role is missing. */
  putRolePolicy(roleName: string, policyName: string, document: unknown): Promise<void>;
  /** Deletes an inline policy if present. */
  deleteRolePolicy(roleName: string, policyName: string): Promise<void>;
  /** Creates a customer-managed policy unless it exists. */
  createManagedPolicy(spec: ManagedPolicySpec): Promise<Created>;
  /** Deletes a managed policy if present; DeleteConflict while it is attached. */
  deleteManagedPolicy(arn: string): Promise<void>;
  /** Attaches a managed policy (a no-op when attached); NoSuchEntity when the role or policy is missing. */
  attachRolePolicy(roleName: string, arn: string): Promise<void>;
  /** Detaches a managed policy if attached. */
  detachRolePolicy(roleName: string, arn: string): Promise<void>;
  /** Makes the profile hold the role, creating it when missing; ProfileTaken (SplitRoleError) when it holds another role. */
  ensureInstanceProfile(spec: InstanceProfileSpec): Promise<Created>;
  /** Takes the role out of the profile, if it is in it. */
  removeRoleFromProfile(profileName: string, roleName: string): Promise<void>;
  /** Deletes the profile if it holds no role; true when it is gone. */
  deleteEmptyInstanceProfile(profileName: string): Promise<boolean>;
  /** Deletes the role after its inline policies, attachments and profile memberships; missing is fine. */
  deleteRoleCompletely(roleName: string): Promise<void>;
  /** Replaces the role's trust policy (UpdateAssumeRolePolicy); NoSuchEntity when the role is missing. */
  updateAssumeRolePolicy(roleName: string, document: unknown): Promise<void>;
}

/** The IAM port over the SDK: the client is asked for on first use, so the module loads lazily. */
export function sdkIamPort(clients: { iam(): Promise<IAMClient> }): IamPort {
  const iam = () => clients.iam();
  return {
    findRole: async (roleName) => findRole(await iam(), roleName),
    roleSnapshot: async (roleName) => getRoleSnapshot(await iam(), roleName),
    roleLastUsed: async (roleName) => roleLastUsed(await iam(), roleName),
    roleTags: async (roleName) => roleTags(await iam(), roleName),
    managedPolicyTags: async (arn) => managedPolicyTags(await iam(), arn),
    instanceProfileTags: async (name) => instanceProfileTags(await iam(), name),
    createRole: async (spec) => createRole(await iam(), spec),
    putRolePolicy: async (roleName, policyName, document) => putRolePolicy(await iam(), roleName, policyName, document),
    deleteRolePolicy: async (roleName, policyName) => deleteRolePolicy(await iam(), roleName, policyName),
    createManagedPolicy: async (spec) => createManagedPolicy(await iam(), spec),
    deleteManagedPolicy: async (arn) => deleteManagedPolicy(await iam(), arn),
    attachRolePolicy: async (roleName, arn) => attachRolePolicy(await iam(), roleName, arn),
    detachRolePolicy: async (roleName, arn) => detachRolePolicy(await iam(), roleName, arn),
    ensureInstanceProfile: async (spec) => ensureInstanceProfile(await iam(), spec),
    removeRoleFromProfile: async (profileName, roleName) => removeRoleFromProfile(await iam(), profileName, roleName),
    deleteEmptyInstanceProfile: async (profileName) => deleteEmptyInstanceProfile(await iam(), profileName),
    deleteRoleCompletely: async (roleName) => deleteRoleCompletely(await iam(), roleName),
    updateAssumeRolePolicy: async (roleName, document) => {
      const { UpdateAssumeRolePolicyCommand } = await loadSdk('client-iam');
      await (await iam()).send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(document) }));
    },
  };
}

async function roleLastUsed(iam: IAMClient, roleName: string): Promise<RoleLastUsed> {
  const { GetRoleCommand } = await loadSdk('client-iam');
  const out = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  const last = out.Role?.RoleLastUsed;
  return { ...(last?.LastUsedDate ? { at: last.LastUsedDate } : {}), ...(last?.Region ? { region: last.Region } : {}) };
}
