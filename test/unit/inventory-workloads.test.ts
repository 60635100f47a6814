import { describe, expect, it } from 'vitest';
import { workloadsForRole, type AccountIndex } from '../../src/inventory/workloads.js';
import { WORKLOAD_ADAPTERS, workloadAdapters } from '../../src/workloads/registry.js';
import { ACCOUNT, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

const PROFILE_ARN = `arn:aws:iam::${ACCOUNT}:instance-profile/${SHARED_NAME}`;
const OTHER_ARN = `arn:aws:iam::${ACCOUNT}:role/other`;
const role = {
  arn: SHARED_ARN,
  roleName: SHARED_NAME,
  instanceProfiles: [{ name: SHARED_NAME, arn: PROFILE_ARN, path: '/', id: 'AIPA1' }],
};

// Every registered kind's empty inventory, so a new kind needs no line here.
const emptyIndex = (): AccountIndex => Object.fromEntries(workloadAdapters().map((a) => [a.id, a.emptyInventory()])) as AccountIndex;
const fn = (name: string, roleArn: string, version = '$LATEST') => ({
  functionName: name,
  functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}${version === '$LATEST' ? '' : `:${version}`}`,
  version,
  role: roleArn,
});
const td = (revision: number, roles: { taskRoleArn?: string; executionRoleArn?: string }) => ({
  arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:${revision}`,
  family: 'web',
  revision,
  ...roles,
});
const assoc = (instanceId: string, instanceProfileArn: string) => ({
  associationId: `iip-${instanceId}`,
  instanceId,
  instanceProfileArn,
  state: 'associated',
});
const lt = (name: string, instanceProfile: { arn?: string; name?: string }) => ({
  launchTemplateId: `lt-${name}`,
  launchTemplateName: name,
  version: 1,
  isDefault: true,
  instanceProfile,
});

describe('workloadsForRole: EC2', () => {
  const index: AccountIndex = {
    ...emptyIndex(),
    ec2: {
      associations: [assoc('i-mine', PROFILE_ARN), assoc('i-other', `arn:aws:iam::${ACCOUNT}:instance-profile/other`)],
      launchTemplates: [
        lt('by-arn', { arn: PROFILE_ARN }),
        lt('by-name', { name: SHARED_NAME }),
        lt('other-arn', { arn: `arn:aws:iam::${ACCOUNT}:instance-profile/other` }),
        lt('other-name', { name: 'other' }),
        lt('none', {}),
      ],
      autoScalingGroups: [
        { groupName: 'asg-lc', launchConfigurationName: 'lc-1', launchConfigurationProfile: SHARED_NAME, launchTemplates: [] },
        { groupName: 'asg-lc-arn', launchConfigurationName: 'lc-2', launchConfigurationProfile: PROFILE_ARN, launchTemplates: [] },
        { groupName: 'asg-lt', launchTemplates: [{ id: 'lt-by-name', version: '$Default' }] },
        { groupName: 'asg-lt-name', launchTemplates: [{ name: 'by-arn', version: '1' }] },
        { groupName: 'asg-other-lt', launchTemplates: [{ id: 'lt-other-arn', version: '$Default' }] },
        { groupName: 'asg-other-lc', launchConfigurationName: 'lc-3', launchConfigurationProfile: 'other', launchTemplates: [] },
      ],
    },
  };
  const found = workloadsForRole(index, role);

  it('instances by instance profile ARN', () => {
    expect(found.ec2.instances.map((i) => i.instanceId)).toEqual(['i-mine']);
  });
  it('launch templates by profile ARN or name', () => {
    expect(found.ec2.launchTemplates.map((t) => t.launchTemplateName)).toEqual(['by-arn', 'by-name']);
  });
  it('Auto Scaling groups by launch configuration profile, or by a matching launch template', () => {
    expect(found.ec2.autoScalingGroups.map((g) => g.groupName)).toEqual(['asg-lc', 'asg-lc-arn', 'asg-lt', 'asg-lt-name']);
  });
  it("lists the role's instance profiles without path or id", () => {
    expect(found.ec2.instanceProfiles).toEqual([{ name: SHARED_NAME, arn: PROFILE_ARN }]);
  });
  it('a role without instance profiles has no EC2 workloads', () => {
    const none = workloadsForRole(index, { ...role, instanceProfiles: [] });
    expect(none.ec2).toEqual({ instanceProfiles: [], instances: [], launchTemplates: [], autoScalingGroups: [] });
  });
});

describe('workloadsForRole: the launch-template version each Auto Scaling group actually launches', () => {
  // Template "web": version 1 is the default, 3 the latest; only version 2 names the shared role's profile.
  const v2 = {
    launchTemplateId: 'lt-web',
    launchTemplateName: 'web',
    version: 2,
    isDefault: false,
    isLatest: false,
    instanceProfile: { name: SHARED_NAME },
  };
  const index: AccountIndex = {
    ...emptyIndex(),
    ec2: {
      associations: [],
      launchTemplates: [v2],
      autoScalingGroups: [
        { groupName: 'pinned', launchTemplates: [{ id: 'lt-web', version: '2' }] },
        { groupName: 'default', launchTemplates: [{ id: 'lt-web', version: '$Default' }] },
        { groupName: 'latest', launchTemplates: [{ name: 'web', version: '$Latest' }] },
        { groupName: 'other-pin', launchTemplates: [{ id: 'lt-web', version: '1' }] },
        {
          groupName: 'override',
          launchTemplates: [
            { name: 'base', version: '$Latest' },
            { name: 'web', version: '2' },
          ],
        },
      ],
    },
  };
  const found = workloadsForRole(index, role);

  it('a group pinned to the version, or whose mixed-instances override names it, is bound; the default and latest are not', () => {
    expect(found.ec2.autoScalingGroups.map((g) => g.groupName)).toEqual(['pinned', 'override']);
  });
  it('each such group is a follow-up naming the version it launches', () => {
    const followUps = WORKLOAD_ADAPTERS['ec2-instance'].followUps(found.ec2, {
      role: undefined,
      shared: { arn: SHARED_ARN },
      staysShared: false,
      region: REGION,
    });
    expect(followUps.filter((f) => f.kind === 'auto-scaling-group')).toEqual([
      expect.objectContaining({ resource: 'pinned', message: expect.stringContaining('(launch template web version 2 (pinned))') }),
      expect.objectContaining({ resource: 'override', message: expect.stringContaining('(launch template web version 2 (pinned))') }),
    ]);
  });
  it('$Latest resolves to the latest version', () => {
    const latest = workloadsForRole({ ...index, ec2: { ...index.ec2, launchTemplates: [{ ...v2, isLatest: true }] } }, role);
    expect(latest.ec2.autoScalingGroups.map((g) => g.groupName)).toEqual(['pinned', 'latest', 'override']);
  });
});

describe('workloadsForRole: Lambda', () => {
  const index: AccountIndex = {
    ...emptyIndex(),
    lambda: [fn('orders', SHARED_ARN), fn('orders', SHARED_ARN, '3'), fn('billing', OTHER_ARN), fn('billing', SHARED_ARN, '1')],
  };
  const found = workloadsForRole(index, role);

  it('$LATEST functions are live functions', () => {
    expect(found.lambda.functions.map((f) => f.functionName)).toEqual(['orders']);
  });
  it('published versions are listed apart', () => {
    expect(found.lambda.publishedVersions.map((f) => `${f.functionName}:${f.version}`)).toEqual(['orders:3', 'billing:1']);
  });
  it('functions of other roles are not listed', () => {
    expect([...found.lambda.functions, ...found.lambda.publishedVersions].every((f) => f.role === SHARED_ARN)).toBe(true);
    expect(found.lambda.functions.map((f) => f.functionName)).not.toContain('billing');
  });
});

describe('workloadsForRole: ECS', () => {
  const cases: Array<{
    name: string;
    roles: { taskRoleArn?: string; executionRoleArn?: string };
    usesRoleAs: Array<'task' | 'execution'> | undefined;
  }> = [
    { name: 'task role by ARN', roles: { taskRoleArn: SHARED_ARN, executionRoleArn: OTHER_ARN }, usesRoleAs: ['task'] },
    { name: 'execution role by ARN', roles: { taskRoleArn: OTHER_ARN, executionRoleArn: SHARED_ARN }, usesRoleAs: ['execution'] },
    { name: 'both', roles: { taskRoleArn: SHARED_ARN, executionRoleArn: SHARED_ARN }, usesRoleAs: ['task', 'execution'] },
    { name: 'task role by name', roles: { taskRoleArn: SHARED_NAME }, usesRoleAs: ['task'] },
    { name: 'execution role by name', roles: { executionRoleArn: SHARED_NAME }, usesRoleAs: ['execution'] },
    { name: 'another role', roles: { taskRoleArn: OTHER_ARN, executionRoleArn: 'other' }, usesRoleAs: undefined },
    { name: 'a name that only contains the shared one', roles: { taskRoleArn: `${SHARED_NAME}-2` }, usesRoleAs: undefined },
    {
      name: 'an ARN in another account with the same name',
      roles: { taskRoleArn: `arn:aws:iam::999999999999:role/${SHARED_NAME}` },
      usesRoleAs: undefined,
    },
    { name: 'no roles', roles: {}, usesRoleAs: undefined },
  ];
  it.each(cases)('$name', ({ roles, usesRoleAs }) => {
    const def = td(1, roles);
    const found = workloadsForRole({ ...emptyIndex(), ecs: { ...emptyIndex().ecs, taskDefinitions: [def] } }, role);
    expect(found.ecs.taskDefinitions).toEqual(usesRoleAs ? [{ ...def, usesRoleAs }] : []);
  });

  it('services and standalone tasks follow the matching task definitions', () => {
    const mine = td(1, { taskRoleArn: SHARED_ARN });
    const theirs = td(2, { taskRoleArn: OTHER_ARN });
    const cluster = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/main`;
    const index: AccountIndex = {
      ...emptyIndex(),
      ecs: {
        taskDefinitions: [mine, theirs],
        services: [
          { clusterArn: cluster, serviceName: 'web', serviceArn: `${cluster}/web`, taskDefinition: mine.arn },
          { clusterArn: cluster, serviceName: 'api', serviceArn: `${cluster}/api`, taskDefinition: theirs.arn },
        ],
        standaloneTasks: [
          { clusterArn: cluster, taskArn: `${cluster}/task/1`, taskDefinitionArn: mine.arn },
          { clusterArn: cluster, taskArn: `${cluster}/task/2`, taskDefinitionArn: theirs.arn },
        ],
      },
    };
    const found = workloadsForRole(index, role);
    expect(found.ecs.services.map((s) => s.serviceName)).toEqual(['web']);
    expect(found.ecs.standaloneTasks.map((t) => t.taskArn)).toEqual([`${cluster}/task/1`]);
  });

  it('an empty index finds nothing', () => {
    const found = workloadsForRole(emptyIndex(), role);
    expect(found).toEqual({
      ec2: { instanceProfiles: [{ name: SHARED_NAME, arn: PROFILE_ARN }], instances: [], launchTemplates: [], autoScalingGroups: [] },
      lambda: { functions: [], publishedVersions: [] },
      ecs: { taskDefinitions: [], services: [], standaloneTasks: [] },
      codebuild: { projects: [] },
      states: { machines: [], aliases: [], running: [] },
      codepipeline: { pipelines: [] },
      events: { targets: [] },
      scheduler: { schedules: [] },
      firehose: { streams: [] },
      apigateway: { apis: [] },
      apigatewayv2: { apis: [] },
      batch: { latest: [], older: [], followers: [] },
    });
  });
});
