/**
 * The catalog fields (catalog version, unmapped events, access levels,
 * expanded unused actions, unreadable identities, baselines) were added to
 * plan format 1 as optional fields, so plans written before them still read
 * and apply: no schemaVersion bump. Format 2 (regions, resource policies)
 * keeps them optional; this pins that.
 */
import { describe, expect, it } from 'vitest';
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
