/**
 * The review's overview diagram: workloads → the new roles they move to → the
 * resources each role's policy names. Mermaid, which GitHub renders in pull
 * requests. Every name comes from the account and is escaped: node ids are
 * generated, and labels carry only safe characters, the rest as entity codes.
 */
import { adapterFor } from '../workloads/registry.js';
import { roleForMove } from './per-workload.js';
import type { Plan, PlannedWorkload } from './schema.js';

/** How many resources one role shows before the rest are summarised. */
const RESOURCES_SHOWN = 8;

/** A ```mermaid block for the plan, or an empty list when there is nothing to draw. */
export function planDiagram(plan: Plan): string[] {
  if (plan.newRoles.length === 0) return [];
  const lines = ['```mermaid', 'flowchart LR'];
  const ids = new Map<string, string>();
  const node = (key: string, label: string, shape: 'box' | 'round' | 'cyl'): string => {
    let id = ids.get(key);
    if (!id) {
      id = `n${ids.size + 1}`;
      ids.set(key, id);
      const text = `"${mermaidText(label)}"`;
      lines.push(`  ${id}${shape === 'box' ? `[${text}]` : shape === 'round' ? `(${text})` : `[(${text})]`}`);
    }
    return id;
  };
  for (const role of plan.newRoles) {
    const roleId = node(`role:${role.roleName}`, `${role.roleName} (${role.service})`, 'round');
    for (const workload of plan.workloads.filter((w) => roleForMove(plan.newRoles, w) === role)) {
      lines.push(`  ${node(`workload:${workloadLabel(workload)}`, workloadLabel(workload), 'box')} --> ${roleId}`);
    }
    const resources = resourcesOf(role.inlinePolicies.concat(role.managedPolicies));
    for (const resource of resources.slice(0, RESOURCES_SHOWN))
      lines.push(`  ${roleId} --> ${node(`resource:${resource}`, resource, 'cyl')}`);
    if (resources.length > RESOURCES_SHOWN) {
      lines.push(`  ${roleId} --> ${node(`more:${role.roleName}`, `${resources.length - RESOURCES_SHOWN} more resources`, 'cyl')}`);
    }
  }
  lines.push('```');
  return lines;
}

/**
 * A label Mermaid shows as text whatever the name holds: letters, digits and
 * a few ARN characters pass; everything else (quotes, brackets, backticks,
 * pipes, newlines, "<") becomes a "#code;" entity.
 */
export function mermaidText(text: string): string {
  return [...text].map((ch) => (/[A-Za-z0-9 _.,:/@*+=-]/.test(ch) ? ch : `#${ch.codePointAt(0)};`)).join('');
}

function workloadLabel(w: PlannedWorkload): string {
  return adapterFor(w).label(w);
}

/** The distinct resources the role's Allow statements name ("*" is not a resource worth a node). */
function resourcesOf(policies: Plan['newRoles'][number]['inlinePolicies']): string[] {
  const out = new Set<string>();
  for (const policy of policies) {
    for (const statement of policy.document.Statement) {
      if (statement.Effect !== 'Allow' || statement.Resource === undefined) continue;
      for (const resource of [statement.Resource].flat()) if (resource !== '*') out.add(resource);
    }
  }
  return [...out].sort();
}
