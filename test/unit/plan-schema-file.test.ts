import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { planJsonSchema } from '../../src/plan/schema.js';

describe('plans/plan.schema.json', () => {
  it('is the JSON Schema of the current plan format (run `npm run schema` after changing it)', async () => {
    const published: unknown = JSON.parse(await readFile(new URL('../../plans/plan.schema.json', import.meta.url), 'utf8'));
    expect(published).toEqual(planJsonSchema());
    expect(published).toHaveProperty(['properties', 'schemaVersion'], { type: 'number', const: 2 });
  });
});
