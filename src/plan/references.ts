/**
 * Follow-ups outside the role itself: policies that let someone pass the
 * shared role (deploy pipelines will need PassRole on the new roles), and
 * other roles whose trust policy names it. Pure: reads an AccountAuthorization.
 */
import type { AccountAuthorization } from '../aws/iam.js';
import { statementCoversAction } from '../policy/actions.js';
import { parsePolicy, PolicyParseError, principalEntries } from '../policy/document.js';
import type { FollowUp } from './schema.js';

/** Finds PassRole grants on, and trust policies naming, the role `roleArn`. */
export function findReferences(account: AccountAuthorization, roleArn: string, newRoleNames: readonly string[]): FollowUp[] {
  const followUps: FollowUp[] = [];
  const passTargets = newRoleNames.join(', ');
  const checkPassRole = (owner: string, policyName: string, document: unknown) => {
    if (grantsPassRoleOn(document, roleArn)) {
      followUps.push({
        kind: 'passrole-reference',
        resource: owner,
        message: `${policyName} (${owner}) grants iam:PassRole on the shared role; grant it on ${passTargets} instead`,
      });
    }
  };
  for (const policy of account.policies) checkPassRole(policy.arn, `managed policy ${policy.name}`, policy.document);
  for (const principal of [...account.roles, ...account.users, ...account.groups]) {
    for (const inline of principal.inlinePolicies) checkPassRole(principal.arn, `inline policy ${inline.name}`, inline.document);
  }
  for (const role of account.roles) {
    if (role.arn !== roleArn && trustNames(role.trustPolicy, roleArn)) {
      followUps.push({
        kind: 'trust-reference',
        resource: role.arn,
        message: `role ${role.name} trusts the shared role; add the new role(s) that need to assume it (${passTargets})`,
      });
    }
  }
  return followUps;
}

/** True when an Allow statement grants iam:PassRole on a resource pattern naming the role (not a bare "*"). */
function grantsPassRoleOn(document: unknown, roleArn: string): boolean {
  return safeStatements(document).some(
    (s) =>
      s.effect === 'Allow' &&
      statementCoversAction(s, 'iam:PassRole') &&
      (s.resources ?? []).some((pattern) => pattern !== '*' && globMatches(pattern, roleArn)),
  );
}

function trustNames(trustPolicy: unknown, roleArn: string): boolean {
  return safeStatements(trustPolicy).some(
    (s) =>
      s.effect === 'Allow' &&
      s.principal &&
      s.principal !== '*' &&
      principalEntries(s.principal).some(([type, id]) => type === 'AWS' && id === roleArn),
  );
}

function safeStatements(document: unknown) {
  try {
    return parsePolicy(document).statements;
  } catch (error) {
    if (error instanceof PolicyParseError) return [];
    throw error;
  }
}

/** IAM resource matching: `*` and `?` wildcards, case-sensitive. */
export function globMatches(pattern: string, value: string): boolean {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`).test(value);
}
