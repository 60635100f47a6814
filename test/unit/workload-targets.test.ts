import { describe, expect, it } from 'vitest';
import type { PlannedRole } from '../../src/plan/schema.js';
import { AUTOMATED_UNITS, plannedWorkloads, workloadFollowUps } from '../../src/plan/workload-targets.js';
import {
  ACCOUNT,
  analysis,
  CODEBUILD,
  EC2,
  ECS,
  evidence,
  LAMBDA,
  plannedRole,
  REGION,
  SHARED_ARN,
  SHARED_NAME,
  sharedRole,
  usage,
  inRegion,
  workloads,
} from './fixtures/plan-fixtures.js';

const shared = { arn: SHARED_ARN, roleName: SHARED_NAME };
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`;
const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/main`;
const td = (
  revision: number,
  roles: { taskRoleArn?: string; executionRoleArn?: string },
  usesRoleAs: Array<'task' | 'execution'> = ['task'],
) => ({
  arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:${revision}`,
  family: 'web',
  revision,
  ...roles,
  usesRoleAs,
});
const service = (name: string, taskDefinition: string) => ({
  clusterArn: CLUSTER,
  serviceName: name,
  serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/main/${name}`,
  taskDefinition,
});

const ec2Role = plannedRole('ec2', EC2, 'app-shared-ec2', {
  instanceProfile: { name: 'app-shared-ec2', path: '/', arn: `arn:aws:iam::${ACCOUNT}:instance-profile/app-shared-ec2` },
});
const lambdaRole = plannedRole('lambda', LAMBDA, 'app-shared-lambda');
const ecsRole = plannedRole('ecs-tasks', ECS, 'app-shared-ecs');
const allRoles = new Map<string, PlannedRole>([
  ['ec2', ec2Role],
  ['lambda', lambdaRole],
  ['ecs-tasks', ecsRole],
]);

describe('plannedWorkloads: ECS services swap only the fields bound to the shared role', () => {
  const cases: Array<{
    name: string;
    roles: { taskRoleArn?: string; executionRoleArn?: string };
    target: { taskRoleArn?: string; executionRoleArn?: string };
  }> = [
    {
      name: 'task role shared, execution role different',
      roles: { taskRoleArn: SHARED_ARN, executionRoleArn: OTHER_ROLE },
      target: { taskRoleArn: ecsRole.roleArn, executionRoleArn: OTHER_ROLE },
    },
    {
      name: 'execution role shared, task role different',
      roles: { taskRoleArn: OTHER_ROLE, executionRoleArn: SHARED_ARN },
      target: { taskRoleArn: OTHER_ROLE, executionRoleArn: ecsRole.roleArn },
    },
    {
      name: 'both shared',
      roles: { taskRoleArn: SHARED_ARN, executionRoleArn: SHARED_ARN },
      target: { taskRoleArn: ecsRole.roleArn, executionRoleArn: ecsRole.roleArn },
    },
    { name: 'task role only, no execution role', roles: { taskRoleArn: SHARED_ARN }, target: { taskRoleArn: ecsRole.roleArn } },
    {
      name: 'role given by name',
      roles: { taskRoleArn: SHARED_NAME, executionRoleArn: 'ecsTaskExecutionRole' },
      target: { taskRoleArn: ecsRole.roleArn, executionRoleArn: 'ecsTaskExecutionRole' },
    },
    {
      name: 'a name that merely ends like the shared one is not it',
      roles: { taskRoleArn: SHARED_ARN, executionRoleArn: `other-${SHARED_NAME}` },
      target: { taskRoleArn: ecsRole.roleArn, executionRoleArn: `other-${SHARED_NAME}` },
    },
  ];
  it.each(cases)('$name', ({ roles, target }) => {
    const def = td(7, roles);
    const planned = plannedWorkloads(
      inRegion(workloads({ ecs: { taskDefinitions: [def], services: [service('web', def.arn)] } })),
      allRoles,
      shared,
    );
    expect(planned).toEqual([
      {
        kind: 'ecs-service',
        service: ECS,
        region: REGION,
        clusterArn: CLUSTER,
        serviceName: 'web',
        serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/main/web`,
        current: { taskDefinitionArn: def.arn, ...roles },
        target,
      },
    ]);
  });

  it('a shared role on a path is matched by its name', () => {
    const pathArn = `arn:aws:iam::${ACCOUNT}:role/teams/${SHARED_NAME}`;
    const def = td(1, { taskRoleArn: SHARED_NAME });
    const planned = plannedWorkloads(
      inRegion(workloads({ ecs: { taskDefinitions: [def], services: [service('web', def.arn)] } })),
      allRoles,
      { arn: pathArn },
    );
    expect(planned[0]).toMatchObject({ target: { taskRoleArn: ecsRole.roleArn } });
  });

  it("a service whose task definition is not among the role's is skipped", () => {
    const planned = plannedWorkloads(
      inRegion(workloads({ ecs: { taskDefinitions: [], services: [service('web', 'arn:unknown')] } })),
      allRoles,
      shared,
    );
    expect(planned).toEqual([]);
  });
});

describe('plannedWorkloads: EC2 and Lambda', () => {
  const instance = {
    associationId: 'iip-assoc-1',
    instanceId: 'i-0abc',
    instanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/${SHARED_NAME}`,
    state: 'associated',
  };
  const fn = {
    functionName: 'orders',
    functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders`,
    version: '$LATEST',
    role: SHARED_ARN,
  };
  const found = workloads({ ec2: { instances: [instance] }, lambda: { functions: [fn] } });

  it('instances move to the new instance profile, functions to the new role', () => {
    expect(plannedWorkloads(inRegion(found), allRoles, shared)).toEqual([
      {
        kind: 'ec2-instance',
        service: EC2,
        region: REGION,
        instanceId: 'i-0abc',
        associationId: 'iip-assoc-1',
        current: { instanceProfileArn: instance.instanceProfileArn },
        target: { instanceProfileArn: ec2Role.instanceProfile?.arn, instanceProfileName: 'app-shared-ec2', roleName: 'app-shared-ec2' },
      },
      {
        kind: 'lambda-function',
        service: LAMBDA,
        region: REGION,
        functionName: 'orders',
        functionArn: fn.functionArn,
        current: { roleArn: SHARED_ARN },
        target: { roleArn: lambdaRole.roleArn },
      },
    ]);
  });

  const missing: Array<{ name: string; roles: Map<string, PlannedRole>; kinds: string[] }> = [
    { name: 'no ec2 role: instances stay', roles: new Map([['lambda', lambdaRole]]), kinds: ['lambda-function'] },
    { name: 'no lambda role: functions stay', roles: new Map([['ec2', ec2Role]]), kinds: ['ec2-instance'] },
    {
      name: 'an ec2 role without an instance profile cannot take instances',
      roles: new Map([['ec2', plannedRole('ec2', EC2, 'x')]]),
      kinds: [],
    },
  ];
  it.each(missing)('$name', ({ roles, kinds }) => {
    expect(plannedWorkloads(inRegion(found), roles, shared).map((w) => w.kind)).toEqual(kinds);
  });
});

describe('workloadFollowUps', () => {
  const a = (principals: string[], found: ReturnType<typeof workloads>, idle: string[] = []) =>
    analysis(
      sharedRole({ principals }),
      evidence(Object.fromEntries(principals.map((p) => [p, idle.includes(p) ? usage() : usage({ 'kms:Decrypt': 1 })]))),
      found,
    );
  const lt = { launchTemplateId: 'lt-1', launchTemplateName: 'web', version: 3, isDefault: true, instanceProfile: { name: SHARED_NAME } };
  const version = {
    functionName: 'orders',
    functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders:4`,
    version: '4',
    role: SHARED_ARN,
  };
  const lonely = td(2, { taskRoleArn: SHARED_ARN, executionRoleArn: SHARED_ARN }, ['task', 'execution']);
  const served = td(3, { taskRoleArn: SHARED_ARN });
  const task = {
    clusterArn: CLUSTER,
    taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/main/abc`,
    taskDefinitionArn: lonely.arn,
    startedBy: 'events-rule/nightly',
  };

  const cases: Array<{
    name: string;
    found: ReturnType<typeof workloads>;
    expected: Array<{ kind: string; resource: string; message: RegExp }>;
  }> = [
    {
      name: 'a launch template naming the shared instance profile',
      found: workloads({ ec2: { launchTemplates: [lt] } }),
      expected: [{ kind: 'launch-template', resource: 'web:3', message: /version 3 \(default\).*publish a version with app-shared-ec2/ }],
    },
    {
      name: 'a published Lambda version',
      found: workloads({ lambda: { publishedVersions: [version] } }),
      expected: [
        { kind: 'lambda-published-version', resource: version.functionArn, message: /published version 4 of orders keeps the shared role/ },
      ],
    },
    {
      name: 'a task definition no service runs (the served one is not listed)',
      found: workloads({ ecs: { taskDefinitions: [lonely, served], services: [service('web', served.arn)] } }),
      expected: [
        {
          kind: 'ecs-task-definition',
          resource: lonely.arn,
          message: /web:2 \(no service runs it\) uses the shared role as task and execution role; register a revision with app-shared-ecs/,
        },
      ],
    },
    {
      name: 'a standalone task',
      found: workloads({ ecs: { taskDefinitions: [lonely], standaloneTasks: [task] } }),
      expected: [
        { kind: 'ecs-task-definition', resource: lonely.arn, message: /web:2/ },
        { kind: 'ecs-standalone-task', resource: task.taskArn, message: /started outside a service \(by events-rule\/nightly\)/ },
      ],
    },
    { name: 'nothing to follow up', found: workloads(), expected: [] },
  ];
  it.each(cases)('$name', ({ found, expected }) => {
    const followUps = workloadFollowUps(a([EC2, LAMBDA, ECS], found), allRoles, shared);
    expect(followUps).toEqual(expected.map((e) => ({ kind: e.kind, resource: e.resource, message: expect.stringMatching(e.message) })));
  });

  it('a non-automated service gets a manual follow-up naming its new role', () => {
    // Glue has no workload kind (CodeBuild, the example before, has one now).
    const GLUE = 'glue.amazonaws.com';
    const glue = plannedRole('glue', GLUE, 'app-shared-glue');
    const roles = new Map([...allRoles, ['glue', glue]]);
    const followUps = workloadFollowUps(a([EC2, GLUE], workloads()), roles, shared);
    expect(followUps).toEqual([
      {
        kind: 'manual-service',
        resource: GLUE,
        message: expect.stringContaining(`change every glue resource that uses ${SHARED_NAME} to app-shared-glue (${glue.roleArn})`),
      },
    ]);
  });

  it('CodeBuild, a registered kind, gets no manual follow-up', () => {
    const codebuild = plannedRole('codebuild', CODEBUILD, 'app-shared-codebuild');
    const roles = new Map([...allRoles, ['codebuild', codebuild]]);
    expect(workloadFollowUps(a([EC2, CODEBUILD], workloads()), roles, shared)).toEqual([]);
  });

  it.each([...AUTOMATED_UNITS])('automated unit %s gets no manual follow-up', (key) => {
    // Every automated unit's key is its principal's name (ec2, lambda, ecs-tasks, codebuild, states).
    const principal = `${key}.amazonaws.com`;
    const followUps = workloadFollowUps(a([principal, CODEBUILD], workloads()), allRoles, shared);
    expect(followUps.filter((f) => f.resource === principal)).toEqual([]);
  });

  const excluded: Array<{ name: string; idle: string; found: ReturnType<typeof workloads>; kinds: string[] }> = [
    { name: 'ec2', idle: EC2, found: workloads({ ec2: { launchTemplates: [lt] } }), kinds: ['launch-template'] },
    { name: 'lambda', idle: LAMBDA, found: workloads({ lambda: { publishedVersions: [version] } }), kinds: ['lambda-published-version'] },
    {
      name: 'ecs',
      idle: ECS,
      found: workloads({ ecs: { taskDefinitions: [lonely], standaloneTasks: [task] } }),
      kinds: ['ecs-task-definition', 'ecs-standalone-task'],
    },
  ];
  it.each(excluded)('an excluded $name unit stays on the shared role: no follow-ups to move it', ({ idle, found, kinds }) => {
    const principals = [EC2, LAMBDA, ECS];
    const key = { [EC2]: 'ec2', [LAMBDA]: 'lambda', [ECS]: 'ecs-tasks' }[idle] as string;
    const remaining = new Map([...allRoles].filter(([k]) => k !== key));
    expect(workloadFollowUps(a(principals, found, [idle]), remaining, shared)).toEqual([]);
    // The same workloads with the unit kept do get their follow-ups.
    expect(workloadFollowUps(a(principals, found), allRoles, shared).map((f) => f.kind)).toEqual(kinds);
  });
});
