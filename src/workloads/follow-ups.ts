/**
 * What a plan leaves for people to do: its plan-file shape. The workload
 * kinds report most of these (launch templates, task definitions), plan adds
 * the reference ones; the plan schema embeds this one.
 */
import { z } from 'zod';
import { KIND_FOLLOW_UPS } from './registry.js';

/** Follow-ups of the plan itself, not of one workload kind (each kind lists its own in its folder). */
const PLAN_FOLLOW_UPS = ['manual-service', 'passrole-reference', 'trust-reference'] as const;

const FOLLOW_UP_KINDS: string[] = [...KIND_FOLLOW_UPS, ...PLAN_FOLLOW_UPS];

/** One thing apply leaves as it is, with what to do about it. */
export const followUpSchema = z.object({
  kind: z.enum(FOLLOW_UP_KINDS as [string, ...string[]]),
  resource: z.string(),
  message: z.string(),
});

/** One follow-up as the plan records it. */
export type FollowUp = z.infer<typeof followUpSchema>;
