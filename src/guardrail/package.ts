/**
 * The guardrail function's deployment package: the built handler
 * (dist/guardrail/handler.js) and every compiled module it imports, as a zip
 * with split-role's dist layout. Only @aws-sdk clients stay outside it: the
 * Lambda Node.js runtime provides them. Any other package import would fail
 * at run time, so it is refused here.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { SplitRoleError } from '../core/errors.js';

/** The built package, and what it holds. */
export interface HandlerPackage {
  zip: Uint8Array;
  /** Paths inside the zip, sorted. */
  files: string[];
  /** Bare imports the runtime must provide (AWS SDK clients). */
  runtimeImports: string[];
}

// Relative specifiers in tsc's ESM output: static imports and re-exports, side-effect and dynamic imports.
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
const BARE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]((?!\.{1,2}\/|node:)[^'"]+)['"]/g;
const RUNTIME_PROVIDED = /^@aws-sdk\/client-[a-z0-9-]+$/;
// A fixed timestamp: the same handler gives the same zip, so Terraform's source_code_hash only changes with the code.
const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');

/** Builds the package from the handler beside this module (dist/guardrail/handler.js in an installed split-role). */
export async function buildHandlerPackage(entry = fileURLToPath(new URL('./handler.js', import.meta.url))): Promise<HandlerPackage> {
  const root = dirname(dirname(entry));
  const files = new Map<string, Uint8Array>();
  const runtimeImports = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    const name = relative(root, file).split(sep).join('/');
    if (files.has(name)) continue;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new SplitRoleError(
        'HandlerMissing',
        `cannot read the guardrail handler's module ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        'build split-role first (npm run build)',
      );
    }
    files.set(name, new TextEncoder().encode(text));
    for (const match of text.matchAll(RELATIVE_IMPORT)) pending.push(join(dirname(file), match[1] as string));
    for (const match of text.matchAll(BARE_IMPORT)) runtimeImports.add(match[1] as string);
  }
  const foreign = [...runtimeImports].filter((specifier) => !RUNTIME_PROVIDED.test(specifier));
  if (foreign.length > 0) {
    throw new SplitRoleError(
      'HandlerImports',
      `the guardrail handler imports ${foreign.join(', ')}, which the Lambda runtime does not provide`,
      'this is a bug in split-role: please report it',
    );
  }
  // ESM: the runtime loads .js files as modules only under a package.json that says so.
  files.set('package.json', new TextEncoder().encode(`${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`));
  const names = [...files.keys()].sort();
  const zip = zipSync(Object.fromEntries(names.map((n) => [n, [files.get(n) as Uint8Array, { mtime: FIXED_MTIME }]])), { level: 9 });
  return { zip, files: names, runtimeImports: [...runtimeImports].sort() };
}
