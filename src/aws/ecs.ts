/** ECS adapter: task definitions, services and tasks with their roles, pagination hidden. */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  paginateListClusters,
  paginateListServices,
  paginateListTaskDefinitions,
  paginateListTasks,
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
  // ListTaskDefinitions carries no roles, so each revision is described once.
  return mapLimit(arns, DESCRIBE_CONCURRENCY, async (arn) => {
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
