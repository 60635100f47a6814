/** ECS adapter: task definitions, services and tasks with their roles, pagination hidden. */
import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  paginateListClusters,
  paginateListServices,
  paginateListTaskDefinitions,
  paginateListTasks,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { mapLimit } from '../core/concurrency.js';
import { awsCall, awsPages } from './call.js';

/** The role-relevant part of a task-definition revision. */
export interface TaskDefinitionRoles {
  arn: string;
  family: string;
  revision: number;
  taskRoleArn?: string;
  executionRoleArn?: string;
}

/** A service and the revision it runs. */
export interface ServiceBinding {
  clusterArn: string;
  serviceName: string;
  serviceArn: string;
  taskDefinition: string;
}

/** A running task that no service started (RunTask, scheduled rules). */
export interface StandaloneTask {
  clusterArn: string;
  taskArn: string;
  taskDefinitionArn: string;
  startedBy?: string;
}

const DESCRIBE_CONCURRENCY = 8;

/** Every ACTIVE task-definition revision with its task and execution roles. */
export async function listActiveTaskDefinitions(ecs: ECSClient): Promise<TaskDefinitionRoles[]> {
  const arns: string[] = [];
  const pages = paginateListTaskDefinitions({ client: ecs, pageSize: 100 }, { status: 'ACTIVE' });
  for await (const page of awsPages('ecs:ListTaskDefinitions', pages)) arns.push(...(page.taskDefinitionArns ?? []));
  return describeTaskDefinitionRoles(ecs, arns);
}

/**
 * The roles of the given revisions, whatever their status: a deregistered
 * (INACTIVE) revision keeps running the services and tasks that use it.
 */
export function describeTaskDefinitionRoles(ecs: ECSClient, arns: readonly string[]): Promise<TaskDefinitionRoles[]> {
  // ListTaskDefinitions carries no roles, so each revision is described once.
  return mapLimit([...arns], DESCRIBE_CONCURRENCY, async (arn) => {
    const out = await awsCall('ecs:DescribeTaskDefinition', () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })));
    const td = out.taskDefinition;
    return {
      arn,
      family: td?.family ?? '',
      revision: td?.revision ?? 0,
      taskRoleArn: td?.taskRoleArn,
      executionRoleArn: td?.executionRoleArn,
    };
  });
}

/** The services of the given clusters and the task definition each runs. */
export async function listServiceBindings(ecs: ECSClient, clusters: readonly string[]): Promise<ServiceBinding[]> {
  const bindings: ServiceBinding[] = [];
  for (const clusterArn of clusters) {
    const serviceArns: string[] = [];
    const pages = paginateListServices({ client: ecs, pageSize: 100 }, { cluster: clusterArn });
    for await (const page of awsPages('ecs:ListServices', pages)) serviceArns.push(...(page.serviceArns ?? []));
    for (let i = 0; i < serviceArns.length; i += 10) {
      const out = await awsCall('ecs:DescribeServices', () =>
        ecs.send(new DescribeServicesCommand({ cluster: clusterArn, services: serviceArns.slice(i, i + 10) })),
      );
      for (const s of out.services ?? []) {
        bindings.push({
          clusterArn,
          serviceName: s.serviceName ?? '',
          serviceArn: s.serviceArn ?? '',
          taskDefinition: s.taskDefinition ?? '',
        });
      }
    }
  }
  return bindings;
}

/** Running tasks in the given clusters that were not started by a service. */
export async function listStandaloneTasks(ecs: ECSClient, clusters: readonly string[]): Promise<StandaloneTask[]> {
  const tasks: StandaloneTask[] = [];
  for (const clusterArn of clusters) {
    const taskArns: string[] = [];
    const pages = paginateListTasks({ client: ecs, pageSize: 100 }, { cluster: clusterArn, desiredStatus: 'RUNNING' });
    for await (const page of awsPages('ecs:ListTasks', pages)) taskArns.push(...(page.taskArns ?? []));
    for (let i = 0; i < taskArns.length; i += 100) {
      const out = await awsCall('ecs:DescribeTasks', () =>
        ecs.send(new DescribeTasksCommand({ cluster: clusterArn, tasks: taskArns.slice(i, i + 100) })),
      );
      for (const t of out.tasks ?? []) {
        if (t.startedBy?.startsWith('ecs-svc/') || t.group?.startsWith('service:')) continue;
        tasks.push({ clusterArn, taskArn: t.taskArn ?? '', taskDefinitionArn: t.taskDefinitionArn ?? '', startedBy: t.startedBy });
      }
    }
  }
  return tasks;
}

/** Every cluster ARN in the region. */
export async function listClusters(ecs: ECSClient): Promise<string[]> {
  const clusters: string[] = [];
  const pages = paginateListClusters({ client: ecs, pageSize: 100 }, {});
  for await (const page of awsPages('ecs:ListClusters', pages)) clusters.push(...(page.clusterArns ?? []));
  return clusters;
}

/** A service's deployment state, for repointing and waiting. */
export interface ServiceState {
  taskDefinition: string;
  status: string;
  desiredCount: number;
  runningCount: number;
  deployments: number;
  rolloutFailed: boolean;
}

/** Reads one service's state; undefined when it is gone. */
export async function getServiceState(ecs: ECSClient, cluster: string, service: string): Promise<ServiceState | undefined> {
  const out = await awsCall('ecs:DescribeServices', () => ecs.send(new DescribeServicesCommand({ cluster, services: [service] })));
  const s = out.services?.[0];
  if (!s || s.status === 'INACTIVE') return undefined;
  return {
    taskDefinition: s.taskDefinition ?? '',
    status: s.status ?? '',
    desiredCount: s.desiredCount ?? 0,
    runningCount: s.runningCount ?? 0,
    deployments: s.deployments?.length ?? 0,
    rolloutFailed: (s.deployments ?? []).some((d) => d.rolloutState === 'FAILED'),
  };
}

/**
 * Registers a copy of a task-definition revision with other roles: a new
 * revision of the same family, tagged so rollback can find what it made.
 */
export async function registerWithRoles(
  ecs: ECSClient,
  sourceArn: string,
  roles: { taskRoleArn?: string; executionRoleArn?: string },
  tags: Array<{ key: string; value: string }>,
): Promise<string> {
  const out = await awsCall('ecs:DescribeTaskDefinition', () =>
    ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: sourceArn, include: ['TAGS'] })),
  );
  const td = out.taskDefinition;
  if (!td) throw new Error(`task definition ${sourceArn} not found`);
  const registered = await awsCall('ecs:RegisterTaskDefinition', () =>
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family: td.family,
        taskRoleArn: roles.taskRoleArn,
        executionRoleArn: roles.executionRoleArn,
        networkMode: td.networkMode,
        containerDefinitions: td.containerDefinitions,
        volumes: td.volumes,
        placementConstraints: td.placementConstraints,
        requiresCompatibilities: td.requiresCompatibilities,
        cpu: td.cpu,
        memory: td.memory,
        pidMode: td.pidMode,
        ipcMode: td.ipcMode,
        proxyConfiguration: td.proxyConfiguration,
        inferenceAccelerators: td.inferenceAccelerators,
        ephemeralStorage: td.ephemeralStorage,
        runtimePlatform: td.runtimePlatform,
        enableFaultInjection: td.enableFaultInjection,
        tags: [...(out.tags ?? []).filter((t) => !tags.some((own) => own.key === t.key)), ...tags],
      }),
    ),
  );
  return registered.taskDefinition?.taskDefinitionArn ?? '';
}

/** The tags of a task-definition revision. */
export async function taskDefinitionTags(ecs: ECSClient, arn: string): Promise<Array<{ key?: string; value?: string }>> {
  const out = await awsCall('ecs:DescribeTaskDefinition', () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] })));
  return out.tags ?? [];
}

/** Points a service at another task-definition revision (a new deployment). */
export async function setServiceTaskDefinition(ecs: ECSClient, cluster: string, service: string, taskDefinition: string): Promise<void> {
  await awsCall('ecs:UpdateService', () => ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition })));
}

/** Deregisters a revision (it stays INACTIVE; running tasks keep running). */
export async function deregisterTaskDefinition(ecs: ECSClient, arn: string): Promise<void> {
  await awsCall('ecs:DeregisterTaskDefinition', () => ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn })));
}

/** ACTIVE revisions of a family. */
export async function activeRevisions(ecs: ECSClient, family: string): Promise<string[]> {
  const pages = paginateListTaskDefinitions({ client: ecs, pageSize: 100 }, { familyPrefix: family, status: 'ACTIVE' });
  const arns: string[] = [];
  for await (const page of awsPages('ecs:ListTaskDefinitions', pages)) {
    // familyPrefix matches prefixes; keep the exact family only.
    arns.push(...(page.taskDefinitionArns ?? []).filter((arn) => arn.split('/').pop()?.replace(/:\d+$/, '') === family));
  }
  return arns;
}
