/** SQS queue policies: the queue's `Policy` attribute. */
import { collectItems } from '../../aws/call.js';
import { partitionOf } from '../../core/regions.js';
import { perRegion, type PolicyKindAdapter, type PolicyResource } from './types.js';
import { loadSdk } from '../../aws/sdk-modules.js';

/** SQS queues of the regions. */
export const sqsQueues: PolicyKindAdapter = {
  kind: 'sqs-queue',
  service: 'SQS',
  // Policy quotas: 8,192 bytes.
  sizeLimit: {
    max: 8_192,
    unit: 'bytes',
    source: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html',
  },
  async list(session, regions) {
    const { paginateListQueues } = await loadSdk('client-sqs');
    return perRegion(regions, async (region) => {
      const client = await (await session.inRegion(region)).sqs();
      const urls = await collectItems(paginateListQueues({ client }, {}), (page) => page.QueueUrls ?? []);
      // A queue URL is https://sqs.REGION.amazonaws.com/ACCOUNT/NAME: its ARN follows without a call per queue.
      return urls.map((url): PolicyResource => {
        const [name = '', account = ''] = new URL(url).pathname.split('/').filter(Boolean).reverse();
        return { kind: 'sqs-queue', region, id: url, arn: `arn:${partitionOf(region)}:sqs:${region}:${account}:${name}` };
      });
    });
  },
  async read(session, resource) {
    const { GetQueueAttributesCommand } = await loadSdk('client-sqs');
    const client = await (await session.inRegion(resource.region)).sqs();
    const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: resource.id, AttributeNames: ['Policy'] }));
    return out.Attributes?.Policy || undefined;
  },
  async write(session, resource, desired) {
    const { SetQueueAttributesCommand } = await loadSdk('client-sqs');
    const client = await (await session.inRegion(resource.region)).sqs();
    await client.send(new SetQueueAttributesCommand({ QueueUrl: resource.id, Attributes: { Policy: desired } }));
  },
  names: (resource) => [resource.arn, resource.id, resource.arn.split(':').pop() ?? ''],
};
