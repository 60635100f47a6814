/**
 * The workload kinds' registry: what each kind's folder declares is
 * consistent, so the layers below can take it as data (error codes next to
 * core's, follow-up kinds in the plan schema, session shapes in attribution).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import { followUpSchema } from '../../src/workloads/follow-ups.js';
import { KIND_ERROR_CODES, KIND_FOLLOW_UPS, KINDS, SESSION_SHAPES } from '../../src/workloads/registry.js';

const codes = (k: (typeof KINDS)[number]) => Object.keys(k.errorCodes);

describe('the workload kinds registry', () => {
  it('each kind lives in the folder named after its plan-file kind, and its schema carries that kind', () => {
    const folders = readdirSync(fileURLToPath(new URL('../../src/workloads/', import.meta.url)), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect(KINDS.map((k) => k.adapter.kind).sort()).toEqual(folders);
    for (const kind of KINDS) expect(kind.schema.shape.kind.value).toBe(kind.adapter.kind);
  });

  it("error codes are unique, PascalCase, and none is core's", () => {
    const all = KINDS.flatMap(codes);
    expect(new Set(all).size).toBe(all.length);
    for (const code of all) {
      expect(code).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(ERROR_CODES as readonly string[]).not.toContain(code);
    }
    expect(Object.keys(KIND_ERROR_CODES).sort()).toEqual([...all].sort());
  });

  it('follow-up kinds are unique and the plan schema accepts each', () => {
    expect(new Set(KIND_FOLLOW_UPS).size).toBe(KIND_FOLLOW_UPS.length);
    for (const kind of KIND_FOLLOW_UPS) expect(followUpSchema.safeParse({ kind, resource: 'r', message: 'm' }).success).toBe(true);
    expect(followUpSchema.safeParse({ kind: 'no-such-kind', resource: 'r', message: 'm' }).success).toBe(false);
  });

  it('session shapes are anchored and stateless (no g or y flag: test() must not remember)', () => {
    expect(SESSION_SHAPES.length).toBeGreaterThan(0);
    for (const shape of SESSION_SHAPES) {
      expect(shape.pattern.source.startsWith('^')).toBe(true);
      expect(shape.pattern.flags).not.toMatch(/[gy]/);
    }
  });
});
