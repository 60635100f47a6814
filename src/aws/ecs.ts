/**
 * The ECS port: clusters, services, running tasks and task definitions, as
 * the ECS workload adapter reads and changes them, and its SDK
 * implementation (pagination and batching hidden; command classes load on
 * first use).
 */
import type { ECSClient, RegisterTaskDefinitionCommandInput, Service, Tag, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { loadSdk } from './sdk-modules.js';

/** The part of a service that says what it runs and how its deployment goes. */
export type ServiceFields = Pick<
  Service,
  | 'serviceName'
  | 'serviceArn'
  | 'clusterArn'
  | 'taskDefinition'
  | 'status'
  | 'desiredCount'
  | 'runningCount'
  | 'deployments'
  | 'events'
  // The service role ECS assumes (as ecs.amazonaws.com) for a load balancer without awsvpc: CreateService's `role`.
  | 'roleArn'
>;

/** The part of a task that says what it runs and who started it. */
export type TaskFields = Pick<Task, 'taskArn' | 'taskDefinitionArn' | 'startedBy' | 'group'>;

/** A task-definition revision and its tags. */
export interface DescribedTaskDefinition {
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

/** The input of RegisterTaskDefinition. */
export type TaskDefinitionInput = RegisterTaskDefinitionCommandInput;

/** What the ECS workload adapter asks of ECS in one region. */
export interface EcsPort {
  /** Every cluster ARN. */
  listClusters(): Promise<string[]>;
  /** The service ARNs of a cluster; ClusterNotFoundException for an unknown cluster. */
  listServices(cluster: string): Promise<string[]>;
  /** The services (names or ARNs) that exist in the cluster, described; missing ones are left out, as ECS lists them as failures. */
  describeServices(cluster: string, services: readonly string[]): Promise<ServiceFields[]>;
  /** The tasks running in a cluster (desired status RUNNING), described. */
  describeRunningTasks(cluster: string): Promise<TaskFields[]>;
  /** ACTIVE task-definition ARNs, of the families starting with `familyPrefix` when given. */
  listTaskDefinitions(familyPrefix?: string): Promise<string[]>;
  /** A revision (ACTIVE or INACTIVE), with its tags when `withTags`; ClientException when it does not exist. */
  describeTaskDefinition(arn: string, withTags?: boolean): Promise<DescribedTaskDefinition>;
  /** Registers a revision; returns its ARN. */
  registerTaskDefinition(input: TaskDefinitionInput): Promise<string>;
  /** Points a service at another revision (a new deployment). */
  updateService(cluster: string, service: string, taskDefinition: string): Promise<void>;
  /** Deregisters a revision (it stays INACTIVE; running tasks keep running). */
  deregisterTaskDefinition(arn: string): Promise<void>;
}

/** The ECS port over an SDK client. */
export function sdkEcs(ecs: ECSClient): EcsPort {
  const sdk = () => loadSdk('client-ecs');
  const arnsOf = async <P>(pages: AsyncIterable<P>, arns: (page: P) => string[] | undefined): Promise<string[]> => {
    const all: string[] = [];
    for await (const page of pages) all.push(...(arns(page) ?? []));
    return all;
  };
  return {
    async listClusters() {
      const { paginateListClusters } = await sdk();
      return arnsOf(paginateListClusters({ client: ecs, pageSize: 100 }, {}), (p) => p.clusterArns);
    },
    async listServices(cluster) {
      const { paginateListServices } = await sdk();
      return arnsOf(paginateListServices({ client: ecs, pageSize: 100 }, { cluster }), (p) => p.serviceArns);
    },
    async describeServices(cluster, services) {
      const { DescribeServicesCommand } = await sdk();
      const described: ServiceFields[] = [];
      // DescribeServices takes at most 10 services a call.
      for (let i = 0; i < services.length; i += 10) {
        const out = await ecs.send(new DescribeServicesCommand({ cluster, services: services.slice(i, i + 10) }));
        described.push(...(out.services ?? []));
      }
      return described;
    },
    async describeRunningTasks(cluster) {
      const { DescribeTasksCommand, paginateListTasks } = await sdk();
      const taskArns = await arnsOf(
        paginateListTasks({ client: ecs, pageSize: 100 }, { cluster, desiredStatus: 'RUNNING' }),
        (p) => p.taskArns,
      );
      const tasks: TaskFields[] = [];
      for (let i = 0; i < taskArns.length; i += 100) {
        const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns.slice(i, i + 100) }));
        tasks.push(...(out.tasks ?? []));
      }
      return tasks;
    },
    async listTaskDefinitions(familyPrefix) {
      const { paginateListTaskDefinitions } = await sdk();
      const input = { status: 'ACTIVE' as const, ...(familyPrefix !== undefined ? { familyPrefix } : {}) };
      return arnsOf(paginateListTaskDefinitions({ client: ecs, pageSize: 100 }, input), (p) => p.taskDefinitionArns);
    },
    async describeTaskDefinition(arn, withTags = false) {
      const { DescribeTaskDefinitionCommand } = await sdk();
      const out = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: arn, ...(withTags ? { include: ['TAGS' as const] } : {}) }),
      );
      return { taskDefinition: out.taskDefinition ?? {}, tags: out.tags ?? [] };
    },
    async registerTaskDefinition(input) {
      const { RegisterTaskDefinitionCommand } = await sdk();
      const out = await ecs.send(new RegisterTaskDefinitionCommand(input));
      return out.taskDefinition?.taskDefinitionArn ?? '';
    },
    async updateService(cluster, service, taskDefinition) {
      const { UpdateServiceCommand } = await sdk();
      await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition }));
    },
    async deregisterTaskDefinition(arn) {
      const { DeregisterTaskDefinitionCommand } = await sdk();
      await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    },
  };
}
