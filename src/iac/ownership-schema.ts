/**
 * Who owns each resource a plan touches, as the plan file records it: a
 * CloudFormation stack (plain, CDK or SAM), a Terraform state, or nobody.
 * Only zod here: the plan schema embeds it, and reading a plan loads no SDK.
 * `rewrite` reads the same records to find the code to edit.
 */
import { z } from 'zod';

const stackFields = {
  stackName: z.string(),
  stackId: z.string(),
  logicalId: z.string(),
  /** The CloudFormation type of the owning resource (AWS::IAM::Role, AWS::Lambda::Function, …). */
  resourceType: z.string(),
  region: z.string(),
};

/** One owner. `unmanaged`: looked for in every stack and state given, found in none. */
export const ownerSchema = z.discriminatedUnion('tool', [
  z.object({ tool: z.literal('cloudformation'), ...stackFields }),
  z.object({
    tool: z.literal('cdk'),
    ...stackFields,
    /** The construct path (`aws:cdk:path` metadata), e.g. Orders/Api/ServiceRole/Resource; absent when the template has none for it. */
    constructPath: z.string().optional(),
  }),
  z.object({ tool: z.literal('sam'), ...stackFields, transform: z.string() }),
  z.object({
    tool: z.literal('terraform'),
    /** The resource address, e.g. module.app.aws_iam_role.shared or aws_lambda_function.f["a"]. */
    address: z.string(),
    resourceType: z.string(),
    /** The state it was found in, as given (a path or s3://bucket/key). */
    state: z.string(),
  }),
  z.object({ tool: z.literal('unmanaged') }),
]);

/** The kinds of resource a plan touches. */
export const OWNED_KINDS = ['shared-role', 'instance-profile', 'workload', 'resource-policy'] as const;

/** One resource the plan touches, and its owner. */
export const ownedResourceSchema = z.object({
  kind: z.enum(OWNED_KINDS),
  /** The plan's key for it: the ARN of a role, profile or policy resource; the repoint step id of a workload. */
  ref: z.string(),
  /** What a person reads: the role, profile, function, … name. */
  name: z.string(),
  /** The region it lives in (IAM: absent). */
  region: z.string().optional(),
  owner: ownerSchema,
  /** Why the owner was taken to own it, when not by its own physical id (e.g. a bucket's policy owned with its bucket). */
  note: z.string().optional(),
});

/** The plan's `ownership` section: where owners were looked for, and each resource's. */
export const ownershipSchema = z.object({
  /** The regions whose stacks were listed. */
  cloudFormationRegions: z.array(z.string()),
  /** The Terraform states read, as given, with their serial and lineage. */
  terraformStates: z.array(z.object({ source: z.string(), serial: z.number().int().optional(), lineage: z.string().optional() })),
  resources: z.array(ownedResourceSchema),
});

/** One owner. */
export type Owner = z.infer<typeof ownerSchema>;
/** One resource and its owner. */
export type OwnedResource = z.infer<typeof ownedResourceSchema>;
/** The plan's ownership section. */
export type Ownership = z.infer<typeof ownershipSchema>;
/** The kind of a resource a plan touches. */
export type OwnedKind = (typeof OWNED_KINDS)[number];

/** True when the owner is a stack or a state (the resource must be changed in its code). */
export function isIacOwned(owner: Owner): owner is Exclude<Owner, { tool: 'unmanaged' }> {
  return owner.tool !== 'unmanaged';
}

/** One short line: `CloudFormation stack orders (Role SharedRole)`, `Terraform aws_iam_role.shared (state.tfstate)`. */
export function describeOwner(owner: Owner): string {
  switch (owner.tool) {
    case 'unmanaged':
      return 'unmanaged';
    case 'terraform':
      return `Terraform ${owner.address} (${owner.state})`;
    case 'cdk':
      return `CDK stack ${owner.stackName} (${owner.constructPath ?? owner.logicalId})`;
    case 'sam':
      return `SAM stack ${owner.stackName} (${owner.logicalId})`;
    case 'cloudformation':
      return `CloudFormation stack ${owner.stackName} (${owner.logicalId})`;
  }
}
