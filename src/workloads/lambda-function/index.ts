/** The Lambda function kind: everything it contributes, as one registry entry. */
import { defineKind } from '../kind.js';
import { lambdaFunctionAdapter } from './adapter.js';
import { lambdaFunctionMove } from './schema.js';

/** Lambda functions, moved by UpdateFunctionConfiguration Role. */
export const lambdaFunction = defineKind({
  schema: lambdaFunctionMove,
  adapter: lambdaFunctionAdapter,
  followUpKinds: ['lambda-published-version'],
  // Session names are function names: the hints carry them, no shape can guess them.
  sessionShapes: [],
  baselines: [
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
  ],
  errorCodes: { LambdaUpdateFailed: 'Lambda reported the role update as Failed (its reason follows)' },
  iamActions: {
    discover: ['lambda:ListFunctions'],
    apply: ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration'],
  },
});
