/** `--output json|text` picks stdout's result, `--events` stderr's messages; JSON asked anywhere makes errors JSON. */
import { describe, expect, it } from 'vitest';
import { retireUntil } from '../../src/cli/commands/apply.js';
import { errorEventLine, eventFormat, interruptedMessage, jsonAskedIn, resultFormat } from '../../src/cli/output-format.js';
import { parseRoleRef, refuseOtherAccountRoles } from '../../src/cli/role-flag.js';

describe('result and event formats', () => {
  it.each([
    [{}, 'text', 'text'],
    [{ output: 'json' as const }, 'json', 'text'],
    [{ json: true }, 'json', 'text'],
    // The old spelling: events as JSON lines, the result as it was (text).
    [{ output: 'json-lines' as const }, 'text', 'json-lines'],
    [{ events: 'json-lines' as const }, 'text', 'json-lines'],
    [{ output: 'json' as const, events: 'json-lines' as const }, 'json', 'json-lines'],
  ])('%j → result %s, events %s', (flags, result, events) => {
    expect(resultFormat(flags)).toBe(result);
    expect(eventFormat(flags)).toBe(events);
  });
});

describe('jsonAskedIn', () => {
  it.each([
    [['scan', '--output', 'json'], true],
    [['scan', '--output=json'], true],
    [['--output', 'json-lines', 'scan'], true],
    [['scan', '--events', 'json-lines'], true],
    [['scan', '--events=json-lines'], true],
    [['plan', '--json', '--role', 'x'], true],
    [['scan', '--output', 'text'], false],
    [['scan', '--events', 'text'], false],
    [['check', '--', '--json'], false],
    [['scan'], false],
  ])('%j → %s', (argv, asked) => {
    expect(jsonAskedIn(argv)).toBe(asked);
  });

  it('writes an error event in the json-lines shape', () => {
    const line = errorEventLine("unknown option '--nope'", { error: 'UsageError' }, new Date('2026-01-02T03:04:05Z'));
    expect(JSON.parse(line)).toEqual({
      time: '2026-01-02T03:04:05.000Z',
      level: 'error',
      code: 'SR_CLI_E9001',
      message: "unknown option '--nope'",
      data: { error: 'UsageError' },
    });
  });
});

describe('retireUntil', () => {
  it('takes the time out of the gate line, and nothing out of a reason', () => {
    expect(retireUntil('retire pending until 2026-12-06T18:00:00.000Z')).toBe('2026-12-06T18:00:00.000Z');
    expect(retireUntil('retire pending: CloudTrail shows 1 call(s) with orders since cutover')).toBeUndefined();
    expect(retireUntil(undefined)).toBeUndefined();
  });
});

describe('interruptedMessage', () => {
  it('tells apply and rollback how to resume', () => {
    expect(interruptedMessage(['rollback', 'plans/orders.plan.json', '--yes'])).toBe(
      'interrupted: the journal keeps every finished step; run `split-role rollback plans/orders.plan.json` again to resume',
    );
    expect(interruptedMessage(['--debug', 'apply', '--yes'])).toContain('`split-role apply PLAN` again');
    expect(interruptedMessage(['scan'])).toBe('interrupted');
  });
});

describe('--role name or ARN', () => {
  it.each([
    ['orders', { name: 'orders' }],
    ['arn:aws:iam::123456789012:role/orders', { name: 'orders', account: '123456789012' }],
    ['arn:aws:iam::123456789012:role/service-role/team/orders', { name: 'orders', account: '123456789012' }],
    ['arn:aws-cn:iam::123456789012:role/orders', { name: 'orders', account: '123456789012' }],
  ])('%s', (value, ref) => {
    expect(parseRoleRef(value)).toEqual(ref);
  });

  it.each(['arn:aws:iam::123456789012:user/alice', 'arn:aws:sts::123456789012:assumed-role/orders/i-1', 'arn:aws:iam::12:role/x'])(
    'refuses %s',
    (value) => {
      expect(() => parseRoleRef(value)).toThrow(/is not an IAM role ARN/);
    },
  );

  it('refuses an ARN of another account than the credentials reach', () => {
    const refs = [parseRoleRef('orders'), parseRoleRef('arn:aws:iam::210987654321:role/billing')];
    expect(() => refuseOtherAccountRoles(refs, '123456789012')).toThrow(/billing in account 210987654321/);
    expect(() => refuseOtherAccountRoles(refs, '210987654321')).not.toThrow();
  });
});
