/**
 * Turns SDK and network failures into one-line SplitRoleErrors that name the
 * AWS error code and say what to do about it.
 */
import { BAD_CREDENTIALS_NAMES, NOT_FOUND_NAMES, hasAwsName, isAccessDenied, isThrottling } from '../core/aws-error-names.js';
import { SplitRoleError } from '../core/errors.js';
import { firstLine } from '../core/text.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  /** Set by the retry budget (retry-budget.ts) when it gave up. */
  $retryBudget?: { budgetMs: number; elapsedMs: number };
}

/** How to give throttled calls longer: a person reads this when the budget ran out. */
export const RAISE_RETRY_BUDGET_HINT =
  'wait and run again, or give each call longer: SPLIT_ROLE_RETRY_BUDGET=10m (default 2m); AWS_MAX_ATTEMPTS=N replaces the budget with N attempts';

/**
 * Describes an error thrown by an AWS call. `action` names the IAM action
 * that failed (e.g. "iam:ListRoles") so AccessDenied can say what to grant.
 */
export function translateAwsError(error: unknown, action?: string): SplitRoleError {
  if (error instanceof SplitRoleError) return error;
  const err = (error ?? {}) as SdkErrorShape;
  const name = err.name ?? 'Error';
  const message = firstLine(err.message ?? String(error));
  const attempts = err.$metadata?.attempts;
  const where = action ? ` (${action})` : '';
  const aws = { cause: error, awsName: name };

  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    return new SplitRoleError(
      'NoCredentials',
      message,
      'configure credentials: AWS_PROFILE or --profile, `aws sso login` for SSO profiles, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
      undefined,
      { cause: error },
    );
  }
  if (/region is missing/i.test(message)) return noRegionError(error);
  if (isAccessDenied(error)) {
    return new SplitRoleError(
      'AccessDenied',
      `${message}${where}`,
      action ? `grant ${action} to the caller (docs/iam/)` : 'check the caller’s IAM permissions (docs/iam/)',
      undefined,
      aws,
    );
  }
  if (isThrottling(error)) {
    const spent = err.$retryBudget ? ` over ${Math.round(err.$retryBudget.elapsedMs / 1000)} s` : '';
    const tries = attempts ? ` after ${attempts} attempts${spent}` : '';
    return new SplitRoleError('Throttled', `AWS kept throttling${where}${tries}: ${message}`, RAISE_RETRY_BUDGET_HINT, undefined, aws);
  }
  if (hasAwsName(error, BAD_CREDENTIALS_NAMES)) {
    return new SplitRoleError('BadCredentials', message, 'refresh or replace the credentials (for SSO: `aws sso login`)', undefined, aws);
  }
  const networkCode = err.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  if (networkCode && NETWORK_CODES.has(networkCode)) {
    return new SplitRoleError(
      'NetworkError',
      `${networkCode}${where}: ${message}`,
      'check the network, the region and any --endpoint-url / AWS_ENDPOINT_URL setting',
      undefined,
      { cause: error },
    );
  }
  return new SplitRoleError(hasAwsName(error, NOT_FOUND_NAMES) ? 'NotFound' : 'AwsError', `${message}${where}`, undefined, undefined, aws);
}

/** The error for a run with no region from any source. */
export function noRegionError(cause?: unknown): SplitRoleError {
  return new SplitRoleError(
    'NoRegion',
    'no AWS region is configured',
    'pass --region, set AWS_REGION, or set region in the profile',
    undefined,
    { cause },
  );
}
