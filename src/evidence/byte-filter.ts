/**
 * A byte-level prefilter for trail files: JSON.parse is most of the cost of
 * reading a trail, and most records are other principals'. A record can only
 * matter to one role if its bytes name the role — the role's ARN (its
 * AssumeRole, a session's issuer) or the role's session ARN prefix (its
 * calls, forward-access calls) — or if attribution cannot read its
 * userIdentity (those are listed in the plan, never dropped silently). So
 * only those records are cut out and parsed; a record is skipped only when
 * its identity plainly belongs to someone (plainIdentity). Whenever the file
 * does not have the plain shape CloudTrail writes
 * ({"Records":[{"eventVersion":…},…]}, no \u or \/ escapes that could spell
 * the role otherwise), the caller parses the whole file instead: the filter
 * may read more than it must, never less.
 */
import type { CloudTrailRecord } from './types.js';

/** The byte patterns that can tie a record to one role. */
export interface RoleNeedles {
  /** "ARN" as a whole JSON string, as attribution compares it (so role/x never matches role/x-v2). */
  roleArn: Buffer;
  /** "arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/ at the start of a JSON string. */
  sessionPrefix: Buffer;
  /**
   * "/NAME", which both needles end with (and one more byte): one search for
   * it finds both. Unset when the name is too short to be rare, or the ARN
   * does not end with it.
   */
  anchor?: Buffer;
  /** The same two as text, for records the splitter already cut out. */
  text: { roleArn: string; sessionPrefix: string };
}

/** What the filter made of one file: the records that name the role, and how many it left unparsed. */
export interface FilteredRecords {
  records: CloudTrailRecord[];
  /** Records of the file that named neither needle, had a plain identity, and were never parsed. */
  skipped: number;
}

const MARKER = Buffer.from('{"eventVersion"');
/** Escapes that could spell a needle otherwise: \u and \/ (the letter after a backslash). */
const ESCAPED_U = 0x75;
const ESCAPED_SLASH = 0x2f;
/** A role name at least this long makes a rare enough anchor; shorter ones are searched as the two whole needles. */
const MIN_ANCHOR_NAME = 6;
const HEAD = /^\s*\{\s*"Records"\s*:\s*\[\s*/;
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
/** What follows the eventVersion string in CloudTrail's records. */
const IDENTITY_HEAD = Buffer.from(',"userIdentity":{"type":"');
const ASSUMED_ROLE = Buffer.from('AssumedRole');
const TYPE_KEY = Buffer.from('type"');
const COLON = 0x3a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The needles for a role; session ARNs drop the role's path, role ARNs keep it. */
export function roleNeedles(role: { arn: string; name: string }): RoleNeedles {
  const [, partition = 'aws', , , account = ''] = role.arn.split(':');
  const roleArn = JSON.stringify(role.arn);
  const sessionPrefix = `"arn:${partition}:sts::${account}:assumed-role/${role.name}/`;
  const anchored = role.name.length >= MIN_ANCHOR_NAME && roleArn.endsWith(`/${role.name}"`);
  return {
    roleArn: Buffer.from(roleArn),
    sessionPrefix: Buffer.from(sessionPrefix),
    ...(anchored ? { anchor: Buffer.from(`/${role.name}`) } : {}),
    text: { roleArn, sessionPrefix },
  };
}

/**
 * False only when one record's text cannot matter to the role: neither
 * needle, no escape that could spell one, and a plain identity.
 */
export function recordTextMayMatter(text: string, needles: RoleNeedles): boolean {
  if (text.includes(needles.text.roleArn) || text.includes(needles.text.sessionPrefix) || text.includes('\\u') || text.includes('\\/'))
    return true;
  const bytes = Buffer.from(text);
  return !bytes.subarray(0, MARKER.length).equals(MARKER) || !plainIdentity(bytes, 0, bytes.length);
}

/**
 * The records at a search's spans (candidateSpans'), with how many it left
 * unparsed; undefined when there was no search, or when one of them is not
 * a single object (the search cut in the wrong place): then the file must be
 * parsed whole, and checked, by the caller.
 */
export function pickRecords(text: Buffer, found: CandidateSpans | undefined): FilteredRecords | undefined {
  if (!found) return undefined;
  const records: CloudTrailRecord[] = [];
  for (let i = 0; i < found.spans.length; i += 2) {
    const record = parseRecord(text.subarray(found.spans[i], found.spans[i + 1]));
    if (!record) return undefined;
    records.push(record);
  }
  return { records, skipped: found.count - records.length };
}

/** Where a file's records that may matter lie, found by the byte search alone. */
export interface CandidateSpans {
  /** [start, end) byte offsets of each such record, in pairs, in file order. */
  spans: Int32Array;
  /** Records in the file, those not cut out included. */
  count: number;
}

/**
 * The byte search, without any parsing (so a worker thread can run it):
 * where the records that may name the role lie, or undefined when the file
 * is not in CloudTrail's plain shape and must be parsed whole.
 */
export function candidateSpans(text: Buffer, needles: RoleNeedles): CandidateSpans | undefined {
  if (hasSpellingEscape(text)) return undefined;
  const body = arrayBody(text);
  if (!body) return undefined;
  const spans: number[] = [];
  let count = 0;
  if (body.start === body.end) return { spans: new Int32Array(0), count };
  // Every record must begin with CloudTrail's first key, so each marker starts the next record.
  if (text.indexOf(MARKER, body.start) !== body.start) return undefined;
  // Where either needle starts, found before the records are walked: records are cut out only around hits.
  const hits = needleHits(text, needles, body.start);
  let hit = 0;
  let start = body.start;
  while (start < body.end) {
    const next = text.indexOf(MARKER, start + 1);
    const end = next < 0 || next >= body.end ? body.end : next;
    count += 1;
    const names = hit < hits.length && hits[hit]! < end;
    while (hit < hits.length && hits[hit]! < end) hit += 1;
    if (names || !plainIdentity(text, start, end)) {
      const stop = recordEnd(text, start, end, end === body.end);
      if (stop < 0) return undefined;
      spans.push(start, stop);
    }
    start = end;
  }
  return { spans: Int32Array.from(spans), count };
}

/** True when the text holds \u or \/ anywhere (one search for the rare backslash instead of one per escape). */
function hasSpellingEscape(text: Buffer): boolean {
  for (let at = text.indexOf(BACKSLASH); at >= 0; at = text.indexOf(BACKSLASH, at + 1)) {
    const after = text[at + 1];
    if (after === ESCAPED_U || after === ESCAPED_SLASH) return true;
  }
  return false;
}

/**
 * Where the role ARN or the session prefix starts in text (from `from` on),
 * in order. Both end in "/NAME" and one more byte, so one search for that
 * anchor, each hit checked against both needles, finds every occurrence of
 * either: half the work of searching the file for each needle.
 */
export function needleHits(text: Buffer, needles: RoleNeedles, from: number): number[] {
  const { roleArn, sessionPrefix, anchor } = needles;
  const hits: number[] = [];
  if (!anchor) {
    for (const needle of [roleArn, sessionPrefix])
      for (let at = text.indexOf(needle, from); at >= 0; at = text.indexOf(needle, at + 1)) hits.push(at);
    return hits.sort((a, b) => a - b);
  }
  const inArn = roleArn.length - anchor.length - 1;
  const inSession = sessionPrefix.length - anchor.length - 1;
  for (let at = text.indexOf(anchor, from); at >= 0; at = text.indexOf(anchor, at + 1)) {
    if (at - inArn >= from && bytesAt(text, at - inArn, roleArn)) hits.push(at - inArn);
    else if (at - inSession >= from && bytesAt(text, at - inSession, sessionPrefix)) hits.push(at - inSession);
  }
  // The two needles put the anchor at different depths, so hits of one may come before the other's.
  return hits.sort((a, b) => a - b);
}

/**
 * True when the record in text[start, end) plainly has an identity that
 * attribution reads as someone's (attribution.ts: add, oddIdentity), so it
 * may be skipped unless it names the role. That takes CloudTrail's own
 * spelling: {"eventVersion":"…","userIdentity":{"type":"T", every "arn"
 * key before the identity's first nested object a non-empty string, and an
 * AssumedRole identity with one. A missing, null or non-object identity, a
 * type that is not text, an ARN that is not text, a repeated type, keys in
 * another order or other spellings all fail the check, and the record is
 * parsed: attribution then decides whether it is unreadable. Not looked
 * for: a second top-level "userIdentity" key after the first (JSON that
 * CloudTrail never writes; finding it would mean scanning whole records).
 */
function plainIdentity(text: Buffer, start: number, end: number): boolean {
  const versionStart = start + MARKER.length + 2;
  if (text[versionStart - 2] !== COLON || text[versionStart - 1] !== QUOTE) return false;
  const versionEnd = plainStringEnd(text, versionStart, end);
  if (versionEnd < 0 || !bytesAt(text, versionEnd + 1, IDENTITY_HEAD)) return false;
  const typeStart = versionEnd + 1 + IDENTITY_HEAD.length;
  const typeEnd = plainStringEnd(text, typeStart, end);
  if (typeEnd < 0) return false;
  const assumedRole = typeEnd - typeStart === ASSUMED_ROLE.length && bytesAt(text, typeStart, ASSUMED_ROLE);
  // The identity's flat keys: up to its first nested object, or its end.
  let arns = 0;
  let inString = false;
  for (let i = typeEnd + 1; i < end; i++) {
    const c = text[i];
    // An escape there is never CloudTrail's: let the parse decide.
    if (c === BACKSLASH) return false;
    if (c === QUOTE) {
      inString = !inString;
      if (!inString) continue;
      if (text[i + 1] === 0x61 && text[i + 2] === 0x72 && text[i + 3] === 0x6e && text[i + 4] === QUOTE) {
        // "arn": a key whose value must be a non-empty string.
        if (text[i + 5] !== COLON || text[i + 6] !== QUOTE || text[i + 7] === QUOTE) return false;
        arns += 1;
      } else if (bytesAt(text, i + 1, TYPE_KEY)) return false;
    } else if (!inString && (c === 0x7b || c === 0x7d)) break;
  }
  return !assumedRole || arns > 0;
}

/** True when text holds `bytes` at `at`. */
function bytesAt(text: Buffer, at: number, bytes: Buffer): boolean {
  if (at + bytes.length > text.length) return false;
  for (let i = 0; i < bytes.length; i++) if (text[at + i] !== bytes[i]) return false;
  return true;
}

/** Where the JSON string whose text starts at `from` ends (its closing quote), or -1 when it has an escape or ends past `end`. */
function plainStringEnd(text: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = text[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH) return -1;
  }
  return -1;
}

/** The byte range inside {"Records":[ … ]}, or undefined when the file is not shaped so. */
function arrayBody(text: Buffer): { start: number; end: number } | undefined {
  const head = HEAD.exec(text.subarray(0, 64).toString('latin1'));
  if (!head) return undefined;
  let end = text.length;
  while (end > 0 && WHITESPACE.has(text[end - 1]!)) end--;
  if (text[end - 1] !== 0x7d) return undefined;
  end--;
  while (end > 0 && WHITESPACE.has(text[end - 1]!)) end--;
  if (text[end - 1] !== 0x5d) return undefined;
  end--;
  while (end > head[0].length && WHITESPACE.has(text[end - 1]!)) end--;
  return end < head[0].length ? undefined : { start: head[0].length, end };
}

/** Where one record's bytes end: at the next record's marker, less the separating comma; -1 when no comma separates them. */
function recordEnd(text: Buffer, start: number, end: number, last: boolean): number {
  let stop = end;
  while (stop > start && WHITESPACE.has(text[stop - 1]!)) stop--;
  if (last) return stop;
  return text[stop - 1] === 0x2c ? stop - 1 : -1;
}

/**
 * Parses one cut-out record. A cut in the wrong place (a nested object that
 * happens to start with "eventVersion", a record without it) never parses
 * as a single object, so it sends the whole file to the full parse.
 */
function parseRecord(slice: Buffer): CloudTrailRecord | undefined {
  try {
    const parsed: unknown = JSON.parse(slice.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as CloudTrailRecord) : undefined;
  } catch {
    return undefined;
  }
}
