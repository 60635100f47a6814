/**
 * The resources a plan touches, as ownership targets: the shared role, its
 * instance profiles, each workload and each resource policy, with every form
 * of its identity and the CloudFormation and Terraform types that can own it.
 * Pure; src/iac/ownership.ts matches them against stacks and states.
 */
import type { OwnershipTarget } from '../iac/ownership.js';
import { adapterFor } from '../workloads/registry.js';
import type { PlanBody, PlannedResourcePolicy, PlannedWorkload } from './schema.js';

type Owners = Pick<OwnershipTarget, 'cfn' | 'terraform'>;

const NAME_ARN_ID = ['arn', 'id', 'name'];

/**
 * Which types own a workload of each kind, and where its ids are. A kind not
 * listed is matched on every string field naming it (ARNs, names, ids) in any
 * type that holds one of them.
 */
const WORKLOAD_OWNERS: Record<string, Owners & { fields: readonly string[] }> = {
  'ec2-instance': {
    fields: ['instanceId'],
    cfn: [{ type: 'AWS::EC2::Instance' }],
    terraform: [{ type: 'aws_instance', attributes: ['id', 'arn'] }],
  },
  'lambda-function': {
    fields: ['functionName', 'functionArn'],
    cfn: [{ type: 'AWS::Lambda::Function' }, { type: 'AWS::Serverless::Function' }],
    terraform: [{ type: 'aws_lambda_function', attributes: ['function_name', 'arn', 'id'] }],
  },
  'ecs-service': {
    fields: ['serviceArn', 'serviceName'],
    cfn: [{ type: 'AWS::ECS::Service' }, { type: 'AWS::Serverless::Service' }],
    terraform: [{ type: 'aws_ecs_service', attributes: ['id', 'arn', 'name'] }],
  },
};

/** Where each resource-policy kind's policy is declared: inline on the resource, or in a policy resource naming it. */
const POLICY_OWNERS: Record<PlannedResourcePolicy['kind'], Owners> = {
  'kms-key': { cfn: [{ type: 'AWS::KMS::Key' }], terraform: [{ type: 'aws_kms_key', attributes: ['arn', 'key_id', 'id'] }] },
  's3-bucket': {
    cfn: [{ type: 'AWS::S3::BucketPolicy', property: 'Bucket' }, { type: 'AWS::S3::Bucket' }],
    terraform: [
      { type: 'aws_s3_bucket_policy', attributes: ['bucket'] },
      { type: 'aws_s3_bucket', attributes: ['bucket', 'id', 'arn'] },
    ],
  },
  'sqs-queue': {
    cfn: [{ type: 'AWS::SQS::QueuePolicy', property: 'Queues' }, { type: 'AWS::SQS::Queue' }],
    terraform: [
      { type: 'aws_sqs_queue_policy', attributes: ['queue_url'] },
      { type: 'aws_sqs_queue', attributes: ['id', 'arn', 'url'] },
    ],
  },
  'sns-topic': {
    cfn: [{ type: 'AWS::SNS::TopicPolicy', property: 'Topics' }, { type: 'AWS::SNS::Topic' }],
    terraform: [
      { type: 'aws_sns_topic_policy', attributes: ['arn'] },
      { type: 'aws_sns_topic', attributes: ['arn', 'id'] },
    ],
  },
  secret: {
    cfn: [{ type: 'AWS::SecretsManager::ResourcePolicy', property: 'SecretId' }, { type: 'AWS::SecretsManager::Secret' }],
    terraform: [
      { type: 'aws_secretsmanager_secret_policy', attributes: ['secret_arn'] },
      { type: 'aws_secretsmanager_secret', attributes: ['arn', 'id'] },
    ],
  },
  'ecr-repository': {
    cfn: [{ type: 'AWS::ECR::Repository' }],
    terraform: [
      { type: 'aws_ecr_repository_policy', attributes: ['repository'] },
      { type: 'aws_ecr_repository', attributes: ['name', 'arn', 'id'] },
    ],
  },
  'lambda-function': {
    cfn: [{ type: 'AWS::Lambda::Permission', property: 'FunctionName' }, { type: 'AWS::Lambda::Function' }],
    terraform: [
      { type: 'aws_lambda_permission', attributes: ['function_name'] },
      { type: 'aws_lambda_function', attributes: ['function_name', 'arn'] },
    ],
  },
};

/** The last segment of an ARN's resource (after `/` or `:`): a name most services' ARNs end in. */
function arnTail(arn: string): string | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  const resource = arn.split(':').slice(5).join(':');
  const tail = resource.split(/[/:]/).pop();
  return tail && tail !== resource ? tail : resource || undefined;
}

function unique(values: ReadonlyArray<string | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))];
}

/** The ids of a workload: its listed fields, or (a kind not listed) every ARN, name and id field but the cluster's. */
function workloadIds(workload: PlannedWorkload): string[] {
  const fields = WORKLOAD_OWNERS[workload.kind]?.fields;
  const record = workload as unknown as Record<string, unknown>;
  const keys = fields ?? Object.keys(record).filter((k) => /(Arn|Name|Id)$/.test(k) && !/^(cluster|association)/.test(k));
  return unique(keys.map((k) => (typeof record[k] === 'string' ? record[k] : undefined)));
}

/** Every resource of the plan that apply could change, as an ownership target. */
export function ownershipTargets(plan: PlanBody): OwnershipTarget[] {
  const shared = plan.sharedRole;
  const targets: OwnershipTarget[] = [
    {
      kind: 'shared-role',
      ref: shared.arn,
      name: shared.roleName,
      ids: unique([shared.roleName, shared.arn, shared.roleId]),
      cfn: [{ type: 'AWS::IAM::Role' }],
      terraform: [{ type: 'aws_iam_role', attributes: [...NAME_ARN_ID, 'unique_id'] }],
    },
    ...shared.instanceProfiles.map((p): OwnershipTarget => ({
      kind: 'instance-profile',
      ref: p.arn,
      name: p.name,
      ids: unique([p.name, p.arn, p.id]),
      cfn: [{ type: 'AWS::IAM::InstanceProfile' }],
      terraform: [{ type: 'aws_iam_instance_profile', attributes: [...NAME_ARN_ID, 'unique_id'] }],
    })),
  ];
  for (const workload of plan.workloads) {
    const owners = WORKLOAD_OWNERS[workload.kind] ?? { cfn: [], terraform: [] };
    const ids = workloadIds(workload);
    targets.push({
      kind: 'workload',
      ref: adapterFor(workload).stepId(workload),
      name: adapterFor(workload).label(workload),
      region: workload.region,
      ids,
      cfn: owners.cfn,
      terraform: owners.terraform,
      ...(WORKLOAD_OWNERS[workload.kind] ? {} : { anyType: true }),
    });
  }
  for (const policy of plan.resourcePolicies.policies) {
    targets.push({
      kind: 'resource-policy',
      ref: policy.arn,
      name: `${policy.kind} ${policy.id}`,
      region: policy.region,
      ids: unique([policy.id, policy.arn, arnTail(policy.arn)]),
      ...POLICY_OWNERS[policy.kind],
    });
  }
  return targets;
}
