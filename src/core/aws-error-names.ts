/**
 * AWS's exception names, by kind: the one place that knows which names mean
 * "throttled", "denied", "not found" and so on. Works on raw SDK errors, on
 * SplitRoleErrors (through awsName) and on CloudTrail records' errorCode.
 */
import { SplitRoleError } from './errors.js';

/** Names AWS services use for "slow down". */
export const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

/** Names for a refused call: the caller lacks the permission. CloudTrail records EC2's with a Client. prefix. */
export const ACCESS_DENIED_NAMES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'Client.UnauthorizedOperation',
  'UnauthorizedAccess',
]);

/** Names for credentials that are expired, unknown or wrongly signed. */
export const BAD_CREDENTIALS_NAMES: ReadonlySet<string> = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'InvalidToken',
]);

/** IAM's not-found; newer SDKs name it NoSuchEntityException. */
const NO_SUCH_ENTITY = new Set(['NoSuchEntity', 'NoSuchEntityException']);
const RESOURCE_NOT_FOUND = 'ResourceNotFoundException';
const INSTANCE_NOT_FOUND = 'InvalidInstanceID.NotFound';
const NO_SUCH_KEY = 'NoSuchKey';
const ENTITY_EXISTS = new Set(['EntityAlreadyExists', 'EntityAlreadyExistsException']);

/** Names for "no such thing", whichever service says it. */
export const NOT_FOUND_NAMES: ReadonlySet<string> = new Set([
  ...NO_SUCH_ENTITY,
  RESOURCE_NOT_FOUND,
  INSTANCE_NOT_FOUND,
  NO_SUCH_KEY,
  'NoSuchBucket',
]);

/** AWS's exception name of an error: awsName of a SplitRoleError, name of an SDK error. */
export function awsErrorName(error: unknown): string | undefined {
  if (error instanceof SplitRoleError) return error.awsName;
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/** True when AWS raised `error` under one of `names`. */
export function hasAwsName(error: unknown, names: ReadonlySet<string>): boolean {
  const name = awsErrorName(error);
  return name !== undefined && names.has(name);
}

/**
 * What `read` answers, or undefined when AWS answers `notFound`: a port's
 * "read it, if it still exists" (deleted since it was listed, or since the plan).
 */
export async function unlessNotFound<T>(notFound: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (awsErrorName(error) === notFound) return undefined;
    throw error;
  }
}

/** IAM's "no such role / profile / policy". */
export function isNoSuchEntity(error: unknown): boolean {
  return hasAwsName(error, NO_SUCH_ENTITY);
}

/**
 * IAM's DeleteConflict: something still hangs on the entity. Right after the
 * policies and profiles were taken off it is IAM catching up, for a while.
 */
export function isDeleteConflict(error: unknown): boolean {
  return hasAwsName(error, DELETE_CONFLICT);
}

const DELETE_CONFLICT = new Set(['DeleteConflict', 'DeleteConflictException']);

/** IAM's "already exists"; newer SDKs name it EntityAlreadyExistsException. */
export function isEntityExists(error: unknown): boolean {
  return hasAwsName(error, ENTITY_EXISTS);
}

/** Lambda's (and others') ResourceNotFoundException. */
export function isResourceNotFound(error: unknown): boolean {
  return awsErrorName(error) === RESOURCE_NOT_FOUND;
}

/** EC2's unknown instance id. */
export function isInstanceNotFound(error: unknown): boolean {
  return awsErrorName(error) === INSTANCE_NOT_FOUND;
}

/** EC2's unknown launch-template version (a group may pin one that was deleted since). */
export function isLaunchTemplateVersionNotFound(error: unknown): boolean {
  return awsErrorName(error) === 'InvalidLaunchTemplateId.VersionNotFound';
}

/** S3's missing object. */
export function isNoSuchKey(error: unknown): boolean {
  return awsErrorName(error) === NO_SUCH_KEY;
}

/** AWS said "slow down", by name or through the SDK's own throttling flag. */
export function isThrottling(error: unknown): boolean {
  if (hasAwsName(error, THROTTLING_NAMES)) return true;
  // Translated already (the client's middleware does it): the SDK's flag is on the cause.
  if (error instanceof SplitRoleError) return error.code === 'Throttled';
  return (error as { $retryable?: { throttling?: boolean } } | null | undefined)?.$retryable?.throttling === true;
}

/** The caller lacks a permission. */
export function isAccessDenied(error: unknown): boolean {
  return hasAwsName(error, ACCESS_DENIED_NAMES);
}
