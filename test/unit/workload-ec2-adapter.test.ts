/**
 * The EC2 instance adapter, in-process on the in-memory EC2 and Auto Scaling
 * fakes: discovery, then repoint / undo / drift / verify against the
 * account's end state. Moto checks the same paths' wire shapes end to end.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { errorIs } from '../../src/core/errors.js';
import { indexAccount, workloadsForRole } from '../../src/inventory/workloads.js';
import type { MoveOf } from '../../src/workloads/moves.js';
import { WORKLOAD_ADAPTERS } from '../../src/workloads/registry.js';
import { FakeServiceError } from '../support/fake-account/aws-error.js';
import { fakeApplyContext } from '../support/fake-account/workload-context.js';
import { FakeWorkloads } from '../support/fake-account/workloads.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { ACCOUNT, EC2, PLAN_ID, plannedRole, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

const adapter = WORKLOAD_ADAPTERS['ec2-instance'];
const profileArn = (name: string) => `arn:aws:iam::${ACCOUNT}:instance-profile/${name}`;
const SHARED_PROFILE = profileArn(SHARED_NAME);
const NEW_PROFILE = profileArn('app-ec2');
const binding = { arn: SHARED_ARN, roleName: SHARED_NAME, instanceProfiles: [{ name: SHARED_NAME, arn: SHARED_PROFILE }] };
const role = plannedRole('ec2', EC2, 'app-ec2', { instanceProfile: { name: 'app-ec2', arn: NEW_PROFILE, path: '/' } });

let region: FakeWorkloads;
let profiles: Set<string>;

beforeEach(() => {
  profiles = new Set([SHARED_PROFILE, NEW_PROFILE]);
  region = new FakeWorkloads({ region: REGION, knowsProfile: (arn) => profiles.has(arn) });
});

/** Indexes the region and plans the shared role's moves, as plan does. */
async function planMoves(): Promise<Array<MoveOf<'ec2-instance'>>> {
  const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding).ec2;
  return adapter.planMoves(found, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION });
}

describe('EC2 discovery on the fake', () => {
  it('finds instances on the shared profile, the template versions naming it, and the groups launching them', async () => {
    const { ec2, autoScaling } = region.services;
    ec2.addInstance(SHARED_PROFILE, 'i-shared');
    ec2.addInstance(profileArn('other'), 'i-other');
    ec2.addInstance(undefined, 'i-bare');
    const web = ec2.addLaunchTemplate('web', [{ name: 'other' }, { arn: SHARED_PROFILE }, { name: 'other' }], 1);
    ec2.addLaunchTemplate('batch', [{ name: SHARED_NAME }]);
    autoScaling.addGroup({ AutoScalingGroupName: 'pinned', LaunchTemplate: { LaunchTemplateId: web, Version: '2' } });
    autoScaling.addGroup({ AutoScalingGroupName: 'default', LaunchTemplate: { LaunchTemplateId: web } });
    autoScaling.addGroup({ AutoScalingGroupName: 'by-config', LaunchConfigurationName: 'lc' });
    autoScaling.addLaunchConfiguration('lc', SHARED_NAME);

    const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding).ec2;

    expect(found.instances.map((i) => i.instanceId)).toEqual(['i-shared']);
    // Version 2 is neither the default nor the latest: it is read because a group pins it.
    expect(found.launchTemplates.map((t) => `${t.launchTemplateName}:${t.version}`)).toEqual(['web:2', 'batch:1']);
    expect(found.autoScalingGroups.map((g) => g.groupName)).toEqual(['pinned', 'by-config']);
  });

  it("a group pinning a deleted version does not hide the template's other versions", async () => {
    const { ec2, autoScaling } = region.services;
    const web = ec2.addLaunchTemplate('web', [{ name: SHARED_NAME }, { name: 'other' }, { name: SHARED_NAME }], 1);
    ec2.deleteLaunchTemplateVersion(web, 2);
    autoScaling.addGroup({ AutoScalingGroupName: 'stale', LaunchTemplate: { LaunchTemplateId: web, Version: '2' } });

    const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding).ec2;

    expect(found.launchTemplates.map((t) => `${t.version}${t.isDefault ? ' default' : ''}${t.isLatest ? ' latest' : ''}`)).toEqual([
      '1 default',
      '3 latest',
    ]);
  });
});

describe('EC2 repoint on the fake', () => {
  let move: MoveOf<'ec2-instance'>;
  beforeEach(async () => {
    region.services.ec2.addInstance(SHARED_PROFILE, 'i-app');
    [move] = (await planMoves()) as [MoveOf<'ec2-instance'>];
  });

  it('run moves the instance to the new profile; a second run changes nothing', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    const result = await adapter.repoint(move, [move]).run(ctx);
    expect(region.services.ec2.profileOf('i-app')).toBe(NEW_PROFILE);
    // EC2 makes a new association on a replace: the step records it, and what it replaced.
    const now = await region.services.ec2.describeProfileAssociations({ instanceId: 'i-app' });
    expect(result).toEqual({ associationId: now.find((a) => a.state === 'associated')?.associationId, replaced: SHARED_PROFILE });
    expect(result.associationId).not.toBe(move.associationId);
    expect(await adapter.verify(ctx, move)).toEqual([]);
    expect(await adapter.showsMoved(ctx, move)).toBe('EC2 instance i-app is on app-ec2');

    await adapter.repoint(move, [move]).run(ctx);
    expect(region.services.ec2.writes).toEqual(['replaceProfileAssociation']);
  });

  it('undo points it back to the shared profile, and tolerates an undo of a run that never happened', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    const action = adapter.repoint(move, [move]);
    await action.undo(ctx);
    expect(region.services.ec2.writes).toEqual([]);
    await action.run(ctx);
    await action.undo(ctx);
    expect(region.services.ec2.profileOf('i-app')).toBe(SHARED_PROFILE);
    expect(await adapter.drift(ctx, move)).toEqual([]);
  });

  it('undo leaves an instance someone moved elsewhere, with a warning', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    region.services.ec2.moveBehindTheBack('i-app', profileArn('theirs'));
    await adapter.repoint(move, [move]).undo(ctx);
    expect(region.services.ec2.profileOf('i-app')).toBe(profileArn('theirs'));
    expect(ctx.io.messages.map((m) => m.code)).toEqual(['SR_APPLY_W4004']);
  });

  it('run refuses an instance that drifted to another profile, and drift says so', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    region.services.ec2.moveBehindTheBack('i-app', profileArn('theirs'));
    expect(await adapter.drift(ctx, move)).toEqual([`EC2 instance i-app is on ${profileArn('theirs')}, plan says ${SHARED_PROFILE}`]);
    const error = await adapter
      .repoint(move, [move])
      .run(ctx)
      .catch((e: unknown) => e);
    expect(errorIs.Drift(error)).toBe(true);
    expect(region.services.ec2.writes).toEqual([]);
  });

  it('a replace whose answer was lost counts as done when the instance is on the target', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    region.services.ec2.loseNextAnswer();
    await adapter.repoint(move, [move]).run(ctx);
    expect(region.services.ec2.profileOf('i-app')).toBe(NEW_PROFILE);
  });

  it("retries while the new profile is not yet usable, and gives up with EC2's error after the budget", async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    profiles.delete(NEW_PROFILE);
    let asks = 0;
    region = new FakeWorkloads({ region: REGION, knowsProfile: (arn) => arn !== NEW_PROFILE || ++asks > 2 });
    region.services.ec2.addInstance(SHARED_PROFILE, 'i-app');
    const [fresh] = (await planMoves()) as [MoveOf<'ec2-instance'>];
    await adapter.repoint(fresh, [fresh]).run(fakeApplyContext(region, PLAN_ID));
    expect(region.services.ec2.profileOf('i-app')).toBe(NEW_PROFILE);
    expect(region.services.ec2.writes).toEqual(['replaceProfileAssociation', 'replaceProfileAssociation', 'replaceProfileAssociation']);

    // The first fake never learns of the profile.
    await expect(adapter.repoint(move, [move]).run(ctx)).rejects.toThrow(/Invalid IAM Instance Profile/);
  });

  it('an EC2 error other than propagation is not retried', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    region.services.ec2.faults.failNext(
      'replaceProfileAssociation',
      new FakeServiceError('UnauthorizedOperation', 'You are not authorized'),
    );
    await expect(adapter.repoint(move, [move]).run(ctx)).rejects.toThrow(/not authorized/);
    expect(region.services.ec2.profileOf('i-app')).toBe(SHARED_PROFILE);
  });

  it('verify reports an instance not on its target', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    expect(await adapter.verify(ctx, move)).toEqual([`EC2 i-app is on ${SHARED_PROFILE} (associated)`]);
    expect(await adapter.showsMoved(ctx, move)).toBeUndefined();
  });
});
