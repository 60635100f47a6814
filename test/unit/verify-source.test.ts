/** Where `verify` reads after cutover: the plan's engine settings unless flags say otherwise. */
import { describe, expect, it } from 'vitest';
import { verifySource } from '../../src/cutover/verify.js';

const ATHENA_PLAN = { source: 'athena' as const, regions: ['us-east-1'], athena: { table: 'cloudtrail.org_logs', workgroup: 'audit', output: 's3://results/split-role/' } };

describe('verifySource', () => {
  it('reads the plan’s own engine when no flag is given', () => {
    expect(verifySource(ATHENA_PLAN, undefined)).toEqual(ATHENA_PLAN);
  });

  it('lets flags for the plan’s source override only what they name', () => {
    expect(verifySource(ATHENA_PLAN, { source: 'athena', athena: { workgroup: 'primary' } })).toEqual({ ...ATHENA_PLAN, athena: { ...ATHENA_PLAN.athena, workgroup: 'primary' } });
    const lake = { source: 'cloudtrail-lake' as const, eventDataStore: 'EXAMPLE-store-1' };
    expect(verifySource(lake, { source: 'cloudtrail-lake', eventDataStore: 'EXAMPLE-store-2' })).toEqual({ source: 'cloudtrail-lake', eventDataStore: 'EXAMPLE-store-2' });
  });

  it('takes another source as given, without the plan’s engine settings', () => {
    expect(verifySource(ATHENA_PLAN, { source: 'logs', cloudtrailLogs: '/trail' })).toEqual({ source: 'logs', cloudtrailLogs: '/trail' });
    expect(verifySource({ source: 'logs', cloudtrailLogs: '/a' }, { source: 'logs', cloudtrailLogs: '/b' })).toEqual({ source: 'logs', cloudtrailLogs: '/b' });
  });
});
