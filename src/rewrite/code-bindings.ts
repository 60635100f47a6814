/**
 * The references to a role that `rewrite` repoints, from each workload
 * kind's `codeBindings` (in its folder's adapter.ts): a new kind brings its
 * own, and rewrite needs no table of its own.
 */
import type { Plan } from '../plan/schema.js';
import { workloadKey } from '../trust/service-principals.js';
import type { CodeBinding } from '../workloads/adapter.js';
import { workloadAdapters } from '../workloads/registry.js';

/** A binding with the service unit of the kind that declared it (the new role it moves to). */
export interface UnitBinding extends CodeBinding {
  unit: string;
}

/** The binding of a reference at `path` in a resource of `type`, if a kind declares one. */
export function bindingAt(format: 'cloudFormation' | 'terraform', type: string | undefined, path: string): UnitBinding | undefined {
  for (const adapter of workloadAdapters()) {
    const found = adapter.codeBindings[format].find(
      (b) => b.type === type && (typeof b.path === 'string' ? b.path === path : b.path.test(path)),
    );
    if (found) return { ...found, unit: adapter.unitKey };
  }
  return undefined;
}

/** The plan's new role for the service unit `unit`, if it makes one. */
export function roleForUnit(plan: Plan, unit: string): Plan['newRoles'][number] | undefined {
  return plan.newRoles.find((r) => workloadKey(r.service) === unit);
}
