import { describe, expect, it } from 'vitest';
import { decisionsFromFlags, type DecisionFlags } from '../../src/plan/decisions.js';
import { requiredDecisions, type SplitAnalysis } from '../../src/plan/split-analysis.js';
import { analysis, EC2, ECS, EDGE, evidence, LAMBDA, policyDoc, sharedRole, usage } from './fixtures/plan-fixtures.js';
import { refusal } from './fixtures/refusal.js';

/** ec2 + lambda + ecs; optionally with unattributed calls, a blind spot, an idle service. */
function facts(
  options: { unattributed?: boolean; blind?: boolean; idle?: boolean; edge?: boolean; unmapped?: boolean } = {},
): SplitAnalysis {
  const inline = [
    {
      name: 'app',
      document: policyDoc(
        { Effect: 'Allow', Action: ['kms:Decrypt', 'ssm:GetParameter'], Resource: '*' },
        ...(options.blind ? [{ Effect: 'Allow', Action: 'xray:PutTraceSegments', Resource: '*' }] : []),
      ),
    },
  ];
  const principals = [EC2, LAMBDA, ECS, ...(options.edge ? [EDGE] : [])];
  const shared = sharedRole({ principals, inlinePolicies: inline, attachedPolicies: [] });
  return analysis(
    shared,
    evidence(
      {
        [EC2]: usage({ 'kms:Decrypt': 1 }),
        [LAMBDA]: usage({ 'ssm:GetParameter': 1, ...(options.unmapped ? { 'ssm:GetParameterz': 1 } : {}) }),
        [ECS]: options.idle ? usage() : usage({ 'kms:Decrypt': 2 }),
        ...(options.edge ? { [EDGE]: usage() } : {}),
      },
      { unattributed: options.unattributed ? usage({ 'kms:Decrypt': 9 }) : usage() },
    ),
  );
}

describe('requiredDecisions', () => {
  const cases = [
    { name: 'nothing to decide', options: {}, expected: { unattributed: false, unobservable: false, noEvidence: false, unmapped: false } },
    {
      name: 'unattributed calls',
      options: { unattributed: true },
      expected: { unattributed: true, unobservable: false, noEvidence: false, unmapped: false },
    },
    {
      name: 'a blind spot',
      options: { blind: true },
      expected: { unattributed: false, unobservable: true, noEvidence: false, unmapped: false },
    },
    {
      name: 'an idle service',
      options: { idle: true },
      expected: { unattributed: false, unobservable: false, noEvidence: true, unmapped: false },
    },
    // edgelambda idle but lambda active: the unit has evidence.
    {
      name: 'an unmapped event',
      options: { unmapped: true },
      expected: { unattributed: false, unobservable: false, noEvidence: false, unmapped: true },
    },
    {
      name: 'an idle half of a workload group',
      options: { edge: true },
      expected: { unattributed: false, unobservable: false, noEvidence: false, unmapped: false },
    },
  ];
  it.each(cases)('$name', ({ options, expected }) => {
    expect(requiredDecisions(facts(options))).toEqual(expected);
  });
});

describe('decisionsFromFlags: a needed decision without its flag is refused', () => {
  const all = { unattributed: true, blind: true, idle: true, unmapped: true };
  const full: DecisionFlags = { unattributed: 'drop', unobservable: 'drop', withoutEvidence: 'empty', unmapped: 'drop' };
  const cases: Array<{ name: string; flags: DecisionFlags; flag: string; mentions: RegExp }> = [
    {
      name: '--unattributed',
      flags: { ...full, unattributed: undefined },
      flag: '--unattributed grant-all|drop',
      mentions: /1 action\(s\) were used/,
    },
    {
      name: '--unobservable',
      flags: { ...full, unobservable: undefined },
      flag: '--unobservable keep|drop',
      mentions: /1 granted action\(s\) cannot be seen by logs/,
    },
    {
      name: '--unmapped',
      flags: { ...full, unmapped: undefined },
      flag: '--unmapped keep|drop',
      mentions: /1 event\(s\) map to no IAM action the catalog knows \(GetParameterz\)/,
    },
    {
      name: '--without-evidence',
      flags: { ...full, withoutEvidence: undefined },
      flag: '--without-evidence empty|exclude',
      mentions: new RegExp(`no activity at all for ${ECS}`),
    },
  ];
  it.each(cases)('missing $name', ({ flags, flag, mentions }) => {
    const error = refusal(() => decisionsFromFlags(facts(all), flags));
    expect(error.code).toBe('UsageError');
    expect(error.exitCode).toBe(2);
    expect(error.oneLine()).toContain(flag);
    expect(error.message).toMatch(mentions);
  });

  it('with every flag given, the decisions are the flags', () => {
    expect(
      decisionsFromFlags(facts(all), { unattributed: 'grant-all', unobservable: 'keep', withoutEvidence: 'exclude', unmapped: 'keep' }),
    ).toEqual({
      unattributed: 'grant-all',
      unobservable: 'keep',
      noEvidence: 'exclude',
      unmapped: 'keep',
      roleNames: {},
    });
  });

  it('flags are optional when nothing needs deciding, and default to drop', () => {
    expect(decisionsFromFlags(facts(), {})).toEqual({ unattributed: 'drop', unobservable: 'drop', roleNames: {} });
  });
});

describe('decisionsFromFlags: --name', () => {
  const ok: Array<{ name: string; names: string[]; expected: Record<string, string> }> = [
    { name: 'by short service name', names: ['ec2=orders-ec2'], expected: { ec2: 'orders-ec2' } },
    { name: 'ecs by its suffix', names: ['ecs=orders-tasks'], expected: { 'ecs-tasks': 'orders-tasks' } },
    { name: 'ecs by its unit key', names: ['ecs-tasks=orders-tasks'], expected: { 'ecs-tasks': 'orders-tasks' } },
    { name: 'by full principal', names: [`${LAMBDA}=orders-fn`], expected: { lambda: 'orders-fn' } },
    { name: 'several', names: ['ec2=a', 'lambda=b'], expected: { ec2: 'a', lambda: 'b' } },
    { name: 'all IAM name characters', names: ['ec2=a+b,c.d@e_f-g'], expected: { ec2: 'a+b,c.d@e_f-g' } },
    // "=" is legal in role names: only the first "=" separates service and name.
    { name: 'a name containing "="', names: ['ec2=team=orders'], expected: { ec2: 'team=orders' } },
  ];
  it.each(ok)('$name', ({ names, expected }) => {
    expect(decisionsFromFlags(facts(), { names }).roleNames).toEqual(expected);
  });

  it('an edgelambda principal names the lambda unit', () => {
    expect(decisionsFromFlags(facts({ edge: true }), { names: [`${EDGE}=edge-fn`] }).roleNames).toEqual({ lambda: 'edge-fn' });
  });

  const bad: Array<{ name: string; pair: string; message: RegExp; hint?: RegExp }> = [
    {
      name: 'unknown service',
      pair: 'sagemaker=x',
      message: /--name sagemaker=x does not name a service of this role/,
      hint: /one of ec2, ecs, lambda$/,
    },
    { name: 'no "="', pair: 'ec2', message: /does not name a service/ },
    { name: 'empty name', pair: 'ec2=', message: /does not name a service/ },
    { name: 'invalid character', pair: 'ec2=bad name', message: /--name ec2=bad name: a role name may contain only/ },
    { name: 'slash', pair: 'ec2=team/role', message: /may contain only/ },
    { name: 'too long', pair: `ec2=${'a'.repeat(65)}`, message: /must be 1-64 characters/ },
  ];
  it.each(bad)('refuses $name', ({ pair, message, hint }) => {
    const error = refusal(() => decisionsFromFlags(facts(), { names: [pair] }));
    expect(error.code).toBe('UsageError');
    expect(error.message).toMatch(message);
    if (hint) expect(error.hint).toMatch(hint);
  });

  it('a 64-character name is accepted', () => {
    expect(decisionsFromFlags(facts(), { names: [`ec2=${'a'.repeat(64)}`] }).roleNames).toEqual({ ec2: 'a'.repeat(64) });
  });
});
