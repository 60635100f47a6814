/**
 * Credentials for another account: the caller assumes the access role there
 * (session name `split-role`). The SDK caches them and asks again before they
 * expire, so long runs never see an expired token.
 */
import type { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { SplitRoleError, usageError } from '../core/errors.js';
import { firstLine } from '../core/text.js';
import { countCalls, type CallCounter, type CountableStack } from './call-counter.js';
import { ACCOUNT_ID } from '../core/account-id.js';
import { loadSdk } from './sdk-modules.js';

/** How to reach accounts other than the caller's. */
export interface AccountAccess {
  /** The role's name, the same in every account. */
  roleName: string;
  externalId?: string;
}

/** A credential provider as SDK clients take it. */
export type CredentialProvider = ReturnType<typeof fromTemporaryCredentials>;

/** The session name every assumed session carries, so CloudTrail shows who acted. */
export const SESSION_NAME = 'split-role';

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** Checks the access flags before anything reaches STS. */
export function validateAccess(access: AccountAccess): void {
  if (!ROLE_NAME.test(access.roleName)) throw usageError(`--assume-role ${JSON.stringify(access.roleName)} is not an IAM role name`);
  if (access.externalId !== undefined && !EXTERNAL_ID.test(access.externalId)) {
    throw usageError('--external-id must be 2–1224 characters of letters, digits and +=,.@:/-');
  }
}

/** Checks an account id from the command line or a plan. */
export function validateAccountId(account: string): void {
  if (!ACCOUNT_ID.test(account)) throw usageError(`${JSON.stringify(account)} is not a 12-digit AWS account id`);
}

/** The access role's ARN in one account. */
export function accessRoleArn(access: AccountAccess, account: string, partition: string): string {
  return `arn:${partition}:iam::${account}:role/${access.roleName}`;
}

/** A refreshing credential provider for the access role in `target.account`. */
export function assumeRoleCredentials(
  target: AccountAccess & { account: string; partition: string },
  clientConfig: { region: string; profile?: string; endpoint?: string; retryMode: string; customUserAgent: string },
  calls: CallCounter,
): CredentialProvider {
  validateAccess(target);
  validateAccountId(target.account);
  const roleArn = accessRoleArn(target, target.account, target.partition);
  const counted = new WeakSet<object>();
  // The credential-providers package loads when the first credentials are asked for, not at start-up.
  let inner: Promise<CredentialProvider> | undefined;
  const provider = () =>
    (inner ??= loadSdk('credential-providers').then(({ fromTemporaryCredentials }) =>
      fromTemporaryCredentials({
        params: { RoleArn: roleArn, RoleSessionName: SESSION_NAME, ...(target.externalId ? { ExternalId: target.externalId } : {}) },
        clientConfig,
        // The provider re-applies plugins on every refresh; count each STS client once.
        clientPlugins: [
          {
            applyToStack: (stack: CountableStack) => {
              if (counted.has(stack)) return;
              counted.add(stack);
              countCalls(stack, calls);
            },
          } as never,
        ],
      }),
    ));
  return async (properties) => {
    try {
      return await (
        await provider()
      )(properties);
    } catch (error) {
      const err = error as { name?: string; message?: string };
      throw new SplitRoleError(
        'AssumeRoleFailed',
        `cannot assume ${roleArn}: ${err.name ?? 'Error'}: ${firstLine(err.message ?? String(error))}`,
        'deploy the access role in that account and let the caller assume it (docs/many-accounts.md)',
        undefined,
        { cause: error },
      );
    }
  };
}
