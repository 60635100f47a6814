/** Where `verify` reads after cutover: the plan's source and settings unless flags say otherwise. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyEvidenceSettings } from '../../src/evidence/settings.js';
import type { EvidenceSettings } from '../../src/evidence/source.js';

const ATHENA_PLAN: EvidenceSettings = {
  source: 'athena',
  config: { table: 'cloudtrail.org_logs', workgroup: 'audit', output: 's3://results/split-role/' },
};
const LAKE_PLAN: EvidenceSettings = { source: 'cloudtrail-lake', config: { eventDataStore: 'EXAMPLE-store-1' } };

/** verify's settings from its flags (commander's attribute names), not at a terminal. */
function verifyWith(planned: EvidenceSettings, flags: Record<string, string> = {}): EvidenceSettings {
  return verifyEvidenceSettings(planned, flags.evidence, flags, false);
}

describe('verify’s evidence settings', () => {
  it('reads the plan’s own source and settings when no flag is given', () => {
    expect(verifyWith(ATHENA_PLAN)).toEqual(ATHENA_PLAN);
    expect(verifyWith(ATHENA_PLAN, { evidence: 'athena' })).toEqual(ATHENA_PLAN);
  });

  it('lets flags for the plan’s source override only what they name', () => {
    expect(verifyWith(ATHENA_PLAN, { athenaWorkgroup: 'primary' })).toEqual({
      source: 'athena',
      config: { ...ATHENA_PLAN.config, workgroup: 'primary' },
    });
    expect(verifyWith(LAKE_PLAN, { eventDataStore: 'EXAMPLE-store-2' })).toEqual({
      source: 'cloudtrail-lake',
      config: { eventDataStore: 'EXAMPLE-store-2' },
    });
    expect(verifyWith({ source: 'logs', config: { location: '/a', maxSkippedFiles: 0 } }, { cloudtrailLogs: '/b' })).toEqual({
      source: 'logs',
      config: { location: '/b', maxSkippedFiles: 0 },
    });
  });

  it('takes another source as given, without the plan’s settings', () => {
    expect(verifyWith(ATHENA_PLAN, { cloudtrailLogs: '/trail' })).toEqual({ source: 'logs', config: { location: '/trail' } });
    expect(verifyWith(ATHENA_PLAN, { evidence: 'lookup-events' })).toEqual({ source: 'lookup-events', config: {} });
    expect(verifyWith({ source: 'logs', config: { location: '/a' } }, { eventDataStore: 'EXAMPLE-store-3' })).toEqual({
      source: 'cloudtrail-lake',
      config: { eventDataStore: 'EXAMPLE-store-3' },
    });
  });

  it('keeps a plan’s access-analyzer source when --cloudtrail-logs is given, reading those files for the sessions', () => {
    const planned: EvidenceSettings = {
      source: 'access-analyzer',
      config: { trailArn: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/t', accessRoleArn: 'arn:aws:iam::123456789012:role/aa' },
    };
    expect(verifyWith(planned, { cloudtrailLogs: 'trail-files' })).toEqual({
      source: 'access-analyzer',
      config: { ...planned.config, files: { location: resolve('trail-files') } },
    });
  });

  it('refuses, in one line, a source whose settings neither the flags nor the plan give', () => {
    expect(() => verifyWith(LAKE_PLAN, { evidence: 'athena' })).toThrow(/^--evidence athena needs the trail’s Athena table$/);
    expect(() => verifyWith(ATHENA_PLAN, { evidence: 'logs' })).toThrow(/^--evidence logs needs the trail’s files$/);
    expect(() => verifyWith(ATHENA_PLAN, { athenaTable: 'no-dot' })).toThrow(/^--athena-table must be DATABASE\.TABLE/);
  });
});
