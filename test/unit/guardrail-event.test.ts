/**
 * The guardrail handler's reading of its triggers, on event shapes from AWS
 * documentation (test/fixtures/guardrail: each file names its source pages),
 * and its verdict and alert text for a live role (issue 14 §2).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { alertFor, judgeLiveRole } from '../../src/guardrail/alert.js';
import { parseTrigger } from '../../src/guardrail/event.js';

const Fixture = z.object({ sources: z.record(z.string(), z.string()), events: z.record(z.string(), z.record(z.string(), z.unknown())) });
type Fixture = z.infer<typeof Fixture>;
const load = (name: string) => Fixture.parse(JSON.parse(readFileSync(new URL(`../fixtures/guardrail/${name}`, import.meta.url), 'utf8')));
/** The parts of an EventBridge IAM event the cases below edit; loose, so the rest of the event stays as recorded. */
const IamEvent = z.looseObject({
  account: z.string().optional(),
  detail: z
    .looseObject({
      eventName: z.string(),
      eventSource: z.string(),
      recipientAccountId: z.string().optional(),
      requestParameters: z.looseObject({ roleName: z.string().optional() }),
    })
    .optional(),
});
type IamEvent = z.infer<typeof IamEvent>;
const eventbridge = load('eventbridge-iam-events.json');
const config = load('config-rule-events.json');
const event = (fixture: Fixture, name: string) => structuredClone(fixture.events[name]);

describe('parseTrigger: EventBridge events for IAM calls via CloudTrail', () => {
  it('names its AWS documentation sources', () => {
    for (const fixture of [eventbridge, config]) {
      expect(Object.values(fixture.sources).length).toBeGreaterThan(0);
      for (const url of Object.values(fixture.sources)) expect(url).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    }
  });

  it('reads CreateRole and UpdateAssumeRolePolicy: role, account, caller, time', () => {
    expect(parseTrigger(event(eventbridge, 'create-role'))).toEqual({
      kind: 'role-change',
      roleName: 'TestRole',
      account: '123456789012',
      eventName: 'CreateRole',
      eventTime: '2014-03-25T20:17:37Z',
      actor: 'arn:aws:iam::123456789012:user/Alice',
    });
    expect(parseTrigger(event(eventbridge, 'update-assume-role-policy'))).toMatchObject({
      kind: 'role-change',
      roleName: 'TestRole',
      eventName: 'UpdateAssumeRolePolicy',
    });
  });

  it('ignores a failed call: nothing changed', () => {
    expect(parseTrigger(event(eventbridge, 'create-role-failed'))).toEqual({
      kind: 'ignored',
      reason: 'CreateRole failed (EntityAlreadyExistsException): nothing changed',
    });
  });

  it.each([
    ['another IAM call', (e: IamEvent) => (e.detail!.eventName = 'DeleteRole'), /DeleteRole is not a watched IAM call/],
    ['another service', (e: IamEvent) => (e.detail!.eventSource = 's3.amazonaws.com'), /is not IAM/],
    ['no role name', (e: IamEvent) => delete e.detail!.requestParameters.roleName, /names no valid role/],
    ['a role name IAM would refuse', (e: IamEvent) => (e.detail!.requestParameters.roleName = 'x\u001b[2J'), /names no valid role/],
    [
      'no account anywhere',
      (e: IamEvent) => {
        delete e.detail!.recipientAccountId;
        delete e.account;
      },
      /names no account/,
    ],
    ['no detail', (e: IamEvent) => delete e.detail, /neither an EventBridge event nor/],
  ])('ignores %s', (_name, edit, reason) => {
    const e = IamEvent.parse(event(eventbridge, 'create-role'));
    edit(e);
    const trigger = parseTrigger(e);
    expect(trigger.kind).toBe('ignored');
    expect(trigger.kind === 'ignored' && trigger.reason).toMatch(reason);
  });

  it.each([null, 'text', 42, [], { detail: 'x' }])('ignores a non-event %j', (value) => {
    expect(parseTrigger(value).kind).toBe('ignored');
  });
});

describe('parseTrigger: AWS Config rule invocations', () => {
  it('reads a configuration change: role, id, account, token, capture time', () => {
    expect(parseTrigger(event(config, 'configuration-change'))).toEqual({
      kind: 'config',
      roleName: 'TestRole',
      account: '123456789012',
      resourceId: 'AROAIUU2EOWSWPGX2UJUO',
      resultToken: 'myResultToken',
      orderingTimestamp: '2016-02-17T01:36:34.043Z',
      gone: false,
    });
  });

  it('reads an oversized item from its summary', () => {
    expect(parseTrigger(event(config, 'oversized'))).toMatchObject({
      kind: 'config',
      roleName: 'TestRole',
      orderingTimestamp: '2016-10-06T16:46:16.261Z',
      gone: false,
    });
  });

  it('marks a deleted role, and one that left the rule’s scope, as gone', () => {
    expect(parseTrigger(event(config, 'configuration-change-deleted'))).toMatchObject({ kind: 'config', gone: true });
    expect(parseTrigger({ ...event(config, 'configuration-change'), eventLeftScope: true })).toMatchObject({ kind: 'config', gone: true });
  });

  it('ignores periodic invocations, other resource types, and broken invoking events', () => {
    expect(parseTrigger(event(config, 'scheduled'))).toMatchObject({
      kind: 'ignored',
      reason: expect.stringMatching(/ScheduledNotification carries no configuration item/),
    });
    const ec2 = z.looseObject({ invokingEvent: z.string() }).parse(event(config, 'configuration-change'));
    ec2.invokingEvent = ec2.invokingEvent.replace('AWS::IAM::Role', 'AWS::EC2::Instance');
    expect(parseTrigger(ec2)).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/AWS::EC2::Instance is not an IAM role/) });
    expect(parseTrigger({ ...event(config, 'configuration-change'), invokingEvent: '{not json' })).toMatchObject({ kind: 'ignored' });
    expect(parseTrigger({ ...event(config, 'configuration-change'), resultToken: '' })).toMatchObject({ kind: 'ignored' });
  });
});

describe('judgeLiveRole and alertFor: scan’s verdict, the alert a person reads', () => {
  const trust = (statements: unknown[]) => encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: statements }));
  const role = (trustPolicy: string, tags?: Record<string, string>) => ({
    roleName: 'TestRole',
    roleArn: 'arn:aws:iam::123456789012:role/TestRole',
    roleId: 'AROAIUU2EOWSWPGX2UJUO',
    path: '/',
    trustPolicy,
    ...(tags ? { tags } : {}),
  });
  const shared = trust([
    { Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com', 'lambda.amazonaws.com'] }, Action: 'sts:AssumeRole' },
    { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: 'sts:AssumeRole' },
  ]);

  it('reports a shared role with every rule it breaks, its principals and its owner', () => {
    const verdict = judgeLiveRole(role(shared, { Owner: 'team-payments' }), '123456789012', 'owner');
    expect(verdict.status).toBe('non-compliant');
    if (verdict.status !== 'non-compliant') return;
    expect(verdict.owner).toBe('team-payments');
    const alert = alertFor(verdict, {
      account: '123456789012',
      trigger: 'iam:CreateRole',
      eventTime: '2014-03-25T20:17:37Z',
      actor: 'arn:aws:iam::123456789012:user/Alice',
      ownerTag: 'owner',
    });
    expect(alert.subject).toBe('split-role: shared role TestRole in 123456789012');
    expect(alert.message).toContain('Role:       TestRole (arn:aws:iam::123456789012:role/TestRole)');
    expect(alert.message).toContain('Account:    123456789012');
    expect(alert.message).toContain(
      'Finding:    SR001 multi-service: IAM role assumable by more than one AWS service; SR002 service-and-cross-account: IAM role assumable by an AWS service and by another account',
    );
    expect(alert.message).toContain('Services:   ec2.amazonaws.com, lambda.amazonaws.com');
    expect(alert.message).toContain('Principals: arn:aws:iam::210987654321:root (cross-account)');
    expect(alert.message).toContain('Owner:      team-payments');
    expect(alert.message).toContain('Trigger:    iam:CreateRole at 2014-03-25T20:17:37Z by arn:aws:iam::123456789012:user/Alice');
    expect(alert.attributes).toEqual({
      account: '123456789012',
      findingKind: 'multi-service,service-and-cross-account',
      owner: 'team-payments',
    });
  });

  it('says when the owner is unknown, and shows control characters from the account instead of sending them', () => {
    const verdict = judgeLiveRole(role(shared, { team: 'x' }), '123456789012', 'owner');
    if (verdict.status !== 'non-compliant') throw new Error('expected a finding');
    const alert = alertFor(verdict, {
      account: '123456789012',
      trigger: 'iam:CreateRole',
      actor: 'arn:aws:iam::123456789012:user/\u001b[2JEve',
      ownerTag: 'owner',
    });
    expect(alert.message).toContain('Owner:      unknown (no owner tag)');
    expect(alert.message).toContain('user/\\u001B[2JEve');
    expect(alert.message).not.toContain('\u001b');
    expect(alert.attributes.owner).toBe('unknown');
  });

  it('finds a single-service role compliant, skips service-linked roles, and reports an unreadable trust policy', () => {
    expect(
      judgeLiveRole(
        role(trust([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }])),
        '123456789012',
        'owner',
      ),
    ).toEqual({ status: 'compliant' });
    expect(judgeLiveRole({ ...role(shared), path: '/aws-service-role/ecs.amazonaws.com/' }, '123456789012', 'owner').status).toBe(
      'not-applicable',
    );
    expect(judgeLiveRole(role('%7Bnot'), '123456789012', 'owner').status).toBe('unreadable');
  });

  it('agrees with scan on the regional form of a service principal', () => {
    const regional = trust([
      { Effect: 'Allow', Principal: { Service: ['logs.us-east-1.amazonaws.com', 'logs.amazonaws.com'] }, Action: 'sts:AssumeRole' },
    ]);
    expect(judgeLiveRole(role(regional), '123456789012', 'owner')).toEqual({ status: 'compliant' });
  });
});
