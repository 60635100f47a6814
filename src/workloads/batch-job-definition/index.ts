/** The AWS Batch job-definition kind: everything it contributes, as one registry entry. */
import { defineKind } from '../kind.js';
import { batchJobDefinitionAdapter } from './adapter.js';
import { batchJobDefinitionMove } from './schema.js';

/** Batch job definitions, moved by registering a new revision with the new role (from the next job submitted). */
export const batchJobDefinition = defineKind({
  schema: batchJobDefinitionMove,
  adapter: batchJobDefinitionAdapter,
  // An older ACTIVE revision on the shared role: revisions cannot change, only the owner knows whether something submits it.
  followUpKinds: ['batch-old-revision'],
  // Batch jobs run as ECS tasks: the ECS kind's task-id shape ties their sessions.
  sessionShapes: [],
  // The ECS kind's execution-role baseline applies through roleUses ("execution").
  baselines: [],
  errorCodes: {
    BatchNotCarried:
      'a Batch job definition (or a rule target or schedule naming its revision) has a field this split-role’s AWS SDK cannot carry over to a new revision',
  },
  iamActions: {
    // The rule targets and schedules that name a revision are read to move them with it.
    discover: [
      'batch:DescribeJobDefinitions',
      'events:ListEventBuses',
      'events:ListRules',
      'events:ListTargetsByRule',
      'scheduler:ListSchedules',
      'scheduler:GetSchedule',
    ],
    apply: ['batch:RegisterJobDefinition', 'batch:DeregisterJobDefinition', 'events:PutTargets', 'scheduler:UpdateSchedule'],
  },
});
