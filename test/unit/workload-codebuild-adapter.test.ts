/**
 * The CodeBuild project adapter, in-process on the in-memory CodeBuild fake:
 * discovery in every region, repoint / undo / drift / verify against the
 * account's end state, and CodeBuild refusing a role IAM has not propagated.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { errorIs } from '../../src/core/errors.js';
import { serviceForSessionName } from '../../src/evidence/attribution.js';
import { indexAccount, liveBindings, sessionHints, workloadsForRole } from '../../src/inventory/workloads.js';
import { plannedWorkloadSchema, type MoveOf } from '../../src/workloads/moves.js';
import { WORKLOAD_ADAPTERS } from '../../src/workloads/registry.js';
import { FakeServiceError } from '../support/fake-account/aws-error.js';
import { fakeApplyContext } from '../support/fake-account/workload-context.js';
import { FakeWorkloads } from '../support/fake-account/workloads.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { ACCOUNT, CODEBUILD, EC2, PLAN_ID, plannedRole, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

const adapter = WORKLOAD_ADAPTERS['codebuild-project'];
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const NEW_ROLE = roleArn('app-codebuild');
const binding = { arn: SHARED_ARN, roleName: SHARED_NAME, instanceProfiles: [] };
const role = plannedRole('codebuild', CODEBUILD, 'app-codebuild');

let region: FakeWorkloads;
let roles: Set<string>;

beforeEach(() => {
  roles = new Set([SHARED_ARN, NEW_ROLE, roleArn('theirs')]);
  region = new FakeWorkloads({ region: REGION, knowsRole: (arn) => roles.has(arn) });
});

async function planMoves(): Promise<Array<MoveOf<'codebuild-project'>>> {
  const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding).codebuild;
  return adapter.planMoves(found, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION });
}

describe('CodeBuild discovery on the fake', () => {
  it('finds the projects that build as the shared role, in every region asked', async () => {
    const other = new FakeWorkloads({ region: 'ap-southeast-2' });
    region.services.codeBuild.addProject('build-app', SHARED_ARN);
    region.services.codeBuild.addProject('build-docs', roleArn('theirs'));
    other.services.codeBuild.addProject('build-eu', SHARED_ARN);
    const io = new RecordingIoHost();
    const regional = await liveBindings([REGION, 'ap-southeast-2'], async (r) => (r === REGION ? region : other), io, binding);
    expect(regional.map(({ region: r, found }) => [r, found.codebuild.projects.map((p) => p.projectName)])).toEqual([
      [REGION, ['build-app']],
      ['ap-southeast-2', ['build-eu']],
    ]);
    expect(adapter.describeUsers(regional[0]!.found.codebuild, 'the shared role')).toEqual([
      'CodeBuild project build-app builds as the shared role',
    ]);
  });

  it('plans a move that takes effect from the next build, and the plan schema accepts it', async () => {
    region.services.codeBuild.addProject('build-app', SHARED_ARN);
    const [move] = await planMoves();
    expect(move).toMatchObject({
      kind: 'codebuild-project',
      projectName: 'build-app',
      target: { roleArn: NEW_ROLE },
      takesEffect: 'next-run',
    });
    expect(plannedWorkloadSchema.parse(move)).toEqual(move);
    expect(adapter.describeMove(move!)[1]).toBe('CodeBuild project (from its next build)');
    expect(adapter.invariantProblems(move!, { role, shared: binding })).toEqual([]);
    expect(adapter.invariantProblems({ ...move!, current: { serviceRole: roleArn('theirs') } }, { role, shared: binding })).toEqual([
      'CodeBuild project build-app does not build as the shared role',
    ]);
  });

  it("ties AWSCodeBuild- sessions to CodeBuild through the kind's registered shape", () => {
    const hints = sessionHints([]);
    expect(serviceForSessionName('AWSCodeBuild-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901', [EC2, CODEBUILD], hints)).toBe(CODEBUILD);
    expect(serviceForSessionName('build-app', [EC2, CODEBUILD], hints)).toBeUndefined();
  });
});

describe('CodeBuild repoint on the fake', () => {
  let move: MoveOf<'codebuild-project'>;
  beforeEach(async () => {
    region.services.codeBuild.addProject('build-app', SHARED_ARN);
    [move] = (await planMoves()) as [MoveOf<'codebuild-project'>];
  });

  it('run moves the project; verify and showsMoved see it; a second run changes nothing', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    expect(await adapter.repoint(move, [move]).run(ctx)).toEqual({ replaced: SHARED_ARN });
    expect(region.services.codeBuild.roleOf('build-app')).toBe(NEW_ROLE);
    expect(await adapter.verify(ctx, move)).toEqual([]);
    expect(await adapter.showsMoved(ctx, move)).toBe(`CodeBuild project build-app builds as ${NEW_ROLE}`);
    await adapter.repoint(move, [move]).run(ctx);
    expect(region.services.codeBuild.writes).toEqual(['updateServiceRole:build-app']);
  });

  it('retries while CodeBuild cannot yet assume the new role', async () => {
    let asks = 0;
    region = new FakeWorkloads({ region: REGION, knowsRole: (arn) => arn !== NEW_ROLE || ++asks > 1 });
    region.services.codeBuild.addProject('build-app', SHARED_ARN);
    await adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID));
    expect(region.services.codeBuild.roleOf('build-app')).toBe(NEW_ROLE);
    expect(asks).toBe(2);
  });

  it('other errors are not retried', async () => {
    region.services.codeBuild.faults.failNext('updateServiceRole', new FakeServiceError('AccessDeniedException', 'no'));
    await expect(adapter.repoint(move, [move]).run(fakeApplyContext(region, PLAN_ID))).rejects.toThrow('no');
    expect(region.services.codeBuild.roleOf('build-app')).toBe(SHARED_ARN);
  });

  it('undo points the project back to the shared role', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move, [move]).run(ctx);
    await adapter.repoint(move, [move]).undo(ctx);
    expect(region.services.codeBuild.roleOf('build-app')).toBe(SHARED_ARN);
    expect(await adapter.drift(ctx, move)).toEqual([]);
    expect(await adapter.verify(ctx, move)).toEqual([`CodeBuild project build-app builds as ${SHARED_ARN}`]);
  });

  it('undo leaves a project moved elsewhere, or deleted, with a warning each', async () => {
    region.services.codeBuild.addProject('build-docs', SHARED_ARN);
    const moves = await planMoves();
    const ctx = fakeApplyContext(region, PLAN_ID);
    for (const m of moves) await adapter.repoint(m, moves).run(ctx);
    await region.services.codeBuild.updateServiceRole('build-app', roleArn('theirs'));
    region.services.codeBuild.deleteProject('build-docs');
    for (const m of moves) await adapter.repoint(m, moves).undo(ctx);
    expect(region.services.codeBuild.roleOf('build-app')).toBe(roleArn('theirs'));
    expect(ctx.io.messages.map((m) => m.data?.workload)).toEqual(['CodeBuild build-app', 'CodeBuild build-docs']);
  });

  it('drift names a changed role and a deleted project; run refuses the changed one', async () => {
    const ctx = fakeApplyContext(region, PLAN_ID);
    await region.services.codeBuild.updateServiceRole('build-app', roleArn('theirs'));
    expect(await adapter.drift(ctx, move)).toEqual([`CodeBuild project build-app builds as ${roleArn('theirs')}, plan says ${SHARED_ARN}`]);
    const error = await adapter
      .repoint(move, [move])
      .run(ctx)
      .catch((e: unknown) => e);
    expect(errorIs.Drift(error)).toBe(true);
    region.services.codeBuild.deleteProject('build-app');
    expect(await adapter.drift(ctx, move)).toEqual(['CodeBuild project build-app no longer exists']);
    expect(await adapter.showsMoved(ctx, move)).toBeUndefined();
  });
});
