/** ECR repository policies. */
import { collectItems } from '../../aws/call.js';
import { perRegion, readPolicy, type PolicyKindAdapter, type PolicyResource } from './types.js';
import { loadSdk } from '../../aws/sdk-modules.js';

/** ECR repositories of the regions. */
export const ecrRepositories: PolicyKindAdapter = {
  kind: 'ecr-repository',
  service: 'ECR',
  // SetRepositoryPolicy's policyText: maximum length 10,240.
  sizeLimit: {
    max: 10_240,
    unit: 'characters',
    source: 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SetRepositoryPolicy.html',
  },
  async list(session, regions) {
    const { paginateDescribeRepositories } = await loadSdk('client-ecr');
    return perRegion(regions, async (region) => {
      const client = await (await session.inRegion(region)).ecr();
      const repos = await collectItems(paginateDescribeRepositories({ client }, {}), (page) => page.repositories ?? []);
      return repos.flatMap((r): PolicyResource[] =>
        r.repositoryName && r.repositoryArn ? [{ kind: 'ecr-repository', region, id: r.repositoryName, arn: r.repositoryArn }] : [],
      );
    });
  },
  async read(session, resource) {
    const { GetRepositoryPolicyCommand } = await loadSdk('client-ecr');
    const client = await (await session.inRegion(resource.region)).ecr();
    return readPolicy(
      'RepositoryPolicyNotFoundException',
      async () => (await client.send(new GetRepositoryPolicyCommand({ repositoryName: resource.id }))).policyText ?? undefined,
    );
  },
  async write(session, resource, desired) {
    const { SetRepositoryPolicyCommand } = await loadSdk('client-ecr');
    const client = await (await session.inRegion(resource.region)).ecr();
    await client.send(new SetRepositoryPolicyCommand({ repositoryName: resource.id, policyText: desired }));
  },
  names: (resource) => [resource.arn, resource.id],
};
