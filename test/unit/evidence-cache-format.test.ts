/**
 * The evidence cache's format carries a version (EVIDENCE_CACHE_VERSION), and
 * a cache file of another version is ignored. That only protects a user whose
 * cache an older split-role wrote if every change of the format bumps the
 * version: this test pins each version's format, as JSON Schema, by its hash.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EVIDENCE_CACHE_VERSION, lookupFileSchema, trailFilesSchema } from '../../src/evidence/evidence-cache-schema.js';

/** The SHA-256 of each released version's format (both file kinds, as zod's JSON Schema of what is read). */
const FORMATS: Readonly<Record<number, string>> = {
  1: '4398a76ff2c88b14e9384ce80643f11cedc823e4e1797d645c008cf32c6e6e58',
};

function formatHash(): string {
  const schemas = [lookupFileSchema, trailFilesSchema].map((schema) => z.toJSONSchema(schema, { io: 'input' }));
  return createHash('sha256').update(JSON.stringify(schemas)).digest('hex');
}

describe('the evidence cache format', () => {
  it('is the one recorded for its version: a changed format needs a new EVIDENCE_CACHE_VERSION', () => {
    const recorded = FORMATS[EVIDENCE_CACHE_VERSION];
    const why =
      recorded === undefined
        ? `record version ${EVIDENCE_CACHE_VERSION}'s format in FORMATS: ${formatHash()}`
        : `the cache format changed under version ${EVIDENCE_CACHE_VERSION}: bump EVIDENCE_CACHE_VERSION (src/evidence/evidence-cache-schema.ts), then record the new format's hash (if only a zod upgrade changed its JSON Schema output, re-record the hash under the same version)`;
    expect(formatHash(), why).toBe(recorded);
  });
});
