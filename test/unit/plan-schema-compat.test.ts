/**
 * The catalog fields (catalog version, unmapped events, access levels,
 * expanded unused actions, unreadable identities, baselines) were added to
 * plan format 1 as optional fields, so plans written before them still read
 * and apply: no schemaVersion bump. Format 2 (regions, resource policies)
 * keeps them optional; this pins that. So does evidence.config: plans
 * written before it keep their source's settings in fields of their own
 * (location, athena, eventDataStore), which their source still reads.
 */
import { describe, expect, it } from 'vitest';
import { planEvidence } from '../../src/evidence/settings.js';
import { parsePlan, sealPlan } from '../../src/plan/plan-file.js';
import { PLAN_SCHEMA_VERSION, type PlanBody } from '../../src/plan/schema.js';
import { sampleBody } from './fixtures/plan-fixtures.js';

/** A plan body as the build before the catalog wrote it. */
function preCatalogBody(): PlanBody {
  const body = structuredClone(sampleBody());
  delete body.evidence.catalogVersion;
  delete body.evidence.unreadableIdentities;
  delete body.unmappedEvents;
  delete body.decisions.unmapped;
  delete body.decisions.baselines;
  for (const unused of body.unused) {
    delete unused.unusedActions;
    delete unused.unusedActionCount;
  }
  for (const role of body.newRoles) {
    delete role.accessLevels;
    for (const action of role.actions) delete action.accessLevel;
    for (const blind of role.unobservable) delete blind.baseline;
  }
  return body;
}

describe('the plan format with and without the catalog fields', () => {
  it('a new plan carries the catalog fields', () => {
    const body = sampleBody();
    expect(body.schemaVersion).toBe(PLAN_SCHEMA_VERSION);
    expect(body.evidence.catalogVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.newRoles.every((r) => r.accessLevels !== undefined)).toBe(true);
  });

  it('a plan written before them still reads, seals and keeps its content', () => {
    const old = sealPlan(preCatalogBody());
    const text = JSON.stringify(old);
    expect(text).not.toContain('catalogVersion');
    expect(text).not.toContain('accessLevel');
    expect(parsePlan(text, 'an older plan')).toEqual(old);
  });
});

/** A plan body as builds before `evidence.config` wrote it: the source's settings in fields of their own. */
function preConfigBody(source: string, fields: Record<string, unknown>): PlanBody {
  const body = structuredClone(sampleBody());
  const { config: _config, ...evidence } = body.evidence;
  body.evidence = { ...evidence, source, ...fields };
  return body;
}

describe('the plan format with and without evidence.config', () => {
  it('a new plan keeps the source’s settings in evidence.config', () => {
    expect(sampleBody().evidence).toMatchObject({ source: 'logs', config: { location: '/var/log/cloudtrail' } });
  });

  it.each([
    ['logs', { location: '/var/trail' }, { location: '/var/trail' }],
    ['athena', { athena: { table: 'cloudtrail.logs', workgroup: 'audit' } }, { table: 'cloudtrail.logs', workgroup: 'audit' }],
    ['cloudtrail-lake', { eventDataStore: 'EXAMPLE-store-1' }, { eventDataStore: 'EXAMPLE-store-1' }],
    ['access-analyzer', { location: 's3://trail-bucket/AWSLogs/' }, { files: { location: 's3://trail-bucket/AWSLogs/' } }],
    ['lookup-events', {}, {}],
  ])('a %s plan written before it still reads, keeps its content, and gives its settings', (source, fields, config) => {
    const old = sealPlan(preConfigBody(source, fields));
    const text = JSON.stringify(old);
    expect(text).not.toContain('"config"');
    const plan = parsePlan(text, 'an older plan');
    expect(plan).toEqual(old);
    expect(planEvidence(plan.evidence)).toEqual({ source, config });
  });

  it('an older plan whose settings are broken is refused on read', () => {
    const text = JSON.stringify(sealPlan(preConfigBody('athena', { athena: { table: 'no dot' } })));
    expect(() => parsePlan(text, 'an older plan')).toThrow(/fails the plan schema at evidence\.config\.table/);
  });
});
