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

/** Service principals that AWS requires together in one trust policy for one workload. */
interface WorkloadGroup {
  /** The workload key: one member's short name, so role names stay familiar. */
  name: string;
  members: readonly string[];
  /** True when one member alone already names the group (Lambda@Edge: edgelambda is a Lambda function). */
  anyMember?: boolean;
  /** The AWS page that asks for these principals together. */
  source: string;
}

/**
 * Why these are one workload: AWS's own setup pages tell you to trust all of
 * them in one role, so a role trusting them is doing what AWS asked, not
 * sharing. A group counts only when every member is present (Lambda@Edge
 * apart); a third service on the same role is still a second workload.
 */
const WORKLOAD_GROUPS: readonly WorkloadGroup[] = [
  // Lambda@Edge replicas run as edgelambda but the function is still a Lambda function.
  {
    name: 'lambda',
    members: ['lambda', 'edgelambda'],
    anyMember: true,
    source: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-edge-permissions.html',
  },
  // MWAA: the execution role trusts airflow and airflow-env.
  {
    name: 'airflow',
    members: ['airflow', 'airflow-env'],
    source: 'https://docs.aws.amazon.com/mwaa/latest/userguide/mwaa-create-role.html',
  },
  // EMR automatic scaling: EMR_AutoScaling_DefaultRole trusts EMR and Application Auto Scaling.
  {
    name: 'elasticmapreduce',
    members: ['elasticmapreduce', 'application-autoscaling'],
    source: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-iam-role-automatic-scaling.html',
  },
  // Data Pipeline: DataPipelineDefaultRole is also the EMR service role of the clusters a pipeline starts.
  {
    name: 'datapipeline',
    members: ['datapipeline', 'elasticmapreduce'],
    source: 'https://docs.aws.amazon.com/datapipeline/latest/DeveloperGuide/dp-iam-roles.html',
  },
  // SageMaker Canvas: the execution role is passed to Forecast for time-series forecasting.
  {
    name: 'sagemaker',
    members: ['sagemaker', 'forecast'],
    source: 'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TimeSeriesForecastingSettings.html',
  },
  // Migration Hub Orchestrator: workflow steps run as Systems Manager automations under the orchestrator's role.
  {
    name: 'migrationhub-orchestrator',
    members: ['migrationhub-orchestrator', 'ssm'],
    source: 'https://docs.aws.amazon.com/migrationhub-orchestrator/latest/userguide/security-iam.html',
  },
];

/** The groups of required principals, with the AWS page for each (for docs and tests). */
export function workloadGroups(): ReadonlyArray<Readonly<WorkloadGroup>> {
  return WORKLOAD_GROUPS;
}

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
 * The workload a service principal serves. Without `peers`, only groups that
 * one member already names (Lambda@Edge) apply. With `peers` (every service
 * the same trust policy names), a group applies when all its members are there.
 */
export function workloadKey(principal: string, peers?: readonly string[]): string {
  const short = serviceShortName(principal);
  if (peers) {
    const key = groupedKeys(peers).get(short);
    if (key) return key;
  }
  const group = WORKLOAD_GROUPS.find((g) => g.anyMember && g.members.includes(short));
  return group ? group.name : short;
}

/** The distinct workloads a trust policy's service principals represent, sorted. */
export function workloadsOf(principals: readonly string[]): string[] {
  return [...new Set(principals.map((p) => workloadKey(p, principals)))].sort();
}

/** Short name → group key for the groups whose every member is among `principals`; a member joins one group at most. */
function groupedKeys(principals: readonly string[]): Map<string, string> {
  const present = new Set(principals.map(serviceShortName));
  const keys = new Map<string, string>();
  for (const group of WORKLOAD_GROUPS) {
    // Why "not yet taken": EMR is in two groups; datapipeline + elasticmapreduce + application-autoscaling
    // is two workloads, not one, so a member used by one group cannot complete another.
    if (!group.members.every((m) => present.has(m) && !keys.has(m))) continue;
    for (const member of group.members) keys.set(member, group.name);
  }
  return keys;
}
