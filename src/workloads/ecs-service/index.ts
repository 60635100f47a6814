/** The ECS service kind: everything it contributes, as one registry entry. */
import { defineKind } from '../kind.js';
import { ecsServiceAdapter } from './adapter.js';
import { ecsServiceMove } from './schema.js';

/** ECS services, moved to a tagged copy of their task definition with the new role(s). */
export const ecsService = defineKind({
  schema: ecsServiceMove,
  adapter: ecsServiceAdapter,
  followUpKinds: ['ecs-standalone-task', 'ecs-task-definition'],
  sessionShapes: [
    // ECS task ids: 32 hex digits today; older tasks (still running, still in trails) carry a UUID.
    { workload: 'ecs-tasks', pattern: /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/ },
  ],
  baselines: [
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
  ],
  errorCodes: { EcsDeploymentFailed: 'the service’s deployment circuit breaker rolled the new task definition back' },
  iamActions: {
    discover: [
      'ecs:ListClusters',
      'ecs:ListServices',
      'ecs:DescribeServices',
      'ecs:ListTasks',
      'ecs:DescribeTasks',
      'ecs:ListTaskDefinitions',
      'ecs:DescribeTaskDefinition',
    ],
    apply: ['ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition', 'ecs:TagResource', 'ecs:UpdateService'],
  },
});
