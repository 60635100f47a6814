/**
 * ECS in memory, behind the EcsPort: clusters, services, running tasks and
 * task-definition revisions with tags. UpdateService starts a deployment
 * that settles after a read or two (one PRIMARY deployment, every desired
 * task running), or fails when told to (the circuit breaker). A
 * deregistered revision stays describable (INACTIVE), as on AWS. One region.
 */
import type { Deployment, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import type { DescribedTaskDefinition, EcsPort, ServiceFields, TaskDefinitionInput, TaskFields } from '../../../src/aws/ecs.js';
import { FakeServiceError, FaultQueue } from './aws-error.js';

interface FakeService {
  name: string;
  arn: string;
  clusterArn: string;
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  status: 'ACTIVE' | 'INACTIVE';
  deployments: Deployment[];
  /** Reads left before the running deployment settles. */
  settlesIn: number;
  failNextRollout: boolean;
  /** The next deployment's tasks fail to start for this many reads, with this service event. */
  launchFailure?: { message: string; reads: number };
  /** Service events, newest first. */
  events: Array<{ id: string; createdAt: Date; message: string }>;
  /** CreateService's `role`: the service role ECS assumes for a classic load balancer. */
  roleArn?: string;
}

interface FakeCluster {
  arn: string;
  name: string;
  services: Map<string, FakeService>;
  tasks: TaskFields[];
}

interface FakeRevision {
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

/** Where the fake's ARNs point, and how long deployments take. */
export interface FakeEcsOptions {
  account?: string;
  region?: string;
  /** Reads of a deploying service that still show two deployments (default 1). */
  deploymentReads?: number;
}

/** ECS of one region, in memory. */
export class FakeEcs implements EcsPort {
  /** Fails chosen calls before they change anything. */
  readonly faults = new FaultQueue<keyof EcsPort>();
  /** The mutating calls made, in order ("updateService:web"). */
  readonly writes: string[] = [];
  private readonly clusters = new Map<string, FakeCluster>();
  private readonly revisions = new Map<string, FakeRevision>();
  private seq = 0;

  constructor(private readonly options: FakeEcsOptions = {}) {}

  /** Adds a cluster; returns its ARN. */
  addCluster(name: string): string {
    const arn = `${this.arnPrefix()}:cluster/${name}`;
    this.clusters.set(arn, { arn, name, services: new Map(), tasks: [] });
    return arn;
  }

  /** Registers a revision without counting it as a write of the code under test; returns its ARN. */
  addTaskDefinition(input: TaskDefinitionInput): string {
    return this.register(input);
  }

  /** Adds a service running `taskDefinition` with every desired task running and one deployment; returns its ARN. */
  addService(cluster: string, name: string, taskDefinition: string, desiredCount = 1, roleArn?: string): string {
    const c = this.mustCluster(cluster);
    const arn = `${this.arnPrefix()}:service/${c.name}/${name}`;
    c.services.set(name, {
      name,
      arn,
      clusterArn: c.arn,
      taskDefinition,
      desiredCount,
      runningCount: desiredCount,
      status: 'ACTIVE',
      deployments: [{ status: 'PRIMARY', taskDefinition, rolloutState: 'COMPLETED' }],
      settlesIn: 0,
      failNextRollout: false,
      events: [],
      ...(roleArn ? { roleArn } : {}),
    });
    return arn;
  }

  /** Starts a task outside any service (RunTask); returns its ARN. */
  addTask(cluster: string, taskDefinition: string, startedBy?: string): string {
    const c = this.mustCluster(cluster);
    const taskArn = `${this.arnPrefix()}:task/${c.name}/${this.hex()}`;
    c.tasks.push({ taskArn, taskDefinitionArn: taskDefinition, ...(startedBy ? { startedBy } : {}) });
    return taskArn;
  }

  /** Deletes a service (it stays describable as INACTIVE). */
  deleteService(cluster: string, name: string): void {
    const service = this.mustCluster(cluster).services.get(name);
    if (service) service.status = 'INACTIVE';
  }

  /** Makes the service's next deployment fail (the deployment circuit breaker). */
  failNextRollout(cluster: string, name: string): void {
    this.mustService(cluster, name).failNextRollout = true;
  }

  /**
   * Makes the service's next deployment start no task for `reads` reads, with
   * `message` as its service event (ECS's "unable to assume the role" while a
   * new role propagates); then it goes on as usual.
   */
  failLaunches(cluster: string, name: string, message: string, reads: number): void {
    this.mustService(cluster, name).launchFailure = { message, reads };
  }

  /** Points a service at a revision behind the tool's back (someone else's deployment, settled). */
  deployBehindTheBack(cluster: string, name: string, taskDefinition: string): void {
    const service = this.mustService(cluster, name);
    service.taskDefinition = taskDefinition;
    service.deployments = [{ status: 'PRIMARY', taskDefinition, rolloutState: 'COMPLETED' }];
  }

  /** The revision a service runs now. */
  serviceTaskDefinition(cluster: string, name: string): string {
    return this.mustService(cluster, name).taskDefinition;
  }

  /** A revision as stored (status, roles, tags), or undefined. */
  revision(arn: string): FakeRevision | undefined {
    return this.revisions.get(arn);
  }

  async listClusters(): Promise<string[]> {
    this.faults.check('listClusters');
    return [...this.clusters.keys()];
  }

  async listServices(cluster: string): Promise<string[]> {
    this.faults.check('listServices');
    return [...this.mustCluster(cluster).services.values()].filter((s) => s.status === 'ACTIVE').map((s) => s.arn);
  }

  async describeServices(cluster: string, services: readonly string[]): Promise<ServiceFields[]> {
    this.faults.check('describeServices');
    const c = this.mustCluster(cluster);
    return services.flatMap((wanted) => {
      const service = [...c.services.values()].find((s) => s.name === wanted || s.arn === wanted);
      if (!service) return [];
      this.advance(service);
      const { name, arn, clusterArn, taskDefinition, status, desiredCount, runningCount, deployments, events, roleArn } = service;
      return [
        {
          serviceName: name,
          serviceArn: arn,
          clusterArn,
          taskDefinition,
          status,
          desiredCount,
          runningCount,
          deployments: structuredClone(deployments),
          events: structuredClone(events),
          ...(roleArn ? { roleArn } : {}),
        },
      ];
    });
  }

  async describeRunningTasks(cluster: string): Promise<TaskFields[]> {
    this.faults.check('describeRunningTasks');
    const c = this.mustCluster(cluster);
    // A service's own tasks are listed too, marked as ECS marks them, so callers must tell them apart.
    const serviceTasks = [...c.services.values()]
      .filter((s) => s.status === 'ACTIVE')
      .flatMap((s) =>
        Array.from({ length: s.runningCount }, (_, i) => ({
          taskArn: `${this.arnPrefix()}:task/${c.name}/${s.name}-${i}`,
          taskDefinitionArn: s.taskDefinition,
          startedBy: 'ecs-svc/1234567890',
          group: `service:${s.name}`,
        })),
      );
    return [...serviceTasks, ...c.tasks.map((t) => ({ ...t }))];
  }

  async listTaskDefinitions(familyPrefix?: string): Promise<string[]> {
    this.faults.check('listTaskDefinitions');
    return [...this.revisions.values()]
      .map((r) => r.taskDefinition)
      .filter((td) => td.status === 'ACTIVE' && (familyPrefix === undefined || (td.family ?? '').startsWith(familyPrefix)))
      .sort((a, b) => (a.family ?? '').localeCompare(b.family ?? '') || (a.revision ?? 0) - (b.revision ?? 0))
      .map((td) => td.taskDefinitionArn ?? '');
  }

  async describeTaskDefinition(arn: string, withTags = false): Promise<DescribedTaskDefinition> {
    this.faults.check('describeTaskDefinition');
    const revision = this.mustRevision(arn);
    return { taskDefinition: structuredClone(revision.taskDefinition), tags: withTags ? structuredClone(revision.tags) : [] };
  }

  async registerTaskDefinition(input: TaskDefinitionInput): Promise<string> {
    this.faults.check('registerTaskDefinition');
    this.writes.push(`registerTaskDefinition:${input.family ?? ''}`);
    return this.register(input);
  }

  async updateService(cluster: string, service: string, taskDefinition: string): Promise<void> {
    this.faults.check('updateService');
    this.writes.push(`updateService:${service}`);
    const s = this.mustService(cluster, service);
    if (s.status !== 'ACTIVE') throw new FakeServiceError('ServiceNotActiveException', 'Service was not ACTIVE.');
    const revision = this.mustRevision(taskDefinition);
    if (revision.taskDefinition.status !== 'ACTIVE') throw new FakeServiceError('ClientException', 'TaskDefinition is inactive');
    const arn = revision.taskDefinition.taskDefinitionArn ?? taskDefinition;
    if (arn === s.taskDefinition) return;
    s.deployments = [
      { status: 'PRIMARY', taskDefinition: arn, rolloutState: 'IN_PROGRESS', createdAt: new Date() },
      { status: 'ACTIVE', taskDefinition: s.taskDefinition, rolloutState: 'COMPLETED' },
    ];
    s.taskDefinition = arn;
    s.settlesIn = this.options.deploymentReads ?? 1;
  }

  async deregisterTaskDefinition(arn: string): Promise<void> {
    this.faults.check('deregisterTaskDefinition');
    this.writes.push(`deregisterTaskDefinition:${arn}`);
    this.mustRevision(arn).taskDefinition.status = 'INACTIVE';
  }

  private register(input: TaskDefinitionInput): string {
    if (!input.family || !input.containerDefinitions)
      throw new FakeServiceError('ClientException', 'family and containerDefinitions are required');
    const revision =
      1 +
      Math.max(
        0,
        ...[...this.revisions.values()].filter((r) => r.taskDefinition.family === input.family).map((r) => r.taskDefinition.revision ?? 0),
      );
    const taskDefinitionArn = `${this.arnPrefix()}:task-definition/${input.family}:${revision}`;
    const { tags, ...definition } = structuredClone(input);
    this.revisions.set(taskDefinitionArn, {
      taskDefinition: { ...definition, taskDefinitionArn, revision, status: 'ACTIVE' },
      tags: tags ?? [],
    });
    return taskDefinitionArn;
  }

  /** One read of a deploying service: the deployment settles (or fails) when its reads run out. */
  private advance(s: FakeService): void {
    if (s.settlesIn <= 0 || --s.settlesIn > 0) return;
    const primary = s.deployments[0];
    if (!primary) return;
    if (s.launchFailure && s.launchFailure.reads > 0) {
      s.launchFailure.reads -= 1;
      s.settlesIn = 1;
      s.events.unshift({ id: `event-${++this.seq}`, createdAt: new Date(), message: s.launchFailure.message });
      return;
    }
    if (s.failNextRollout) {
      s.failNextRollout = false;
      primary.rolloutState = 'FAILED';
      return;
    }
    primary.rolloutState = 'COMPLETED';
    s.deployments = [primary];
    s.runningCount = s.desiredCount;
  }

  private mustCluster(nameOrArn: string): FakeCluster {
    const c = this.clusters.get(nameOrArn) ?? [...this.clusters.values()].find((x) => x.name === nameOrArn);
    if (!c) throw new FakeServiceError('ClusterNotFoundException', 'Cluster not found.');
    return c;
  }

  private mustService(cluster: string, nameOrArn: string): FakeService {
    const s = [...this.mustCluster(cluster).services.values()].find((x) => x.name === nameOrArn || x.arn === nameOrArn);
    if (!s) throw new FakeServiceError('ServiceNotFoundException', 'Service not found.');
    return s;
  }

  /** A revision by ARN or family:revision. */
  private mustRevision(ref: string): FakeRevision {
    const revision = this.revisions.get(ref) ?? this.revisions.get(`${this.arnPrefix()}:task-definition/${ref}`);
    if (!revision) throw new FakeServiceError('ClientException', 'Unable to describe task definition.');
    return revision;
  }

  private arnPrefix(): string {
    return `arn:aws:ecs:${this.options.region ?? 'us-east-1'}:${this.options.account ?? '123456789012'}`;
  }

  private hex(): string {
    return (++this.seq).toString(16).padStart(32, '0');
  }
}
