import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SplitRoleError } from '../../src/core/errors.js';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { digestOf, MAX_PLAN_BYTES, parsePlan, readPlan, sealPlan, writeFileAtomic, writePlan } from '../../src/plan/plan-file.js';
import { planSchema, type Plan } from '../../src/plan/schema.js';
import { sampleBody, samplePlan } from './fixtures/plan-fixtures.js';
import { refusal } from './fixtures/refusal.js';

type Json = Record<string, unknown>;

/** Reverses key order at every level, keeping content. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .reverse()
        .map((k) => [k, reverseKeys((value as Json)[k])]),
    );
  }
  return value;
}

async function refusalAsync(run: () => Promise<unknown>): Promise<SplitRoleError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SplitRoleError);
  return error as SplitRoleError;
}

describe('canonicalJson', () => {
  const cases: Array<{ name: string; a: unknown; b: unknown; equal: boolean }> = [
    { name: 'top-level key order', a: { a: 1, b: 2 }, b: { b: 2, a: 1 }, equal: true },
    { name: 'nested key order', a: { x: { c: [1, { e: 1, d: 2 }], a: null } }, b: { x: { a: null, c: [1, { d: 2, e: 1 }] } }, equal: true },
    { name: 'undefined members are dropped', a: { a: 1, b: undefined }, b: { a: 1 }, equal: true },
    { name: 'array order matters', a: { a: [1, 2] }, b: { a: [2, 1] }, equal: false },
    { name: 'values matter', a: { a: '1' }, b: { a: 1 }, equal: false },
  ];
  it.each(cases)('$name', ({ a, b, equal }) => {
    expect(canonicalJson(a) === canonicalJson(b)).toBe(equal);
  });

  it('keeps a __proto__ key in the text instead of setting the prototype', () => {
    const parsed = JSON.parse('{"b":1,"__proto__":{"Effect":"Allow"}}') as unknown;
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"Effect":"Allow"},"b":1}');
    expect(canonicalJson(parsed)).not.toBe(canonicalJson({ b: 1 }));
  });

  it('sorts keys', () => {
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":1}');
  });
});

describe('digestOf / sealPlan', () => {
  const plan = samplePlan();

  it('is a sha256 digest that validates', () => {
    expect(plan.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(planSchema.safeParse(plan).success).toBe(true);
  });

  it('is stable across key order', () => {
    expect(digestOf(reverseKeys(plan) as Plan)).toBe(plan.digest);
    expect(sealPlan(reverseKeys(sampleBody()) as Plan).digest).toBe(plan.digest);
  });

  it('ignores the digest field itself', () => {
    expect(digestOf({ ...plan, digest: 'sha256:whatever' })).toBe(plan.digest);
  });

  it('changes with any content', () => {
    expect(digestOf({ ...plan, region: 'us-east-1' })).not.toBe(plan.digest);
    expect(digestOf({ ...plan, retireSharedRole: !plan.retireSharedRole })).not.toBe(plan.digest);
  });
});

describe('plan files on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'split-role-plan-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writePlan + readPlan round-trip the plan exactly', async () => {
    const plan = samplePlan();
    const path = join(dir, 'plan.json');
    await writePlan(path, plan);
    expect(await readPlan(path)).toEqual(plan);
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text).toContain('\n  "schemaVersion": 2');
  });

  it('a plan re-written with another key order still reads', async () => {
    const plan = samplePlan();
    const path = join(dir, 'plan.json');
    await writeFile(path, JSON.stringify(reverseKeys(plan)));
    expect(await readPlan(path)).toEqual(plan);
  });

  it('atomic write leaves no temp file behind and replaces the old content', async () => {
    const path = join(dir, 'plan.json');
    await writeFile(path, 'old');
    await writePlan(path, samplePlan());
    await writeFileAtomic(join(dir, 'plan.md'), '# review\n');
    expect((await readdir(dir)).sort()).toEqual(['plan.json', 'plan.md']);
    expect(await readFile(join(dir, 'plan.md'), 'utf8')).toBe('# review\n');
  });

  it('a failed rename removes its temp file', async () => {
    // A directory at the target path makes the rename fail.
    const path = join(dir, 'taken');
    await mkdir(join(path, 'child'), { recursive: true });
    await expect(writeFileAtomic(path, 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
  });

  it('a missing file is refused as PlanUnreadable', async () => {
    const error = await refusalAsync(() => readPlan(join(dir, 'nope.json')));
    expect(error.code).toBe('PlanUnreadable');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('ENOENT');
  });

  it('a file over 20 MB is refused unread', async () => {
    const path = join(dir, 'plan.json');
    await writeFile(path, Buffer.alloc(MAX_PLAN_BYTES + 1, 0x20));
    const error = await refusalAsync(() => readPlan(path));
    expect(error.code).toBe('PlanTooLarge');
    expect(error.message).toMatch(/is 20\.0 MB; plans over 20 MB are refused unread/);
  });

  it('a truncated file is refused as PlanCorrupt', async () => {
    const path = join(dir, 'plan.json');
    const text = `${JSON.stringify(samplePlan(), null, 2)}\n`;
    await writeFile(path, text.slice(0, Math.floor(text.length / 2)));
    const error = await refusalAsync(() => readPlan(path));
    expect(error.code).toBe('PlanCorrupt');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(path);
  });
});

describe('parsePlan refusals', () => {
  const good = () => JSON.parse(JSON.stringify(samplePlan())) as Json;
  const reseal = (raw: Json) => JSON.stringify({ ...raw, digest: digestOf(raw as Plan) });

  const cases: Array<{ name: string; text: () => string; code: string; message: RegExp }> = [
    { name: 'corrupt JSON', text: () => '{"schemaVersion": 1,', code: 'PlanCorrupt', message: /is not valid JSON/ },
    { name: 'empty file', text: () => '', code: 'PlanCorrupt', message: /is not valid JSON/ },
    { name: 'JSON null', text: () => 'null', code: 'PlanVersionUnsupported', message: /schemaVersion undefined/ },
    {
      name: 'an unknown schemaVersion',
      text: () => JSON.stringify({ ...good(), schemaVersion: 3 }),
      code: 'PlanVersionUnsupported',
      message: /has schemaVersion 3; this split-role reads version 2/,
    },
    {
      name: 'a string schemaVersion',
      text: () => JSON.stringify({ ...good(), schemaVersion: '2' }),
      code: 'PlanVersionUnsupported',
      message: /has schemaVersion "2"/,
    },
    {
      name: 'a version 1 plan',
      text: () => JSON.stringify({ ...good(), schemaVersion: 1 }),
      code: 'PlanVersionUnsupported',
      message: /has schemaVersion 1; this split-role reads version 2/,
    },
    {
      name: 'no schemaVersion',
      text: () => JSON.stringify({ ...good(), schemaVersion: undefined }),
      code: 'PlanVersionUnsupported',
      message: /schemaVersion undefined/,
    },
    {
      name: 'a schema failure (resealed, so only the schema can catch it)',
      text: () => reseal({ ...good(), account: 'not-an-account' }),
      code: 'PlanInvalid',
      message: /fails the plan schema at account:/,
    },
    {
      name: 'a nested schema failure names the path',
      text: () => {
        const raw = good();
        (raw.newRoles as Json[])[1] = { ...(raw.newRoles as Json[])[1], roleName: 'x'.repeat(65) };
        return reseal(raw);
      },
      code: 'PlanInvalid',
      message: /at newRoles\.1\.roleName/,
    },
    {
      name: 'a missing digest',
      text: () => JSON.stringify({ ...good(), digest: undefined }),
      code: 'PlanInvalid',
      message: /at digest/,
    },
    {
      name: 'an edited value',
      text: () => JSON.stringify({ ...good(), region: 'us-east-1' }),
      code: 'PlanDigestMismatch',
      message: /was changed after it was written/,
    },
    {
      name: 'an edited policy',
      text: () => {
        const raw = good();
        const role = (raw.newRoles as Array<{ inlinePolicies: Array<{ document: { Statement: Json[] } }> }>)[0];
        role?.inlinePolicies[0]?.document.Statement.push({ Effect: 'Allow', Action: 'iam:*', Resource: '*' });
        return JSON.stringify(raw);
      },
      code: 'PlanDigestMismatch',
      message: /changed after it was written/,
    },
    {
      name: 'an added unknown field',
      text: () => JSON.stringify({ ...good(), extra: true }),
      code: 'PlanDigestMismatch',
      message: /changed after it was written/,
    },
    {
      name: 'an added unknown nested field',
      text: () => {
        const raw = good();
        (raw.sharedRole as Json).sneaky = 'x';
        return JSON.stringify(raw);
      },
      code: 'PlanDigestMismatch',
      message: /changed after it was written/,
    },
    ...['__proto__', 'constructor', 'prototype'].map((key) => ({
      name: `a ${key} key, resealed`,
      text: () =>
        reseal(JSON.parse(JSON.stringify(good()).replace('"trustPolicy":{', `"trustPolicy":{"${key}":{"Statement":[]},`)) as Json),
      code: 'PlanInvalid',
      message: new RegExp(`has a key sharedRole\\.trustPolicy\\.${key} that split-role never writes`),
    })),
    {
      name: 'a forged digest',
      text: () => JSON.stringify({ ...good(), digest: `sha256:${'0'.repeat(64)}` }),
      code: 'PlanDigestMismatch',
      message: /digest sha256:000000000000… ≠/,
    },
  ];
  it.each(cases)('$name → $code', ({ text, code, message }) => {
    const error = refusal(() => parsePlan(text(), 'plans/x.json'));
    expect(error.code).toBe(code);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('plans/x.json');
    // Every refusal says what to do next: make a new plan.
    expect(error.hint).toMatch(/split-role plan|re-plan/);
  });

  it('a good plan parses to itself', () => {
    const plan = samplePlan();
    expect(parsePlan(JSON.stringify(plan), 'x')).toEqual(plan);
  });
});
