/** IAM adapter: the reads split-role needs, with pagination hidden (errors are translated by the client's middleware). */
import type { IAMClient, InstanceProfile, Role } from '@aws-sdk/client-iam';
import { isNoSuchEntity } from '../core/aws-error-names.js';
import type { AttachedPolicySnapshot, RoleSnapshot } from '../core/role-snapshot.js';
import { decodePolicyDocument } from '../policy/document.js';
import { collectItems } from './call.js';
import { loadSdk } from './sdk-modules.js';

// Command classes load on first use: the SDK's service modules are most of the CLI's start-up time.
const sdk = () => loadSdk('client-iam');

/** The fields of a role that trust analysis needs. */
export interface RoleSummary {
  roleName: string;
  roleArn: string;
  roleId: string;
  path: string;
  /** As IAM returns it: URL-encoded JSON (plain JSON from some emulators). */
  trustPolicy: string;
  /** The role's tags, when they were read (GetRole returns them; ListRoles does not). */
  tags?: Record<string, string>;
}

/** IAM's largest page size for ListRoles; fewer pages means fewer calls. */
const LIST_ROLES_PAGE = 1000;

/** Streams every role in the account, one page of ListRoles at a time. */
export async function* listRoles(iam: IAMClient): AsyncGenerator<RoleSummary> {
  const { paginateListRoles } = await sdk();
  for await (const page of paginateListRoles({ client: iam, pageSize: LIST_ROLES_PAGE }, {})) {
    for (const role of page.Roles ?? []) yield toSummary(role);
  }
}

/** Reads one role by name; undefined when it does not exist. */
export async function findRole(iam: IAMClient, roleName: string): Promise<RoleSummary | undefined> {
  const { GetRoleCommand } = await sdk();
  try {
    const out = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    return out.Role ? toSummary(out.Role, true) : undefined;
  } catch (error) {
    if (isNoSuchEntity(error)) return undefined;
    throw error;
  }
}

/** A role's tags as a map; ListRoles leaves tags out, so scan reads them this way when it needs them. */
export async function listRoleTags(iam: IAMClient, roleName: string): Promise<Record<string, string>> {
  const { paginateListRoleTags } = await sdk();
  const tags = await collectItems(paginateListRoleTags({ client: iam }, { RoleName: roleName }), (p) => p.Tags ?? []);
  return Object.fromEntries(tags.map((t) => [t.Key ?? '', t.Value ?? '']));
}

function toSummary(role: Role, withTags = false): RoleSummary {
  const summary: RoleSummary = {
    roleName: role.RoleName ?? '',
    roleArn: role.Arn ?? '',
    roleId: role.RoleId ?? '',
    path: role.Path ?? '/',
    trustPolicy: role.AssumeRolePolicyDocument ?? '',
  };
  if (withTags) summary.tags = Object.fromEntries((role.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  return summary;
}

/** Reads a role and every policy that grants it permissions. */
export async function getRoleSnapshot(iam: IAMClient, roleName: string): Promise<RoleSnapshot> {
  const {
    GetRoleCommand,
    GetRolePolicyCommand,
    paginateListRolePolicies,
    paginateListAttachedRolePolicies,
    paginateListInstanceProfilesForRole,
    paginateListRoleTags,
  } = await sdk();
  const { Role: role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  if (!role) throw new Error(`GetRole returned no role for ${roleName}`);
  const [inlineNames, attached, profiles, tags] = await Promise.all([
    collectItems(paginateListRolePolicies({ client: iam }, { RoleName: roleName }), (p) => p.PolicyNames ?? []),
    collectItems(paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName }), (p) => p.AttachedPolicies ?? []),
    collectItems(paginateListInstanceProfilesForRole({ client: iam }, { RoleName: roleName }), (p) => p.InstanceProfiles ?? []),
    collectItems(paginateListRoleTags({ client: iam }, { RoleName: roleName }), (p) => p.Tags ?? []),
  ]);
  const inlinePolicies = await Promise.all(
    inlineNames.map(async (name) => {
      const out = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
      return { name, document: decodePolicyDocument(out.PolicyDocument ?? '{}') };
    }),
  );
  const attachedPolicies = await Promise.all(attached.map((p) => getManagedPolicy(iam, p.PolicyArn ?? '')));
  const snapshot: RoleSnapshot = {
    roleName: role.RoleName ?? roleName,
    roleId: role.RoleId ?? '',
    arn: role.Arn ?? '',
    path: role.Path ?? '/',
    maxSessionDuration: role.MaxSessionDuration ?? 3600,
    trustPolicy: decodePolicyDocument(role.AssumeRolePolicyDocument ?? '{}'),
    tags: tags.map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
    inlinePolicies,
    attachedPolicies,
    instanceProfiles: await Promise.all(profiles.map((p) => profileSnapshot(iam, p))),
  };
  if (role.Description) snapshot.description = role.Description;
  if (role.PermissionsBoundary?.PermissionsBoundaryArn) snapshot.permissionsBoundaryArn = role.PermissionsBoundary.PermissionsBoundaryArn;
  return snapshot;
}

/** A profile with its tags: ListInstanceProfilesForRole leaves tags out, and rollback must restore them. */
async function profileSnapshot(iam: IAMClient, profile: InstanceProfile): Promise<RoleSnapshot['instanceProfiles'][number]> {
  const name = profile.InstanceProfileName ?? '';
  const { GetInstanceProfileCommand } = await sdk();
  const out = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
  const tags = (out.InstanceProfile?.Tags ?? profile.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
  return {
    name,
    arn: profile.Arn ?? '',
    path: profile.Path ?? '/',
    id: profile.InstanceProfileId ?? '',
    ...(tags.length > 0 ? { tags } : {}),
  };
}

async function getManagedPolicy(iam: IAMClient, arn: string): Promise<AttachedPolicySnapshot> {
  const { GetPolicyCommand, GetPolicyVersionCommand } = await sdk();
  const { Policy: policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
  const versionId = policy?.DefaultVersionId ?? 'v1';
  const { PolicyVersion: version } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }));
  return {
    arn,
    name: policy?.PolicyName ?? arn.split('/').pop() ?? arn,
    defaultVersionId: versionId,
    awsManaged: /^arn:[^:]+:iam::aws:policy\//.test(arn),
    document: decodePolicyDocument(version?.Document ?? '{}'),
  };
}

/** Every principal and customer-managed policy of the account, in one paged read. */
export interface AccountAuthorization {
  roles: Array<{ name: string; arn: string; trustPolicy: unknown; inlinePolicies: Array<{ name: string; document: unknown }> }>;
  users: Array<{ name: string; arn: string; inlinePolicies: Array<{ name: string; document: unknown }> }>;
  groups: Array<{ name: string; arn: string; inlinePolicies: Array<{ name: string; document: unknown }> }>;
  /** Customer-managed policies with their default version's document. */
  policies: Array<{ name: string; arn: string; document: unknown }>;
}

/** Reads GetAccountAuthorizationDetails once, for finding references to a role. */
export async function getAccountAuthorization(iam: IAMClient): Promise<AccountAuthorization> {
  const result: AccountAuthorization = { roles: [], users: [], groups: [], policies: [] };
  const { paginateGetAccountAuthorizationDetails } = await sdk();
  const pages = paginateGetAccountAuthorizationDetails(
    { client: iam, pageSize: 1000 },
    { Filter: ['Role', 'User', 'Group', 'LocalManagedPolicy'] },
  );
  for await (const page of pages) {
    for (const role of page.RoleDetailList ?? []) {
      result.roles.push({
        name: role.RoleName ?? '',
        arn: role.Arn ?? '',
        trustPolicy: decodePolicyDocument(role.AssumeRolePolicyDocument ?? '{}'),
        inlinePolicies: inline(role.RolePolicyList),
      });
    }
    for (const user of page.UserDetailList ?? []) {
      result.users.push({ name: user.UserName ?? '', arn: user.Arn ?? '', inlinePolicies: inline(user.UserPolicyList) });
    }
    for (const group of page.GroupDetailList ?? []) {
      result.groups.push({ name: group.GroupName ?? '', arn: group.Arn ?? '', inlinePolicies: inline(group.GroupPolicyList) });
    }
    for (const policy of page.Policies ?? []) {
      const current = policy.PolicyVersionList?.find((v) => v.IsDefaultVersion);
      result.policies.push({
        name: policy.PolicyName ?? '',
        arn: policy.Arn ?? '',
        document: decodePolicyDocument(current?.Document ?? '{"Statement":[]}'),
      });
    }
  }
  return result;
}

function inline(list: Array<{ PolicyName?: string; PolicyDocument?: string }> | undefined): Array<{ name: string; document: unknown }> {
  return (list ?? []).map((p) => ({ name: p.PolicyName ?? '', document: decodePolicyDocument(p.PolicyDocument ?? '{}') }));
}

/** Every instance profile of the account with the names of its roles: one paged ListInstanceProfiles. */
export async function listInstanceProfiles(iam: IAMClient): Promise<Array<{ name: string; arn: string; roleNames: string[] }>> {
  const { paginateListInstanceProfiles } = await sdk();
  const profiles = await collectItems(paginateListInstanceProfiles({ client: iam, pageSize: 1000 }, {}), (p) => p.InstanceProfiles ?? []);
  return profiles.map((p) => ({
    name: p.InstanceProfileName ?? '',
    arn: p.Arn ?? '',
    roleNames: (p.Roles ?? []).map((r) => r.RoleName ?? ''),
  }));
}
