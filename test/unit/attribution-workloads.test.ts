import { describe, expect, it } from 'vitest';
import { Attributor } from '../../src/evidence/attribution.js';
import type { CloudTrailRecord, SessionHints } from '../../src/evidence/types.js';
import { sessionHints } from '../../src/inventory/workloads.js';
import { inRegion, workloads } from './fixtures/plan-fixtures.js';

const ROLE = { arn: 'arn:aws:iam::123456789012:role/shared', name: 'shared' };
const LAMBDA = 'lambda.amazonaws.com';
const ECS = 'ecs-tasks.amazonaws.com';
const META = { source: 'logs' as const, window: { start: '2024-03-01T00:00:00Z', end: '2024-03-02T00:00:00Z' }, warnings: [] };
const CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/main';

function assume(service: string, session: string, key: string): CloudTrailRecord {
  return {
    eventTime: '2024-03-01T10:00:00Z',
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    userIdentity: { type: 'AWSService', invokedBy: service },
    requestParameters: { roleArn: ROLE.arn, roleSessionName: session },
    responseElements: { credentials: { accessKeyId: key, expiration: '2024-03-01T11:00:00Z' } },
  };
}
function call(session: string, key: string, source: string, name: string): CloudTrailRecord {
  return {
    eventTime: '2024-03-01T10:05:00Z',
    eventSource: source,
    eventName: name,
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::123456789012:assumed-role/shared/${session}`,
      accessKeyId: key,
      sessionContext: { sessionIssuer: { type: 'Role', arn: ROLE.arn, userName: 'shared' } },
    },
  };
}

describe('attribution per workload', () => {
  const records = [
    assume(LAMBDA, 'orders', 'K1'),
    call('orders', 'K1', 'kms.amazonaws.com', 'Decrypt'),
    assume(LAMBDA, 'billing', 'K2'),
    call('billing', 'K2', 'ssm.amazonaws.com', 'GetParameter'),
    // ECS: a running task of service web, and a task that has stopped (no service known).
    assume(ECS, 'task0001', 'K3'),
    call('task0001', 'K3', 'secretsmanager.amazonaws.com', 'GetSecretValue'),
    assume(ECS, 'task9999', 'K4'),
    call('task9999', 'K4', 'kms.amazonaws.com', 'Encrypt'),
  ];
  const found = workloads({
    lambda: {
      functions: ['orders', 'billing'].map((name) => ({
        functionName: name,
        functionArn: `fn:${name}`,
        version: '$LATEST',
        role: ROLE.arn,
      })),
    },
    ecs: {
      services: [{ clusterArn: CLUSTER, serviceName: 'web', serviceArn: 'svc:web', taskDefinition: 'td:web' }],
      serviceTasks: [{ clusterArn: CLUSTER, taskId: 'task0001', serviceName: 'web' }],
    },
  });

  it("ties each session to its workload (Lambda by function name, ECS by a running task's service)", () => {
    const hints = sessionHints(inRegion(found));
    const attributor = new Attributor(ROLE, [LAMBDA, ECS], hints);
    for (const record of records) attributor.add(record);
    const result = attributor.result(META);
    const actions = (service: string, workload: string) => [...(result.byWorkload?.get(service)?.get(workload)?.actions.keys() ?? [])];
    expect(actions(LAMBDA, 'orders')).toEqual(['kms:Decrypt']);
    expect(actions(LAMBDA, 'billing')).toEqual(['ssm:GetParameter']);
    expect(actions(ECS, 'web')).toEqual(['secretsmanager:GetSecretValue']);
    // The stopped task's call is the service's, but no one workload's.
    expect([...(result.byService.get(ECS)?.actions.keys() ?? [])].sort()).toEqual(['kms:Encrypt', 'secretsmanager:GetSecretValue']);
    expect([...(result.byWorkload?.get(ECS)?.keys() ?? [])]).toEqual(['web']);
  });

  it('a session name two workloads open (two regions) is no one workload’s', () => {
    const hints = sessionHints([...inRegion(found, 'eu-west-1'), ...inRegion(workloads({ lambda: { functions: [] } }), 'us-east-1')]);
    expect(hints.workloads?.lambda?.get('orders')).toBe('orders');
    const both: SessionHints = sessionHints([
      ...inRegion(workloads({ ecs: { services: [], serviceTasks: [{ clusterArn: CLUSTER, taskId: 't1', serviceName: 'web' }] } })),
      ...inRegion(
        workloads({ ecs: { services: [], serviceTasks: [{ clusterArn: CLUSTER, taskId: 't1', serviceName: 'api' }] } }),
        'us-east-1',
      ),
    ]);
    expect(both.workloads?.['ecs-tasks']?.has('t1')).toBe(false);
  });

  it('without workload hints there is no per-workload usage', () => {
    const attributor = new Attributor(ROLE, [LAMBDA, ECS], { names: {}, shapes: [] });
    for (const record of records) attributor.add(record);
    expect(attributor.result(META).byWorkload).toBeUndefined();
  });
});
