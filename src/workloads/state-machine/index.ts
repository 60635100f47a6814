/** The Step Functions state-machine kind: everything it contributes, as one registry entry. */
import { defineKind } from '../kind.js';
import { stateMachineAdapter } from './adapter.js';
import { stateMachineMove } from './schema.js';

/**
 * Step Functions state machines, moved by UpdateStateMachine roleArn (from each
 * machine's next execution); aliases on versions that ran as the shared role
 * move to a version published with the new role (UpdateStateMachineAlias).
 */
export const stateMachine = defineKind({
  schema: stateMachineMove,
  adapter: stateMachineAdapter,
  followUpKinds: ['state-machine-alias'],
  sessionShapes: [],
  baselines: [
    {
      // https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html: a machine with logging delivers through its role.
      workload: 'states',
      why: 'Step Functions: delivering execution logs to CloudWatch Logs (the logging policy of the Step Functions guide)',
      actions: [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ],
    },
    {
      // https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html: tracing sends segments with the machine's role.
      workload: 'states',
      why: 'Step Functions: X-Ray tracing (the X-Ray policy of the Step Functions guide)',
      actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
    },
  ],
  errorCodes: {},
  iamActions: {
    discover: [
      'states:ListStateMachines',
      'states:DescribeStateMachine',
      'states:ListExecutions',
      'states:GetExecutionHistory',
      'states:ListStateMachineAliases',
      'states:DescribeStateMachineAlias',
      'states:ListStateMachineVersions',
    ],
    // UpdateStateMachine with publish needs PublishStateMachineVersion too (Step Functions guide, "Versions"); rollback deletes the version.
    apply: [
      'states:UpdateStateMachine',
      'states:PublishStateMachineVersion',
      'states:UpdateStateMachineAlias',
      'states:DeleteStateMachineVersion',
    ],
  },
});
