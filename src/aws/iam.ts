/** IAM adapter: the reads split-role needs, with pagination hidden. */
import { GetRoleCommand, paginateListRoles, type IAMClient, type Role } from '@aws-sdk/client-iam';
import { awsCall, awsPages } from './call.js';

/** The fields of a role that trust analysis needs. */
export interface RoleSummary {
  roleName: string;
  roleArn: string;
  roleId: string;
  path: string;
  /** As IAM returns it: URL-encoded JSON (plain JSON from some emulators). */
  trustPolicy: string;
}

/** IAM's largest page size for ListRoles; fewer pages means fewer calls. */
const LIST_ROLES_PAGE = 1000;

/** Streams every role in the account, one page of ListRoles at a time. */
export async function* listRoles(iam: IAMClient): AsyncGenerator<RoleSummary> {
  const pages = paginateListRoles({ client: iam, pageSize: LIST_ROLES_PAGE }, {});
  for await (const page of awsPages('iam:ListRoles', pages)) {
    for (const role of page.Roles ?? []) yield toSummary(role);
  }
}

/** Reads one role by name; undefined when it does not exist. */
export async function findRole(iam: IAMClient, roleName: string): Promise<RoleSummary | undefined> {
  try {
    const out = await awsCall('iam:GetRole', () => iam.send(new GetRoleCommand({ RoleName: roleName })));
    return out.Role ? toSummary(out.Role) : undefined;
  } catch (error) {
    if (isNoSuchEntity(error)) return undefined;
    throw error;
  }
}

function toSummary(role: Role): RoleSummary {
  return {
    roleName: role.RoleName ?? '',
    roleArn: role.Arn ?? '',
    roleId: role.RoleId ?? '',
    path: role.Path ?? '/',
    trustPolicy: role.AssumeRolePolicyDocument ?? '',
  };
}

/** IAM's not-found error; newer SDKs name it NoSuchEntityException. */
export function isNoSuchEntity(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'NoSuchEntity' || code === 'NoSuchEntityException';
}
