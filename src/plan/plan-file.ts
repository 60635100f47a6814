/**
 * Reading and writing plan files: canonical JSON, a sha256 seal, atomic
 * writes, and validation on every read. A plan that fails any check is
 * refused before anything touches AWS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { SplitRoleError } from '../core/errors.js';
import { PLAN_SCHEMA_VERSION, planSchema, type Plan, type PlanBody } from './schema.js';

/** JSON with object keys sorted at every level, so equal content digests equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) sorted[key] = sortKeys(child);
    }
    return sorted;
  }
  return value;
}

/** The seal: sha256 over the canonical body (the digest field excluded). */
export function digestOf(body: PlanBody | Plan): string {
  const { digest: _ignored, ...rest } = body as Plan;
  return `sha256:${createHash('sha256').update(canonicalJson(rest)).digest('hex')}`;
}

/** Adds the digest to a plan body. */
export function sealPlan(body: PlanBody): Plan {
  return { ...body, digest: digestOf(body) };
}

/** Writes a file atomically: a temp file in the same folder, fsync, then rename. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'w', 0o644);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Writes a sealed plan atomically, pretty-printed for review. */
export async function writePlan(path: string, plan: Plan): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(plan, null, 2)}\n`);
}

/** Reads and validates a plan: parse, version, schema, then digest. */
export async function readPlan(path: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SplitRoleError('PlanUnreadable', `cannot read plan ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parsePlan(text, path);
}

/** Validates plan text; `source` names it in errors. */
export function parsePlan(text: string, source: string): Plan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SplitRoleError('PlanCorrupt', `${source} is not valid JSON (${(error as Error).message})`, 'regenerate it with `split-role plan`');
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== PLAN_SCHEMA_VERSION) {
    throw new SplitRoleError(
      'PlanVersionUnsupported',
      `${source} has schemaVersion ${JSON.stringify(version)}; this split-role reads version ${PLAN_SCHEMA_VERSION}`,
      'use the split-role release that wrote the plan, or re-plan',
    );
  }
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw new SplitRoleError('PlanInvalid', `${source} fails the plan schema at ${where}: ${issue?.message}`, 'regenerate it with `split-role plan`');
  }
  // The digest covers the file as written, so even fields the schema ignores cannot be slipped in.
  const expected = digestOf(raw as Plan);
  if (parsed.data.digest !== expected) {
    throw new SplitRoleError(
      'PlanDigestMismatch',
      `${source} was changed after it was written (digest ${parsed.data.digest.slice(0, 19)}… ≠ ${expected.slice(0, 19)}…)`,
      'a reviewed plan must not be edited: re-run `split-role plan`',
    );
  }
  return raw as Plan;
}
