/**
 * The evidence cache: what a plan read from CloudTrail, kept on disk so a
 * second run (after Ctrl-C, or a plan of the same role again) reads only what
 * is missing. Two kinds of entry, each keyed by what makes it valid:
 *
 * - a LookupEvents query (endpoint, account, region, lookup attribute): the
 *   records it returned and the time spans it has read whole. A later window
 *   asks only the spans not yet read; cached records outside the window are
 *   never handed out.
 * - a trail file (location, account, role; file name, size, ETag or mtime):
 *   the role's records the byte filter kept from it, and how many it left.
 *
 * Files are JSON, one per query or per trail location, written atomically with
 * a version field; a file that fails validation is ignored with a warning (it
 * is outside input, like a trail file). Writes are synchronous so a SIGINT
 * handler can flush before the process exits.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import { canonicalJson } from '../core/canonical-json.js';
import { EVIDENCE_CACHE_VERSION, lookupFileSchema, trailFilesSchema, type IdentifiedRecord } from './evidence-cache-schema.js';
import { mergeSpans, missingSpans, type Span } from './time-spans.js';
import type { CloudTrailRecord } from './types.js';

export { EVIDENCE_CACHE_VERSION, type IdentifiedRecord } from './evidence-cache-schema.js';
export { missingSpans, type Span } from './time-spans.js';

/** What makes a LookupEvents answer valid: where it was asked, and what. */
export interface LookupQueryKey {
  /** The CloudTrail endpoint when one was set (an emulator, a VPC endpoint); absent for AWS's own. */
  endpoint?: string;
  account: string;
  region: string;
  attribute: { key: string; value: string };
}

/** What makes a trail file's cached records valid besides the file itself: where, whose account, which role's records. */
export interface TrailScopeKey {
  location: string;
  account: string;
  role: string;
}

/** One trail file as listed: a changed size or tag is a changed file. */
export interface TrailFileId {
  name: string;
  size: number | undefined;
  /** The S3 ETag, or a local file's mtime in ms, as text. */
  tag: string | undefined;
}

/** What reading one trail file whole gave. */
export interface CachedTrailFile {
  /** The records the byte filter kept (all of them without a role filter). */
  records: CloudTrailRecord[];
  /** Records in the file the filter left unparsed. */
  skipped: number;
  /** Bytes after gunzip. */
  uncompressedBytes: number;
}

/**
 * The cache folder, or undefined for none: --no-evidence-cache turns it off;
 * --evidence-cache DIR, else SPLIT_ROLE_EVIDENCE_CACHE (`off`: none), names it;
 * else, for a person at a terminal, $XDG_CACHE_HOME/split-role/evidence or
 * ~/.cache/split-role/evidence. Unattended runs (CI) keep nothing unless told
 * where: their plans come from what AWS says now, and a runner's home is
 * rarely there the next time.
 */
export function evidenceCacheDir(
  flag: string | boolean | undefined,
  attended: boolean,
  env: NodeJS.ProcessEnv = process.env,
  home: () => string = homedir,
): string | undefined {
  if (flag === false) return undefined;
  if (typeof flag === 'string' && flag !== '') return resolve(flag);
  const named = env.SPLIT_ROLE_EVIDENCE_CACHE;
  if (named) return named === 'off' ? undefined : resolve(named);
  if (!attended) return undefined;
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored.
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(home(), '.cache');
  return join(base, 'split-role', 'evidence');
}

/** One LookupEvents query's cache entry, as a source uses it. */
export interface CachedQuery {
  /** The cached records whose time lies inside `window` (the only ones ever handed out). */
  recordsIn(window: Span): IdentifiedRecord[];
  /** The parts of `window` not yet read whole. */
  missing(window: Span): Span[];
  /** Records just read, and (when known) the span they complete. */
  add(records: readonly IdentifiedRecord[], covered?: Span): void;
}

/** One trail location's cache entries, as the trail reader uses them. */
export interface CachedTrailFiles {
  /** The file's cached read, when the file is unchanged. */
  get(file: TrailFileId): CachedTrailFile | undefined;
  /** Keeps a file read whole. */
  put(file: TrailFileId, read: CachedTrailFile): void;
}

/** The narrow view evidence sources get of the cache. */
export interface EvidenceCacheView {
  readonly dir: string;
  query(key: LookupQueryKey): CachedQuery;
  trailFiles(key: TrailScopeKey): CachedTrailFiles;
  /** True when the record was handed out by this cache. */
  served(record: CloudTrailRecord): boolean;
  /** Records the trail reader counted from cached files without parsing them. */
  readonly unparsedServed: number;
}

/** One cache file in memory: what to write back, and whether it changed. */
interface Entry {
  path: string;
  dirty: boolean;
  serialize(): unknown;
}

/** The cache in one folder; loads an entry's file on first use, writes changed ones on flush. */
export class EvidenceCache implements EvidenceCacheView {
  unparsedServed = 0;
  private readonly handedOut = new WeakSet<object>();
  private readonly entries = new Map<string, Entry>();
  private readonly views = new Map<string, unknown>();
  private writeFailed = false;
  private holding = false;

  constructor(
    readonly dir: string,
    private readonly warn: (message: string) => void,
  ) {}

  /** The cache entry of one LookupEvents query. */
  query(key: LookupQueryKey): CachedQuery {
    return this.view('lookup-events', key, () => {
      const { path, id } = this.locate('lookup-events', key);
      const loaded = this.load(path, lookupFileSchema, key);
      const byId = new Map((loaded?.records ?? []).map((r) => [r.eventID, r]));
      let covered: Span[] = loaded?.covered ?? [];
      const entry: Entry = {
        path,
        dirty: false,
        serialize: () => ({
          version: EVIDENCE_CACHE_VERSION,
          kind: 'lookup-events',
          key: { ...key },
          covered,
          records: [...byId.values()],
        }),
      };
      this.entries.set(id, entry);
      const view: CachedQuery = {
        recordsIn: (window) => {
          const inside = [...byId.values()].filter((r) => {
            const t = Date.parse(r.eventTime);
            return t >= window.start && t <= window.end;
          });
          for (const record of inside) this.handedOut.add(record);
          return inside;
        },
        missing: (window) => missingSpans(covered, window),
        add: (records, span) => {
          for (const record of records) if (!byId.has(record.eventID)) byId.set(record.eventID, record);
          if (span && span.start <= span.end) covered = mergeSpans([...covered, span]);
          entry.dirty = true;
        },
      };
      return view;
    });
  }

  /** The cache entries of one trail location, for one role. */
  trailFiles(key: TrailScopeKey): CachedTrailFiles {
    return this.view('trail-files', key, () => {
      const { path, id } = this.locate('trail-files', key);
      const loaded = this.load(path, trailFilesSchema, key);
      const files = new Map<string, CachedTrailFile & { size?: number; tag?: string }>(Object.entries(loaded?.files ?? {}));
      const entry: Entry = {
        path,
        dirty: false,
        serialize: () => ({ version: EVIDENCE_CACHE_VERSION, kind: 'trail-files', key: { ...key }, files: Object.fromEntries(files) }),
      };
      this.entries.set(id, entry);
      const view: CachedTrailFiles = {
        get: (file) => {
          const found = files.get(file.name);
          // A file without a size or tag cannot be told apart from a rewritten one.
          if (!found || file.size === undefined || file.tag === undefined || found.size !== file.size || found.tag !== file.tag)
            return undefined;
          for (const record of found.records) this.handedOut.add(record);
          this.unparsedServed += found.skipped;
          return found;
        },
        put: (file, read) => {
          if (file.size === undefined || file.tag === undefined) return;
          files.set(file.name, { size: file.size, tag: file.tag, ...read, records: [...read.records] });
          entry.dirty = true;
        },
      };
      return view;
    });
  }

  /** True once the folder holds evidence of this run or an earlier one for what this run asked. */
  get holdsEvidence(): boolean {
    return this.holding;
  }

  served(record: CloudTrailRecord): boolean {
    return this.handedOut.has(record);
  }

  /**
   * Writes every changed entry (temp file, then rename: a reader never sees
   * half a file). Synchronous, for a SIGINT handler. A failure is a warning:
   * the plan does not depend on the cache.
   */
  flush(): number {
    let written = 0;
    for (const entry of this.entries.values()) {
      if (!entry.dirty) continue;
      const temp = `${entry.path}.${process.pid}.tmp`;
      try {
        mkdirSync(dirname(entry.path), { recursive: true, mode: 0o700 });
        writeFileSync(temp, JSON.stringify(entry.serialize()), { mode: 0o600 });
        renameSync(temp, entry.path);
        entry.dirty = false;
        written += 1;
        this.holding = true;
      } catch (error) {
        rmSync(temp, { force: true });
        if (!this.writeFailed) this.warn(`could not write the evidence cache in ${this.dir}: ${(error as Error).message}`);
        this.writeFailed = true;
      }
    }
    return written;
  }

  /** One view per key, so every reader of a query shares its records. */
  private view<T>(kind: string, key: object, make: () => T): T {
    const id = canonicalJson([kind, key]);
    let view = this.views.get(id) as T | undefined;
    if (view === undefined) this.views.set(id, (view = make()));
    return view;
  }

  private locate(kind: string, key: object): { path: string; id: string } {
    const id = canonicalJson([kind, key]);
    return { id, path: join(this.dir, kind, `${createHash('sha256').update(id).digest('hex').slice(0, 40)}.json`) };
  }

  /** The entry's file if it is valid and for this key; a missing file is simply empty, a bad one is warned of. */
  private load<T extends { version: number; key: object }>(path: string, schema: z.ZodType<T>, key: object): T | undefined {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.warn(`ignored evidence cache file ${path}: not valid JSON`);
      return undefined;
    }
    const version = (json as { version?: unknown } | null)?.version;
    if (version !== EVIDENCE_CACHE_VERSION) {
      this.warn(`ignored evidence cache file ${path}: format version ${String(version)}, this split-role reads ${EVIDENCE_CACHE_VERSION}`);
      return undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.warn(`ignored evidence cache file ${path}: ${issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'invalid'}`);
      return undefined;
    }
    // The name is a hash of the key: a file copied or renamed onto it holds another query's records.
    if (canonicalJson(parsed.data.key) !== canonicalJson(key)) {
      this.warn(`ignored evidence cache file ${path}: it belongs to another query`);
      return undefined;
    }
    this.holding = true;
    return parsed.data;
  }
}
