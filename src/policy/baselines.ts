/**
 * Service baselines: what a service's own runtime needs from its role, made
 * with the role's credentials but often outside the evidence window or never
 * logged (Lambda writing its logs, the ECS agent pulling an image, the SSM
 * Agent's heartbeat). When the shared role grants them and the evidence did
 * not show them, dropping them breaks the workload, so they are kept by
 * default and marked "baseline" in the review. Pure.
 */
import { statementCoversAction } from './actions.js';
import { allowStatements } from './catalog-grants.js';
import type { PolicySource } from './types.js';

/** One group of baseline actions for a workload kind. */
export interface Baseline {
  /** Workload key of the service (see workloadKey): "lambda", "ecs-tasks", "ec2". */
  workload: string;
  /** Why the runtime needs them, for the review and the prompt's group. */
  why: string;
  actions: readonly string[];
  /** Only when a workload uses the role this way (ECS: "execution", the agent's role rather than the app's). */
  onlyWhenUsedAs?: string;
}

/** The table of baselines (the AWS managed policies each runtime's documentation names). */
export const BASELINES: readonly Baseline[] = [
  {
    workload: 'lambda',
    why: 'Lambda runtime: writing the function’s logs (AWSLambdaBasicExecutionRole)',
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
  },
  {
    // Granted only to functions in a VPC in practice: the grant itself is the signal.
    workload: 'lambda',
    why: 'Lambda runtime: network interfaces of a function in a VPC (AWSLambdaVPCAccessExecutionRole)',
    actions: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ],
  },
  {
    workload: 'ecs-tasks',
    why: 'ECS task execution: pulling the image from ECR and writing logs (AmazonECSTaskExecutionRolePolicy)',
    actions: [
      'ecr:GetAuthorizationToken',
      'ecr:BatchCheckLayerAvailability',
      'ecr:GetDownloadUrlForLayer',
      'ecr:BatchGetImage',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ],
    onlyWhenUsedAs: 'execution',
  },
  {
    workload: 'ec2',
    // The agent's own calls only: GetParameter(s) is in the managed policy too, but a grant of
    // it is far likelier the application's, so it stays an ordinary decision.
    why: 'SSM Agent on the instance (AmazonSSMManagedInstanceCore)',
    actions: [
      'ssm:DescribeAssociation',
      'ssm:GetDeployablePatchSnapshotForInstance',
      'ssm:GetDocument',
      'ssm:DescribeDocument',
      'ssm:GetManifest',
      'ssm:ListAssociations',
      'ssm:ListInstanceAssociations',
      'ssm:PutInventory',
      'ssm:PutComplianceItems',
      'ssm:PutConfigurePackageResult',
      'ssm:UpdateAssociationStatus',
      'ssm:UpdateInstanceAssociationStatus',
      'ssm:UpdateInstanceInformation',
      'ssmmessages:CreateControlChannel',
      'ssmmessages:CreateDataChannel',
      'ssmmessages:OpenControlChannel',
      'ssmmessages:OpenDataChannel',
      'ec2messages:AcknowledgeMessage',
      'ec2messages:DeleteMessage',
      'ec2messages:FailMessage',
      'ec2messages:GetEndpoint',
      'ec2messages:GetMessages',
      'ec2messages:SendReply',
    ],
  },
];

/** A baseline action the shared role grants, with why its workload needs it. */
export interface BaselineGrant {
  action: string;
  why: string;
}

/**
 * The baseline actions of one workload kind that an Allow statement of the
 * shared role covers. `usedAs` is how the role's workloads use it, where
 * their kind tells uses apart (an ECS task definition's "execution" role).
 */
export function baselineGrants(sources: readonly PolicySource[], workload: string, usedAs: ReadonlySet<string>): BaselineGrant[] {
  const allows = allowStatements(sources);
  const out: BaselineGrant[] = [];
  for (const baseline of BASELINES) {
    if (baseline.workload !== workload || (baseline.onlyWhenUsedAs !== undefined && !usedAs.has(baseline.onlyWhenUsedAs))) continue;
    for (const action of baseline.actions) {
      if (allows.some((statement) => statementCoversAction(statement, action))) out.push({ action, why: baseline.why });
    }
  }
  return out;
}
