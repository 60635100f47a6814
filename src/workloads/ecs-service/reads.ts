/**
 * ECS task definitions, services and tasks with their roles, read and
 * copied through the ECS port.
 */
import type { EcsPort, ServiceFields } from '../../aws/ecs.js';
import { mapLimit } from '../../core/concurrency.js';

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

/** A service's deployment state, for repointing and waiting. */
export interface ServiceState {
  taskDefinition: string;
  status: string;
  desiredCount: number;
  runningCount: number;
  deployments: number;
  rolloutFailed: boolean;
  /** The latest service event since the running deployment began that says tasks fail to start, e.g. "unable to assume the role". */
  launchProblem?: string;
}

// ECS's words for tasks it could not start: "ECS was unable to assume the role …", "failed to launch a task", "unable to place".
const LAUNCH_PROBLEM = /unable to assume|failed to (?:launch|start)|unable to place|CannotPullContainer|ResourceInitializationError/i;

/** The newest event since the primary deployment was created that says why its tasks do not start (events come newest first). */
function launchProblem(s: ServiceFields): string | undefined {
  const since = s.deployments?.find((d) => d.status === 'PRIMARY')?.createdAt?.getTime() ?? -Infinity;
  const event = (s.events ?? []).find((e) => (e.createdAt?.getTime() ?? Infinity) >= since && LAUNCH_PROBLEM.test(e.message ?? ''));
  return event?.message;
}

const DESCRIBE_CONCURRENCY = 8;

/** Every ACTIVE task-definition revision with its task and execution roles. */
export async function listActiveTaskDefinitions(ecs: EcsPort): Promise<TaskDefinitionRoles[]> {
  return describeTaskDefinitionRoles(ecs, await ecs.listTaskDefinitions());
}

/**
 * The roles of the given revisions, whatever their status: a deregistered
 * (INACTIVE) revision keeps running the services and tasks that use it.
 */
export function describeTaskDefinitionRoles(ecs: EcsPort, arns: readonly string[]): Promise<TaskDefinitionRoles[]> {
  // ListTaskDefinitions carries no roles, so each revision is described once.
  return mapLimit([...arns], DESCRIBE_CONCURRENCY, async (arn) => {
    const td = (await ecs.describeTaskDefinition(arn)).taskDefinition;
    return { arn, family: td.family ?? '', revision: td.revision ?? 0, taskRoleArn: td.taskRoleArn, executionRoleArn: td.executionRoleArn };
  });
}

/** The services of the given clusters and the task definition each runs. */
export async function listServiceBindings(ecs: EcsPort, clusters: readonly string[]): Promise<ServiceBinding[]> {
  const bindings: ServiceBinding[] = [];
  for (const clusterArn of clusters) {
    for (const s of await ecs.describeServices(clusterArn, await ecs.listServices(clusterArn))) {
      bindings.push({
        clusterArn,
        serviceName: s.serviceName ?? '',
        serviceArn: s.serviceArn ?? '',
        taskDefinition: s.taskDefinition ?? '',
      });
    }
  }
  return bindings;
}

/** A running task a service started: its id is the name of its role sessions. */
export interface ServiceTask {
  clusterArn: string;
  taskId: string;
  serviceName: string;
}

/** Running tasks in the given clusters that were not started by a service. */
export async function listStandaloneTasks(ecs: EcsPort, clusters: readonly string[]): Promise<StandaloneTask[]> {
  return (await listRunningTasks(ecs, clusters)).standalone;
}

/**
 * Running tasks in the given clusters: those no service started, and the
 * services' own (their group is "service:NAME"), which tie a task id, and so
 * a role session, to its service.
 */
export async function listRunningTasks(
  ecs: EcsPort,
  clusters: readonly string[],
): Promise<{ standalone: StandaloneTask[]; ofServices: ServiceTask[] }> {
  const standalone: StandaloneTask[] = [];
  const ofServices: ServiceTask[] = [];
  for (const clusterArn of clusters) {
    for (const t of await ecs.describeRunningTasks(clusterArn)) {
      if (t.startedBy?.startsWith('ecs-svc/') || t.group?.startsWith('service:')) {
        const taskId = t.taskArn?.split('/').pop();
        if (taskId && t.group?.startsWith('service:'))
          ofServices.push({ clusterArn, taskId, serviceName: t.group.slice('service:'.length) });
        continue;
      }
      standalone.push({ clusterArn, taskArn: t.taskArn ?? '', taskDefinitionArn: t.taskDefinitionArn ?? '', startedBy: t.startedBy });
    }
  }
  return { standalone, ofServices };
}

/** Reads one service's state; undefined when it is gone. */
export async function getServiceState(ecs: EcsPort, cluster: string, service: string): Promise<ServiceState | undefined> {
  const s = (await ecs.describeServices(cluster, [service]))[0];
  if (!s || s.status === 'INACTIVE') return undefined;
  return {
    taskDefinition: s.taskDefinition ?? '',
    status: s.status ?? '',
    desiredCount: s.desiredCount ?? 0,
    runningCount: s.runningCount ?? 0,
    deployments: s.deployments?.length ?? 0,
    rolloutFailed: (s.deployments ?? []).some((d) => d.rolloutState === 'FAILED'),
    ...(launchProblem(s) ? { launchProblem: launchProblem(s) } : {}),
  };
}

/**
 * Registers a copy of a task-definition revision with other roles: a new
 * revision of the same family, tagged so rollback can find what it made.
 */
export async function registerWithRoles(
  ecs: EcsPort,
  sourceArn: string,
  roles: { taskRoleArn?: string; executionRoleArn?: string },
  tags: Array<{ key: string; value: string }>,
): Promise<string> {
  const { taskDefinition: td, tags: sourceTags } = await ecs.describeTaskDefinition(sourceArn, true);
  return ecs.registerTaskDefinition({
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
    tags: [...sourceTags.filter((t) => !tags.some((own) => own.key === t.key)), ...tags],
  });
}

/** The tags of a task-definition revision. */
export async function taskDefinitionTags(ecs: EcsPort, arn: string): Promise<Array<{ key?: string; value?: string }>> {
  return (await ecs.describeTaskDefinition(arn, true)).tags;
}

/** ACTIVE revisions of a family. */
export async function activeRevisions(ecs: EcsPort, family: string): Promise<string[]> {
  // familyPrefix matches prefixes; keep the exact family only.
  return (await ecs.listTaskDefinitions(family)).filter((arn) => arn.split('/').pop()?.replace(/:\d+$/, '') === family);
}
