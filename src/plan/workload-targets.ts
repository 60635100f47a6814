/**
 * Each workload's move: where it is bound now and where apply will point it.
 * Workloads split-role cannot repoint become follow-ups with instructions.
 */
import type { RoleSnapshot } from '../aws/iam.js';
import type { RoleWorkloads } from '../inventory/workloads.js';
import type { FollowUp, PlannedRole, PlannedWorkload } from './schema.js';
import type { SplitAnalysis } from './split-analysis.js';

/** Unit keys whose workloads apply repoints itself. */
export const AUTOMATED_UNITS = new Set(['ec2', 'lambda', 'ecs-tasks']);

/** The workloads apply will move, with current and target bindings. */
export function plannedWorkloads(
  workloads: RoleWorkloads,
  roles: ReadonlyMap<string, PlannedRole>,
  shared: Pick<RoleSnapshot, 'arn'>,
): PlannedWorkload[] {
  const planned: PlannedWorkload[] = [];
  const ec2 = roles.get('ec2');
  if (ec2?.instanceProfile) {
    for (const instance of workloads.ec2.instances) {
      planned.push({
        kind: 'ec2-instance',
        service: ec2.service,
        instanceId: instance.instanceId,
        associationId: instance.associationId,
        current: { instanceProfileArn: instance.instanceProfileArn },
        target: { instanceProfileArn: ec2.instanceProfile.arn, instanceProfileName: ec2.instanceProfile.name, roleName: ec2.roleName },
      });
    }
  }
  const lambda = roles.get('lambda');
  if (lambda) {
    for (const fn of workloads.lambda.functions) {
      planned.push({
        kind: 'lambda-function',
        service: lambda.service,
        functionName: fn.functionName,
        functionArn: fn.functionArn,
        current: { roleArn: fn.role },
        target: { roleArn: lambda.roleArn },
      });
    }
  }
  const ecs = roles.get('ecs-tasks');
  if (ecs) {
    const definitions = new Map(workloads.ecs.taskDefinitions.map((td) => [td.arn, td]));
    for (const service of workloads.ecs.services) {
      const td = definitions.get(service.taskDefinition);
      if (!td) continue;
      const swap = (arn: string | undefined) => (arn && isShared(arn, shared.arn) ? ecs.roleArn : arn);
      planned.push({
        kind: 'ecs-service',
        service: ecs.service,
        clusterArn: service.clusterArn,
        serviceName: service.serviceName,
        serviceArn: service.serviceArn,
        current: { taskDefinitionArn: td.arn, ...optional('taskRoleArn', td.taskRoleArn), ...optional('executionRoleArn', td.executionRoleArn) },
        target: { ...optional('taskRoleArn', swap(td.taskRoleArn)), ...optional('executionRoleArn', swap(td.executionRoleArn)) },
      });
    }
  }
  return planned;
}

/** What the user must change by hand after apply. */
export function workloadFollowUps(analysis: SplitAnalysis, roles: ReadonlyMap<string, PlannedRole>, shared: Pick<RoleSnapshot, 'roleName' | 'arn'>): FollowUp[] {
  const { workloads } = analysis;
  const followUps: FollowUp[] = [];
  const ec2 = roles.get('ec2');
  // Why: a unit left on the shared role (excluded for lack of evidence) keeps its
  // workloads as they are; telling the user to move them to a role that will not exist is wrong.
  const staysShared = (key: string) => analysis.units.some((u) => u.key === key) && !roles.has(key);
  const launchTemplates = staysShared('ec2') ? [] : workloads.ec2.launchTemplates;
  const publishedVersions = staysShared('lambda') ? [] : workloads.lambda.publishedVersions;
  const taskDefinitions = staysShared('ecs-tasks') ? [] : workloads.ecs.taskDefinitions;
  const standaloneTasks = staysShared('ecs-tasks') ? [] : workloads.ecs.standaloneTasks;
  for (const lt of launchTemplates) {
    followUps.push({
      kind: 'launch-template',
      resource: `${lt.launchTemplateName}:${lt.version}`,
      message: `launch template ${lt.launchTemplateName} version ${lt.version}${lt.isDefault ? ' (default)' : ''} names the shared role's instance profile; publish a version with ${ec2?.instanceProfile?.name ?? 'the new EC2 instance profile'} (Auto Scaling groups using it launch instances with the old role until then)`,
    });
  }
  for (const version of publishedVersions) {
    followUps.push({
      kind: 'lambda-published-version',
      resource: version.functionArn,
      message: `published version ${version.version} of ${version.functionName} keeps the shared role (versions are immutable); publish a new version after apply and move aliases to it`,
    });
  }
  const servedDefinitions = new Set(workloads.ecs.services.map((s) => s.taskDefinition));
  for (const td of taskDefinitions) {
    if (servedDefinitions.has(td.arn)) continue;
    followUps.push({
      kind: 'ecs-task-definition',
      resource: td.arn,
      message: `task definition ${td.family}:${td.revision} (no service runs it) uses the shared role as ${td.usesRoleAs.join(' and ')} role; register a revision with ${roles.get('ecs-tasks')?.roleName ?? 'the new ECS role'} for RunTask and scheduled tasks`,
    });
  }
  for (const task of standaloneTasks) {
    followUps.push({
      kind: 'ecs-standalone-task',
      resource: task.taskArn,
      message: `task ${task.taskArn} was started outside a service${task.startedBy ? ` (by ${task.startedBy})` : ''}; point its launcher (RunTask caller, EventBridge rule) at a revision using the new role`,
    });
  }
  for (const unit of analysis.units) {
    if (AUTOMATED_UNITS.has(unit.key)) continue;
    const role = roles.get(unit.key);
    if (!role) continue;
    followUps.push({
      kind: 'manual-service',
      resource: unit.service,
      message: `split-role cannot repoint ${unit.service} workloads; change every ${unit.key} resource that uses ${shared.roleName} to ${role.roleName} (${role.roleArn})`,
    });
  }
  return followUps;
}

function isShared(value: string, sharedArn: string): boolean {
  return value === sharedArn || (!value.startsWith('arn:') && sharedArn.endsWith(`/${value}`));
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}
