/**
 * Reading and writing plan files: canonical JSON, a sha256 seal, atomic
 * writes, and validation on every read. A plan that fails any check is
 * refused before anything touches AWS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { canonicalJson, PROTOTYPE_KEYS } from '../core/canonical-json.js';
import { SplitRoleError } from '../core/errors.js';
import { PLAN_SCHEMA_VERSION, planSchema, type Plan, type PlanBody } from './schema.js';

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
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
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

/** The Markdown review written beside a plan file. */
export function reviewPathFor(planPath: string): string {
  return `${planPath.replace(/\.json$/, '')}.md`;
}

/** Writes a sealed plan atomically, pretty-printed for review. */
export async function writePlan(path: string, plan: Plan): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(plan, null, 2)}\n`);
}

/** Plans larger than this are refused unread: a real plan is a few hundred kilobytes. */
export const MAX_PLAN_BYTES = 20 * 1024 * 1024;

/** Reads and validates a plan: size, parse, version, schema, then digest. */
export async function readPlan(path: string): Promise<Plan> {
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      // Measured on the open file, so the file checked is the file read.
      const { size } = await handle.stat();
      if (size > MAX_PLAN_BYTES) {
        throw new SplitRoleError(
          'PlanTooLarge',
          `${path} is ${(size / 1024 / 1024).toFixed(1)} MB; plans over ${MAX_PLAN_BYTES / 1024 / 1024} MB are refused unread`,
          'regenerate it with `split-role plan`',
        );
      }
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof SplitRoleError) throw error;
    throw new SplitRoleError(
      'PlanUnreadable',
      `cannot read plan ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parsePlan(text, path);
}

/** Validates plan text; `source` names it in errors. */
export function parsePlan(text: string, source: string): Plan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SplitRoleError(
      'PlanCorrupt',
      `${source} is not valid JSON (${(error as Error).message})`,
      'regenerate it with `split-role plan`',
    );
  }
  const polluting = prototypeKeyPath(raw, '');
  if (polluting !== undefined) {
    throw new SplitRoleError(
      'PlanInvalid',
      `${source} has a key ${polluting} that split-role never writes`,
      'regenerate it with `split-role plan`',
    );
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== PLAN_SCHEMA_VERSION) {
    throw new SplitRoleError(
      'PlanVersionUnsupported',
      `${source} has schemaVersion ${JSON.stringify(version)}; this split-role reads version ${PLAN_SCHEMA_VERSION}`,
      version === 1
        ? 'version 1 plans know one region and no resource policies: re-plan with `split-role plan` (roll back an applied one with the release that wrote it)'
        : 'use the split-role release that wrote the plan, or re-plan',
    );
  }
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw new SplitRoleError(
      'PlanInvalid',
      `${source} fails the plan schema at ${where}: ${issue?.message}`,
      'regenerate it with `split-role plan`',
    );
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

/** The path of the first `__proto__`, `constructor` or `prototype` key, if any. */
function prototypeKeyPath(value: unknown, at: string): string | undefined {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = prototypeKeyPath(item, `${at}[${i}]`);
      if (found !== undefined) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const here = at ? `${at}.${key}` : key;
      if (PROTOTYPE_KEYS.has(key)) return here;
      const found = prototypeKeyPath(child, here);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
