/**
 * Step Functions in memory, behind the StepFunctionsPort: state machines with
 * their role, published versions (immutable copies of the machine's definition
 * and role), aliases routing to versions, and executions that keep the role
 * their machine had when they started, as on AWS. UpdateStateMachine refuses a
 * role IAM does not know, as Step Functions does. One region.
 */
import type {
  AliasRoute,
  RunningExecution,
  StateMachineAlias,
  StateMachineRole,
  StepFunctionsPort,
} from '../../../src/workloads/state-machine/port.js';
import { FakeServiceError, FaultQueue } from './aws-error.js';

interface FakeExecution extends RunningExecution {
  status: 'RUNNING' | 'SUCCEEDED';
}

/** Where the machines live, and which roles exist (the IAM fake's). */
export interface FakeStepFunctionsOptions {
  account?: string;
  region?: string;
  knowsRole?: (arn: string) => boolean;
}

const DEFINITION = '{"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}}';

/** Step Functions of one region, in memory. */
export class FakeStepFunctions implements StepFunctionsPort {
  /** Fails chosen calls before they change anything. */
  readonly faults = new FaultQueue<keyof StepFunctionsPort>();
  /** The mutating calls made, in order ("updateRole:orders-flow", "publish:orders-flow:2", "updateAlias:orders-flow:live"). */
  readonly writes: string[] = [];
  private readonly machines = new Map<string, StateMachineRole>();
  /** Published versions by version ARN; each machine's in publishing order. */
  private readonly versions = new Map<string, StateMachineRole>();
  /** How many versions each machine has published. */
  private readonly published = new Map<string, number>();
  private readonly aliases = new Map<string, StateMachineAlias>();
  private readonly executions: FakeExecution[] = [];

  constructor(private readonly options: FakeStepFunctionsOptions = {}) {}

  /** Adds a state machine running as `roleArn`; returns its ARN. */
  addStateMachine(name: string, roleArn: string, definition = DEFINITION): string {
    const arn = `arn:aws:states:${this.options.region ?? 'us-east-1'}:${this.options.account ?? '123456789012'}:stateMachine:${name}`;
    this.machines.set(arn, { name, arn, roleArn, definition });
    return arn;
  }

  /** Deletes a state machine. */
  deleteStateMachine(arn: string): void {
    this.machines.delete(arn);
  }

  /** Changes a machine's definition (as a deploy would, without publishing). */
  setDefinition(arn: string, definition: string): void {
    const machine = this.machines.get(arn);
    if (machine) machine.definition = definition;
  }

  /** The role a machine (or a version, by its ARN) starts executions with now. */
  roleOf(arn: string): string | undefined {
    return (this.machines.get(arn) ?? this.versions.get(arn))?.roleArn;
  }

  /** Publishes the machine as it is now (PublishStateMachineVersion); returns the version ARN. */
  publishVersion(stateMachineArn: string): string {
    const machine = this.machines.get(stateMachineArn);
    if (!machine) throw new FakeServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    // Version numbers are never reused, deleted or not.
    const number = (this.published.get(stateMachineArn) ?? 0) + 1;
    this.published.set(stateMachineArn, number);
    const arn = `${stateMachineArn}:${number}`;
    this.versions.set(arn, { ...machine, arn });
    return arn;
  }

  /** Adds an alias with this routing; returns its ARN. */
  addAlias(stateMachineArn: string, name: string, routing: AliasRoute[]): string {
    const arn = `${stateMachineArn}:${name}`;
    this.aliases.set(arn, { name, arn, routing: routing.map((r) => ({ ...r })) });
    return arn;
  }

  /** An alias's routing now. */
  routingOf(aliasArn: string): AliasRoute[] | undefined {
    return this.aliases.get(aliasArn)?.routing.map((r) => ({ ...r }));
  }

  /** Starts an execution: it runs as the machine's role of this moment until finish(). */
  startExecution(stateMachineArn: string, name: string, startDate = '2026-12-01T00:00:00.000Z'): string {
    const machine = this.machines.get(stateMachineArn);
    if (!machine) throw new FakeServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    this.executions.push({ executionArn, stateMachineArn, startDate, roleArn: machine.roleArn, status: 'RUNNING' });
    return executionArn;
  }

  /** Ends an execution. */
  finish(executionArn: string): void {
    const execution = this.executions.find((e) => e.executionArn === executionArn);
    if (execution) execution.status = 'SUCCEEDED';
  }

  async listStateMachines(): Promise<StateMachineRole[]> {
    this.faults.check('listStateMachines');
    return [...this.machines.values()].map((m) => ({ ...m }));
  }

  async getStateMachine(arn: string): Promise<StateMachineRole | undefined> {
    this.faults.check('getStateMachine');
    const machine = this.machines.get(arn) ?? this.versions.get(arn);
    return machine ? { ...machine } : undefined;
  }

  async listAliases(stateMachineArn: string): Promise<StateMachineAlias[]> {
    this.faults.check('listAliases');
    return [...this.aliases.values()]
      .filter((a) => a.arn === `${stateMachineArn}:${a.name}`)
      .map((a) => ({ ...a, routing: a.routing.map((r) => ({ ...r })) }));
  }

  async getAlias(aliasArn: string): Promise<StateMachineAlias | undefined> {
    this.faults.check('getAlias');
    const alias = this.aliases.get(aliasArn);
    return alias ? { ...alias, routing: alias.routing.map((r) => ({ ...r })) } : undefined;
  }

  async latestVersion(stateMachineArn: string): Promise<string | undefined> {
    this.faults.check('latestVersion');
    return [...this.versions.keys()].filter((arn) => arn.startsWith(`${stateMachineArn}:`)).at(-1);
  }

  async listVersions(stateMachineArn: string): Promise<string[]> {
    this.faults.check('listVersions');
    return [...this.versions.keys()].filter((arn) => arn.startsWith(`${stateMachineArn}:`)).reverse();
  }

  async deleteVersion(versionArn: string): Promise<void> {
    this.faults.check('deleteVersion');
    if ([...this.aliases.values()].some((a) => a.routing.some((r) => r.stateMachineVersionArn === versionArn)))
      throw new FakeServiceError('ValidationException', `Version ${versionArn} is referenced by an alias`);
    if (!this.versions.delete(versionArn)) return;
    this.writes.push(`deleteVersion:${versionArn.split(':').slice(-2).join(':')}`);
  }

  /** Every published version's ARN, oldest first. */
  versionArns(stateMachineArn: string): string[] {
    return [...this.versions.keys()].filter((arn) => arn.startsWith(`${stateMachineArn}:`));
  }

  async runningExecutions(stateMachineArn: string): Promise<RunningExecution[]> {
    this.faults.check('runningExecutions');
    return this.executions
      .filter((e) => e.stateMachineArn === stateMachineArn && e.status === 'RUNNING')
      .map(({ status: _status, ...e }) => e);
  }

  async updateRole(arn: string, roleArn: string, publish?: boolean): Promise<string | undefined> {
    this.faults.check('updateRole');
    const machine = this.machines.get(arn);
    if (!machine) throw new FakeServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    if (this.options.knowsRole && !this.options.knowsRole(roleArn)) {
      throw new FakeServiceError(
        'AccessDeniedException',
        `Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.`,
      );
    }
    this.writes.push(`updateRole:${machine.name}`);
    machine.roleArn = roleArn;
    if (!publish) return undefined;
    const version = this.publishVersion(arn);
    this.writes.push(`publish:${machine.name}:${version.split(':').pop()}`);
    return version;
  }

  async updateAlias(aliasArn: string, routing: readonly AliasRoute[]): Promise<void> {
    this.faults.check('updateAlias');
    const alias = this.aliases.get(aliasArn);
    if (!alias) throw new FakeServiceError('ResourceNotFound', `State Machine Alias Does Not Exist: '${aliasArn}'`);
    const total = routing.reduce((sum, r) => sum + r.weight, 0);
    if (routing.length < 1 || routing.length > 2 || total !== 100)
      throw new FakeServiceError(
        'ValidationException',
        'Routing configuration must contain 1 or 2 state machine versions whose weights add up to 100.',
      );
    for (const r of routing) {
      if (!this.versions.has(r.stateMachineVersionArn))
        throw new FakeServiceError('ResourceNotFound', `State Machine Version Does Not Exist: '${r.stateMachineVersionArn}'`);
    }
    this.writes.push(`updateAlias:${alias.arn.split(':').slice(-2).join(':')}`);
    alias.routing = routing.map((r) => ({ ...r }));
  }
}
