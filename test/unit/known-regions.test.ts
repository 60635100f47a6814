/** The region list split-role refuses typos with is the SDK's own: a new AWS region arrives with an SDK update. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_REGIONS, nearestRegion } from '../../src/core/known-regions.js';

/** The regions in @aws-sdk/core's endpoint partitions (the file the SDK resolves endpoints with). */
function sdkRegions(): string[] {
  const core = dirname(createRequire(import.meta.url).resolve('@aws-sdk/core'));
  const file = join(core, '..', 'dist-es', 'submodules', 'client', 'util-endpoints', 'lib', 'aws', 'partitions.js');
  const text = readFileSync(file, 'utf8');
  const info = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as {
    partitions: Array<{ regions: Record<string, unknown> }>;
  };
  // aws-global and friends are endpoint aliases, not regions a workload runs in.
  return info.partitions.flatMap((p) => Object.keys(p.regions)).filter((r) => !r.startsWith('aws-'));
}

describe('KNOWN_REGIONS', () => {
  it('is exactly the SDK partitions’ regions', () => {
    expect([...KNOWN_REGIONS].sort()).toEqual(sdkRegions().sort());
  });

  it('suggests the region a typo was near', () => {
    expect(nearestRegion('us-east-7')).toBe('us-east-1');
    expect(nearestRegion('xx-nowhere-1')).toBeUndefined();
  });
});
