/**
 * IAM changes apply and rollback make. Every function is idempotent: an
 * effect that already exists counts as done, and removing what is already
 * gone is not an error. Resources are created tagged, so ownership can be
 * checked before anything is deleted.
 */
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetRoleCommand,
  paginateListAttachedRolePolicies,
  paginateListInstanceProfilesForRole,
  paginateListRolePolicies,
  PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  type IAMClient,
  type Tag,
} from '@aws-sdk/client-iam';
import { SplitRoleError } from '../core/errors.js';
import { awsCall, collectPages } from './call.js';
import { isEntityExists, isNoSuchEntity } from '../core/aws-error-names.js';

/** What a role is created with. */
export interface RoleSpec {
  roleName: string;
  path: string;
  trustPolicy: unknown;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundaryArn?: string;
  tags: Tag[];
}

/** A role's tags, or undefined when it does not exist. */
export function roleTags(iam: IAMClient, roleName: string): Promise<Tag[] | undefined> {
  return tagsIfExists('iam:GetRole', async () => (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role?.Tags);
}

/** A managed policy's tags, or undefined when it does not exist. */
export function managedPolicyTags(iam: IAMClient, arn: string): Promise<Tag[] | undefined> {
  return tagsIfExists('iam:GetPolicy', async () => (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.Tags);
}

/** An instance profile's tags, or undefined when it does not exist. */
export function instanceProfileTags(iam: IAMClient, name: string): Promise<Tag[] | undefined> {
  return tagsIfExists(
    'iam:GetInstanceProfile',
    async () => (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }))).InstanceProfile?.Tags,
  );
}

/** Tags are how ownership is proven, so "missing" must be told apart from "untagged". */
async function tagsIfExists(action: string, read: () => Promise<Tag[] | undefined>): Promise<Tag[] | undefined> {
  try {
    return (await awsCall(action, read)) ?? [];
  } catch (error) {
    if (isNoSuchEntity(error)) return undefined;
    throw error;
  }
}

/** Creates a role unless it exists; returns false when it already existed. */
export async function createRole(iam: IAMClient, spec: RoleSpec): Promise<boolean> {
  try {
    await awsCall('iam:CreateRole', () =>
      iam.send(
        new CreateRoleCommand({
          RoleName: spec.roleName,
          Path: spec.path,
          AssumeRolePolicyDocument: JSON.stringify(spec.trustPolicy),
          Description: spec.description,
          MaxSessionDuration: spec.maxSessionDuration,
          PermissionsBoundary: spec.permissionsBoundaryArn,
          Tags: spec.tags.length > 0 ? spec.tags : undefined,
        }),
      ),
    );
    return true;
  } catch (error) {
    if (isEntityExists(error)) return false;
    throw error;
  }
}

/** Puts (creates or overwrites) an inline policy. */
export async function putRolePolicy(iam: IAMClient, roleName: string, policyName: string, document: unknown): Promise<void> {
  await awsCall('iam:PutRolePolicy', () =>
    iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: JSON.stringify(document) })),
  );
}

/** Deletes an inline policy if present. */
export async function deleteRolePolicy(iam: IAMClient, roleName: string, policyName: string): Promise<void> {
  await ignoreMissing(() => awsCall('iam:DeleteRolePolicy', () => iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }))));
}

/** Creates a customer-managed policy unless it exists; returns its tags when it did exist. */
export async function createManagedPolicy(
  iam: IAMClient,
  spec: { name: string; path: string; arn: string; document: unknown; tags: Tag[] },
): Promise<{ created: boolean; tags?: Tag[] }> {
  try {
    await awsCall('iam:CreatePolicy', () =>
      iam.send(new CreatePolicyCommand({ PolicyName: spec.name, Path: spec.path, PolicyDocument: JSON.stringify(spec.document), Tags: spec.tags })),
    );
    return { created: true };
  } catch (error) {
    if (!isEntityExists(error)) throw error;
    return { created: false, tags: (await managedPolicyTags(iam, spec.arn)) ?? [] };
  }
}

/** Deletes a customer-managed policy (detached first by the caller) if present. */
export async function deleteManagedPolicy(iam: IAMClient, arn: string): Promise<void> {
  await ignoreMissing(() => awsCall('iam:DeletePolicy', () => iam.send(new DeletePolicyCommand({ PolicyArn: arn }))));
}

/** Attaches a managed policy (a no-op when attached). */
export async function attachRolePolicy(iam: IAMClient, roleName: string, arn: string): Promise<void> {
  await awsCall('iam:AttachRolePolicy', () => iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn })));
}

/** Detaches a managed policy if attached. */
export async function detachRolePolicy(iam: IAMClient, roleName: string, arn: string): Promise<void> {
  await ignoreMissing(() => awsCall('iam:DetachRolePolicy', () => iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }))));
}

/** Creates an instance profile holding `roleName`, reusing one that exists; returns its tags if it existed. */
export async function ensureInstanceProfile(
  iam: IAMClient,
  spec: { name: string; path: string; roleName: string; tags: Tag[] },
): Promise<{ created: boolean; tags?: Tag[] }> {
  let created = true;
  let tags: Tag[] | undefined;
  try {
    await awsCall('iam:CreateInstanceProfile', () =>
      iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: spec.name, Path: spec.path, Tags: spec.tags.length > 0 ? spec.tags : undefined })),
    );
  } catch (error) {
    if (!isEntityExists(error)) throw error;
    created = false;
  }
  const profile = await awsCall('iam:GetInstanceProfile', () => iam.send(new GetInstanceProfileCommand({ InstanceProfileName: spec.name })));
  if (!created) tags = profile.InstanceProfile?.Tags ?? [];
  const roles = profile.InstanceProfile?.Roles ?? [];
  if (!roles.some((r) => r.RoleName === spec.roleName)) {
    if (roles.length > 0) {
      throw new SplitRoleError('ProfileTaken', `instance profile ${spec.name} already holds role ${roles[0]?.RoleName}`, 'an instance profile holds one role: free it, or re-plan with another --name');
    }
    try {
      await awsCall('iam:AddRoleToInstanceProfile', () =>
        iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: spec.name, RoleName: spec.roleName })),
      );
    } catch (error) {
      // A 5xx or dropped connection after IAM added the role makes the SDK retry, and the retry
      // fails with LimitExceeded (a profile holds one role): if the role is in, the step is done.
      const now = await awsCall('iam:GetInstanceProfile', () => iam.send(new GetInstanceProfileCommand({ InstanceProfileName: spec.name })));
      if (!(now.InstanceProfile?.Roles ?? []).some((r) => r.RoleName === spec.roleName)) throw error;
    }
  }
  return { created, ...(tags ? { tags } : {}) };
}

/** Removes a role from an instance profile, if it is in it. */
export async function removeRoleFromProfile(iam: IAMClient, profileName: string, roleName: string): Promise<void> {
  // Asking to remove a role that is not in the profile gets an error whose code IAM
  // implementations disagree on (moto answers HTTP 500, which the SDK retries, then fails the
  // run). A resumed retire step, the undo of a half-made profile, and an SDK retry of a removal
  // that had succeeded all do ask, so: look first, and after an error look again.
  if (!(await profileHolds(iam, profileName, roleName))) return;
  try {
    await awsCall('iam:RemoveRoleFromInstanceProfile', () =>
      iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: profileName, RoleName: roleName })),
    );
  } catch (error) {
    if (isNoSuchEntity(error) || !(await profileHolds(iam, profileName, roleName))) return;
    throw error;
  }
}

async function profileHolds(iam: IAMClient, profileName: string, roleName: string): Promise<boolean> {
  try {
    const out = await awsCall('iam:GetInstanceProfile', () => iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName })));
    return (out.InstanceProfile?.Roles ?? []).some((r) => r.RoleName === roleName);
  } catch (error) {
    if (isNoSuchEntity(error)) return false;
    throw error;
  }
}

/** Deletes an instance profile if it exists and holds no role; returns whether it is gone. */
export async function deleteEmptyInstanceProfile(iam: IAMClient, profileName: string): Promise<boolean> {
  try {
    const out = await awsCall('iam:GetInstanceProfile', () => iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName })));
    if ((out.InstanceProfile?.Roles ?? []).length > 0) return false;
    await awsCall('iam:DeleteInstanceProfile', () => iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: profileName })));
    return true;
  } catch (error) {
    if (isNoSuchEntity(error)) return true;
    throw error;
  }
}

/**
 * Deletes a role with everything IAM requires gone first: inline policies,
 * attached policies, instance-profile memberships. Missing is fine.
 */
export async function deleteRoleCompletely(iam: IAMClient, roleName: string): Promise<void> {
  try {
    const [inline, attached, profiles] = await Promise.all([
      collectPages('iam:ListRolePolicies', paginateListRolePolicies({ client: iam }, { RoleName: roleName }), (p) => p.PolicyNames ?? []),
      collectPages('iam:ListAttachedRolePolicies', paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName }), (p) =>
        (p.AttachedPolicies ?? []).map((a) => a.PolicyArn ?? ''),
      ),
      collectPages('iam:ListInstanceProfilesForRole', paginateListInstanceProfilesForRole({ client: iam }, { RoleName: roleName }), (p) =>
        (p.InstanceProfiles ?? []).map((i) => i.InstanceProfileName ?? ''),
      ),
    ]);
    for (const name of inline) await deleteRolePolicy(iam, roleName, name);
    for (const arn of attached) await detachRolePolicy(iam, roleName, arn);
    for (const profile of profiles) await removeRoleFromProfile(iam, profile, roleName);
    await awsCall('iam:DeleteRole', () => iam.send(new DeleteRoleCommand({ RoleName: roleName })));
  } catch (error) {
    if (isNoSuchEntity(error)) return;
    throw error;
  }
}

async function ignoreMissing(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!isNoSuchEntity(error)) throw error;
  }
}
