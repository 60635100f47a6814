/** The account's regions: which exist, and which are enabled (opt-in regions count once opted in). */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { usageError } from '../core/errors.js';
import { partitionOf } from '../core/regions.js';
import { loadSdk } from './sdk-modules.js';

/** A region of the account's partition, and whether the account can use it. */
export interface AccountRegion {
  name: string;
  enabled: boolean;
}

/**
 * Every region of the client's partition DescribeRegions knows, with whether
 * the account can use it (an opt-in region once opted in). Regions of other
 * partitions are dropped: AWS never lists them, but emulators may.
 */
export async function accountRegions(ec2: EC2Client): Promise<AccountRegion[]> {
  const { DescribeRegionsCommand } = await loadSdk('client-ec2');
  const out = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
  const partition = partitionOf(await ec2.config.region());
  return (out.Regions ?? []).flatMap((r) =>
    r.RegionName && partitionOf(r.RegionName) === partition ? [{ name: r.RegionName, enabled: r.OptInStatus !== 'not-opted-in' }] : [],
  );
}

/**
 * The regions a command covers: `requested` (from --regions) checked against
 * the account's, or the enabled ones. An unknown or disabled region is a
 * usage error (exit 2), raised before anything changes.
 */
export async function resolveRegions(session: RegionSource, requested: readonly string[] | undefined): Promise<string[]> {
  if (!requested) return session.enabledRegions();
  if (requested.length === 0)
    throw usageError(
      '--regions names no region',
      'pass a comma-separated list such as us-east-1,eu-west-1, or leave it out for every enabled region',
    );
  const known = await session.accountRegions();
  const byName = new Map(known.map((r) => [r.name, r]));
  const unknown = requested.filter((r) => !byName.has(r));
  if (unknown.length > 0)
    throw usageError(
      `--regions names unknown region(s): ${unknown.join(', ')}`,
      'list the account’s regions with `aws ec2 describe-regions --all-regions`',
    );
  const disabled = requested.filter((r) => !byName.get(r)?.enabled);
  if (disabled.length > 0) throw usageError(`--regions names region(s) not enabled for this account: ${disabled.join(', ')}`);
  return [...new Set(requested)];
}

/** Where a command learns the account's regions (an AwsSession: read once per run). */
export interface RegionSource {
  accountRegions(): Promise<AccountRegion[]>;
  enabledRegions(): Promise<string[]>;
}

/** Splits `a,b , c` into region names. */
export function parseRegionList(text: string): string[] {
  return text
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
}
