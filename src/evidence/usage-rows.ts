/**
 * Turns the rows of the usage query (usage-sql.ts) into UsageEvidence: the
 * engine did the join and the aggregation, so what is left is mapping each
 * row's origin to the role's own spelling of the service (or the name-shape
 * fallback for sessions whose AssumeRole the engine did not see) and each
 * event to IAM actions, with the rows' resources, error codes and first and
 * last times summed as the Attributor sums them per call (action-use.ts).
 */
import { workloadKey } from '../trust/service-principals.js';
import { addUse } from './action-use.js';
import { emptyUsage, serviceForSessionName, servicesByWorkload } from './attribution.js';
import { eventToActions } from './event-action.js';
import type { EvidenceContext, EvidenceSubject } from './source.js';
import type { ActionUse, ServiceUsage, SessionHints, UsageEvidence } from './types.js';
import { NON_SERVICE_ORIGIN, type USAGE_COLUMNS } from './usage-sql.js';

/** One result row, by column name, as text (NULL as undefined), the way Athena and Lake return them. */
export type UsageRow = Partial<Record<(typeof USAGE_COLUMNS)[number], string>>;

/** Builds the evidence from the query's rows. */
export function usageFromRows(
  rows: Iterable<UsageRow>,
  subject: EvidenceSubject & { hints: SessionHints },
  meta: Pick<UsageEvidence, 'source' | 'window' | 'warnings'>,
  normaliseTime: (engineTime: string) => string = (time) => time,
): UsageEvidence {
  const services = [...new Set(subject.services)];
  const byWorkload = servicesByWorkload(services);
  const byService = new Map<string, ServiceUsage>(services.map((service) => [service, emptyUsage()]));
  const unattributed = emptyUsage();
  const nonService = emptyUsage();
  const dataEventSources = new Set<string>();
  let events = 0;

  const usageOf = (row: UsageRow): ServiceUsage => {
    // A service the role does not trust stays unattributed; no origin ("" or NULL) falls back on the session name.
    if (row.origin === NON_SERVICE_ORIGIN) return nonService;
    const service = row.origin
      ? byWorkload.get(workloadKey(row.origin))
      : serviceForSessionName(row.session_name ?? '', services, subject.hints);
    return (service !== undefined && byService.get(service)) || unattributed;
  };

  for (const row of rows) {
    const usage = usageOf(row);
    const count = count_(row.events);
    if (row.kind === 'calls') {
      usage.events += count;
      events += count;
      const eventSource = row.event_source ?? '';
      if (row.data_events === '1') dataEventSources.add(eventSource);
      const use: ActionUse = {
        count,
        lastSeen: row.last_seen === undefined ? '' : normaliseTime(row.last_seen),
        ...(row.first_seen ? { firstSeen: normaliseTime(row.first_seen) } : {}),
        ...(row.resource_arn ? { resources: [row.resource_arn] } : {}),
        ...(row.error_code ? { errorCodes: [row.error_code] } : {}),
      };
      for (const action of eventToActions(eventSource, row.event_name ?? '', parseRequest(row.request))) addUse(usage.actions, action, use);
    } else if (row.kind === 'sessions' || row.kind === 'idle') {
      usage.sessions += count_(row.sessions);
    } else if (row.kind === 'resources' && row.resource_arn) {
      (usage.resources ??= new Set()).add(row.resource_arn);
    }
  }
  const evidence: UsageEvidence = { ...meta, byService, unattributed, recordsRead: events, dataEventSources };
  if (nonService.sessions > 0) evidence.nonService = nonService;
  return evidence;
}

/** The request of a request-dependent event; unreadable text reads as no request (every action the API may need). */
function parseRequest(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function count_(text: string | undefined): number {
  const n = Number(text ?? 0);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** The evidence from an engine's rows, for the request's window and source, with the context's warnings. */
export async function engineUsage(
  ctx: EvidenceContext,
  rows: Iterable<UsageRow>,
  normaliseTime?: (engineTime: string) => string,
): Promise<UsageEvidence> {
  const { request } = ctx;
  const window = { start: request.window.start.toISOString(), end: request.window.end.toISOString() };
  const subject = { ...ctx.subject, hints: await ctx.subject.hints };
  return usageFromRows(rows, subject, { source: request.source, window, warnings: ctx.warnings }, normaliseTime);
}
