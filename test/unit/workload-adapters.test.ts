import { describe, expect, it } from 'vitest';
import { describeUsers, scopeFor, sessionHints, workloadsForRole, type AccountIndex } from '../../src/inventory/workloads.js';
import { planSchema, type PlannedWorkload } from '../../src/plan/schema.js';
import { plannedWorkloadSchema } from '../../src/workloads/moves.js';
import { adapterFor, SESSION_SHAPES, WORKLOAD_ADAPTERS, workloadAdapters } from '../../src/workloads/registry.js';
import { richPlan } from './fixtures/export-plans.js';
import {
  ACCOUNT,
  CODEBUILD,
  EC2,
  ECS,
  EDGE,
  inRegion,
  LAMBDA,
  plannedRole,
  REGION,
  SHARED_ARN,
  SHARED_NAME,
  workloads,
} from './fixtures/plan-fixtures.js';

const PROFILE_ARN = `arn:aws:iam::${ACCOUNT}:instance-profile/${SHARED_NAME}`;
const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/main`;
const binding = { arn: SHARED_ARN, roleName: SHARED_NAME, instanceProfiles: [{ name: SHARED_NAME, arn: PROFILE_ARN }] };

const ec2Move: PlannedWorkload = {
  kind: 'ec2-instance',
  service: EC2,
  region: REGION,
  instanceId: 'i-0abc',
  associationId: 'iip-assoc-1',
  current: { instanceProfileArn: PROFILE_ARN },
  target: { instanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/app-ec2`, instanceProfileName: 'app-ec2', roleName: 'app-ec2' },
};
const lambdaMove: PlannedWorkload = {
  kind: 'lambda-function',
  service: LAMBDA,
  region: REGION,
  functionName: 'orders',
  functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders`,
  current: { roleArn: SHARED_ARN },
  target: { roleArn: `arn:aws:iam::${ACCOUNT}:role/app-lambda` },
};
const ecsMove: PlannedWorkload = {
  kind: 'ecs-service',
  service: ECS,
  region: REGION,
  clusterArn: CLUSTER,
  serviceName: 'web',
  serviceArn: `${CLUSTER}/web`,
  current: { taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:3`, taskRoleArn: SHARED_ARN },
  target: { taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/app-ecs` },
};
const moves = [ec2Move, lambdaMove, ecsMove];

describe('the workload adapter registry', () => {
  it("has exactly one adapter per plan-schema variant, in the union's order", () => {
    const variants = plannedWorkloadSchema.options.map((option) => option.shape.kind.value);
    expect(workloadAdapters().map((a) => a.kind)).toEqual(variants);
    expect(Object.keys(WORKLOAD_ADAPTERS)).toEqual(variants);
  });

  it('gives every adapter a distinct id and title, and a service unit of its own but where kinds share a service', () => {
    for (const field of ['id', 'title'] as const) {
      const values = workloadAdapters().map((a) => a[field]);
      expect(new Set(values).size, field).toBe(values.length);
    }
    // API Gateway's REST and HTTP APIs both run as apigateway.amazonaws.com, and Batch jobs run as ECS tasks
    // (ecs-tasks.amazonaws.com): each pair of kinds moves to its service's one role.
    const units = workloadAdapters().map((a) => a.unitKey);
    expect(units.filter((u, i) => units.indexOf(u) !== i)).toEqual(['apigateway', 'ecs-tasks']);
  });

  it.each(moves)('dispatches a $kind move to the adapter that owns it', (move) => {
    expect(adapterFor(move).kind).toBe(move.kind);
  });

  it('the plan schema accepts each variant and refuses an unknown kind', () => {
    const body = richPlan();
    expect(planSchema.safeParse({ ...body, workloads: moves }).success).toBe(true);
    const unknown = { ...ec2Move, kind: 'step-functions-state-machine' };
    expect(planSchema.safeParse({ ...body, workloads: [unknown] }).success).toBe(false);
  });

  it('keeps the journal step ids plans already applied used', () => {
    // Journals on disk name these ids: changing them would orphan an interrupted apply.
    expect(moves.map((m) => adapterFor(m).stepId(m))).toEqual([
      'repoint-ec2:i-0abc',
      'repoint-lambda:orders',
      `repoint-ecs:${CLUSTER}/web`,
    ]);
  });

  it("each adapter's empty inventory binds nothing to any role", () => {
    const empty = Object.fromEntries(workloadAdapters().map((a) => [a.id, a.emptyInventory()])) as AccountIndex;
    expect(describeUsers(workloadsForRole(empty, binding))).toEqual([]);
  });
});

describe('scopeFor: only the kinds a trusted service can run are read', () => {
  // Every kind off unless a case turns it on: a new kind needs no edit here.
  const none = Object.fromEntries(workloadAdapters().map((a) => [a.id, false]));
  const cases: Array<{ principals: string[]; scope: Record<string, boolean> }> = [
    { principals: [EC2, LAMBDA], scope: { ...none, ec2: true, lambda: true } },
    { principals: [EDGE, ECS], scope: { ...none, lambda: true, ecs: true, batch: true } },
    { principals: [CODEBUILD], scope: { ...none, codebuild: true } },
    { principals: ['events.amazonaws.com', 'scheduler.amazonaws.com'], scope: { ...none, events: true, scheduler: true } },
    { principals: ['apigateway.amazonaws.com'], scope: { ...none, apigateway: true, apigatewayv2: true } },
    { principals: ['firehose.amazonaws.com'], scope: { ...none, firehose: true } },
    { principals: ['glue.amazonaws.com'], scope: none },
  ];
  it.each(cases)('$principals', ({ principals, scope }) => {
    expect(scopeFor(principals)).toEqual(scope);
  });
});

describe('sessionHints: the names sessions carry, from every kind', () => {
  it('instance ids and function names (published versions too); ECS adds none', () => {
    const fn = (version: string) => ({
      functionName: 'orders',
      functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders`,
      version,
      role: SHARED_ARN,
    });
    const found = workloads({
      ec2: { instances: [{ associationId: 'iip-1', instanceId: 'i-0abc', instanceProfileArn: PROFILE_ARN, state: 'associated' }] },
      lambda: { functions: [fn('$LATEST')], publishedVersions: [{ ...fn('2'), functionName: 'billing' }] },
    });
    const hints = sessionHints(inRegion(found));
    expect([...(hints.names.ec2 ?? [])]).toEqual(['i-0abc']);
    expect([...(hints.names.lambda ?? [])].sort()).toEqual(['billing', 'orders']);
    expect(hints.shapes).toBe(SESSION_SHAPES);
  });
  it('no workloads, no hints', () => {
    expect(sessionHints(inRegion(workloads()))).toEqual({ names: {}, shapes: SESSION_SHAPES, workloads: {} });
  });
});

describe('describeUsers: what would break if the role disappeared', () => {
  it("lists every kind's bindings, kind by kind", () => {
    const found = workloads({
      ec2: {
        instances: [{ associationId: 'iip-1', instanceId: 'i-0abc', instanceProfileArn: PROFILE_ARN, state: 'associated' }],
        autoScalingGroups: [{ groupName: 'asg-web', launchTemplates: [{ id: 'lt-1', version: '$Default' }] }],
      },
      lambda: { publishedVersions: [{ functionName: 'orders', functionArn: 'x', version: '4', role: SHARED_ARN }] },
      ecs: { standaloneTasks: [{ clusterArn: CLUSTER, taskArn: `${CLUSTER}/task/1`, taskDefinitionArn: 'td' }] },
    });
    expect(describeUsers(found)).toEqual([
      "EC2 instance i-0abc still uses the shared role's profile",
      "Auto Scaling group asg-web launches instances with the shared role's profile",
      'Lambda orders version 4 runs as the shared role',
      `ECS task ${CLUSTER}/task/1 runs with the shared role`,
    ]);
  });
});

describe('followUps: a kind whose service stays on the shared role asks for nothing', () => {
  const found = workloads({
    ec2: {
      launchTemplates: [
        { launchTemplateId: 'lt-1', launchTemplateName: 'web', version: 2, isDefault: true, instanceProfile: { name: SHARED_NAME } },
      ],
    },
    lambda: { publishedVersions: [{ functionName: 'orders', functionArn: 'arn:fn:orders:4', version: '4', role: SHARED_ARN }] },
  }) as Record<string, unknown>;
  it.each(workloadAdapters().map((a) => [a.kind, a] as const))('%s', (_kind, adapter) => {
    const targets = {
      role: plannedRole(adapter.unitKey, 'x.amazonaws.com', `app-${adapter.id}`),
      shared: { arn: SHARED_ARN },
      region: REGION,
    };
    expect(adapter.followUps(found[adapter.id], { ...targets, staysShared: true })).toEqual([]);
  });
  it('but a moving service gets one per launch template version and published version', () => {
    const kinds = workloadAdapters().flatMap((a) =>
      a
        .followUps(found[a.id], {
          role: plannedRole(a.unitKey, 'x.amazonaws.com', `app-${a.id}`),
          shared: { arn: SHARED_ARN },
          staysShared: false,
          region: REGION,
        })
        .map((f) => f.kind),
    );
    expect(kinds).toEqual(['launch-template', 'lambda-published-version']);
  });
});

describe('describeMove: the review table row', () => {
  it.each([
    [ec2Move, ['`i-0abc`', 'EC2 instance', `\`${SHARED_NAME}\``, '`app-ec2`']],
    [lambdaMove, ['`orders`', 'Lambda function', `\`${SHARED_NAME}\``, '`app-lambda`']],
    [ecsMove, ['`web`', 'ECS service', '`web:3`', 'new revision with `app-ecs`']],
  ] as const)('%#', (move, row) => {
    expect(adapterFor(move).describeMove(move)).toEqual(row);
  });
});

describe('checklist: snippets name the exported role when the export defines it', () => {
  const names = { tf: 'app_role', cfnRole: 'AppRole', cfnProfile: 'AppInstanceProfile' };
  const known = (format: 'terraform' | 'cloudformation') => ({ format, role: () => names });
  const unknown = (format: 'terraform' | 'cloudformation') => ({ format, role: () => undefined });
  it.each([
    [ec2Move, 'terraform', 'aws_iam_instance_profile.app_role.name', '"app-ec2"'],
    [ec2Move, 'cloudformation', '!Ref AppInstanceProfile', 'IamInstanceProfile: app-ec2'],
    [lambdaMove, 'terraform', 'aws_iam_role.app_role.arn', `"arn:aws:iam::${ACCOUNT}:role/app-lambda"`],
    [ecsMove, 'cloudformation', '!GetAtt AppRole.Arn', `TaskRoleArn: arn:aws:iam::${ACCOUNT}:role/app-ecs`],
  ] as const)('%#: %s', (move, format, reference, literal) => {
    const adapter = adapterFor(move);
    expect(adapter.checklist(move, known(format)).join('\n')).toContain(reference);
    const fallback = adapter.checklist(move, unknown(format)).join('\n');
    expect(fallback).toContain(literal);
    expect(fallback).not.toContain(reference);
  });
});
