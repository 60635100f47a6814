/** Evidence as plain data, for comparing what two sources concluded. */
import type { ServiceUsage, UsageEvidence } from '../../src/evidence/types.js';

/**
 * Everything attribution decided (per-service sessions, events, actions with their uses, the resources
 * touched; data-event sources), as plain data.
 */
export function comparableEvidence(evidence: UsageEvidence) {
  const usage = (u: ServiceUsage | undefined) =>
    u && {
      sessions: u.sessions,
      events: u.events,
      actions: Object.fromEntries([...u.actions].sort(([a], [b]) => a.localeCompare(b))),
      resources: [...(u.resources ?? [])].sort(),
    };
  return {
    byService: Object.fromEntries([...evidence.byService].map(([s, u]) => [s, usage(u)])),
    unattributed: usage(evidence.unattributed),
    nonService: usage(evidence.nonService),
    dataEventSources: [...(evidence.dataEventSources ?? [])].sort(),
  };
}
