/** The EC2 instance kind: everything it contributes, as one registry entry. */
import { defineKind } from '../kind.js';
import { ec2InstanceAdapter } from './adapter.js';
import { ec2InstanceMove } from './schema.js';

/** EC2 instances (and the launch templates and Auto Scaling groups that start them), moved by their instance profile. */
export const ec2Instance = defineKind({
  schema: ec2InstanceMove,
  adapter: ec2InstanceAdapter,
  followUpKinds: ['launch-template', 'auto-scaling-group'],
  sessionShapes: [{ workload: 'ec2', pattern: /^i-[0-9a-f]{8,17}$/ }],
  baselines: [
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
  ],
  errorCodes: {},
  iamActions: {
    discover: [
      'ec2:DescribeIamInstanceProfileAssociations',
      'ec2:DescribeLaunchTemplates',
      'ec2:DescribeLaunchTemplateVersions',
      'autoscaling:DescribeAutoScalingGroups',
      'autoscaling:DescribeLaunchConfigurations',
    ],
    apply: ['ec2:ReplaceIamInstanceProfileAssociation'],
  },
});
