/**
 * The AWS Batch port: job-definition revisions as the Batch kind reads and
 * registers them, and its SDK implementation. A revision is read whole, with
 * the fields RegisterJobDefinition could not carry over to a new revision:
 * fields this SDK's model does not know, and fields the model reads but
 * RegisterJobDefinition does not take. Either would be lost by the copy.
 */
import type { BatchClient, JobDefinition, RegisterJobDefinitionRequest } from '@aws-sdk/client-batch';
import { loadSdk } from '../../aws/sdk-modules.js';
import type { PortFactory } from '../../aws/workload-ports.js';
import { memberNames, sendKeepingWire, unknownFields } from '../../aws/wire-json.js';

/** A revision as DescribeJobDefinitions reads it (name, ARN, revision and status always set). */
export type JobDefinitionDetail = JobDefinition & { jobDefinitionName: string; jobDefinitionArn: string; revision: number; status: string };

/** One revision, whole, and what of it RegisterJobDefinition cannot carry over. */
export interface JobDefinitionRead {
  definition: JobDefinitionDetail;
  /** Fields a new revision cannot take over ("containerProperties.futureSetting"); empty when it can be copied whole. */
  notCarried: string[];
}

/** The fields DescribeJobDefinitions returns that are Batch's own, not part of what RegisterJobDefinition writes. */
export const READ_ONLY_JOB_DEFINITION_FIELDS: readonly string[] = [
  'jobDefinitionArn',
  'revision',
  'status',
  // Batch derives it from ecsProperties / eksProperties / containerProperties.
  'containerOrchestrationType',
];

/** What the Batch kind asks of AWS Batch in one region. */
export interface BatchPort {
  /** Every ACTIVE revision of every job definition. */
  listActive(): Promise<JobDefinitionRead[]>;
  /** The ACTIVE revisions of one job definition. */
  activeRevisions(name: string): Promise<JobDefinitionRead[]>;
  /** One revision by ARN, ACTIVE or INACTIVE (Batch keeps an INACTIVE one readable for 180 days); undefined when gone. */
  getRevision(arn: string): Promise<JobDefinitionRead | undefined>;
  /** Registers a new revision (the next number of its name); returns its ARN and number. */
  register(input: RegisterJobDefinitionRequest & { jobDefinitionName: string }): Promise<{ arn: string; revision: number }>;
  /** Marks a revision INACTIVE: no new job can be submitted with it (jobs already submitted run on). */
  deregister(arn: string): Promise<void>;
}

/** The Batch port over an SDK client. */
export function sdkBatch(client: BatchClient): BatchPort {
  const sdk = () => loadSdk('client-batch');
  const describe = async (input: { jobDefinitionName?: string; jobDefinitions?: string[]; status?: string }) => {
    const { DescribeJobDefinitionsCommand, JobDefinition$, RegisterJobDefinitionRequest$ } = await sdk();
    const writable = new Set([...memberNames(RegisterJobDefinitionRequest$), ...READ_ONLY_JOB_DEFINITION_FIELDS]);
    const found: JobDefinitionRead[] = [];
    let nextToken: string | undefined;
    do {
      const command = new DescribeJobDefinitionsCommand({ ...input, nextToken });
      const { output, wire } = await sendKeepingWire(command, () => client.send(command));
      const wireDefs = (wire as { jobDefinitions?: unknown[] } | undefined)?.jobDefinitions ?? [];
      (output.jobDefinitions ?? []).forEach((d, i) => {
        const notCarried = [
          ...unknownFields(wireDefs[i], JobDefinition$, 'jobDefinition').map((f) => f.replace(/^jobDefinition\./, '')),
          ...Object.entries(d)
            .filter(([k, v]) => v != null && !writable.has(k))
            .map(([k]) => k),
        ];
        found.push({
          definition: {
            ...d,
            jobDefinitionName: d.jobDefinitionName ?? '',
            jobDefinitionArn: d.jobDefinitionArn ?? '',
            revision: d.revision ?? 0,
            status: d.status ?? '',
          },
          notCarried,
        });
      });
      nextToken = output.nextToken;
    } while (nextToken);
    return found;
  };
  return {
    listActive: () => describe({ status: 'ACTIVE' }),
    activeRevisions: (name) => describe({ jobDefinitionName: name, status: 'ACTIVE' }),
    async getRevision(arn) {
      return (await describe({ jobDefinitions: [arn] })).find((d) => d.definition.jobDefinitionArn === arn);
    },
    async register(input) {
      const { RegisterJobDefinitionCommand } = await sdk();
      const out = await client.send(new RegisterJobDefinitionCommand(input));
      return { arn: out.jobDefinitionArn ?? '', revision: out.revision ?? 0 };
    },
    async deregister(arn) {
      const { DeregisterJobDefinitionCommand } = await sdk();
      await client.send(new DeregisterJobDefinitionCommand({ jobDefinition: arn }));
    },
  };
}

/** How a session makes the Batch port. */
export const batchPorts: PortFactory<BatchPort> = {
  id: 'batch',
  async open(sdk) {
    const { BatchClient } = await loadSdk('client-batch');
    return sdkBatch(await sdk.sdkClient('batch', 'BatchClient', (config) => new BatchClient(config)));
  },
};
