/**
 * IAM changes apply and rollback make. Every function is idempotent: an
 * effect that already exists counts as done, and removing what is already
 * gone is not an error. Resources are created tagged, so ownership can be
 * checked before anything is deleted.
 */
import type { IAMClient, Tag } from '@aws-sdk/client-iam';
import { SplitRoleError } from '../core/errors.js';
import { collectItems } from './call.js';
import { isEntityExists, isNoSuchEntity } from '../core/aws-error-names.js';
import { loadSdk } from './sdk-modules.js';

// Command classes load on first use: the SDK's service modules are most of the CLI's start-up time.
const sdk = () => loadSdk('client-iam');

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
export async function roleTags(iam: IAMClient, roleName: string): Promise<Tag[] | undefined> {
  const { GetRoleCommand } = await sdk();
  return tagsIfExists(async () => (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role?.Tags);
}

/** A managed policy's tags, or undefined when it does not exist. */
export async function managedPolicyTags(iam: IAMClient, arn: string): Promise<Tag[] | undefined> {
  const { GetPolicyCommand } = await sdk();
  return tagsIfExists(async () => (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.Tags);
}

/** An instance profile's tags, or undefined when it does not exist. */
export async function instanceProfileTags(iam: IAMClient, name: string): Promise<Tag[] | undefined> {
  const { GetInstanceProfileCommand } = await sdk();
  return tagsIfExists(async () => (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }))).InstanceProfile?.Tags);
}

/** Tags are how ownership is proven, so "missing" must be told apart from "untagged". */
async function tagsIfExists(read: () => Promise<Tag[] | undefined>): Promise<Tag[] | undefined> {
  try {
    return (await read()) ?? [];
  } catch (error) {
    if (isNoSuchEntity(error)) return undefined;
    throw error;
  }
}

/** Creates a role unless it exists; returns false when it already existed. */
export async function createRole(iam: IAMClient, spec: RoleSpec): Promise<boolean> {
  const { CreateRoleCommand } = await sdk();
  try {
    await iam.send(
      new CreateRoleCommand({
        RoleName: spec.roleName,
        Path: spec.path,
        AssumeRolePolicyDocument: JSON.stringify(spec.trustPolicy),
        Description: spec.description,
        MaxSessionDuration: spec.maxSessionDuration,
        PermissionsBoundary: spec.permissionsBoundaryArn,
        Tags: spec.tags.length > 0 ? spec.tags : undefined,
      }),
    );
    return true;
  } catch (error) {
    if (isEntityExists(error)) return false;
    throw error;
  }
}

/** Puts (creates or overwrites) an inline policy. */
export async function putRolePolicy(iam: IAMClient, roleName: string, policyName: string, document: unknown): Promise<void> {
  const { PutRolePolicyCommand } = await sdk();
  await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: JSON.stringify(document) }));
}

/** Deletes an inline policy if present. */
export async function deleteRolePolicy(iam: IAMClient, roleName: string, policyName: string): Promise<void> {
  const { DeleteRolePolicyCommand } = await sdk();
  await ignoreMissing(() => iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })));
}

/** Creates a customer-managed policy unless it exists; returns its tags when it did exist. */
export async function createManagedPolicy(
  iam: IAMClient,
  spec: { name: string; path: string; arn: string; document: unknown; tags: Tag[] },
): Promise<{ created: boolean; tags?: Tag[] }> {
  const { CreatePolicyCommand } = await sdk();
  try {
    await iam.send(
      new CreatePolicyCommand({ PolicyName: spec.name, Path: spec.path, PolicyDocument: JSON.stringify(spec.document), Tags: spec.tags }),
    );
    return { created: true };
  } catch (error) {
    if (!isEntityExists(error)) throw error;
    return { created: false, tags: (await managedPolicyTags(iam, spec.arn)) ?? [] };
  }
}

/** Deletes a customer-managed policy (detached first by the caller) if present. */
export async function deleteManagedPolicy(iam: IAMClient, arn: string): Promise<void> {
  const { DeletePolicyCommand } = await sdk();
  await ignoreMissing(() => iam.send(new DeletePolicyCommand({ PolicyArn: arn })));
}

/** Attaches a managed policy (a no-op when attached). */
export async function attachRolePolicy(iam: IAMClient, roleName: string, arn: string): Promise<void> {
  const { AttachRolePolicyCommand } = await sdk();
  await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }));
}

/** Detaches a managed policy if attached. */
export async function detachRolePolicy(iam: IAMClient, roleName: string, arn: string): Promise<void> {
  const { DetachRolePolicyCommand } = await sdk();
  await ignoreMissing(() => iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn })));
}

/** Creates an instance profile holding `roleName`, reusing one that exists; returns its tags if it existed. */
export async function ensureInstanceProfile(
  iam: IAMClient,
  spec: { name: string; path: string; roleName: string; tags: Tag[] },
): Promise<{ created: boolean; tags?: Tag[] }> {
  const { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, GetInstanceProfileCommand } = await sdk();
  let created = true;
  let tags: Tag[] | undefined;
  try {
    await iam.send(
      new CreateInstanceProfileCommand({
        InstanceProfileName: spec.name,
        Path: spec.path,
        Tags: spec.tags.length > 0 ? spec.tags : undefined,
      }),
    );
  } catch (error) {
    if (!isEntityExists(error)) throw error;
    created = false;
  }
  const profile = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: spec.name }));
  if (!created) tags = profile.InstanceProfile?.Tags ?? [];
  const roles = profile.InstanceProfile?.Roles ?? [];
  if (!roles.some((r) => r.RoleName === spec.roleName)) {
    if (roles.length > 0) {
      throw new SplitRoleError(
        'ProfileTaken',
        `instance profile ${spec.name} already holds role ${roles[0]?.RoleName}`,
        'an instance profile holds one role: free it, or re-plan with another --name',
      );
    }
    try {
      await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: spec.name, RoleName: spec.roleName }));
    } catch (error) {
      // A 5xx or dropped connection after IAM added the role makes the SDK retry, and the retry
      // fails with LimitExceeded (a profile holds one role): if the role is in, the step is done.
      const now = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: spec.name }));
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
  const { RemoveRoleFromInstanceProfileCommand } = await sdk();
  try {
    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: profileName, RoleName: roleName }));
  } catch (error) {
    if (isNoSuchEntity(error) || !(await profileHolds(iam, profileName, roleName))) return;
    throw error;
  }
}

async function profileHolds(iam: IAMClient, profileName: string, roleName: string): Promise<boolean> {
  const { GetInstanceProfileCommand } = await sdk();
  try {
    const out = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName }));
    return (out.InstanceProfile?.Roles ?? []).some((r) => r.RoleName === roleName);
  } catch (error) {
    if (isNoSuchEntity(error)) return false;
    throw error;
  }
}

/** Deletes an instance profile if it exists and holds no role; returns whether it is gone. */
export async function deleteEmptyInstanceProfile(iam: IAMClient, profileName: string): Promise<boolean> {
  const { DeleteInstanceProfileCommand, GetInstanceProfileCommand } = await sdk();
  try {
    const out = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName }));
    if ((out.InstanceProfile?.Roles ?? []).length > 0) return false;
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: profileName }));
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
  const { DeleteRoleCommand, paginateListAttachedRolePolicies, paginateListInstanceProfilesForRole, paginateListRolePolicies } =
    await sdk();
  try {
    const [inline, attached, profiles] = await Promise.all([
      collectItems(paginateListRolePolicies({ client: iam }, { RoleName: roleName }), (p) => p.PolicyNames ?? []),
      collectItems(paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName }), (p) =>
        (p.AttachedPolicies ?? []).map((a) => a.PolicyArn ?? ''),
      ),
      collectItems(paginateListInstanceProfilesForRole({ client: iam }, { RoleName: roleName }), (p) =>
        (p.InstanceProfiles ?? []).map((i) => i.InstanceProfileName ?? ''),
      ),
    ]);
    for (const name of inline) await deleteRolePolicy(iam, roleName, name);
    for (const arn of attached) await detachRolePolicy(iam, roleName, arn);
    for (const profile of profiles) await removeRoleFromProfile(iam, profile, roleName);
    await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
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
