import { describe, expect, it } from 'vitest';
import { translateAwsError } from '../../src/aws/errors.js';
import { SplitRoleError } from '../../src/core/errors.js';

function sdkError(name: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

describe('translateAwsError', () => {
  it.each([
    [sdkError('AccessDenied', 'not authorized to perform iam:ListRoles'), 'iam:ListRoles', 'AccessDenied', /grant iam:ListRoles/],
    [sdkError('AccessDeniedException', 'denied'), 'cloudtrail:LookupEvents', 'AccessDeniedException', /grant cloudtrail:LookupEvents/],
    [sdkError('ThrottlingException', 'Rate exceeded', { $metadata: { attempts: 5 } }), 'iam:ListRoles', 'ThrottlingException', /after 5 attempts/],
    [sdkError('Throttling', 'Rate exceeded'), undefined, 'Throttling', /AWS_MAX_ATTEMPTS/],
    [sdkError('CredentialsProviderError', 'Could not load credentials from any providers'), undefined, 'NoCredentials', /aws sso login/],
    [sdkError('TokenProviderError', 'The SSO session has expired'), undefined, 'NoCredentials', /aws sso login/],
    [new Error('Region is missing'), undefined, 'NoRegion', /--region/],
    [sdkError('ExpiredToken', 'The security token included in the request is expired'), undefined, 'ExpiredToken', /refresh/],
    [sdkError('InvalidClientTokenId', 'The security token is invalid'), undefined, 'InvalidClientTokenId', /refresh/],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'sts:GetCallerIdentity', 'NetworkError', /AWS_ENDPOINT_URL/],
    [sdkError('ServiceUnavailable', 'try later'), 'iam:GetRole', 'ServiceUnavailable', /iam:GetRole/],
  ])('%#: maps %s', (error, action, code, text) => {
    const translated = translateAwsError(error, action);
    expect(translated).toBeInstanceOf(SplitRoleError);
    expect(translated.code).toBe(code);
    expect(translated.exitCode).toBe(2);
    expect(translated.oneLine()).toMatch(text);
    expect(translated.oneLine()).not.toContain('\n');
    expect(translated.oneLine().startsWith(`${code}: `)).toBe(true);
  });

  it('keeps only the first line of a multi-line message', () => {
    expect(translateAwsError(sdkError('Boom', 'first\nsecond')).oneLine()).toBe('Boom: first');
  });

  it('passes SplitRoleErrors through untouched', () => {
    const original = new SplitRoleError('NoSuchRole', 'role not found: x');
    expect(translateAwsError(original)).toBe(original);
  });
});
