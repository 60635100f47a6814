/**
 * The repoint steps of both API Gateway kinds, forward and back. Forward
 * checks every slot and stage before it writes anything (a slot on another
 * role, a stage redeployed by someone else or given a canary is drift), then
 * moves the slots and serves each recorded stage one new deployment, marked
 * with the plan id so a resumed run reuses it. Back serves each stage its
 * recorded deployment where this plan's is served, points the slots back, and
 * deletes this plan's deployments; whatever someone else changed since is
 * left, with a warning.
 */
import { SplitRoleError } from '../../core/errors.js';
import type { ApplyContext } from '../adapter.js';
import { driftError, leaveIfMovedElsewhere } from '../helpers.js';
import type { ApiRead, CredentialedApiPort, CredentialSlot } from './api-model.js';
import type { ApiMove } from './api-move.js';
import { API_STAGE_CANARY } from './errors.js';

/** The stop for a stage whose canary would keep serving a deployment made before the move. */
export function canaryStop(what: string, stageName: string): SplitRoleError {
  return new SplitRoleError(
    API_STAGE_CANARY,
    `${what} stage ${stageName} has canarySettings: the canary's share of its traffic would stay on a deployment made before the move`,
    'promote or remove the canary (UpdateStage), then plan again',
  );
}

/** The description that marks a deployment as this plan's. */
export function deploymentMark(planId: string): string {
  return `split-role ${planId}: role repoint`;
}

/** The slots of `move` as live in `api`, each refused unless on `from` or already on `to` (drift), before anything is written. */
function liveSlots(api: ApiRead, move: ApiMove, what: string, from: string, to: string): CredentialSlot[] {
  return move.slots.map((slot) => {
    const live = api.slots.find((s) => s.kind === slot.kind && s.id === slot.id);
    if (!live) throw driftError(`${what} ${slot.label} no longer exists`);
    if (live.credentials !== from && live.credentials !== to)
      throw driftError(`${what} ${slot.label} calls as ${live.credentials ?? 'no role'}, not ${from}`);
    return live;
  });
}

/** The ids of this plan's deployments of the API; none are looked up when the move redeploys no stage. */
async function ownDeployments(ctx: ApplyContext, apis: CredentialedApiPort, move: ApiMove): Promise<Set<string>> {
  if (move.stages.length === 0) return new Set();
  const mark = deploymentMark(ctx.planId);
  return new Set((await apis.listDeployments(move.apiId)).filter((d) => d.description === mark).map((d) => d.id));
}

/** Points every slot at the target, then serves each recorded stage a deployment made after (reusing this plan's). */
export async function moveForward(ctx: ApplyContext, apis: CredentialedApiPort, move: ApiMove, what: string): Promise<void> {
  const api = await apis.getApi(move.apiId);
  if (!api) throw driftError(`${what} no longer exists`);
  const slots = liveSlots(api, move, what, move.current.roleArn, move.target.roleArn);
  const ours = await ownDeployments(ctx, apis, move);
  const stale: string[] = [];
  for (const stage of move.stages) {
    const live = api.stages.find((s) => s.stageName === stage.stageName);
    if (!live) throw driftError(`${what} stage ${stage.stageName} no longer exists`);
    if (live.canary) throw canaryStop(what, stage.stageName);
    if (live.deploymentId === stage.deploymentId) stale.push(stage.stageName);
    else if (!live.deploymentId || !ours.has(live.deploymentId))
      throw driftError(`${what} stage ${stage.stageName} serves deployment ${live.deploymentId ?? 'none'}, not ${stage.deploymentId}`);
  }
  for (const slot of slots) if (slot.credentials !== move.target.roleArn) await apis.setCredentials(move.apiId, slot, move.target.roleArn);
  if (stale.length === 0) return;
  // One snapshot for every stage, made after the last slot moved; an interrupted run's own deployment is reused.
  const deployment = [...ours][0] ?? (await apis.createDeployment(move.apiId, deploymentMark(ctx.planId)));
  for (const stageName of stale) await apis.setStageDeployment(move.apiId, stageName, deployment);
}

/** Serves each stage its recorded deployment again (where this plan's is served), points the slots back, deletes this plan's deployments. */
export async function moveBack(ctx: ApplyContext, apis: CredentialedApiPort, move: ApiMove, what: string): Promise<void> {
  const api = await apis.getApi(move.apiId);
  if (!api) return leaveIfMovedElsewhere(ctx, what, () => Promise.reject(driftError(`${what} no longer exists`)));
  const ours = await ownDeployments(ctx, apis, move);
  const serving = new Map(api.stages.map((s) => [s.stageName, s.deploymentId]));
  for (const stage of move.stages) {
    const live = serving.get(stage.stageName);
    if (live === stage.deploymentId) continue;
    await leaveIfMovedElsewhere(ctx, `${what} stage ${stage.stageName}`, async () => {
      if (!live || !ours.has(live)) throw driftError(`it serves deployment ${live ?? 'none'}, which this plan did not make`);
      await apis.setStageDeployment(move.apiId, stage.stageName, stage.deploymentId);
      serving.set(stage.stageName, stage.deploymentId);
    });
  }
  for (const slot of move.slots) {
    await leaveIfMovedElsewhere(ctx, `${what} ${slot.label}`, async () => {
      const live = api.slots.find((s) => s.kind === slot.kind && s.id === slot.id);
      if (!live) throw driftError('it no longer exists');
      if (live.credentials === move.current.roleArn) return;
      if (live.credentials !== move.target.roleArn)
        throw driftError(`it calls as ${live.credentials ?? 'no role'}, not ${move.target.roleArn}`);
      await apis.setCredentials(move.apiId, live, move.current.roleArn);
    });
  }
  const served = new Set(serving.values());
  for (const id of ours) if (!served.has(id)) await apis.deleteDeployment(move.apiId, id);
}
