/**
 * A CDK cloud assembly's `manifest.json` names the account each stack deploys
 * to (`environment: aws://123456789012/eu-west-1`). CDK Pipelines write one
 * per stage assembly, beside that stage's templates. Reading it keeps the
 * pipeline's target accounts from being reported as cross-account.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isRecord } from './types.js';

const ENVIRONMENT = /^aws:\/\/(\d{12})\//;

/** Template file name → target account, from the manifest beside the templates; empty when there is none. */
export async function readCdkTargets(dir: string): Promise<Map<string, string>> {
  const targets = new Map<string, string>();
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    // No manifest (or not one we can read): the templates are judged without a target account.
    return targets;
  }
  const artifacts = isRecord(manifest) && isRecord(manifest.artifacts) ? manifest.artifacts : {};
  for (const artifact of Object.values(artifacts)) {
    if (!isRecord(artifact) || artifact.type !== 'aws:cloudformation:stack' || typeof artifact.environment !== 'string') continue;
    const account = ENVIRONMENT.exec(artifact.environment)?.[1];
    const template = isRecord(artifact.properties) ? artifact.properties.templateFile : undefined;
    if (account && typeof template === 'string') targets.set(template, account);
  }
  return targets;
}

/** Looks up the target account of CDK templates, reading each folder's manifest once. */
export class CdkTargetIndex {
  private readonly byDir = new Map<string, Promise<Map<string, string>>>();

  /** The account `path` deploys to, when a manifest beside it says. */
  async accountOf(path: string): Promise<string | undefined> {
    if (!path.endsWith('.template.json')) return undefined;
    const dir = dirname(path);
    let targets = this.byDir.get(dir);
    if (!targets) {
      targets = readCdkTargets(dir);
      this.byDir.set(dir, targets);
    }
    return (await targets).get(basename(path));
  }
}
