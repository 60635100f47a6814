/**
 * The CodePipeline pipeline adapter, in-process on the in-memory fake: the
 * pipeline's own role and its actions' roles that name the shared role move
 * together, others stay; undo, drift and verify; the SDK port's rewrite of a
 * whole declaration keeps every other field.
 */
import type { PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { beforeEach, describe, expect, it } from 'vitest';
import { errorIs } from '../../src/core/errors.js';
import { indexAccount, workloadsForRole } from '../../src/inventory/workloads.js';
import { plannedWorkloadSchema, type MoveOf } from '../../src/workloads/moves.js';
import { rolesOf, withRole } from '../../src/workloads/pipeline/port.js';
import { WORKLOAD_ADAPTERS } from '../../src/workloads/registry.js';
import { fakeApplyContext } from '../support/fake-account/workload-context.js';
import { FakeWorkloads } from '../support/fake-account/workloads.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { ACCOUNT, PLAN_ID, plannedRole, REGION, SHARED_ARN, SHARED_NAME } from './fixtures/plan-fixtures.js';

const adapter = WORKLOAD_ADAPTERS.pipeline;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const NEW_ROLE = roleArn('app-codepipeline');
const THEIRS = roleArn('deploy-prod');
const binding = { arn: SHARED_ARN, roleName: SHARED_NAME, instanceProfiles: [] };
const role = plannedRole('codepipeline', 'codepipeline.amazonaws.com', 'app-codepipeline');

let region: FakeWorkloads;
let roles: Set<string>;

beforeEach(() => {
  roles = new Set([SHARED_ARN, NEW_ROLE, THEIRS]);
  region = new FakeWorkloads({ region: REGION, knowsRole: (arn) => roles.has(arn) });
});

async function planMoves(): Promise<Array<MoveOf<'pipeline'>>> {
  const found = workloadsForRole(await indexAccount(region, new RecordingIoHost()), binding).codepipeline;
  return adapter.planMoves(found, { role, shared: { arn: SHARED_ARN }, staysShared: false, region: REGION });
}

describe('CodePipeline on the fake', () => {
  it('moves the pipeline role and the actions that named the shared role; an action on another role stays', async () => {
    region.services.codePipeline.addPipeline('release', SHARED_ARN, { 'Build/Compile': SHARED_ARN, 'Deploy/Prod': THEIRS });
    region.services.codePipeline.addPipeline('theirs', THEIRS);
    const [move, ...rest] = await planMoves();
    expect(rest).toEqual([]);
    expect(move).toMatchObject({
      pipelineName: 'release',
      current: { roleArn: SHARED_ARN, actionRoles: [{ stage: 'Build', action: 'Compile', roleArn: SHARED_ARN }] },
      takesEffect: 'next-run',
    });
    expect(plannedWorkloadSchema.parse(move)).toEqual(move);
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move!, [move!]).run(ctx);
    expect(region.services.codePipeline.rolesOf('release')).toEqual({
      name: 'release',
      roleArn: NEW_ROLE,
      actionRoles: [
        { stage: 'Build', action: 'Compile', roleArn: NEW_ROLE },
        { stage: 'Deploy', action: 'Prod', roleArn: THEIRS },
      ],
    });
    expect(await adapter.verify(ctx, move!)).toEqual([]);
    await adapter.repoint(move!, [move!]).run(ctx);
    expect(region.services.codePipeline.writes).toEqual(['replaceRole:release']);
    await adapter.repoint(move!, [move!]).undo(ctx);
    expect(region.services.codePipeline.rolesOf('release')?.roleArn).toBe(SHARED_ARN);
    expect(await adapter.drift(ctx, move!)).toEqual([]);
  });

  it('a pipeline bound only through an action moves that action, not the pipeline role', async () => {
    region.services.codePipeline.addPipeline('cross', THEIRS, { 'Deploy/Shared': SHARED_ARN });
    const [move] = await planMoves();
    await adapter.repoint(move!, [move!]).run(fakeApplyContext(region, PLAN_ID));
    expect(region.services.codePipeline.rolesOf('cross')).toMatchObject({
      roleArn: THEIRS,
      actionRoles: [{ stage: 'Deploy', action: 'Shared', roleArn: NEW_ROLE }],
    });
  });

  it('retries while CodePipeline cannot yet assume the new role; drift refuses a changed action', async () => {
    let asks = 0;
    region = new FakeWorkloads({ region: REGION, knowsRole: (arn) => arn !== NEW_ROLE || ++asks > 1 });
    region.services.codePipeline.addPipeline('release', SHARED_ARN, { 'Build/Compile': SHARED_ARN });
    const [move] = await planMoves();
    const ctx = fakeApplyContext(region, PLAN_ID);
    await adapter.repoint(move!, [move!]).run(ctx);
    expect(asks).toBe(2);
    await adapter.repoint(move!, [move!]).undo(ctx);
    region.services.codePipeline.addPipeline('release', SHARED_ARN, { 'Build/Compile': THEIRS });
    expect(await adapter.drift(ctx, move!)).toEqual([`pipeline release action Build/Compile runs as ${THEIRS}, plan says ${SHARED_ARN}`]);
    expect(
      errorIs.Drift(
        await adapter
          .repoint(move!, [move!])
          .run(ctx)
          .catch((e: unknown) => e),
      ),
    ).toBe(true);
  });
});

describe('the SDK port rewrites a whole declaration', () => {
  it('changes only the role fields that name the shared role, and carries every other field over', () => {
    const declaration: PipelineDeclaration = {
      name: 'release',
      roleArn: SHARED_ARN,
      version: 3,
      artifactStore: { type: 'S3', location: 'bucket' },
      stages: [
        {
          name: 'Build',
          actions: [
            {
              name: 'Compile',
              actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
              configuration: { ProjectName: 'build' },
              roleArn: SHARED_ARN,
            },
            { name: 'Test', actionTypeId: { category: 'Test', owner: 'AWS', provider: 'CodeBuild', version: '1' } },
          ],
        },
      ],
    };
    const moved = withRole(declaration, SHARED_ARN, NEW_ROLE);
    expect(moved).toEqual({
      ...declaration,
      roleArn: NEW_ROLE,
      stages: [
        {
          ...declaration.stages![0],
          actions: [{ ...declaration.stages![0]!.actions![0], roleArn: NEW_ROLE }, declaration.stages![0]!.actions![1]],
        },
      ],
    });
    expect(rolesOf(moved).actionRoles).toEqual([{ stage: 'Build', action: 'Compile', roleArn: NEW_ROLE }]);
  });
});
