/**
 * The options every command accepts, and the check of the global AWS flags
 * (and the variables that stand in for them) before any command runs, so a
 * typo gives one line naming it instead of an SDK error from deep inside the
 * first call.
 */
import { usageError } from '../core/errors.js';
import { visibleControls } from '../core/escape.js';
import { KNOWN_REGIONS, nearestRegion } from '../core/known-regions.js';
import type { FormatFlags } from './output-format.js';

/** The global flags this checks. */
export interface AwsFlags {
  profile?: string;
  region?: string;
  endpointUrl?: string;
}

/** Options every command accepts. */
export interface GlobalOptions extends AwsFlags {
  debug?: boolean;
  /** --output text|json (json-lines: the old spelling of --events json-lines). */
  output?: FormatFlags['output'];
  /** --events text|json-lines: the messages on stderr. */
  events?: FormatFlags['events'];
}

// Region names become a hostname component of every endpoint: letters, digits and single hyphens.
const REGION = /^[a-z0-9]+(?:-[a-z0-9]+)*$/i;

/** Throws a usage error for a malformed endpoint or region, or a profile the shared files do not define. */
export async function checkAwsFlags(flags: AwsFlags, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const endpoint = flags.endpointUrl?.trim();
  if (endpoint) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol)) {
      throw usageError(
        `--endpoint-url ${quote(endpoint)} is not an http(s) URL`,
        'pass a URL such as https://iam.example.internal or http://127.0.0.1:5000',
      );
    }
  }
  const region = [
    ['--region', flags.region],
    ['AWS_REGION', env.AWS_REGION],
    ['AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION],
  ].find(([, v]) => v?.trim());
  if (region && !REGION.test((region[1] as string).trim())) {
    throw usageError(`${region[0]} ${quote(region[1] as string)} is not an AWS region name`, 'use a region such as eu-west-1');
  }
  // A well-formed name AWS does not have (us-east-7) is refused here too: otherwise scan finds nothing there and exits 0.
  const name = region?.[1]?.trim();
  if (region && name && !KNOWN_REGIONS.has(name)) {
    const near = nearestRegion(name);
    throw usageError(
      `${region[0]} ${quote(name)} is not a region AWS has`,
      `${near ? `did you mean ${near}? ` : ''}\`aws ec2 describe-regions --all-regions\` lists them`,
    );
  }
  const [source, profile] = flags.profile?.trim() ? ['--profile', flags.profile.trim()] : ['AWS_PROFILE', env.AWS_PROFILE?.trim()];
  if (profile) {
    // Loaded only when a profile is named: commands that never reach AWS start without the SDK.
    const { loadSharedConfigFiles } = await import('@smithy/core/config');
    const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
    if (!(profile in configFile) && !(profile in credentialsFile)) {
      throw usageError(
        `${source} names profile ${quote(profile)}, which is in neither the shared config nor the credentials file`,
        'check the name with `aws configure list-profiles`',
      );
    }
  }
}

function quote(value: string): string {
  return `'${visibleControls(value)}'`;
}
