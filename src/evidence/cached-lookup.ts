/**
 * One LookupEvents query through the evidence cache: the cached records
 * inside the window, then only the spans of the window not yet read whole.
 * What is read is noted record by record, so an interrupted read keeps the
 * part it finished (LookupEvents answers newest first).
 */
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { LookupRecord } from '../aws/cloudtrail.js';
import type { CachedQuery, IdentifiedRecord } from './evidence-cache.js';

/**
 * CloudTrail shows an event in its event history up to about 15 minutes after
 * the call: the newest part of a read is never taken as read whole, so the
 * next run asks it again.
 */
export const DELIVERY_LAG_MS = 15 * 60_000;

/** CloudTrail records carry whole seconds. */
const SECOND_MS = 1000;

/** The endpoint LookupEvents goes to when one is set (an emulator, a VPC endpoint): part of what a cached answer is valid for. */
export async function cloudTrailEndpoint(client: CloudTrailClient): Promise<string | undefined> {
  if (client.config.isCustomEndpoint && client.config.endpoint) {
    const { protocol, hostname, port, path } = await client.config.endpoint();
    return `${protocol}//${hostname}${port ? `:${port}` : ''}${path}`;
  }
  return process.env.AWS_ENDPOINT_URL_CLOUDTRAIL || process.env.AWS_ENDPOINT_URL || undefined;
}

/**
 * Yields the query's records in `window`: the cached ones, then those `read`
 * returns for each span not yet covered. Without a cache entry, just `read`.
 */
export async function* cachedLookupEvents(
  query: CachedQuery | undefined,
  window: { start: Date; end: Date },
  read: (window: { start: Date; end: Date }) => AsyncIterable<LookupRecord>,
  now: number = Date.now(),
): AsyncGenerator<LookupRecord> {
  if (!query) {
    yield* read(window);
    return;
  }
  yield* query.recordsIn({ start: window.start.getTime(), end: window.end.getTime() });
  const settled = now - DELIVERY_LAG_MS;
  for (const gap of query.missing({ start: window.start.getTime(), end: window.end.getTime() })) {
    const end = Math.min(gap.end, settled);
    let oldest = Number.POSITIVE_INFINITY;
    let ordered = true;
    let cacheable = true;
    for await (const record of read({ start: new Date(gap.start), end: new Date(gap.end) })) {
      const time = Date.parse(record.eventTime);
      // Newest first is what makes a part of the span complete; an answer out of order is kept only once read whole.
      if (!(time <= oldest)) ordered = false;
      oldest = Math.min(oldest, time);
      // An event without an id cannot be told from a second copy of itself.
      if (!record.eventID) cacheable = false;
      // Every event after this one's second has come already.
      if (cacheable) query.add([record as IdentifiedRecord], ordered ? { start: time + SECOND_MS, end } : undefined);
      yield record;
    }
    if (cacheable) query.add([], { start: gap.start, end });
  }
}
