/**
 * The evidence cache's file formats, checked with zod on every read: a cache
 * file is outside input (anyone can edit it), like a trail file.
 */
import { z } from 'zod';
import type { CloudTrailRecord } from './types.js';

/** The format this split-role writes and reads; other versions are ignored. */
export const EVIDENCE_CACHE_VERSION = 1;

/** A LookupEvents record with its event id (the cache dedupes by it). */
export type IdentifiedRecord = CloudTrailRecord & { eventID: string };

const isoTime = z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'not a time');
const recordFields = { eventTime: isoTime, eventSource: z.string(), eventName: z.string() };
/** A record as the cache keeps it: the fields every reader needs checked, the rest as CloudTrail wrote it (read as defensively as a trail file's). */
const recordSchema = z.looseObject(recordFields).transform((r): CloudTrailRecord => r);
const spanSchema = z
  .strictObject({ start: z.number().int(), end: z.number().int() })
  .refine((s) => s.start <= s.end, 'span ends before it starts');
/** One LookupEvents query's file. */
export const lookupFileSchema = z.strictObject({
  version: z.literal(EVIDENCE_CACHE_VERSION),
  kind: z.literal('lookup-events'),
  key: z.strictObject({
    endpoint: z.string().optional(),
    account: z.string(),
    region: z.string(),
    attribute: z.strictObject({ key: z.string(), value: z.string() }),
  }),
  covered: z.array(spanSchema),
  records: z.array(z.looseObject({ ...recordFields, eventID: z.string().min(1) }).transform((r): IdentifiedRecord => r)),
});
const trailFileSchema = z.strictObject({
  size: z.number().int().nonnegative().optional(),
  tag: z.string().optional(),
  records: z.array(recordSchema),
  skipped: z.number().int().nonnegative(),
  uncompressedBytes: z.number().int().nonnegative(),
});
/** One trail location's file, for one role. */
export const trailFilesSchema = z.strictObject({
  version: z.literal(EVIDENCE_CACHE_VERSION),
  kind: z.literal('trail-files'),
  key: z.strictObject({ location: z.string(), account: z.string(), role: z.string() }),
  files: z.record(z.string(), trailFileSchema),
});
