/**
 * Unmapped events: calls whose mapped IAM action the catalog does not know.
 * Granting the made-up name would give the workload nothing it needs, so such
 * actions are taken out of the usage and listed for a decision instead. Pure
 * given the catalog.
 */
import { eventsMappedTo } from '../evidence/event-action.js';
import type { ServiceUsage } from '../evidence/types.js';
import type { ActionCatalog } from '../policy/action-catalog.js';
import { allowStatements, grantedCatalogActions } from '../policy/catalog-grants.js';
import type { PolicySource } from '../policy/types.js';

/** Who a row's calls came from when no service could be tied to them. */
export const UNATTRIBUTED = 'unattributed';

/** One event the plan could not turn into catalog actions. */
export interface UnmappedEvent {
  eventSource: string;
  eventName: string;
  /** The IAM service prefix the event belongs to (what `keep` grants from). */
  prefix: string;
  count: number;
  /** Services (principals) that made the call, or "unattributed". */
  services: string[];
}

/**
 * Moves the actions the catalog does not know out of `usage` (in place) and
 * adds them to `rows` as events made by `who`.
 */
export function takeUnmapped(usage: ServiceUsage, who: string, catalog: ActionCatalog, rows: Map<string, UnmappedEvent>): void {
  for (const [action, use] of [...usage.actions]) {
    if (catalog.has(action)) continue;
    usage.actions.delete(action);
    const colon = action.indexOf(':');
    const prefix = colon < 0 ? action : action.slice(0, colon);
    const events = eventsMappedTo(action);
    // An action that no event produced (Access Analyzer reports actions, not events) is named after itself.
    const named = events.length > 0 ? events : [{ eventSource: `${prefix}.amazonaws.com`, eventName: action.slice(colon + 1) }];
    const { eventSource, eventName } = named[0] as { eventSource: string; eventName: string };
    const key = `${eventSource}\u0000${eventName}`;
    const row = rows.get(key) ?? { eventSource, eventName, prefix, count: 0, services: [] };
    row.count += use.count;
    if (!row.services.includes(who)) row.services.push(who);
    rows.set(key, row);
  }
}

/**
 * What `--unmapped keep` gives a service for one row: every concrete action of
 * the event's IAM prefix that the shared role granted (through the catalog),
 * never anything beyond.
 */
export function keptForUnmapped(row: UnmappedEvent, sources: readonly PolicySource[], catalog: ActionCatalog): string[] {
  const kept = new Set(grantedCatalogActions(sources, catalog, row.prefix));
  // A prefix the catalog does not know yet can only be kept by the names the policy spells out.
  const literal = allowStatements(sources).flatMap((s) => s.actions ?? []);
  for (const action of literal) {
    if (!/[*?]/.test(action) && action.toLowerCase().startsWith(`${row.prefix.toLowerCase()}:`)) kept.add(action);
  }
  return [...kept].sort();
}
