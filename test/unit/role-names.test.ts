import { describe, expect, it } from 'vitest';
import { proposeRoleName, roleNameProblem, serviceSuffix } from '../../src/plan/role-names.js';

describe('serviceSuffix', () => {
  const cases: Array<[principal: string, suffix: string]> = [
    ['ec2.amazonaws.com', 'ec2'],
    ['lambda.amazonaws.com', 'lambda'],
    ['edgelambda.amazonaws.com', 'lambda'],
    ['ecs-tasks.amazonaws.com', 'ecs'],
    ['codebuild.amazonaws.com', 'codebuild'],
    ['states.eu-west-1.amazonaws.com', 'states'],
    ['ec2.amazonaws.com.cn', 'ec2'],
    ['EC2.AmazonAWS.com', 'ec2'],
  ];
  it.each(cases)('%s → %s', (principal, suffix) => {
    expect(serviceSuffix(principal)).toBe(suffix);
  });
});

describe('proposeRoleName', () => {
  const long = 'r'.repeat(70);
  const cases: Array<{ name: string; shared: string; principal: string; taken: string[]; expected: string }> = [
    { name: 'shared-service', shared: 'orders', principal: 'ec2.amazonaws.com', taken: [], expected: 'orders-ec2' },
    { name: 'ecs-tasks becomes "ecs"', shared: 'orders', principal: 'ecs-tasks.amazonaws.com', taken: [], expected: 'orders-ecs' },
    { name: 'edgelambda becomes "lambda"', shared: 'orders', principal: 'edgelambda.amazonaws.com', taken: [], expected: 'orders-lambda' },
    { name: 'a taken name gets -2', shared: 'orders', principal: 'ec2.amazonaws.com', taken: ['orders-ec2'], expected: 'orders-ec2-2' },
    {
      name: 'taken names compare case-insensitively',
      shared: 'orders',
      principal: 'ec2.amazonaws.com',
      taken: ['ORDERS-EC2'],
      expected: 'orders-ec2-2',
    },
    {
      name: 'skips every taken attempt',
      shared: 'orders',
      principal: 'ec2.amazonaws.com',
      taken: ['orders-ec2', 'Orders-Ec2-2', 'orders-ec2-3'],
      expected: 'orders-ec2-4',
    },
    {
      name: 'unrelated taken names do not matter',
      shared: 'orders',
      principal: 'ec2.amazonaws.com',
      taken: ['orders', 'orders-lambda'],
      expected: 'orders-ec2',
    },
    {
      name: 'a long shared name is cut to fit 64',
      shared: long,
      principal: 'ec2.amazonaws.com',
      taken: [],
      expected: `${'r'.repeat(60)}-ec2`,
    },
    {
      name: 'the cut keeps the attempt number',
      shared: long,
      principal: 'ec2.amazonaws.com',
      taken: [`${'r'.repeat(60)}-ec2`],
      expected: `${'r'.repeat(58)}-ec2-2`,
    },
    {
      name: 'exactly 64 after the suffix is not cut',
      shared: 'x'.repeat(60),
      principal: 'ec2.amazonaws.com',
      taken: [],
      expected: `${'x'.repeat(60)}-ec2`,
    },
  ];
  it.each(cases)('$name', ({ shared, principal, taken, expected }) => {
    const name = proposeRoleName(shared, principal, new Set(taken));
    expect(name).toBe(expected);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(roleNameProblem(name)).toBeUndefined();
  });

  it('throws when every attempt is taken', () => {
    const taken = new Set(['o-ec2', ...Array.from({ length: 120 }, (_, i) => `o-ec2-${i + 2}`)]);
    expect(() => proposeRoleName('o', 'ec2.amazonaws.com', taken)).toThrow(/no free role name for o/);
  });
});

describe('roleNameProblem', () => {
  const cases: Array<[name: string, problem: RegExp | undefined]> = [
    ['orders-ec2', undefined],
    ['a+b=c,d.e@f_g-h', undefined],
    ['a'.repeat(64), undefined],
    ['a'.repeat(65), /1-64 characters/],
    ['', /1-64 characters/],
    ['has space', /only letters, digits/],
    ['path/name', /only letters, digits/],
    ['ümlaut', /only letters, digits/],
    ['colon:name', /only letters, digits/],
  ];
  it.each(cases)('%j', (name, problem) => {
    const found = roleNameProblem(name);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });
});
