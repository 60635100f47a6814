/**
 * Service-principal naming: which principals name the same AWS service, and
 * which sets AWS requires together for a single workload.
 */
import { REGION_NAME } from '../core/regions.js';

/**
 * A region written as a template variable: CloudFormation's `${AWS::Region}`,
 * Terraform's `${data.aws_region.current.name}` or `${var.region}`. Why: a
 * regional principal is one service whatever the region, in code as in an account.
 */
const REGION_PLACEHOLDER = /\.\$\{[^}]*region[^}]*\}(?=\.|$)/g;
const SERVICE_SUFFIX = /\.amazonaws\.com(?:\.cn)?$|\.c2s\.ic\.gov$|\.sc2s\.sgov\.gov$/;

/**
 * Principals that AWS requires together in one trust policy for one workload.
 * Lambda@Edge replicas run as edgelambda but the function is still a Lambda
 * function, so a role trusting both serves one workload, not two.
 */
const WORKLOAD_GROUPS: ReadonlyArray<{ name: string; members: readonly string[] }> = [
  { name: 'lambda', members: ['lambda', 'edgelambda'] },
];

/**
 * The service's short name: "ec2" for "ec2.amazonaws.com", "states" for the
 * regional "states.eu-west-1.amazonaws.com", "ecs-tasks" for
 * "ecs-tasks.amazonaws.com". Partition and region variants (literal or a
 * template's region variable) collapse to one name.
 */
export function serviceShortName(principal: string): string {
  const lower = principal.trim().toLowerCase();
  const base = lower.replace(SERVICE_SUFFIX, '').replace(REGION_PLACEHOLDER, '');
  return base
    .split('.')
    .filter((segment) => !REGION_NAME.test(segment))
    .join('.');
}

/**
 * The workload a service principal serves. Principals in one workload group
 * share a key; every other service is its own workload.
 */
export function workloadKey(principal: string): string {
  const short = serviceShortName(principal);
  const group = WORKLOAD_GROUPS.find((g) => g.members.includes(short));
  return group ? group.name : short;
}
