/**
 * The plan-file shape of the resource policies a plan edits: each policy as
 * read, and which new roles apply adds to which of its statements. The plan
 * schema embeds it. Only zod here, so reading a plan loads no AWS SDK.
 */
import { z } from 'zod';

/** How apply grants the new roles their place in resource policies (`plan --grant-by`). */
export const GRANT_BY = ['resource', 'action'] as const;
/** One `--grant-by` strategy. */
export type GrantBy = (typeof GRANT_BY)[number];

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
      /**
       * Sessions of the shared role the statement names (assumed-role session ARNs), and the new roles that get
       * the same session name's ARN: the role whose workload opens that session (a Lambda function's name, an
       * EC2 instance's id); in a Deny with Principal, every role of the statement. Empty roles: not carried over.
       */
      sessions: z.array(z.object({ name: z.string(), roles: z.array(z.string()) })).optional(),
    }),
  ),
  /** The policy's size once apply added the new roles, and the service's quota; plan refuses a policy that would not fit. */
  size: z.object({ grown: z.number().int(), max: z.number().int(), unit: z.enum(['bytes', 'characters']) }).optional(),
});

/** The plan's resource policies: how they were looked for, the ones apply edits, and the ones it cannot. */
export const resourcePolicyPlanSchema = z.object({
  mode: z.enum(['sweep', 'evidence', 'off']),
  /** `--grant-by`: absent in plans made before it existed, which granted by resource. */
  grantBy: z.enum(GRANT_BY).optional(),
  policies: z.array(plannedResourcePolicySchema),
  /** Policies that could not be read, parsed or written: listed with the reason; they block retirement. */
  problems: z.array(z.object({ ...policyResource, reason: z.string() })),
});

/** One resource policy as the plan records it. */
export type PlannedResourcePolicy = z.infer<typeof plannedResourcePolicySchema>;
/** The plan's `resourcePolicies` section. */
export type ResourcePolicyPlan = z.infer<typeof resourcePolicyPlanSchema>;
