/**
 * The CloudFormation port: the few reads ownership, verify and status make
 * (which stacks a region holds, what each stack owns, its template, when its
 * last update finished). ListStackResources, not DescribeStackResources:
 * the latter cannot be asked by physical id on every emulator (moto ignores
 * PhysicalResourceId), and one listing per stack answers every resource at once.
 * Tests implement the same interface in memory (test/support/fake-account).
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { AwsSession } from './session.js';
import { loadSdk } from './sdk-modules.js';

/** A live stack (not deleted). */
export interface StackSummary {
  stackName: string;
  stackId: string;
  status: string;
}

/** One resource of a stack, as ListStackResources gives it. */
export interface StackResource {
  logicalId: string;
  /** Empty while a resource is being created, or for one that failed to be. */
  physicalId?: string;
  type: string;
  status: string;
}

/** One stack event, newest first as CloudFormation lists them. */
export interface StackEvent {
  logicalId: string;
  type: string;
  status: string;
  at: Date;
}

/** The reads of one (account, region). */
export interface CloudFormationPort {
  /** Every stack that is not deleted. */
  listStacks(): Promise<StackSummary[]>;
  /** Every resource of a stack. */
  listStackResources(stackName: string): Promise<StackResource[]>;
  /** The template as submitted (before transforms: a SAM template still says `Transform`). */
  getTemplate(stackName: string): Promise<string>;
  /** The stack's events, newest first. */
  stackEvents(stackName: string): Promise<StackEvent[]>;
}

/** Stack statuses ListStacks reports for a stack that still exists. */
const LIVE_STATUSES = [
  'CREATE_COMPLETE',
  'CREATE_IN_PROGRESS',
  'ROLLBACK_COMPLETE',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_FAILED',
  'UPDATE_COMPLETE',
  'UPDATE_IN_PROGRESS',
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE',
  'UPDATE_ROLLBACK_IN_PROGRESS',
  'UPDATE_ROLLBACK_FAILED',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_FAILED',
  'DELETE_FAILED',
  'DELETE_IN_PROGRESS',
  'IMPORT_COMPLETE',
  'IMPORT_IN_PROGRESS',
  'IMPORT_ROLLBACK_COMPLETE',
  'IMPORT_ROLLBACK_IN_PROGRESS',
  'IMPORT_ROLLBACK_FAILED',
  'REVIEW_IN_PROGRESS',
] as const;

/** The port over one session's CloudFormation client (its region). */
export function sdkCloudFormationPort(session: AwsSession): CloudFormationPort {
  const client = (): Promise<CloudFormationClient> => session.cloudFormation();
  const sdk = () => loadSdk('client-cloudformation');
  return {
    async listStacks() {
      const { ListStacksCommand } = await sdk();
      const cfn = await client();
      const stacks: StackSummary[] = [];
      let token: string | undefined;
      do {
        const page = await cfn.send(new ListStacksCommand({ NextToken: token, StackStatusFilter: [...LIVE_STATUSES] }));
        for (const s of page.StackSummaries ?? []) {
          // Some emulators ignore the filter: a deleted stack owns nothing.
          if (!s.StackName || !s.StackId || s.StackStatus === 'DELETE_COMPLETE') continue;
          stacks.push({ stackName: s.StackName, stackId: s.StackId, status: s.StackStatus ?? '' });
        }
        token = page.NextToken;
      } while (token);
      return stacks;
    },
    async listStackResources(stackName) {
      const { ListStackResourcesCommand } = await sdk();
      const cfn = await client();
      const resources: StackResource[] = [];
      let token: string | undefined;
      do {
        const page = await cfn.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: token }));
        for (const r of page.StackResourceSummaries ?? []) {
          if (!r.LogicalResourceId || !r.ResourceType) continue;
          resources.push({
            logicalId: r.LogicalResourceId,
            type: r.ResourceType,
            status: r.ResourceStatus ?? '',
            ...(r.PhysicalResourceId ? { physicalId: r.PhysicalResourceId } : {}),
          });
        }
        token = page.NextToken;
      } while (token);
      return resources;
    },
    async getTemplate(stackName) {
      const { GetTemplateCommand } = await sdk();
      const answer = await (await client()).send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }));
      return answer.TemplateBody ?? '';
    },
    async stackEvents(stackName) {
      const { DescribeStackEventsCommand } = await sdk();
      const cfn = await client();
      const events: StackEvent[] = [];
      let token: string | undefined;
      do {
        const page = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken: token }));
        for (const e of page.StackEvents ?? []) {
          if (!e.LogicalResourceId || !e.Timestamp) continue;
          events.push({ logicalId: e.LogicalResourceId, type: e.ResourceType ?? '', status: e.ResourceStatus ?? '', at: e.Timestamp });
        }
        token = page.NextToken;
      } while (token);
      return events.sort((a, b) => b.at.getTime() - a.at.getTime());
    },
  };
}
