/**
 * AWS Batch in memory, behind the BatchPort: job definitions as numbered
 * revisions, stored whole. RegisterJobDefinition adds the next revision of
 * the name, ACTIVE, with exactly the fields sent (Batch fills in nothing the
 * kind reads); DeregisterJobDefinition marks one INACTIVE, which stays
 * readable by ARN. A revision can carry fields a new revision could not take
 * (seeded with `notCarried`): reads report them, as the SDK port does.
 */
import type { BatchPort, JobDefinitionDetail, JobDefinitionRead } from '../../../src/workloads/batch-job-definition/port.js';
import { FakeServiceError, FaultQueue } from './aws-error.js';

/** Where the job definitions live. */
export interface FakeBatchOptions {
  account?: string;
  region?: string;
}

/** What a test seeds: a revision without the fields Batch fills in. */
export type FakeJobDefinitionSeed = Omit<JobDefinitionDetail, 'jobDefinitionArn' | 'revision' | 'status'>;

/** AWS Batch of one region, in memory. */
export class FakeBatch implements BatchPort {
  /** Fails chosen calls before they change anything. */
  readonly faults = new FaultQueue<keyof BatchPort>();
  /** The mutating calls made, in order ("register:nightly:2", "deregister:nightly:2"). */
  readonly writes: string[] = [];
  private readonly revisions: JobDefinitionRead[] = [];

  constructor(private readonly options: FakeBatchOptions = {}) {}

  /** Registers a revision as a test's set-up (not counted in `writes`); returns its ARN. */
  addRevision(seed: FakeJobDefinitionSeed, notCarried: string[] = []): string {
    return this.store(seed, notCarried).jobDefinitionArn;
  }

  /** Marks a revision INACTIVE as someone else would (not counted in `writes`). */
  deactivate(arn: string): void {
    const found = this.revisions.find((r) => r.definition.jobDefinitionArn === arn);
    if (found) found.definition.status = 'INACTIVE';
  }

  /** Every revision of a name, oldest first, as stored now. */
  revisionsOf(name: string): JobDefinitionDetail[] {
    return this.revisions.filter((r) => r.definition.jobDefinitionName === name).map((r) => structuredClone(r.definition));
  }

  async listActive(): Promise<JobDefinitionRead[]> {
    this.faults.check('listActive');
    return this.revisions.filter((r) => r.definition.status === 'ACTIVE').map((r) => structuredClone(r));
  }

  async activeRevisions(name: string): Promise<JobDefinitionRead[]> {
    this.faults.check('activeRevisions');
    return (await this.listActive()).filter((r) => r.definition.jobDefinitionName === name);
  }

  async getRevision(arn: string): Promise<JobDefinitionRead | undefined> {
    this.faults.check('getRevision');
    const found = this.revisions.find((r) => r.definition.jobDefinitionArn === arn);
    return found ? structuredClone(found) : undefined;
  }

  async register(input: Parameters<BatchPort['register']>[0]): Promise<{ arn: string; revision: number }> {
    this.faults.check('register');
    if (!input.type) throw new FakeServiceError('ClientException', 'type must be one of container, multinode');
    const stored = this.store(input, []);
    this.writes.push(`register:${stored.jobDefinitionName}:${stored.revision}`);
    return { arn: stored.jobDefinitionArn, revision: stored.revision };
  }

  async deregister(arn: string): Promise<void> {
    this.faults.check('deregister');
    const found = this.revisions.find((r) => r.definition.jobDefinitionArn === arn);
    if (!found) throw new FakeServiceError('ClientException', `Job definition ${arn} does not exist`);
    this.writes.push(`deregister:${found.definition.jobDefinitionName}:${found.definition.revision}`);
    found.definition.status = 'INACTIVE';
  }

  private store(seed: FakeJobDefinitionSeed, notCarried: string[]): JobDefinitionDetail {
    const name = seed.jobDefinitionName;
    const revision = this.revisions.filter((r) => r.definition.jobDefinitionName === name).length + 1;
    const where = `${this.options.region ?? 'us-east-1'}:${this.options.account ?? '123456789012'}`;
    const definition: JobDefinitionDetail = {
      ...structuredClone(seed),
      jobDefinitionArn: `arn:aws:batch:${where}:job-definition/${name}:${revision}`,
      revision,
      status: 'ACTIVE',
    };
    this.revisions.push({ definition, notCarried });
    return definition;
  }
}
