/**
 * ECS services: bound to a role by their task definition's task and
 * execution roles. Apply registers a copy of the revision with the new role
 * and deploys it; task definitions no service runs, and tasks started outside
 * a service, are follow-ups and in-use checks.
 */
import { markdownCode as code } from '../../core/escape.js';
import type { WorkloadAdapter } from '../adapter.js';
import {
  describeTaskDefinitionRoles,
  getServiceState,
  listActiveTaskDefinitions,
  listRunningTasks,
  listServiceBindings,
  type ServiceBinding,
  type ServiceTask,
  type StandaloneTask,
  type TaskDefinitionRoles,
} from './reads.js';
import { ecsRepoint, isOurs } from './repoint.js';
import { lastSegment, namesRole, optional } from '../helpers.js';
import type { EcsMove } from './schema.js';

/** What one region holds that binds ECS tasks to roles. */
export interface EcsInventory {
  taskDefinitions: TaskDefinitionRoles[];
  services: ServiceBinding[];
  standaloneTasks: StandaloneTask[];
  /** Running tasks of services (absent where not read): tie task-id session names to services. */
  serviceTasks?: ServiceTask[];
}

/** The ECS side of one role. */
export interface EcsFound {
  taskDefinitions: Array<TaskDefinitionRoles & { usesRoleAs: Array<'task' | 'execution'> }>;
  services: ServiceBinding[];
  standaloneTasks: StandaloneTask[];
  /** Running tasks of the services above (absent where not read). */
  serviceTasks?: ServiceTask[];
}

/** The ECS service adapter. */
export const ecsServiceAdapter: WorkloadAdapter<EcsMove, EcsInventory, EcsFound, 'ecs'> = {
  id: 'ecs',
  kind: 'ecs-service',
  unitKey: 'ecs-tasks',
  title: 'ECS services',
  codeBindings: {
    cloudFormation: [
      { type: 'AWS::ECS::TaskDefinition', path: 'TaskRoleArn' },
      { type: 'AWS::ECS::TaskDefinition', path: 'ExecutionRoleArn' },
    ],
    terraform: [
      { type: 'aws_ecs_task_definition', path: 'task_role_arn' },
      { type: 'aws_ecs_task_definition', path: 'execution_role_arn' },
    ],
  },

  async discover({ clients }) {
    const ecs = await clients.ecs();
    const clusters = await ecs.listClusters();
    const [active, services, tasks] = await Promise.all([
      listActiveTaskDefinitions(ecs),
      listServiceBindings(ecs, clusters),
      listRunningTasks(ecs, clusters),
    ]);
    const { standalone: standaloneTasks, ofServices: serviceTasks } = tasks;
    // AWS keeps a service or task running on a revision after it is deregistered: index what runs, whatever its status.
    const known = new Set(active.map((td) => td.arn));
    const running = new Set(
      [...services.map((s) => s.taskDefinition), ...standaloneTasks.map((t) => t.taskDefinitionArn)].filter(
        (arn) => arn && !known.has(arn),
      ),
    );
    const inactive = await describeTaskDefinitionRoles(ecs, [...running]);
    return { taskDefinitions: [...active, ...inactive], services, standaloneTasks, serviceTasks };
  },
  emptyInventory: () => ({ taskDefinitions: [], services: [], standaloneTasks: [] }),
  summarise: (inventory) => `${inventory.taskDefinitions.length} ECS task definitions, ${inventory.services.length} ECS services`,

  boundTo(inventory, binding) {
    const taskDefinitions = inventory.taskDefinitions
      .map((td) => ({
        ...td,
        usesRoleAs: [
          ...(namesRole(td.taskRoleArn, binding) ? ['task' as const] : []),
          ...(namesRole(td.executionRoleArn, binding) ? ['execution' as const] : []),
        ],
      }))
      .filter((td) => td.usesRoleAs.length > 0);
    const tdArns = new Set(taskDefinitions.map((td) => td.arn));
    const services = inventory.services.filter((s) => tdArns.has(s.taskDefinition));
    const bound = new Set(services.map((s) => `${s.clusterArn}\u0000${s.serviceName}`));
    return {
      taskDefinitions,
      services,
      ...(inventory.serviceTasks
        ? { serviceTasks: inventory.serviceTasks.filter((t) => bound.has(`${t.clusterArn}\u0000${t.serviceName}`)) }
        : {}),
      standaloneTasks: inventory.standaloneTasks.filter((t) => tdArns.has(t.taskDefinitionArn)),
    };
  },
  describeUsers: (found, role) => [
    ...found.services.map((s) => `ECS service ${s.serviceName} still runs a task definition with ${role}`),
    ...found.standaloneTasks.map((t) => `ECS task ${t.taskArn} runs with ${role}`),
  ],
  listMovable: (found) => found.services.map((s) => s.serviceName),
  // ECS names task sessions after the task id, which no inventory ties to a service up front.
  roleUses: (found) => [...new Set(found.taskDefinitions.flatMap((td) => td.usesRoleAs))],
  sessionHints: () => [],

  // Task sessions are named after task ids, which change with every deployment.
  sessionNames: () => [],
  // Only tasks running now are known; sessions of tasks that have stopped stay with the service as a whole.
  sessionWorkloads: (found) => (found.serviceTasks ?? []).map((t) => [t.taskId, t.serviceName] as const),
  workloadName: (move) => move.serviceName,

  planMoves(found, { role, shared, region }) {
    if (!role) return [];
    const definitions = new Map(found.taskDefinitions.map((td) => [td.arn, td]));
    const swap = (arn: string | undefined) => (arn && isShared(arn, shared.arn) ? role.roleArn : arn);
    return found.services.flatMap((service) => {
      const td = definitions.get(service.taskDefinition);
      if (!td) return [];
      return [
        {
          kind: 'ecs-service' as const,
          service: role.service,
          region,
          clusterArn: service.clusterArn,
          serviceName: service.serviceName,
          serviceArn: service.serviceArn,
          current: {
            taskDefinitionArn: td.arn,
            ...optional('taskRoleArn', td.taskRoleArn),
            ...optional('executionRoleArn', td.executionRoleArn),
          },
          target: { ...optional('taskRoleArn', swap(td.taskRoleArn)), ...optional('executionRoleArn', swap(td.executionRoleArn)) },
        },
      ];
    });
  },
  followUps(found, { role, staysShared }) {
    if (staysShared) return [];
    const servedDefinitions = new Set(found.services.map((s) => s.taskDefinition));
    return [
      ...found.taskDefinitions
        .filter((td) => !servedDefinitions.has(td.arn))
        .map((td) => ({
          kind: 'ecs-task-definition' as const,
          resource: td.arn,
          message:
            `task definition ${td.family}:${td.revision} (no service runs it) uses the shared role as ${td.usesRoleAs.join(' and ')} role; ` +
            `register a revision with ${role?.roleName ?? 'the new ECS role'} for RunTask and scheduled tasks`,
        })),
      ...found.standaloneTasks.map((task) => ({
        kind: 'ecs-standalone-task' as const,
        resource: task.taskArn,
        message:
          `task ${task.taskArn} was started outside a service${task.startedBy ? ` (by ${task.startedBy})` : ''}; ` +
          `point its launcher (RunTask caller, EventBridge rule) at a revision using the new role`,
      })),
    ];
  },

  invariantProblems(move, { role, shared }) {
    const what = `ECS service ${move.serviceName}`;
    const isSharedRole = (arn: string | undefined) => arn !== undefined && isShared(arn, shared.arn);
    const problems: string[] = [];
    if (!isSharedRole(move.current.taskRoleArn) && !isSharedRole(move.current.executionRoleArn))
      problems.push(`${what} does not run as the shared role`);
    for (const field of ['taskRoleArn', 'executionRoleArn'] as const) {
      const current = move.current[field];
      // The shared role is swapped for this plan's role; any other role stays exactly as it is.
      const expected = isSharedRole(current) ? role?.roleArn : current;
      if (move.target[field] !== expected) {
        problems.push(`${what}'s ${field} would become ${move.target[field] ?? 'nothing'}, not ${expected ?? 'nothing'}`);
      }
    }
    return problems;
  },

  stepId: (move) => `repoint-ecs:${move.serviceArn}`,
  repoint: (move, siblings) => ecsRepoint(move, siblings),
  async drift({ clients }, move) {
    const now = await getServiceState(await clients.ecs(), move.clusterArn, move.serviceName);
    if (!now) return [`ECS service ${move.serviceName} no longer exists`];
    return now.taskDefinition === move.current.taskDefinitionArn
      ? []
      : [`ECS service ${move.serviceName} runs ${now.taskDefinition}, plan says ${move.current.taskDefinitionArn}`];
  },
  async verify({ clients }, move) {
    const now = await getServiceState(await clients.ecs(), move.clusterArn, move.serviceName);
    if (!now) return [`ECS service ${move.serviceName} is gone`];
    if (now.taskDefinition === move.current.taskDefinitionArn)
      return [`ECS service ${move.serviceName} still runs ${move.current.taskDefinitionArn}`];
    if (now.deployments !== 1 || now.runningCount !== now.desiredCount) return [`ECS service ${move.serviceName} is not stable`];
    return [];
  },

  async showsMoved({ clients, planId }, move) {
    const ecs = await clients.ecs();
    const now = await getServiceState(ecs, move.clusterArn, move.serviceName);
    return now && now.taskDefinition !== move.current.taskDefinitionArn && (await isOurs(ecs, now.taskDefinition, planId))
      ? `ECS service ${move.serviceName} runs ${now.taskDefinition}, which this plan registered`
      : undefined;
  },
  async withoutMovedBack({ clients, planId }, found, moves) {
    const ecs = await clients.ecs();
    const movedBack = new Set(moves.map((m) => `${m.clusterArn}|${m.serviceName}`));
    const services: ServiceBinding[] = [];
    for (const service of found.services) {
      // Rollback points a service back only from a revision this plan registered: one deployed since stays, and keeps its role in use.
      const back = movedBack.has(`${service.clusterArn}|${service.serviceName}`) && (await isOurs(ecs, service.taskDefinition, planId));
      if (!back) services.push(service);
    }
    return { ...found, services };
  },

  label: (move) => `ECS ${move.serviceName}`,
  describeMove: (move) => [
    code(move.serviceName),
    'ECS service',
    code(lastSegment(move.current.taskDefinitionArn)),
    `new revision with ${code(lastSegment(move.target.taskRoleArn ?? move.target.executionRoleArn ?? ''))}`,
  ],
  checklist(move, target) {
    const tf = target.format === 'terraform';
    const out = [`- [ ] \`${move.serviceName}\` in \`${move.clusterArn}\`: task definition \`${move.current.taskDefinitionArn}\``];
    const roles: Array<[string, string, string, string | undefined]> = [
      ['task role', 'task_role_arn', 'TaskRoleArn', move.target.taskRoleArn],
      ['execution role', 'execution_role_arn', 'ExecutionRoleArn', move.target.executionRoleArn],
    ];
    for (const [label, tfAttribute, cfnProperty, arn] of roles) {
      if (!arn) continue;
      const t = target.role(arn);
      out.push(
        tf
          ? `  - ${label}: \`${tfAttribute} = ${t ? `aws_iam_role.${t.tf}.arn` : `"${arn}"`}\` on the \`aws_ecs_task_definition\` (→ \`${arn}\`)`
          : `  - ${label}: \`${cfnProperty}: ${t ? `!GetAtt ${t.cfnRole}.Arn` : arn}\` on the \`AWS::ECS::TaskDefinition\` (→ \`${arn}\`)`,
      );
    }
    return out;
  },
};

/** A task definition's role field that is the shared role (given by ARN, or by name). */
function isShared(value: string, sharedArn: string): boolean {
  return value === sharedArn || (!value.startsWith('arn:') && sharedArn.endsWith(`/${value}`));
}
