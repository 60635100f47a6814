/** Which files `check` reads: links to files, extensions in any case, and files it cannot read as UTF-8 text. */
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPaths } from '../../src/check/check-paths.js';

const SHARED = [
  'Resources:',
  '  Shared:',
  '    Type: AWS::IAM::Role',
  '    Properties:',
  '      AssumeRolePolicyDocument:',
  '        Statement:',
  '          - { Effect: Allow, Principal: { Service: [lambda.amazonaws.com, ecs-tasks.amazonaws.com] }, Action: sts:AssumeRole }',
  '',
].join('\n');

describe('check discovery', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'split-role-discovery-'));
  });

  it('reads upper-case extensions (stack.YAML, app.Template)', async () => {
    const dir = await mkdtemp(join(root, 'case-'));
    await writeFile(join(dir, 'stack.YAML'), SHARED);
    await writeFile(join(dir, 'app.Template'), SHARED);
    const report = await checkPaths([dir], { cwd: dir });
    expect(report.summary.filesChecked).toBe(2);
    expect(report.findings.map((f) => f.file).sort()).toEqual(['app.Template', 'stack.YAML']);
  });

  it('follows links to files, once per file, but not links to folders (a loop never ends)', async () => {
    const dir = await mkdtemp(join(root, 'links-'));
    const elsewhere = await mkdtemp(join(root, 'elsewhere-'));
    await writeFile(join(elsewhere, 'linked.yaml'), SHARED);
    await mkdir(join(dir, 'infra'));
    await symlink(join(elsewhere, 'linked.yaml'), join(dir, 'infra', 'stack.yaml'));
    await writeFile(join(dir, 'own.yaml'), SHARED);
    await symlink(join(dir, 'own.yaml'), join(dir, 'alias.yaml'));
    await symlink(dir, join(dir, 'infra', 'loop'));
    const report = await checkPaths([dir], { cwd: dir });
    expect(report.findings.map((f) => f.file).sort()).toEqual(['infra/stack.yaml', 'own.yaml']);
  });

  it('a dangling link with an IaC extension is unreadable, not passed over', async () => {
    const dir = await mkdtemp(join(root, 'dangling-'));
    await symlink(join(dir, 'gone.yaml'), join(dir, 'stack.yaml'));
    const report = await checkPaths([dir], { cwd: dir });
    expect(report.unreadable).toEqual([{ file: 'stack.yaml', reason: 'cannot read: ENOENT' }]);
  });

  it('a file named explicitly that is binary or UTF-16 is unreadable, not skipped', async () => {
    const dir = await mkdtemp(join(root, 'encodings-'));
    await writeFile(join(dir, 'template.bin'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x01, 0x02]));
    await writeFile(join(dir, 'bom.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SHARED, 'utf16le')]));
    await writeFile(join(dir, 'nobom.json'), Buffer.from('{"Resources": {}}', 'utf16le'));
    const report = await checkPaths(
      ['template.bin', 'bom.yaml', 'nobom.json'].map((f) => join(dir, f)),
      { cwd: dir },
    );
    expect(report.summary).toMatchObject({ filesChecked: 0, filesSkipped: 0, filesUnreadable: 3 });
    expect(report.unreadable).toEqual([
      { file: 'bom.yaml', reason: 'UTF-16 text: save it as UTF-8 to check it' },
      { file: 'nobom.json', reason: 'UTF-16 text: save it as UTF-8 to check it' },
      { file: 'template.bin', reason: 'binary data, not a UTF-8 template, plan or Terraform JSON file' },
    ]);
  });

  it('in a folder, a UTF-16 template is unreadable and a binary file is skipped', async () => {
    const dir = await mkdtemp(join(root, 'folder-encodings-'));
    await writeFile(join(dir, 'stack.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SHARED, 'utf16le')]));
    await writeFile(join(dir, 'blob.json'), Buffer.from([0x00, 0x00, 0x01]));
    const report = await checkPaths([dir], { cwd: dir });
    expect(report.summary).toMatchObject({ filesSkipped: 1, filesUnreadable: 1 });
    expect(report.unreadable.map((u) => u.file)).toEqual(['stack.yaml']);
  });
});
