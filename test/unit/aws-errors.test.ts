import { describe, expect, it } from 'vitest';
import { translateAwsError } from '../../src/aws/errors.js';
import {
  awsErrorName,
  isAccessDenied,
  isEntityExists,
  isInstanceNotFound,
  isNoSuchEntity,
  isNoSuchKey,
  isResourceNotFound,
  isThrottling,
  unlessNotFound,
} from '../../src/core/aws-error-names.js';
import { ERROR_CODES, SplitRoleError, errorIs } from '../../src/core/errors.js';

function sdkError(name: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

describe('translateAwsError', () => {
  // [error, action, this tool's code, AWS's name (undefined: not from AWS), the one line must match]
  it.each([
    [
      sdkError('AccessDenied', 'not authorized to perform iam:ListRoles'),
      'iam:ListRoles',
      'AccessDenied',
      'AccessDenied',
      /grant iam:ListRoles/,
    ],
    [
      sdkError('AccessDeniedException', 'denied'),
      'cloudtrail:LookupEvents',
      'AccessDenied',
      'AccessDeniedException',
      /grant cloudtrail:LookupEvents/,
    ],
    [
      sdkError('UnauthorizedOperation', 'denied'),
      'ec2:DescribeInstances',
      'AccessDenied',
      'UnauthorizedOperation',
      /grant ec2:DescribeInstances/,
    ],
    [
      sdkError('ThrottlingException', 'Rate exceeded', { $metadata: { attempts: 5 } }),
      'iam:ListRoles',
      'Throttled',
      'ThrottlingException',
      /after 5 attempts/,
    ],
    [sdkError('Throttling', 'Rate exceeded'), undefined, 'Throttled', 'Throttling', /AWS_MAX_ATTEMPTS/],
    [sdkError('SlowDown', 'Please reduce your request rate'), 's3:GetObject', 'Throttled', 'SlowDown', /AWS_MAX_ATTEMPTS/],
    // The retry budget gave up: the line says how long it tried and how to give it longer.
    [
      sdkError('Throttling', 'Rate exceeded', { $metadata: { attempts: 14 }, $retryBudget: { budgetMs: 120_000, elapsedMs: 121_400 } }),
      'lambda:ListFunctions',
      'Throttled',
      'Throttling',
      /\(lambda:ListFunctions\) after 14 attempts over 121 s: Rate exceeded — .*SPLIT_ROLE_RETRY_BUDGET=10m/,
    ],
    [
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      undefined,
      'NoCredentials',
      undefined,
      /aws sso login/,
    ],
    [sdkError('TokenProviderError', 'The SSO session has expired'), undefined, 'NoCredentials', undefined, /aws sso login/],
    [new Error('Region is missing'), undefined, 'NoRegion', undefined, /--region/],
    [
      sdkError('ExpiredToken', 'The security token included in the request is expired'),
      undefined,
      'BadCredentials',
      'ExpiredToken',
      /refresh/,
    ],
    [sdkError('InvalidClientTokenId', 'The security token is invalid'), undefined, 'BadCredentials', 'InvalidClientTokenId', /refresh/],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'sts:GetCallerIdentity',
      'NetworkError',
      undefined,
      /AWS_ENDPOINT_URL/,
    ],
    [sdkError('NoSuchEntity', 'The role with name x cannot be found.'), 'iam:GetRole', 'NotFound', 'NoSuchEntity', /iam:GetRole/],
    [sdkError('InvalidInstanceID.NotFound', 'gone'), 'ec2:DescribeInstances', 'NotFound', 'InvalidInstanceID.NotFound', /gone/],
    [sdkError('ServiceUnavailable', 'try later'), 'iam:GetRole', 'AwsError', 'ServiceUnavailable', /iam:GetRole/],
  ])('%#: maps %s', (error, action, code, awsName, text) => {
    const translated = translateAwsError(error, action);
    expect(translated).toBeInstanceOf(SplitRoleError);
    expect(translated.code).toBe(code);
    expect(translated.awsName).toBe(awsName);
    expect(translated.exitCode).toBe(2);
    expect(translated.oneLine()).toMatch(text);
    expect(translated.oneLine()).not.toContain('\n');
    // The line starts with the name a user searches for: AWS's when AWS raised it.
    expect(translated.oneLine().startsWith(`${awsName ?? code}: `)).toBe(true);
  });

  it('keeps only the first line of a multi-line message', () => {
    expect(translateAwsError(sdkError('Boom', 'first\nsecond')).oneLine()).toBe('Boom: first');
  });

  it('passes SplitRoleErrors through untouched', () => {
    const original = new SplitRoleError('NoSuchRole', 'role not found: x');
    expect(translateAwsError(original)).toBe(original);
  });

  it('marks throttling the SDK flagged, whatever its name', () => {
    const translated = translateAwsError(sdkError('Odd', 'slow down', { $retryable: { throttling: true } }));
    expect(translated.code).toBe('Throttled');
    // Still throttling once translated (the clients' middleware translates before a caller's own back-off sees it).
    expect(isThrottling(translated)).toBe(true);
  });
});

describe('AWS name predicates', () => {
  const cases: Array<[string, (error: unknown) => boolean, string[]]> = [
    ['isNoSuchEntity', isNoSuchEntity, ['NoSuchEntity', 'NoSuchEntityException']],
    ['isEntityExists', isEntityExists, ['EntityAlreadyExists', 'EntityAlreadyExistsException']],
    ['isResourceNotFound', isResourceNotFound, ['ResourceNotFoundException']],
    ['isInstanceNotFound', isInstanceNotFound, ['InvalidInstanceID.NotFound']],
    ['isNoSuchKey', isNoSuchKey, ['NoSuchKey']],
    ['isThrottling', isThrottling, ['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']],
    ['isAccessDenied', isAccessDenied, ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']],
  ];
  it.each(cases)('%s holds for its names, raw or translated, and for nothing else', (_label, predicate, names) => {
    for (const name of names) {
      const raw = sdkError(name, 'x');
      expect(predicate(raw), `raw ${name}`).toBe(true);
      expect(predicate(translateAwsError(raw, 'svc:Action')), `translated ${name}`).toBe(true);
    }
    expect(predicate(sdkError('ServiceUnavailable', 'x'))).toBe(false);
    // This tool's own codes are not AWS names, even where they read alike.
    expect(predicate(new SplitRoleError('AccessDenied', 'x'))).toBe(false);
    expect(predicate(undefined)).toBe(false);
    expect(predicate('NoSuchEntity')).toBe(false);
  });

  it('reads the name from a SplitRoleError only through awsName', () => {
    expect(awsErrorName(new SplitRoleError('NotFound', 'x', undefined, undefined, { awsName: 'NoSuchEntity' }))).toBe('NoSuchEntity');
    expect(awsErrorName(new SplitRoleError('Drift', 'x'))).toBeUndefined();
  });

  it('unlessNotFound answers undefined for its one not-found name and rethrows every other error', async () => {
    const failing = (name: string) => () => Promise.reject(sdkError(name, 'x'));
    expect(await unlessNotFound('NotFoundException', () => Promise.resolve('api'))).toBe('api');
    expect(await unlessNotFound('NotFoundException', failing('NotFoundException'))).toBeUndefined();
    await expect(unlessNotFound('NotFoundException', failing('ResourceNotFoundException'))).rejects.toThrow('x');
    await expect(unlessNotFound('NotFoundException', failing('ThrottlingException'))).rejects.toThrow('x');
  });
});

describe('SplitRoleError codes', () => {
  it('has one predicate per code, true only for that code', () => {
    for (const code of ERROR_CODES) {
      const error = new SplitRoleError(code, 'x');
      expect(errorIs[code](error), code).toBe(true);
      expect(ERROR_CODES.filter((other) => errorIs[other](error))).toEqual([code]);
    }
    expect(errorIs.Drift(Object.assign(new Error('x'), { code: 'Drift' }))).toBe(false);
  });

  it('retells an error with its code, AWS name and exit code kept', () => {
    const original = new SplitRoleError('Throttled', 'slow', 'wait', 2, { awsName: 'ThrottlingException' });
    const retold = original.retold('slower');
    expect(retold).toMatchObject({ code: 'Throttled', awsName: 'ThrottlingException', hint: 'wait', exitCode: 2, cause: original });
    expect(retold.oneLine()).toBe('ThrottlingException: slower — wait');
  });
});
