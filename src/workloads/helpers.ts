/** Small pieces the workload adapters share. */
import { isInstanceNotFound, isResourceNotFound } from '../core/aws-error-names.js';
import { SplitRoleError, errorIs } from '../core/errors.js';
import type { ApplyContext } from './adapter.js';

/** The error a repoint throws when the account no longer matches the plan. */
export function driftError(message: string): SplitRoleError {
  return new SplitRoleError('Drift', message, 'the account changed since the plan was made: re-plan');
}

/**
 * Rollback points a workload back only from where apply put it: one that was
 * moved elsewhere since, or deleted, is someone else's change and is left alone.
 */
export async function leaveIfMovedElsewhere(ctx: ApplyContext, what: string, revert: () => Promise<unknown>): Promise<void> {
  try {
    await revert();
  } catch (error) {
    if (!errorIs.Drift(error) && !isResourceNotFound(error) && !isInstanceNotFound(error)) throw error;
    ctx.io.warn('SR_APPLY_W4004', `${what} was not pointed back: ${(error as Error).message}`, {
      workload: what,
      error: (error as Error).message,
    });
  }
}

/** The last path segment of an ARN (a role's or profile's name). */
export function lastSegment(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/** `{ key: value }` when value is set, else `{}`: keeps absent fields absent in the plan file. */
export function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}

/** True when the role's instance profiles include this ARN or name. */
export function profileMatcher(profiles: ReadonlyArray<{ name: string; arn: string }>): (value: string | undefined) => boolean {
  const arns = new Set(profiles.map((p) => p.arn));
  const names = new Set(profiles.map((p) => p.name));
  return (value) => value !== undefined && (arns.has(value) || names.has(value));
}

/**
 * The two invariants of a move from one role field to another: the workload
 * uses the shared role now (`usesShared`; else it "does not VERB as the
 * shared role"), and it moves to this plan's role for its service.
 */
export function roleMoveProblems(
  what: string,
  move: { service: string; target: { roleArn: string } },
  role: { roleArn: string } | undefined,
  usesShared: { usesShared: boolean; verb: string },
): string[] {
  const problems: string[] = [];
  if (!usesShared.usesShared) problems.push(`${what} does not ${usesShared.verb} as the shared role`);
  if (!role || move.target.roleArn !== role.roleArn)
    problems.push(`${what} would move to ${move.target.roleArn}, which is not this plan's role for ${move.service}`);
  return problems;
}

/** True when an ECS or Lambda role field names the role: ECS accepts a role name or ARN; Lambda always stores the ARN. */
export function namesRole(value: string | undefined, role: { arn: string; roleName: string }): boolean {
  if (!value) return false;
  return value.startsWith('arn:') ? value === role.arn : value === role.roleName;
}
