/**
 * ECS services that name a role as their service role (CreateService's
 * `role`, assumed by ecs.amazonaws.com for a load balancer without awsvpc).
 * The ECS workload kind looks at task roles only; trust trimming needs this
 * to know whether ecs.amazonaws.com has a workload.
 */
import type { EcsPort } from '../aws/ecs.js';

/** The ARNs of the services in any cluster of the region whose service role is `roleArn`. */
export async function servicesWithServiceRole(ecs: EcsPort, roleArn: string): Promise<string[]> {
  const found: string[] = [];
  for (const cluster of await ecs.listClusters()) {
    const arns = await ecs.listServices(cluster);
    if (arns.length === 0) continue;
    for (const service of await ecs.describeServices(cluster, arns)) {
      if (service.roleArn === roleArn && service.serviceArn) found.push(service.serviceArn);
    }
  }
  return found;
}
