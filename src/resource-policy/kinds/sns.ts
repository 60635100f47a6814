/** SNS topic policies: the topic's `Policy` attribute. */
import { collectItems } from '../../aws/call.js';
import { perRegion, type PolicyKindAdapter, type PolicyResource } from './types.js';
import { loadSdk } from '../../aws/sdk-modules.js';

/** SNS topics of the regions. */
export const snsTopics: PolicyKindAdapter = {
  kind: 'sns-topic',
  service: 'SNS',
  // Policy quotas: 30 KB.
  sizeLimit: {
    max: 30_720,
    unit: 'bytes',
    source: 'https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html',
  },
  async list(session, regions) {
    const { paginateListTopics } = await loadSdk('client-sns');
    return perRegion(regions, async (region) => {
      const client = await (await session.inRegion(region)).sns();
      const topics = await collectItems(paginateListTopics({ client }, {}), (page) => page.Topics ?? []);
      return topics.flatMap((t): PolicyResource[] => (t.TopicArn ? [{ kind: 'sns-topic', region, id: t.TopicArn, arn: t.TopicArn }] : []));
    });
  },
  async read(session, resource) {
    const { GetTopicAttributesCommand } = await loadSdk('client-sns');
    const client = await (await session.inRegion(resource.region)).sns();
    const out = await client.send(new GetTopicAttributesCommand({ TopicArn: resource.id }));
    return out.Attributes?.Policy || undefined;
  },
  async write(session, resource, desired) {
    const { SetTopicAttributesCommand } = await loadSdk('client-sns');
    const client = await (await session.inRegion(resource.region)).sns();
    await client.send(new SetTopicAttributesCommand({ TopicArn: resource.id, AttributeName: 'Policy', AttributeValue: desired }));
  },
  names: (resource) => [resource.arn],
};
