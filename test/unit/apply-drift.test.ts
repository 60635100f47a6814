/** Drift detection of the shared role: what makes apply refuse, and what does not. */
import { describe, expect, it } from 'vitest';
import type { RoleSnapshot } from '../../src/core/role-snapshot.js';
import { roleDrift } from '../../src/apply/preflight.js';
import { ACCOUNT, LAMBDA, SHARED_NAME, sharedRole } from './fixtures/plan-fixtures.js';

describe('roleDrift', () => {
  const recorded = sharedRole();

  it('finds none when the live role is the snapshot, policies listed in another order and keys in another order', () => {
    const live = sharedRole({
      inlinePolicies: [...recorded.inlinePolicies].reverse(),
      attachedPolicies: [...recorded.attachedPolicies].reverse(),
      trustPolicy: JSON.parse(JSON.stringify(recorded.trustPolicy), (_key, value: unknown) =>
        value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value,
      ),
    });
    expect(roleDrift(recorded, live)).toEqual([]);
  });

  it('ignores what a split does not depend on: tags, description, session length', () => {
    const live = sharedRole({ tags: [{ Key: 'team', Value: 'billing' }], description: 'edited', maxSessionDuration: 7200 });
    expect(roleDrift(recorded, live)).toEqual([]);
  });

  const changes: Array<[string, Partial<RoleSnapshot> & { principals?: string[] }, RegExp]> = [
    ['another role under the same name', { roleId: 'AROAEXAMPLE000000002' }, /is not the role the plan recorded .*id AROAEXAMPLE000000002/],
    ['a changed trust policy', { principals: [LAMBDA] }, /trust policy changed/],
    [
      'an inline policy added',
      { inlinePolicies: [...recorded.inlinePolicies, { name: 'extra', document: { Version: '2012-10-17', Statement: [] } }] },
      /inline policies changed/,
    ],
    [
      'an inline policy edited',
      { inlinePolicies: recorded.inlinePolicies.map((p) => ({ ...p, document: { Version: '2012-10-17', Statement: [] } })) },
      /inline policies changed/,
    ],
    [
      'a managed policy detached',
      { attachedPolicies: recorded.attachedPolicies.slice(1) },
      /attached policies \(or their default versions\) changed/,
    ],
    [
      "a managed policy's new default version",
      {
        attachedPolicies: recorded.attachedPolicies.map((p) => ({
          ...p,
          defaultVersionId: 'v9',
          document: { Version: '2012-10-17', Statement: [] },
        })),
      },
      /attached policies/,
    ],
    ['an instance profile removed', { instanceProfiles: [] }, /instance profiles changed/],
    [
      'another instance profile',
      { instanceProfiles: [{ name: 'other', arn: `arn:aws:iam::${ACCOUNT}:instance-profile/other`, path: '/', id: 'AIPAOTHER' }] },
      /instance profiles changed/,
    ],
  ];

  it.each(changes)('reports %s', (_name, change, expected) => {
    const drift = roleDrift(recorded, sharedRole(change));
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatch(expected);
    expect(drift[0]).toContain(SHARED_NAME);
  });

  it('reports every difference at once, so one re-plan addresses them all', () => {
    const live = sharedRole({ principals: [LAMBDA], inlinePolicies: [], instanceProfiles: [] });
    expect(roleDrift(recorded, live)).toHaveLength(3);
  });
});
