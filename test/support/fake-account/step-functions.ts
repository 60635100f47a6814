/**
 * Step Functions in memory, behind the StepFunctionsPort: state machines with
 * their role, and executions that keep the role their machine had when they
 * started, as on AWS. UpdateStateMachine refuses a role IAM does not know, as
 * Step Functions does. One region.
 */
import type { RunningExecution, StateMachineRole, StepFunctionsPort } from '../../../src/workloads/state-machine/port.js';
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

/** Step Functions of one region, in memory. */
export class FakeStepFunctions implements StepFunctionsPort {
  /** Fails chosen calls before they change anything. */
  readonly faults = new FaultQueue<keyof StepFunctionsPort>();
  /** The mutating calls made, in order ("updateRole:orders-flow"). */
  readonly writes: string[] = [];
  private readonly machines = new Map<string, StateMachineRole>();
  private readonly executions: FakeExecution[] = [];

  constructor(private readonly options: FakeStepFunctionsOptions = {}) {}

  /** Adds a state machine running as `roleArn`; returns its ARN. */
  addStateMachine(name: string, roleArn: string): string {
    const arn = `arn:aws:states:${this.options.region ?? 'us-east-1'}:${this.options.account ?? '123456789012'}:stateMachine:${name}`;
    this.machines.set(arn, { name, arn, roleArn });
    return arn;
  }

  /** Deletes a state machine. */
  deleteStateMachine(arn: string): void {
    this.machines.delete(arn);
  }

  /** The role a machine starts executions with now. */
  roleOf(arn: string): string | undefined {
    return this.machines.get(arn)?.roleArn;
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
    const machine = this.machines.get(arn);
    return machine ? { ...machine } : undefined;
  }

  async runningExecutions(stateMachineArn: string): Promise<RunningExecution[]> {
    this.faults.check('runningExecutions');
    return this.executions
      .filter((e) => e.stateMachineArn === stateMachineArn && e.status === 'RUNNING')
      .map(({ status: _status, ...e }) => e);
  }

  async updateRole(arn: string, roleArn: string): Promise<void> {
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
  }
}
