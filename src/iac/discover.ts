/**
 * Finds the files `check` reads: every path given, and under folders the
 * files whose extension IaC uses, skipping dependency and tool folders.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SplitRoleError } from '../core/errors.js';

/** Folders never searched: dependencies, VCS data, Terraform's provider cache. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.terraform', '.hg', '.svn']);
/** Extensions that may hold a template, a plan or Terraform JSON. */
const EXTENSIONS = ['.json', '.yaml', '.yml', '.template'];

/** A file to read, and whether the user named it (then any extension is read). */
export interface CandidateFile {
  path: string;
  explicit: boolean;
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
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function walk(dir: string, found: Map<string, CandidateFile>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  // Why skip cdk.out/asset.*: those are bundled Lambda code and Docker contexts,
  // full of package.json files, never templates.
  const inCdkOut = basename(dir) === 'cdk.out';
  // Symbolic links are not followed (Dirent reports them as links): a link
  // cycle would never end, and a linked tree is checked where it lives.
  await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(entry.name) || (inCdkOut && entry.name.startsWith('asset.'))) return;
        await walk(path, found);
      } else if (entry.isFile() && EXTENSIONS.some((ext) => entry.name.endsWith(ext)) && !found.has(path)) {
        found.set(path, { path, explicit: false });
      }
    }),
  );
}
