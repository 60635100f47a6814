/** Spans of time (ms since the epoch, both ends included): what a cached LookupEvents query has read whole. */

/** A span of time in ms since the epoch, both ends included. */
export interface Span {
  start: number;
  end: number;
}

/** Spans sorted, with overlapping or touching ones joined. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last && span.start <= last.end + 1) last.end = Math.max(last.end, span.end);
    else out.push({ ...span });
  }
  return out;
}

/** The parts of `window` that no covered span reaches, oldest first. */
export function missingSpans(covered: readonly Span[], window: Span): Span[] {
  const out: Span[] = [];
  let from = window.start;
  for (const span of mergeSpans(covered)) {
    if (span.end < from) continue;
    if (span.start > window.end) break;
    if (span.start > from) out.push({ start: from, end: span.start - 1 });
    from = Math.max(from, span.end + 1);
  }
  if (from <= window.end) out.push({ start: from, end: window.end });
  return out;
}
