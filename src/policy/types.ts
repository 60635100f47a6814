/**
 * Shapes shared by the policy modules: where a grant came from (PolicySource)
 * and the IAM JSON we write for the new roles (IamPolicyDocument).
 */

/**
 * One permission policy of the shared role: an inline policy, or the default
 * version of an attached managed policy. `document` is the raw policy — a
 * parsed JSON object, or a JSON string (IAM returns it URL-encoded) — and is
 * read with parsePolicy.
 */
export interface PolicySource {
  kind: 'inline' | 'managed';
  name: string;
  arn?: string;
  document: unknown;
}

/** One statement of an identity policy as IAM stores it (identity policies have no Principal). */
export type IamStatement = {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
};

/**
 * An identity policy document as written for the new roles. A type alias
 * rather than an interface so it stays assignable to plain JSON record types
 * (the plan schema's documents).
 */
export type IamPolicyDocument = {
  Version: '2012-10-17';
  Statement: IamStatement[];
};
