/**
 * What the infrastructure-as-code readers hand to `check`: the roles a file
 * defines, with their trust policies still in source form (intrinsics and all).
 */
import { isRecord } from '../core/json.js';

/** The source formats `check` understands. */
export type IacFormat = 'cloudformation' | 'cdk' | 'terraform-plan' | 'terraform-json' | 'terraform-hcl';

/** Which expression language a role's values are written in; it decides how they resolve. */
export type IacDialect = 'cloudformation' | 'terraform';

/** The tag or Metadata key that accepts a shared role, with its value as the reason. */
export const ALLOW_SHARED_KEY = 'split-role:allow-shared';

/** An inline suppression found on a role. */
export interface Suppression {
  /** Where it was written: a tag or (CloudFormation) Metadata. */
  source: 'tag' | 'metadata';
  /** The reason given; empty when the value was empty or blank. */
  reason: string;
}

/** One IAM role defined by a file. */
export interface IacRole {
  /** The logical id (CloudFormation, CDK) or resource address (Terraform). */
  resource: string;
  /** The role's literal name when the code sets one. */
  roleName?: string;
  /** 1-based line of the role's definition, when the format allows it. */
  line?: number;
  dialect: IacDialect;
  /** The trust policy as written: an object, a JSON string, or intrinsics. Undefined when absent or unknown. */
  trustPolicy: unknown;
  /** What could not be known before resolution (e.g. a Terraform value known only after apply). */
  unresolved: string[];
  suppression?: Suppression;
  /** The CDK construct path (Metadata `aws:cdk:path`), which names the role in CDK code. */
  constructPath?: string;
  /** What a reviewer should know about how the role was read (an implicit SAM role, say). */
  notes?: string[];
}

/** A file that defined IaC (possibly with no roles). */
export interface IacFileRoles {
  status: 'read';
  file: string;
  format: IacFormat;
  roles: IacRole[];
  /** CloudFormation Mappings, for Fn::FindInMap. */
  mappings?: Record<string, unknown>;
  /** ARNs of the IAM roles and users the template defines, by logical id. */
  localArns?: Record<string, string>;
  /** The account the file deploys to, when the code says (a CDK cloud assembly's manifest). */
  targetAccount?: string;
}

/** A file that is not infrastructure code split-role knows (a package.json, a workflow). */
export interface IacFileSkipped {
  status: 'skipped';
  file: string;
  reason: string;
}

/** A file that looked like IaC but could not be read or parsed. */
export interface IacFileUnreadable {
  status: 'unreadable';
  file: string;
  reason: string;
}

/** What reading one file gave. */
export type IacFileOutcome = IacFileRoles | IacFileSkipped | IacFileUnreadable;

/** True for a plain JSON object (not an array, not null); the iac readers take it from here. */
export { isRecord };

/** Reads a suppression reason from a tag or Metadata value. */
export function suppressionFrom(value: unknown, source: Suppression['source']): Suppression {
  // Why accept { reason }: Metadata is structured, and cdk-nag-style users write objects.
  const raw = isRecord(value) ? value.reason : value;
  return { source, reason: typeof raw === 'string' ? raw.trim() : raw === undefined || raw === null ? '' : JSON.stringify(raw) };
}
