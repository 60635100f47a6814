/**
 * CloudFormation of one region in memory, behind the CloudFormationPort:
 * stacks with their resources (logical id, physical id, type), the template
 * as submitted, and the events a create or update leaves (newest first).
 * Seed with `putStack`; `updateStack` replaces a stack's resources and
 * template the way a deploy does, at the time given.
 */
import type { CloudFormationPort, StackEvent, StackResource, StackSummary } from '../../../src/aws/cloudformation.js';
import { FakeServiceError, FaultQueue } from './aws-error.js';

/** A stack as a test seeds it. */
export interface FakeStackSpec {
  name: string;
  /** The template text (JSON or YAML), as GetTemplate returns it. */
  template: string;
  resources: ReadonlyArray<{ logicalId: string; physicalId: string; type: string }>;
  /** When the create finished (default: the epoch). */
  at?: Date;
}

interface FakeStack {
  summary: StackSummary;
  template: string;
  resources: StackResource[];
  events: StackEvent[];
}

/** The port's operations, for faults and the call log. */
export type CloudFormationOperation = keyof CloudFormationPort;

/** In-memory CloudFormation of one (account, region). */
export class FakeCloudFormation implements CloudFormationPort {
  /** Every port call, in order: `operation stack`. */
  readonly calls: string[] = [];
  readonly faults = new FaultQueue<CloudFormationOperation>();
  private readonly stacks = new Map<string, FakeStack>();

  constructor(
    readonly account: string,
    readonly region: string,
  ) {}

  /** Creates a stack whose create finished at `spec.at`. */
  putStack(spec: FakeStackSpec): StackSummary {
    const stackId = `arn:aws:cloudformation:${this.region}:${this.account}:stack/${spec.name}/${String(this.stacks.size + 1).padStart(8, '0')}-fake`;
    const at = spec.at ?? new Date(0);
    const stack: FakeStack = {
      summary: { stackName: spec.name, stackId, status: 'CREATE_COMPLETE' },
      template: spec.template,
      resources: spec.resources.map((r) => ({ ...r, status: 'CREATE_COMPLETE' })),
      events: [{ logicalId: spec.name, type: 'AWS::CloudFormation::Stack', status: 'CREATE_COMPLETE', at }],
    };
    this.stacks.set(spec.name, stack);
    return stack.summary;
  }

  /** A deploy of a new template: resources and template replaced, UPDATE_COMPLETE at `at`. */
  updateStack(name: string, spec: Omit<FakeStackSpec, 'name'>): void {
    const stack = this.stacks.get(name);
    if (!stack) throw new Error(`no stack ${name}`);
    const at = spec.at ?? new Date();
    stack.template = spec.template;
    stack.resources = spec.resources.map((r) => ({ ...r, status: 'UPDATE_COMPLETE' }));
    stack.summary.status = 'UPDATE_COMPLETE';
    stack.events.unshift(
      { logicalId: name, type: 'AWS::CloudFormation::Stack', status: 'UPDATE_IN_PROGRESS', at: new Date(at.getTime() - 60_000) },
      { logicalId: name, type: 'AWS::CloudFormation::Stack', status: 'UPDATE_COMPLETE', at },
    );
    stack.events.sort((a, b) => b.at.getTime() - a.at.getTime());
  }

  async listStacks(): Promise<StackSummary[]> {
    this.calls.push('listStacks');
    this.faults.check('listStacks');
    return [...this.stacks.values()].map((s) => ({ ...s.summary }));
  }

  async listStackResources(stackName: string): Promise<StackResource[]> {
    return this.stack('listStackResources', stackName).resources.map((r) => ({ ...r }));
  }

  async getTemplate(stackName: string): Promise<string> {
    return this.stack('getTemplate', stackName).template;
  }

  async stackEvents(stackName: string): Promise<StackEvent[]> {
    return this.stack('stackEvents', stackName).events.map((e) => ({ ...e }));
  }

  /** A stack by name or id; CloudFormation's ValidationError when there is none. */
  private stack(operation: CloudFormationOperation, nameOrId: string): FakeStack {
    this.calls.push(`${operation} ${nameOrId}`);
    this.faults.check(operation);
    const stack = this.stacks.get(nameOrId) ?? [...this.stacks.values()].find((s) => s.summary.stackId === nameOrId);
    if (!stack) throw new FakeServiceError('ValidationError', `Stack with id ${nameOrId} does not exist`);
    return stack;
  }
}
