/**
 * The plan-file shape of the resource policies a plan edits: each policy as
 * read, and which new roles apply adds to which of its statements. The plan
 * schema embeds it. Only zod here, so reading a plan loads no AWS SDK.
 */
import { z } from 'zod';

const policyKind = z.enum(['kms-key', 's3-bucket', 'sqs-queue', 'sns-topic', 'secret', 'ecr-repository', 'lambda-function']);
const policyResource = { kind: policyKind, region: z.string(), id: z.string(), arn: z.string() };

/** A resource policy that names the shared role, exactly as read, with what apply adds to it. */
export const plannedResourcePolicySchema = z.object({
  ...policyResource,
  /** The policy text as the service returned it: undo restores it, the drift check compares it. */
  text: z.string(),
  statements: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      sid: z.string().optional(),
      effect: z.string(),
      mentions: z.array(z.enum(['Principal', 'NotPrincipal', 'aws:PrincipalArn', 'aws:userid'])),
      /** New role names that get the shared role's place in this statement. */
      roles: z.array(z.string()),
      /** evidence: the services seen using the resource; every-service: evidence could not tell (or a Deny). */
      basis: z.enum(['evidence', 'every-service']),
    }),
  ),
});

/** The plan's resource policies: how they were looked for, the ones apply edits, and the ones it cannot. */
export const resourcePolicyPlanSchema = z.object({
  mode: z.enum(['sweep', 'evidence', 'off']),
  policies: z.array(plannedResourcePolicySchema),
  /** Policies that could not be read, parsed or written: listed with the reason; they block retirement. */
  problems: z.array(z.object({ ...policyResource, reason: z.string() })),
});

/** One resource policy as the plan records it. */
export type PlannedResourcePolicy = z.infer<typeof plannedResourcePolicySchema>;
/** The plan's `resourcePolicies` section. */
export type ResourcePolicyPlan = z.infer<typeof resourcePolicyPlanSchema>;
