/**
 * Pure: how big a planned resource policy becomes once apply added the new
 * roles, measured as its service counts it, and the refusal when that is past
 * the service's quota. AWS would refuse the write in the middle of apply,
 * after other policies and workloads had already moved; plan says so first.
 */
import { SplitRoleError } from '../core/errors.js';
import { policyAdapter } from './kinds/index.js';
import type { PolicySizeLimit } from './kinds/types.js';
import type { GrantBy, PlannedResourcePolicy } from './plan-schema.js';

/** The size of a policy text in the unit its service counts. */
export function policySize(text: string, unit: PolicySizeLimit['unit']): number {
  return unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length;
}

/** The grown size of one policy, its quota, and the size the other strategy would give (when it was tried). */
export interface PolicyOverflow {
  policy: Pick<PlannedResourcePolicy, 'kind' | 'arn' | 'region'>;
  grown: number;
  max: number;
  unit: PolicySizeLimit['unit'];
  /** The `--grant-by` strategy that gave `grown`. */
  grantBy: GrantBy;
  /** With the other strategy: its size, when it differs. */
  alternative?: { grantBy: GrantBy; grown: number };
}

/** Raised by plan when an edited resource policy would pass its service's size quota; `overflows` says which and by how much. */
export class ResourcePolicyTooLargeError extends SplitRoleError {
  constructor(readonly overflows: readonly PolicyOverflow[]) {
    const first = overflows[0] as PolicyOverflow;
    const more = overflows.length > 1 ? ` (and ${overflows.length - 1} more policies)` : '';
    const fits = overflows.every((o) => o.alternative && o.alternative.grown <= o.max);
    const other = first.alternative?.grantBy;
    super(
      'ResourcePolicyTooLarge',
      `the policy of ${first.policy.kind} ${first.policy.arn} would grow to ${n(first.grown)} ${first.unit} with --grant-by ${first.grantBy}, ` +
        `over ${policyAdapter(first.policy.kind).service}'s limit of ${n(first.max)}${more}`,
      other && fits
        ? `pass --grant-by ${other} (it would be ${n(first.alternative?.grown ?? 0)} ${first.unit}; see --help for what it grants), or shorten the policy; nothing in AWS was changed`
        : 'shorten the policy (or plan fewer services at once); nothing in AWS was changed',
    );
  }
}

/**
 * Runs `finalise` with the strategy given (or the default). When a policy
 * would pass its quota and the other strategy makes every one fit, `ask` (a
 * person at a terminal) may choose that one; without `ask` (`--yes`, no
 * terminal, or `--grant-by` given) the refusal stands: the flag decides.
 */
export async function finaliseWithinQuotas<T>(
  finalise: (grantBy?: GrantBy) => T,
  ask?: (error: ResourcePolicyTooLargeError) => Promise<boolean>,
): Promise<T> {
  try {
    return finalise();
  } catch (error) {
    if (!(error instanceof ResourcePolicyTooLargeError) || !ask) throw error;
    const other = error.overflows[0]?.alternative;
    if (!other || !error.overflows.every((o) => o.alternative && o.alternative.grown <= o.max)) throw error;
    if (!(await ask(error))) throw error;
    return finalise(other.grantBy);
  }
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}
