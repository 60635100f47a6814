/**
 * Resource-based policies in memory, behind the PolicyPort: resources of
 * every kind in any region, each with its policy text or none. A resource
 * that does not exist fails with the name its service uses. See SPEC.md.
 */
import type { PolicyKind, PolicyResource } from '../../../src/resource-policy/kinds/types.js';
import type { PolicyPort } from '../../../src/resource-policy/port.js';
import { FakeServiceError, FaultQueue } from './aws-error.js';

/** What each service calls a resource that is not there. Lambda's read answers "no policy" instead, as the adapter does. */
const NOT_FOUND: Record<PolicyKind, string> = {
  'kms-key': 'NotFoundException',
  's3-bucket': 'NoSuchBucket',
  'sqs-queue': 'QueueDoesNotExist',
  'sns-topic': 'NotFoundException',
  secret: 'ResourceNotFoundException',
  'ecr-repository': 'RepositoryNotFoundException',
  'lambda-function': 'ResourceNotFoundException',
};

/** The port's operations, for fault injection. */
export type PolicyOperation = keyof PolicyPort;

/** In-memory resource policies of one account. */
export class FakePolicies implements PolicyPort {
  /** Every port call, in order: `operation kind:region:id` (list: `list kind regions`). */
  readonly calls: string[] = [];
  /** Failures queued for the next calls of an operation. */
  readonly faults = new FaultQueue<PolicyOperation>();
  private readonly resources = new Map<string, { resource: PolicyResource; text: string | undefined }>();

  /** Adds (or replaces) a resource with its policy text; undefined for a resource without a policy. */
  seed(resource: PolicyResource, text: string | undefined): void {
    this.resources.set(key(resource), { resource: { ...resource }, text });
  }

  /** Removes a resource, as if deleted behind the tool's back. */
  remove(resource: PolicyResource): void {
    this.resources.delete(key(resource));
  }

  /** The live text of a resource's policy (tests only); throws when the resource is unknown. */
  text(resource: PolicyResource): string | undefined {
    return this.entry(resource).text;
  }

  async list(kind: PolicyKind, regions: readonly string[]): Promise<PolicyResource[]> {
    this.enter('list', `${kind} ${regions.join(',')}`);
    const found = [...this.resources.values()].map((e) => e.resource).filter((r) => r.kind === kind && regions.includes(r.region));
    return found.sort((a, b) => regions.indexOf(a.region) - regions.indexOf(b.region) || a.id.localeCompare(b.id)).map((r) => ({ ...r }));
  }

  async read(resource: PolicyResource): Promise<string | undefined> {
    this.enter('read', key(resource));
    const entry = this.resources.get(key(resource));
    if (!entry && resource.kind === 'lambda-function') return undefined;
    return this.entry(resource).text;
  }

  async write(resource: PolicyResource, desired: string, _current: string): Promise<void> {
    this.enter('write', key(resource));
    const entry = this.entry(resource);
    try {
      JSON.parse(desired);
    } catch {
      // Every service refuses a document that is not JSON (each by its own name; one stands for all here).
      throw new FakeServiceError('MalformedPolicyDocumentException', `the policy for ${resource.id} is not JSON`);
    }
    entry.text = desired;
  }

  private entry(resource: PolicyResource): { resource: PolicyResource; text: string | undefined } {
    const entry = this.resources.get(key(resource));
    if (!entry)
      throw new FakeServiceError(NOT_FOUND[resource.kind], `${resource.kind} ${resource.id} does not exist in ${resource.region}`, {
        status: 404,
      });
    return entry;
  }

  private enter(op: PolicyOperation, detail: string): void {
    this.calls.push(`${op} ${detail}`);
    this.faults.check(op);
  }
}

function key(resource: Pick<PolicyResource, 'kind' | 'region' | 'id'>): string {
  return `${resource.kind}:${resource.region}:${resource.id}`;
}
