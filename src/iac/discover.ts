/**
 * Finds the files `check` reads: every path given, and under folders the
 * files whose extension IaC uses, skipping dependency and tool folders.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { SplitRoleError } from '../core/errors.js';

/** Folders never searched: dependencies, VCS data, Terraform's provider cache. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.terraform', '.hg', '.svn']);
/** Extensions that may hold a template, a plan, Terraform JSON or Terraform's native syntax. */
const EXTENSIONS = ['.json', '.yaml', '.yml', '.template', '.tf'];

/** A file to read, and whether the user named it (then any extension is read). */
export interface CandidateFile {
  path: string;
  explicit: boolean;
  /** For a symbolic link found in a folder: the file it points to (absolute), to check a file once. */
  target?: string;
}

/** Lists the candidate files under `paths`, sorted, each once. Throws UsageError for a missing path. */
export async function discoverFiles(paths: readonly string[]): Promise<CandidateFile[]> {
  const found = new Map<string, CandidateFile>();
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new SplitRoleError('UsageError', `cannot read ${path}: ${code}`, 'pass existing files or folders');
    }
    if (info.isDirectory()) await walk(path, found);
    else found.set(path, { path, explicit: true });
  }
  // A link to a file the walk also found is that file: checking it twice would repeat its findings.
  const all = [...found.values()];
  const links = all.filter((c) => c.target !== undefined);
  // realpath only when there are links: most trees have none, and some have many thousand files.
  const direct = new Set(
    links.length === 0
      ? []
      : await Promise.all(all.filter((c) => c.target === undefined).map((c) => realpath(c.path).catch(() => resolve(c.path)))),
  );
  return all
    .filter((c) => c.target === undefined || !direct.has(c.target))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** True when `name` ends in an IaC extension, in any case (`stack.YAML`, `x.Template`). */
export function hasIacExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return EXTENSIONS.some((ext) => lower.endsWith(ext));
}

async function walk(dir: string, found: Map<string, CandidateFile>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  // Why skip cdk.out/asset.*: those are bundled Lambda code and Docker contexts,
  // full of package.json files, never templates.
  const inCdkOut = basename(dir) === 'cdk.out';
  // Links to folders are not followed: a link cycle would never end, and a
  // linked tree is checked where it lives. Links to files are read: a gate
  // that skips them passes on templates nobody read.
  await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(entry.name) || (inCdkOut && entry.name.startsWith('asset.'))) return;
        await walk(path, found);
      } else if (!hasIacExtension(entry.name) || found.has(path)) {
        return;
      } else if (entry.isFile()) {
        found.set(path, { path, explicit: false });
      } else if (entry.isSymbolicLink()) {
        const target = await linkedFile(path);
        // A dangling link is kept: reading it reports the file as unreadable rather than passing over it.
        if (target !== false) found.set(path, { path, explicit: false, ...(target ? { target } : {}) });
      }
    }),
  );
}

/** Where a link to a file points (absolute), false for a link to a folder or device, undefined when it dangles. */
async function linkedFile(path: string): Promise<string | false | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? await realpath(path) : false;
  } catch {
    return undefined;
  }
}
