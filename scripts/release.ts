/**
 * `npm run release`: the installable tarball and its checksum.
 *
 *   npm run release                     # build into a clean folder, pack: release/split-role-VERSION.tgz + .sha256
 *   npm run release -- --out DIR        # somewhere else
 *   npm run release -- --no-build       # pack the dist/ that `npm run build` already made (the install test does this)
 *
 * Install it anywhere: `npm install -g ./release/split-role-VERSION.tgz` (check it first with
 * `sha256sum -c split-role-VERSION.tgz.sha256`).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

interface PackageJson {
  name: string;
  version: string;
  files: string[];
  scripts?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-build': { type: 'boolean' } } });
const outDir = resolve(values.out ?? join(root, 'release'));
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as PackageJson;

// A staging folder, not the clone: a fresh build ships no compiled file whose source was deleted since, and the
// tarball's package.json can drop what only a developer needs.
const stage = await mkdtemp(join(tmpdir(), 'split-role-release-'));
try {
  for (const entry of ['README.md', ...pkg.files]) {
    if (entry === 'dist') continue;
    await cp(join(root, entry), join(stage, entry), { recursive: true });
  }
  if (values['no-build']) {
    await cp(join(root, 'dist'), join(stage, 'dist'), { recursive: true });
  } else {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(
      process.execPath,
      [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', join(stage, 'dist'), '--sourceMap', 'false'],
      {
        stdio: 'inherit',
      },
    );
  }
  // The tarball holds built code: `prepare` (a build) and the dev tools mean nothing to whoever installs it, and npm
  // would list `prepare` as an install script awaiting approval.
  const shipped: PackageJson = { ...pkg };
  delete shipped.scripts;
  delete shipped.devDependencies;
  await writeFile(join(stage, 'package.json'), `${JSON.stringify(shipped, null, 2)}\n`);

  await mkdir(outDir, { recursive: true });
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], { cwd: stage, encoding: 'utf8' }),
  ) as Array<{ filename: string; entryCount: number; size: number }>;
  const tarball = join(outDir, basename(packed[0]?.filename ?? `${pkg.name}-${pkg.version}.tgz`));
  const digest = createHash('sha256')
    .update(await readFile(tarball))
    .digest('hex');
  // The format `sha256sum -c` reads: the digest, two spaces, the file name beside it.
  await writeFile(`${tarball}.sha256`, `${digest}  ${basename(tarball)}\n`);
  process.stdout.write(
    `${tarball}\n${tarball}.sha256: sha256 ${digest} (${packed[0]?.entryCount ?? '?'} files, ${packed[0]?.size ?? '?'} bytes)\n` +
      `install: npm install -g ${tarball}\n`,
  );
} finally {
  await rm(stage, { recursive: true, force: true });
}
