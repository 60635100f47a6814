import { describe, expect, it } from 'vitest';
import { Attributor, serviceForSessionName } from '../../src/evidence/attribution.js';
import type { CloudTrailRecord, SessionHints, UsageEvidence } from '../../src/evidence/types.js';
import { hintsOf } from '../support/cloudtrail-corpus.js';

const ACCOUNT = '123456789012';
const ROLE = { arn: `arn:aws:iam::${ACCOUNT}:role/app/team/shared`, name: 'shared' };
const EC2 = 'ec2.amazonaws.com';
const LAMBDA = 'lambda.amazonaws.com';
const ECS = 'ecs-tasks.amazonaws.com';
const CODEBUILD = 'codebuild.amazonaws.com';
const SERVICES = [EC2, LAMBDA, ECS, CODEBUILD];
const INSTANCE = 'i-0abc1234def567890';
const HINTS: SessionHints = hintsOf({ ec2: [INSTANCE], lambda: ['orders-api'] });
const TASK = '0123456789abcdef0123456789abcdef';
const META = { source: 'logs' as const, window: { start: '2024-03-01T00:00:00Z', end: '2024-03-02T00:00:00Z' }, warnings: [] };

/** An AssumeRole of `roleArn` by `by` (a service principal, or a full userIdentity). */
function assume(
  by: string | CloudTrailRecord['userIdentity'],
  session: string,
  key: string,
  time = '2024-03-01T10:00:00Z',
  roleArn = ROLE.arn,
): CloudTrailRecord {
  return {
    eventTime: time,
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    userIdentity: typeof by === 'string' ? { type: 'AWSService', invokedBy: by } : by,
    requestParameters: { roleArn, roleSessionName: session },
    responseElements: { credentials: { accessKeyId: key, expiration: time } },
  };
}

/** A call made with a session of `roleArn` (the shared role unless told otherwise). */
function call(
  session: string,
  key: string,
  source: string,
  name: string,
  time = '2024-03-01T10:05:00Z',
  role = ROLE,
  account = ACCOUNT,
): CloudTrailRecord {
  const issuerArn = role === ROLE ? ROLE.arn : role.arn;
  return {
    eventTime: time,
    eventSource: source,
    eventName: name,
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${account}:assumed-role/${role.name}/${session}`,
      accessKeyId: key,
      sessionContext: { sessionIssuer: { type: 'Role', arn: issuerArn, userName: role.name } },
    },
  };
}

function attribute(records: CloudTrailRecord[], services: readonly string[] = SERVICES, hints = HINTS): UsageEvidence {
  const attributor = new Attributor(ROLE, services, hints);
  for (const record of records) attributor.add(record);
  return attributor.result(META);
}

function actionsOf(evidence: UsageEvidence, service: string): string[] {
  return [...(evidence.byService.get(service)?.actions.keys() ?? [])].sort();
}

describe('Attributor: joining calls to AssumeRole', () => {
  it('attributes an EC2 session by access key id', () => {
    const evidence = attribute([assume(EC2, INSTANCE, 'ASIAEC2'), call(INSTANCE, 'ASIAEC2', 's3.amazonaws.com', 'GetObject')]);
    expect(actionsOf(evidence, EC2)).toEqual(['s3:GetObject']);
    expect(evidence.byService.get(EC2)).toMatchObject({ sessions: 1, events: 1 });
    expect(evidence.unattributed.events).toBe(0);
  });

  it('attributes a Lambda session (session name = function name)', () => {
    const evidence = attribute([
      assume(LAMBDA, 'orders-api', 'ASIALAM'),
      call('orders-api', 'ASIALAM', 'dynamodb.amazonaws.com', 'GetItem'),
    ]);
    expect(actionsOf(evidence, LAMBDA)).toEqual(['dynamodb:GetItem']);
  });

  it('attributes an ECS task session (session name = 32-hex task id)', () => {
    const evidence = attribute([assume(ECS, TASK, 'ASIAECS'), call(TASK, 'ASIAECS', 'sqs.amazonaws.com', 'SendMessageBatch')]);
    expect(actionsOf(evidence, ECS)).toEqual(['sqs:SendMessage']);
  });

  it('attributes a CodeBuild session', () => {
    const session = 'AWSCodeBuild-6b1f3b8e-4a4c-4b0e-9d0e-123456789abc';
    const evidence = attribute([
      assume(CODEBUILD, session, 'ASIACB'),
      call(session, 'ASIACB', 'ecr.amazonaws.com', 'GetAuthorizationToken'),
    ]);
    expect(actionsOf(evidence, CODEBUILD)).toEqual(['ecr:GetAuthorizationToken']);
  });

  it('joins calls that arrive before their AssumeRole', () => {
    const evidence = attribute([
      call('orders-api', 'ASIALATE', 'kms.amazonaws.com', 'Decrypt', '2024-03-01T10:01:00Z'),
      call('orders-api', 'ASIALATE', 'kms.amazonaws.com', 'Decrypt', '2024-03-01T10:02:00Z'),
      assume(LAMBDA, 'orders-api', 'ASIALATE', '2024-03-01T10:00:00Z'),
    ]);
    expect(evidence.byService.get(LAMBDA)).toMatchObject({ sessions: 1, events: 2 });
  });

  it('trusts the access key over the session name', () => {
    // An instance-id-shaped name, but Lambda issued the credentials.
    const evidence = attribute([assume(LAMBDA, INSTANCE, 'ASIAX'), call(INSTANCE, 'ASIAX', 's3.amazonaws.com', 'PutObject')]);
    expect(actionsOf(evidence, LAMBDA)).toEqual(['s3:PutObject']);
    expect(actionsOf(evidence, EC2)).toEqual([]);
  });

  it('uses an AssumeRole of the same session name when the key’s own AssumeRole is missing', () => {
    const evidence = attribute([
      assume(LAMBDA, 'billing-sync', 'ASIAOLD'),
      call('billing-sync', 'ASIANEW', 'sns.amazonaws.com', 'Publish'),
    ]);
    expect(actionsOf(evidence, LAMBDA)).toEqual(['sns:Publish']);
  });

  it('maps edgelambda to the role’s Lambda service', () => {
    const evidence = attribute([
      assume('edgelambda.amazonaws.com', 'edge-fn', 'ASIAEDGE'),
      call('edge-fn', 'ASIAEDGE', 'logs.amazonaws.com', 'CreateLogStream'),
    ]);
    expect(actionsOf(evidence, LAMBDA)).toEqual(['logs:CreateLogStream']);
  });

  it('uses sourceIPAddress for an AWSService AssumeRole without invokedBy', () => {
    const record = { ...assume(EC2, INSTANCE, 'ASIASRC'), userIdentity: { type: 'AWSService' }, sourceIPAddress: EC2 };
    const evidence = attribute([record, call(INSTANCE, 'ASIASRC', 'ssm.amazonaws.com', 'GetParameter')]);
    expect(actionsOf(evidence, EC2)).toEqual(['ssm:GetParameter']);
  });
});

describe('Attributor: session-name fallbacks', () => {
  it('matches a discovered instance id', () => {
    expect(actionsOf(attribute([call(INSTANCE, 'K1', 'ec2.amazonaws.com', 'DescribeTags')]), EC2)).toEqual(['ec2:DescribeTags']);
  });

  it('matches the instance-id shape only when EC2 can assume the role', () => {
    const undiscovered = 'i-0123456789abcdef0';
    expect(actionsOf(attribute([call(undiscovered, 'K1', 'ec2.amazonaws.com', 'DescribeTags')]), EC2)).toEqual(['ec2:DescribeTags']);
    const withoutEc2 = attribute([call(undiscovered, 'K1', 'ec2.amazonaws.com', 'DescribeTags')], [LAMBDA, ECS]);
    expect(withoutEc2.byService.has(EC2)).toBe(false);
    expect(withoutEc2.unattributed.events).toBe(1);
  });

  it('matches a discovered Lambda function name', () => {
    expect(actionsOf(attribute([call('orders-api', 'K1', 'sqs.amazonaws.com', 'SendMessage')]), LAMBDA)).toEqual(['sqs:SendMessage']);
  });

  it('matches an ECS task id and a CodeBuild session name', () => {
    const evidence = attribute([
      call(TASK, 'K1', 's3.amazonaws.com', 'ListObjectsV2'),
      call('AWSCodeBuild-abc', 'K2', 's3.amazonaws.com', 'GetObject'),
    ]);
    expect(actionsOf(evidence, ECS)).toEqual(['s3:ListBucket']);
    expect(actionsOf(evidence, CODEBUILD)).toEqual(['s3:GetObject']);
  });

  it('keeps what no rule explains in the unattributed pool', () => {
    const evidence = attribute([
      call('adhoc-debugging', 'K1', 'iam.amazonaws.com', 'ListRoles'),
      call('adhoc-debugging', 'K1', 'iam.amazonaws.com', 'ListRoles', '2024-03-01T11:00:00Z'),
    ]);
    expect(evidence.unattributed).toMatchObject({ sessions: 1, events: 2 });
    expect(evidence.unattributed.actions.get('iam:ListRoles')).toEqual({
      count: 2,
      firstSeen: '2024-03-01T10:05:00Z',
      lastSeen: '2024-03-01T11:00:00Z',
    });
    for (const usage of evidence.byService.values()) expect(usage.events).toBe(0);
  });

  it('serviceForSessionName refuses ambiguous names', () => {
    const hints = hintsOf({ ec2: ['i-12345678'], lambda: ['i-12345678'] });
    expect(serviceForSessionName('i-12345678', SERVICES, hints)).toBeUndefined();
    expect(serviceForSessionName('i-12345678', [EC2], hints)).toBe(EC2);
    expect(serviceForSessionName('i-xyz', SERVICES, HINTS)).toBeUndefined();
    expect(serviceForSessionName(TASK, [EC2, LAMBDA], HINTS)).toBeUndefined();
  });
});

describe('Attributor: whose calls count', () => {
  const other = { arn: `arn:aws:iam::${ACCOUNT}:role/other`, name: 'other' };

  it('ignores other roles, including look-alike names and the same name in another account', () => {
    const evidence = attribute([
      assume(EC2, INSTANCE, 'ASIAOTHER', undefined, other.arn),
      call(INSTANCE, 'ASIAOTHER', 's3.amazonaws.com', 'GetObject', undefined, other),
      call(INSTANCE, 'K2', 's3.amazonaws.com', 'GetObject', undefined, {
        arn: `arn:aws:iam::${ACCOUNT}:role/app/team/shared-v2`,
        name: 'shared-v2',
      }),
      call(
        INSTANCE,
        'K3',
        's3.amazonaws.com',
        'GetObject',
        undefined,
        { arn: `arn:aws:iam::999988887777:role/app/team/shared`, name: 'shared' },
        '999988887777',
      ),
    ]);
    expect(evidence.recordsRead).toBe(4);
    expect(actionsOf(evidence, EC2)).toEqual([]);
    expect(evidence.unattributed.events).toBe(0);
  });

  it('ignores people', () => {
    const evidence = attribute([
      {
        eventTime: 't',
        eventSource: 's3.amazonaws.com',
        eventName: 'GetObject',
        userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accessKeyId: 'AKIA1' },
      },
      {
        eventTime: 't',
        eventSource: 's3.amazonaws.com',
        eventName: 'GetObject',
        userIdentity: { type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root` },
      },
    ]);
    expect(evidence.unattributed.events + [...evidence.byService.values()].reduce((n, u) => n + u.events, 0)).toBe(0);
  });

  it('ignores EC2 instance identity credentials (assumed-role/aws:ec2-instance/…)', () => {
    const record: CloudTrailRecord = {
      eventTime: 't',
      eventSource: 'ssm.amazonaws.com',
      eventName: 'UpdateInstanceInformation',
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/aws:ec2-instance/${INSTANCE}`,
        accessKeyId: 'ASIAIDENT',
        sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/aws:ec2-instance` } },
      },
    };
    const evidence = attribute([assume(EC2, INSTANCE, 'ASIAIDENT'), record]);
    expect(evidence.byService.get(EC2)).toMatchObject({ events: 0 });
  });

  it('keeps sessions a person opened apart from every service', () => {
    const alice = { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, invokedBy: 'signin.amazonaws.com' };
    // Named like an instance on purpose: the AssumeRole says who opened it.
    const evidence = attribute([assume(alice, INSTANCE, 'ASIAHUMAN'), call(INSTANCE, 'ASIAHUMAN', 'iam.amazonaws.com', 'ListRoles')]);
    expect(evidence.nonService).toMatchObject({ sessions: 1, events: 1 });
    expect(evidence.byService.get(EC2)!.events).toBe(0);
    expect(evidence.unattributed.events).toBe(0);
  });

  it('leaves sessions of services the role does not trust unattributed', () => {
    const evidence = attribute([
      assume('glue.amazonaws.com', 'glue-job', 'ASIAGLUE'),
      call('glue-job', 'ASIAGLUE', 's3.amazonaws.com', 'GetObject'),
    ]);
    expect(evidence.unattributed).toMatchObject({ sessions: 1, events: 1 });
  });

  it('identifies the role by userIdentity.arn when there is no session context (role with a path)', () => {
    const record = call(INSTANCE, 'ASIAP', 's3.amazonaws.com', 'GetObject');
    delete record.userIdentity!.sessionContext;
    // The session ARN drops the role's path /app/team/.
    expect(record.userIdentity!.arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/shared/${INSTANCE}`);
    expect(actionsOf(attribute([assume(EC2, INSTANCE, 'ASIAP'), record]), EC2)).toEqual(['s3:GetObject']);
  });

  it('skips calls that were denied', () => {
    const denied = { ...call(INSTANCE, 'K', 'iam.amazonaws.com', 'CreateUser'), errorCode: 'AccessDenied' };
    const failed = { ...call(INSTANCE, 'K', 's3.amazonaws.com', 'GetObject'), errorCode: 'NoSuchKey' };
    expect(actionsOf(attribute([denied, failed]), EC2)).toEqual(['s3:GetObject']);
  });

  it('counts role chaining as the role’s own sts:AssumeRole call', () => {
    const chained = {
      ...call(INSTANCE, 'ASIAC', 'sts.amazonaws.com', 'AssumeRole'),
      requestParameters: { roleArn: other.arn, roleSessionName: 'x' },
    };
    expect(actionsOf(attribute([assume(EC2, INSTANCE, 'ASIAC'), chained]), EC2)).toEqual(['sts:AssumeRole']);
  });
});

describe('Attributor: totals', () => {
  it('sums count and keeps the earliest firstSeen and latest lastSeen across sessions, in any order', () => {
    const evidence = attribute([
      call(INSTANCE, 'A', 's3.amazonaws.com', 'GetObject', '2024-03-01T12:00:00Z'),
      call(INSTANCE, 'A', 's3.amazonaws.com', 'HeadObject', '2024-03-01T09:00:00Z'),
      call(INSTANCE, 'B', 's3.amazonaws.com', 'GetObject', '2024-03-01T15:30:00Z'),
      call(INSTANCE, 'B', 's3.amazonaws.com', 'GetObject', '2024-03-01T13:00:00Z'),
    ]);
    expect(evidence.byService.get(EC2)!.actions.get('s3:GetObject')).toEqual({
      count: 4,
      firstSeen: '2024-03-01T09:00:00Z',
      lastSeen: '2024-03-01T15:30:00Z',
    });
    expect(evidence.byService.get(EC2)).toMatchObject({ sessions: 2, events: 4 });
  });

  it('gives every service an entry and counts sessions opened without calls', () => {
    const evidence = attribute([assume(LAMBDA, 'orders-api', 'ASIAIDLE')]);
    expect([...evidence.byService.keys()].sort()).toEqual([...SERVICES].sort());
    expect(evidence.byService.get(LAMBDA)).toMatchObject({ sessions: 1, events: 0 });
    expect(evidence).toMatchObject({ source: 'logs', window: META.window, recordsRead: 1, warnings: [] });
  });

  it('collects the eventSources of data events', () => {
    const data = { ...call(INSTANCE, 'A', 's3.amazonaws.com', 'GetObject'), eventCategory: 'Data' };
    const management = { ...call(INSTANCE, 'A', 'ec2.amazonaws.com', 'DescribeTags'), eventCategory: 'Management' };
    const foreign = {
      ...call(INSTANCE, 'A', 'dynamodb.amazonaws.com', 'GetItem', undefined, { arn: `arn:aws:iam::${ACCOUNT}:role/x`, name: 'x' }),
      eventCategory: 'Data',
    };
    expect([...attribute([data, management, foreign]).dataEventSources!]).toEqual(['s3.amazonaws.com']);
  });

  it('counts only calls inside the window, but still joins AssumeRoles from before it', () => {
    const attributor = new Attributor(ROLE, SERVICES, HINTS, {
      window: { start: new Date('2024-03-01T10:00:00Z'), end: new Date('2024-03-01T12:00:00Z') },
    });
    attributor.add(assume(LAMBDA, INSTANCE, 'ASIAW', '2024-03-01T09:00:00Z'));
    attributor.add(call(INSTANCE, 'ASIAW', 's3.amazonaws.com', 'GetObject', '2024-03-01T09:30:00Z'));
    attributor.add(call(INSTANCE, 'ASIAW', 's3.amazonaws.com', 'PutObject', '2024-03-01T10:30:00Z'));
    attributor.add(call(INSTANCE, 'ASIAW', 's3.amazonaws.com', 'DeleteObject', '2024-03-01T12:30:00Z'));
    const evidence = attributor.result(META);
    expect(actionsOf(evidence, LAMBDA)).toEqual(['s3:PutObject']);
    expect(actionsOf(evidence, EC2)).toEqual([]);
  });

  it('result() does not change the attributor', () => {
    const attributor = new Attributor(ROLE, SERVICES, HINTS);
    attributor.add(call(INSTANCE, 'A', 's3.amazonaws.com', 'GetObject'));
    const first = attributor.result(META);
    const second = attributor.result(META);
    expect(second.byService.get(EC2)!.actions.get('s3:GetObject')).toEqual(first.byService.get(EC2)!.actions.get('s3:GetObject'));
    expect(second.byService.get(EC2)!.events).toBe(1);
  });

  it('keeps one session per key as the key reads, whether or not the trail wrote the key id as text', () => {
    const asNumber = call(INSTANCE, 'A', 's3.amazonaws.com', 'PutObject');
    (asNumber.userIdentity as Record<string, unknown>).accessKeyId = 7;
    const evidence = attribute([call(INSTANCE, '7', 's3.amazonaws.com', 'GetObject'), asNumber]);
    expect(evidence.byService.get(EC2)).toMatchObject({ sessions: 1, events: 2 });
    expect(actionsOf(evidence, EC2)).toEqual(['s3:GetObject', 's3:PutObject']);
  });
});

describe('Attributor: records with a missing or odd userIdentity', () => {
  const base = { eventTime: '2024-03-01T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject' };

  it('are counted and listed by reason, never granted and never dropped silently', () => {
    const evidence = attribute([
      { ...base },
      { ...base, userIdentity: null } as unknown as CloudTrailRecord,
      { ...base, userIdentity: 'alice' } as unknown as CloudTrailRecord,
      { ...base, eventName: 'PutObject', userIdentity: { accountId: '123456789012' } } as CloudTrailRecord,
      { ...base, userIdentity: { type: 'AssumedRole' } },
      { ...base, userIdentity: { type: 'AssumedRole', arn: 42 } } as unknown as CloudTrailRecord,
    ]);
    expect(evidence.unreadableIdentities).toEqual([
      { eventSource: 's3.amazonaws.com', eventName: 'GetObject', reason: 'no userIdentity', count: 3 },
      { eventSource: 's3.amazonaws.com', eventName: 'PutObject', reason: 'a userIdentity with neither type nor ARN', count: 1 },
      { eventSource: 's3.amazonaws.com', eventName: 'GetObject', reason: 'an AssumedRole userIdentity without a session ARN', count: 1 },
      { eventSource: 's3.amazonaws.com', eventName: 'GetObject', reason: 'a userIdentity ARN that is not text', count: 1 },
    ]);
    expect(evidence.unattributed.actions.size).toBe(0);
  });

  it('AWSService identities and service events are not usage and not unreadable', () => {
    const evidence = attribute([
      {
        ...base,
        userIdentity: { type: 'AWSService', invokedBy: 's3.amazonaws.com', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/shared/${INSTANCE}` },
      },
      { ...base, eventType: 'AwsServiceEvent' },
    ]);
    expect(evidence.unreadableIdentities).toBeUndefined();
    expect(evidence.unattributed.events).toBe(0);
  });

  it('caps the rows a hostile trail can create, summing the rest', () => {
    const records = Array.from({ length: 250 }, (_, i) => ({ ...base, eventName: `Op${i}` }));
    const rows = attribute(records).unreadableIdentities ?? [];
    expect(rows).toHaveLength(201);
    expect(rows.at(-1)).toEqual({ eventSource: '(more)', eventName: '(more)', reason: 'no userIdentity', count: 50 });
  });
});
