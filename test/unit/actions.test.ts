import { describe, expect, it } from 'vitest';
import { actionMatches, anyActionMatches, statementCoversAction } from '../../src/policy/actions.js';

describe('actionMatches', () => {
  const cases: Array<[pattern: string, action: string, expected: boolean, why: string]> = [
    ['*', 'sts:AssumeRole', true, 'bare * matches everything'],
    ['*', '', true, 'bare * matches even an empty action'],
    ['sts:*', 'sts:AssumeRole', true, 'service wildcard'],
    ['sts:*', 'iam:PassRole', false, 'service wildcard stays in its service'],
    ['sts:AssumeRole', 'sts:AssumeRole', true, 'exact'],
    ['sts:assumerole', 'STS:ASSUMEROLE', true, 'case-insensitive both ways'],
    ['STS:Assume*', 'sts:assumeRole', true, 'case-insensitive with wildcard'],
    ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', false, 'anchored at the end'],
    ['sts:AssumeRole', 'xsts:AssumeRole', false, 'anchored at the start'],
    ['sts:AssumeRole*', 'sts:AssumeRoleWithSAML', true, 'trailing * extends'],
    ['sts:AssumeRole*', 'sts:AssumeRole', true, 'trailing * matches zero characters'],
    ['sts:Assume*', 'sts:AssumeRole', true, 'prefix wildcard'],
    ['sts:Assume*', 'sts:TagSession', false, 'prefix wildcard excludes others'],
    ['sts:AssumeRole?', 'sts:AssumeRole', false, '? needs exactly one character'],
    ['sts:AssumeRol?', 'sts:AssumeRole', true, '? matches one character'],
    ['sts:AssumeRol?', 'sts:AssumeRo', false, '? does not match zero characters'],
    ['s3:Get?bject', 's3:GetObject', true, '? in the middle'],
    ['s3:*Object*', 's3:PutObjectAcl', true, 'two wildcards'],
    ['*:Get*', 's3:GetObject', true, 'wildcard service prefix'],
    ['*:Get*', 's3:PutObject', false, 'wildcard service prefix, other verb'],
    ['sts:Assume.ole', 'sts:AssumeRole', false, '. is literal, not any character'],
    ['sts:Assume.ole', 'sts:Assume.ole', true, '. matches itself'],
    ['s3:Get(Object)', 's3:GetObject', false, 'parentheses are literal, not a group'],
    ['s3:Get(Object)', 's3:Get(Object)', true, 'parentheses match themselves'],
    ['s3:Get[O]bject', 's3:GetObject', false, 'brackets are literal, not a class'],
    ['s3:Get[O]bject', 's3:Get[O]bject', true, 'brackets match themselves'],
    ['s3:Gett+', 's3:Gettt', false, '+ is literal, not a repeat'],
    ['s3:Gett+', 's3:Gett+', true, '+ matches itself'],
    ['s3:Get|sts:AssumeRole', 'sts:AssumeRole', false, '| is literal, not alternation'],
    ['^sts:AssumeRole$', 'sts:AssumeRole', false, 'anchors are literal'],
    ['s3:Get\\Object', 's3:GetObject', false, 'backslash is literal, not an escape'],
    ['s3:Get\\Object', 's3:Get\\Object', true, 'backslash matches itself'],
    ['s3:Get{1}', 's3:Get{1}', true, 'braces match themselves'],
    ['s3:Gett{2}', 's3:Gettt', false, 'braces are not a quantifier'],
  ];

  it.each(cases)('%j vs %j → %s (%s)', (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });

  it('gives the same answer when a pattern is reused (cache)', () => {
    expect(actionMatches('ec2:Describe*', 'ec2:DescribeInstances')).toBe(true);
    expect(actionMatches('ec2:Describe*', 'ec2:RunInstances')).toBe(false);
    expect(actionMatches('ec2:Describe*', 'EC2:DESCRIBEVPCS')).toBe(true);
  });
});

describe('anyActionMatches', () => {
  it.each([
    [[], 'sts:AssumeRole', false],
    [['iam:*', 'sts:Assume*'], 'sts:AssumeRole', true],
    [['iam:*', 's3:*'], 'sts:AssumeRole', false],
  ] as Array<[string[], string, boolean]>)('%j covers %s → %s', (patterns, action, expected) => {
    expect(anyActionMatches(patterns, action)).toBe(expected);
  });
});

describe('statementCoversAction', () => {
  const cases: Array<[name: string, clause: { actions?: string[]; notActions?: string[] }, expected: boolean]> = [
    ['Action names it', { actions: ['sts:AssumeRole'] }, true],
    ['Action names it among others', { actions: ['sts:TagSession', 'sts:AssumeRole'] }, true],
    ['Action names another', { actions: ['sts:TagSession'] }, false],
    ['Action wildcard *', { actions: ['*'] }, true],
    ['Action service wildcard', { actions: ['sts:*'] }, true],
    ['Action lower case', { actions: ['sts:assumerole'] }, true],
    ['Action empty list', { actions: [] }, false],
    ['NotAction excludes another', { notActions: ['sts:TagSession'] }, true],
    ['NotAction excludes it', { notActions: ['sts:AssumeRole'] }, false],
    ['NotAction excludes it by case-folded name', { notActions: ['STS:ASSUMEROLE'] }, false],
    ['NotAction excludes it by wildcard', { notActions: ['sts:*'] }, false],
    ['NotAction excludes a near miss only', { notActions: ['sts:AssumeRoleWith*'] }, true],
    ['NotAction empty list excludes nothing', { notActions: [] }, true],
    ['neither clause', {}, false],
  ];

  it.each(cases)('%s', (_name, clause, expected) => {
    expect(statementCoversAction(clause, 'sts:AssumeRole')).toBe(expected);
  });
});
