import { describe, expect, it } from 'vitest';
import { usageSource } from '../../src/evidence/sources.js';
import type { EvidenceSource } from '../../src/evidence/types.js';
import { BLIND_SPOTS, unobservableGrants } from '../../src/policy/observability.js';
import type { PolicySource } from '../../src/policy/types.js';

function source(...Statement: unknown[]): PolicySource {
  return { kind: 'managed', name: 'shared', document: { Version: '2012-10-17', Statement } };
}

const NONE: ReadonlySet<string> = new Set();

describe('unobservableGrants', () => {
  const cases: Array<{
    name: string;
    sources: PolicySource[];
    evidence: EvidenceSource;
    seen?: string[];
    expected: Array<[action: string, reason: RegExp]>;
  }> = [
    {
      name: 'iam:PassRole and logs:PutLogEvents are never logged, whatever the evidence',
      sources: [source({ Effect: 'Allow', Action: ['iam:PassRole', 'logs:PutLogEvents', 'logs:CreateLogStream'], Resource: '*' })],
      evidence: 'logs',
      seen: ['logs.amazonaws.com', 'iam.amazonaws.com'],
      expected: [
        ['iam:PassRole', /never logged/],
        ['logs:PutLogEvents', /never logged/],
      ],
    },
    {
      name: 'S3 object actions through a wildcard are data events LookupEvents cannot see',
      sources: [source({ Effect: 'Allow', Action: ['s3:GetObject*', 's3:ListBucket', 's3:ListAllMyBuckets'], Resource: '*' })],
      evidence: 'lookup-events',
      seen: ['s3.amazonaws.com'],
      expected: [
        ['s3:GetObject', /data event .*LookupEvents/],
        ['s3:GetObjectAcl', /data event/],
        ['s3:GetObjectAttributes', /data event/],
        ['s3:GetObjectLegalHold', /data event/],
        ['s3:GetObjectRetention', /data event/],
        ['s3:GetObjectTagging', /data event/],
        ['s3:GetObjectTorrent', /data event/],
        ['s3:GetObjectVersion', /data event/],
        ['s3:GetObjectVersionAcl', /data event/],
        ['s3:GetObjectVersionAttributes', /data event/],
        ['s3:GetObjectVersionTagging', /data event/],
        ['s3:GetObjectVersionTorrent', /data event/],
        ['s3:ListBucket', /data event/],
      ],
    },
    {
      name: 'Access Analyzer never sees data events, even when the trail records them',
      sources: [source({ Effect: 'Allow', Action: ['sqs:SendMessage', 'sns:Publish'], Resource: '*' })],
      evidence: 'access-analyzer',
      seen: ['sqs.amazonaws.com', 'sns.amazonaws.com'],
      expected: [
        ['sns:Publish', /Access Analyzer/],
        ['sqs:SendMessage', /Access Analyzer/],
      ],
    },
    {
      name: "log files that held a service's data events make its data-event actions observable",
      sources: [source({ Effect: 'Allow', Action: ['dynamodb:GetItem', 'lambda:InvokeFunction', 'kinesis:PutRecord'], Resource: '*' })],
      evidence: 'logs',
      seen: ['DynamoDB.amazonaws.com', 's3.amazonaws.com'],
      expected: [
        ['kinesis:PutRecord', /kinesis\.amazonaws\.com data events/],
        ['lambda:InvokeFunction', /lambda\.amazonaws\.com data events/],
      ],
    },
    {
      name: 'NotAction grants count, and excluded actions do not',
      sources: [
        source({
          Effect: 'Allow',
          NotAction: [
            's3:*',
            'dynamodb:*',
            'sqs:*',
            'sns:*',
            'kinesis:*',
            'firehose:*',
            'ebs:*',
            'lambda:*',
            'es:*',
            'rds-db:*',
            'execute-api:*',
            'xray:*',
            'cloudwatch:*',
            'logs:*',
          ],
          Resource: '*',
        }),
      ],
      evidence: 'lookup-events',
      expected: [['iam:PassRole', /never logged/]],
    },
    {
      name: 'Deny statements grant nothing',
      sources: [source({ Effect: 'Deny', Action: '*', Resource: '*' }, { Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' })],
      evidence: 'lookup-events',
      expected: [],
    },
  ];

  it.each(cases)('$name', ({ sources, evidence, seen, expected }) => {
    const result = unobservableGrants(sources, usageSource(evidence).visibility, seen ? new Set(seen) : NONE);
    expect(result.map((r) => r.action)).toEqual(expected.map(([action]) => action));
    result.forEach((r, i) => expect(r.reason).toMatch((expected[i] as [string, RegExp])[1]));
  });

  it('lists every table action for "*" with lookup-events, sorted', () => {
    const result = unobservableGrants(
      [source({ Effect: 'Allow', Action: '*', Resource: '*' })],
      usageSource('lookup-events').visibility,
      NONE,
    );
    const actions = result.map((r) => r.action);
    expect(actions).toEqual([...BLIND_SPOTS.map((s) => s.action)].sort());
    for (const r of result) expect(r.reason.length).toBeGreaterThan(20);
  });

  it('reads URL-encoded documents', () => {
    const encoded = encodeURIComponent(
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:Pass*', Resource: '*' }] }),
    );
    expect(unobservableGrants([{ kind: 'inline', name: 'x', document: encoded }], usageSource('logs').visibility, NONE)).toEqual([
      { action: 'iam:PassRole', reason: expect.stringMatching(/never logged/) },
    ]);
  });
});

describe('BLIND_SPOTS table', () => {
  it('names each action once, as a concrete service:Action', () => {
    const actions = BLIND_SPOTS.map((s) => s.action.toLowerCase());
    expect(new Set(actions).size).toBe(actions.length);
    for (const spot of BLIND_SPOTS) expect(spot.action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
  });

  it('gives every data-event row an eventSource hostname and no never-logged row one', () => {
    for (const spot of BLIND_SPOTS) {
      if (spot.kind === 'data-event') expect(spot.eventSource).toMatch(/^[a-z0-9-]+\.amazonaws\.com$/);
      else expect(spot.eventSource).toBeUndefined();
    }
  });

  it.each(['iam:PassRole', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'cloudwatch:PutMetricData'])(
    '%s is a never-logged row',
    (action) => expect(BLIND_SPOTS.find((s) => s.action === action)?.kind).toBe('not-logged'),
  );

  it.each([
    's3:GetObject',
    's3:ListBucket',
    'dynamodb:Query',
    'lambda:InvokeFunction',
    'sns:Publish',
    'sqs:ReceiveMessage',
    'kinesis:GetRecords',
  ])('%s is a data-event row', (action) => expect(BLIND_SPOTS.find((s) => s.action === action)?.kind).toBe('data-event'));
});
