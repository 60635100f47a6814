/**
 * Gathers a role's usage evidence from the chosen source, attributed to the
 * services that can assume the role.
 */
import type { AwsSession } from '../aws/session.js';
import { SplitRoleError } from '../core/errors.js';
import type { IoHost } from '../core/io-host.js';
import type { EvidenceCache } from './evidence-cache.js';
import { checkedConfig } from './settings.js';
import { windowWarning, type EvidenceRequest, type EvidenceSubject } from './source.js';
import { usageSource } from './sources.js';
import type { UsageEvidence } from './types.js';

export type { EvidenceRequest, EvidenceSubject } from './source.js';

/** Reads the evidence and attributes it; fails with exit 2 when there is none at all. */
export async function gatherEvidence(
  session: AwsSession,
  io: IoHost,
  subject: EvidenceSubject,
  request: EvidenceRequest,
  cache?: EvidenceCache,
): Promise<UsageEvidence> {
  const source = usageSource(request.source);
  // The settings are the source's to read: checked against its schema here, passed along untouched before.
  const checked = { ...request, config: checkedConfig(source, request.config) };
  const warnings: string[] = [];
  const warning = windowWarning(source.visibility, request);
  if (warning) warnings.push(warning);
  let evidence: UsageEvidence;
  try {
    evidence = await source.usage({ session, io, subject, request: checked, warnings, ...(cache ? { cache } : {}) });
  } finally {
    // Kept whether the read finished or failed part-way (a throttled region, an expired token): the next run starts there.
    cache?.flush();
  }
  if (cache && evidence.recordsFromCache)
    io.info(
      'SR_EVID_I3012',
      `${evidence.recordsFromCache} of ${evidence.recordsRead} records came from the evidence cache in ${cache.dir}`,
      {
        fromCache: evidence.recordsFromCache,
        records: evidence.recordsRead,
        cache: cache.dir,
      },
    );

  const sessions = [...evidence.byService.values()].reduce((n, u) => n + u.sessions, 0) + evidence.unattributed.sessions;
  const events = [...evidence.byService.values()].reduce((n, u) => n + u.events, 0) + evidence.unattributed.events;
  if (sessions === 0 && events === 0 && evidence.unattributed.actions.size === 0) {
    throw new SplitRoleError(
      'NoEvidence',
      `no CloudTrail activity of ${subject.role.name} between ${evidence.window.start} and ${evidence.window.end} (${evidence.recordsRead} records read)`,
      source.noEvidenceHint ?? 'widen --since',
    );
  }
  return evidence;
}
