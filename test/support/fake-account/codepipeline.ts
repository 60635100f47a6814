/**
 * CodePipeline in memory, behind the CodePipelinePort: pipelines with their
 * own role and their actions' roles. UpdatePipeline refuses a role IAM does
 * not know, as CodePipeline does. One region.
 */
import type { CodePipelinePort, PipelineRoles } from '../../../src/workloads/pipeline/port.js';
import { FakeServiceError, FaultQueue } from './aws-error.js';

/** Which roles exist (the IAM fake's). */
export interface FakeCodePipelineOptions {
  knowsRole?: (arn: string) => boolean;
}

/** CodePipeline of one region, in memory. */
export class FakeCodePipeline implements CodePipelinePort {
  /** Fails chosen calls before they change anything. */
  readonly faults = new FaultQueue<keyof CodePipelinePort>();
  /** The mutating calls made, in order ("replaceRole:release"). */
  readonly writes: string[] = [];
  private readonly pipelines = new Map<string, PipelineRoles>();

  constructor(private readonly options: FakeCodePipelineOptions = {}) {}

  /** Adds a pipeline running as `roleArn`, with actions ("Stage/Action" → role) that name their own role. */
  addPipeline(name: string, roleArn: string, actionRoles: Record<string, string> = {}): void {
    const actions = Object.entries(actionRoles).map(([path, role]) => {
      const [stage = '', action = ''] = path.split('/');
      return { stage, action, roleArn: role };
    });
    this.pipelines.set(name, { name, roleArn, actionRoles: actions });
  }

  /** Deletes a pipeline. */
  deletePipeline(name: string): void {
    this.pipelines.delete(name);
  }

  /** A pipeline's roles now. */
  rolesOf(name: string): PipelineRoles | undefined {
    const p = this.pipelines.get(name);
    return p ? structuredClone(p) : undefined;
  }

  async listPipelines(): Promise<PipelineRoles[]> {
    this.faults.check('listPipelines');
    return [...this.pipelines.values()].map((p) => structuredClone(p));
  }

  async getPipeline(name: string): Promise<PipelineRoles | undefined> {
    this.faults.check('getPipeline');
    return this.rolesOf(name);
  }

  async replaceRole(name: string, from: string, to: string): Promise<void> {
    this.faults.check('replaceRole');
    const p = this.pipelines.get(name);
    if (!p) throw new FakeServiceError('PipelineNotFoundException', `Account does not have a pipeline with name ${name}`);
    if (this.options.knowsRole && !this.options.knowsRole(to)) {
      throw new FakeServiceError('InvalidStructureException', `CodePipeline is not authorized to perform AssumeRole on role ${to}`);
    }
    this.writes.push(`replaceRole:${name}`);
    if (p.roleArn === from) p.roleArn = to;
    for (const a of p.actionRoles) if (a.roleArn === from) a.roleArn = to;
  }
}
