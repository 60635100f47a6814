/**
 * How far the evidence read after cutover reaches. No calls with the shared
 * role means "unused" only when the evidence covers the time since cutover:
 * CloudTrail delivers 5–15 minutes late, so a window read right after apply
 * (or a trail whose newest file predates cutover) holds nothing, and that is
 * not enough evidence, never "no use".
 */

/** What the sources read, and the latest time it holds. */
export interface EvidenceReach {
  /** Records the source read for the question (an engine: the account's records in the window). */
  records: number;
  /** The latest time the evidence is known to hold, as CloudTrail writes times: the newest event seen, or a delivered trail file's time. */
  latest?: string;
}

/** A reach that holds nothing yet. */
export function emptyReach(): EvidenceReach {
  return { records: 0 };
}

/**
 * Notes a time the evidence holds. A time after `end` (the window's end, on
 * AWS's clock) is ignored: an event or file dated in the future says nothing
 * about what was delivered.
 */
export function noteReach(reach: EvidenceReach, time: string | Date | undefined, end: Date): void {
  if (time === undefined) return;
  const ms = typeof time === 'string' ? Date.parse(time) : time.getTime();
  if (Number.isNaN(ms) || ms > end.getTime()) return;
  if (reach.latest === undefined || ms > Date.parse(reach.latest)) reach.latest = cloudTrailTime(new Date(ms));
}

/** CloudTrail's form of a time: ISO-8601 to the second, in UTC. */
export function cloudTrailTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The delivery time in a CloudTrail log file's name (ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz), if it has one. */
export function deliveredAt(fileName: string): Date | undefined {
  const match = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[^/\\]*$/.exec(fileName);
  if (!match) return undefined;
  const [, y, mo, d, h, mi] = match;
  const time = new Date(`${y}-${mo}-${d}T${h}:${mi}:00Z`);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/**
 * True when the evidence reaches `needed` (cutover plus the delivery margin),
 * compared in whole seconds: CloudTrail writes event times to the second, and
 * cutover from a Date header is no finer.
 */
export function reaches(reach: EvidenceReach, needed: Date): boolean {
  return reach.latest !== undefined && Date.parse(reach.latest) >= Math.floor(needed.getTime() / 1000) * 1000;
}
