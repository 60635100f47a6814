/**
 * What a plan leaves for people to do: its plan-file shape. The workload
 * kinds report most of these (launch templates, task definitions), plan adds
 * the reference ones; the plan schema embeds this one. Only zod here.
 */
import { z } from 'zod';

/** One thing apply leaves as it is, with what to do about it. */
export const followUpSchema = z.object({
  kind: z.enum([
    'launch-template',
    'auto-scaling-group',
    'lambda-published-version',
    'ecs-standalone-task',
    'ecs-task-definition',
    'manual-service',
    'passrole-reference',
    'trust-reference',
  ]),
  resource: z.string(),
  message: z.string(),
});

/** One follow-up as the plan records it. */
export type FollowUp = z.infer<typeof followUpSchema>;
