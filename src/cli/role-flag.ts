/** `--role` takes a role name or a role ARN (as the console and `aws iam get-role` print it). */
import { usageError } from '../core/errors.js';
import { visibleControls } from '../core/escape.js';

/** A role named on the command line: its name, and the account when an ARN named it. */
export interface RoleRef {
  name: string;
  account?: string;
}

// arn:PARTITION:iam::ACCOUNT:role/PATH/NAME; the path may be empty or several segments.
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]+)$/;

/** Parses one `--role` value; an ARN that is not an IAM role's is refused. */
export function parseRoleRef(value: string): RoleRef {
  if (!value.startsWith('arn:')) return { name: value };
  const match = ROLE_ARN.exec(value);
  if (!match) {
    throw usageError(
      `--role ${visibleControls(value)} is not an IAM role ARN`,
      'pass a role name (orders) or its ARN (arn:aws:iam::123456789012:role/orders)',
    );
  }
  return { account: match[1], name: match[2] as string };
}

/** Refuses role ARNs of another account than the one the run reads: the same name there is another role. */
export function refuseOtherAccountRoles(refs: readonly RoleRef[], account: string): void {
  const other = refs.find((r) => r.account !== undefined && r.account !== account);
  if (other) {
    throw usageError(
      `--role names ${other.name} in account ${other.account}, but the credentials reach account ${account}`,
      'use credentials for that account, or plan a member account with --account ID --assume-role NAME',
    );
  }
}
