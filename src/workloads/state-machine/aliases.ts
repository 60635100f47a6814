/**
 * Step Functions aliases on published versions. A version keeps the role it
 * was published with, so an alias routing to a version on the shared role keeps
 * that role in use after UpdateStateMachine. Apply publishes the machine with
 * its new role (UpdateStateMachine publish) and routes each such version's
 * share of the alias to the new version; undo restores the routing exactly.
 * A version is only replaced by one of the same definition: an alias on a
 * version whose definition differs from the machine's latest is a follow-up.
 */
import { mapLimit } from '../../core/concurrency.js';
import { driftError } from '../helpers.js';
import type { AliasRoute, StateMachineRole, StepFunctionsPort } from './port.js';
import type { MovedAlias, StateMachineMove } from './schema.js';

/** A route of an alias with what its version runs as, and whether it runs the machine's latest definition. */
export interface RoutedVersion extends AliasRoute {
  roleArn: string;
  sameDefinition: boolean;
}

/** An alias as discovery reads it. */
export interface FoundAlias {
  name: string;
  arn: string;
  routing: RoutedVersion[];
}

/** A state machine with its aliases. */
export interface MachineWithAliases extends StateMachineRole {
  aliases: FoundAlias[];
}

/** How many versions are described at once. */
const DESCRIBE_CONCURRENCY = 4;

/** Reads the machine's aliases and what each routed version runs as. */
export async function readAliases(sfn: StepFunctionsPort, machine: StateMachineRole): Promise<FoundAlias[]> {
  const aliases = await sfn.listAliases(machine.arn);
  const versionArns = [...new Set(aliases.flatMap((a) => a.routing.map((r) => r.stateMachineVersionArn)))];
  const versions = new Map(
    (await mapLimit(versionArns, DESCRIBE_CONCURRENCY, (arn) => sfn.getStateMachine(arn))).map((v, i) => [versionArns[i], v]),
  );
  return aliases.map((a) => ({
    name: a.name,
    arn: a.arn,
    routing: a.routing.map((r) => {
      const version = versions.get(r.stateMachineVersionArn);
      return { ...r, roleArn: version?.roleArn ?? '', sameDefinition: version?.definition === machine.definition };
    }),
  }));
}

/** The routing after the move: each shared version's share goes to `newVersion` (merged when both routes were shared). */
export function movedRouting(alias: MovedAlias, newVersion: string): AliasRoute[] {
  const weights = new Map<string, number>();
  for (const r of alias.current) {
    const to = alias.sharedVersions.includes(r.stateMachineVersionArn) ? newVersion : r.stateMachineVersionArn;
    weights.set(to, (weights.get(to) ?? 0) + r.weight);
  }
  return [...weights].map(([stateMachineVersionArn, weight]) => ({ stateMachineVersionArn, weight }));
}

/** True when two routings send the same shares to the same versions (order aside). */
export function sameRouting(a: readonly AliasRoute[], b: readonly AliasRoute[]): boolean {
  const key = (r: readonly AliasRoute[]) =>
    r
      .map((x) => `${x.stateMachineVersionArn}=${x.weight}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

/**
 * Refuses to publish when the machine's definition is no longer the one the
 * aliases' shared versions run: the new version would change what they run.
 */
export async function assertSameDefinition(
  sfn: StepFunctionsPort,
  machine: StateMachineRole,
  aliases: readonly MovedAlias[],
): Promise<void> {
  for (const arn of new Set(aliases.flatMap((a) => a.sharedVersions))) {
    const version = await sfn.getStateMachine(arn);
    if (!version) throw driftError(`state machine version ${arn} no longer exists`);
    if (version.definition !== machine.definition)
      throw driftError(
        `state machine ${machine.name}'s definition is no longer the one version ${arn} runs: a new version would change it`,
      );
  }
}

/**
 * The version an earlier, interrupted run published: the newest one, when it
 * runs as the new role and the machine's definition. Anything else is drift.
 */
export async function publishedVersion(sfn: StepFunctionsPort, machine: StateMachineRole, roleArn: string): Promise<string> {
  const arn = await sfn.latestVersion(machine.arn);
  const version = arn ? await sfn.getStateMachine(arn) : undefined;
  if (!arn || version?.roleArn !== roleArn || version.definition !== machine.definition)
    throw driftError(`state machine ${machine.name} runs as ${roleArn} but has no published version of it to route its aliases to`);
  return arn;
}

/**
 * Refuses before anything changes when an alias routes neither as the plan
 * recorded nor as apply leaves it (no share on the shared versions any more).
 */
export async function assertAliasesAsPlanned(sfn: StepFunctionsPort, aliases: readonly MovedAlias[]): Promise<void> {
  for (const alias of aliases) {
    const now = await sfn.getAlias(alias.aliasArn);
    if (!now) throw driftError(`state machine alias ${alias.name} no longer exists`);
    const moved = now.routing.every((r) => !alias.sharedVersions.includes(r.stateMachineVersionArn));
    if (!moved && !sameRouting(now.routing, alias.current))
      throw driftError(`state machine alias ${alias.name} routes ${routingText(now.routing)}, plan says ${routingText(alias.current)}`);
  }
}

/** Routes one alias's shared share to `newVersion`; already done is fine, routing changed since the plan is drift. */
export async function routeAlias(sfn: StepFunctionsPort, alias: MovedAlias, newVersion: string): Promise<void> {
  const now = await sfn.getAlias(alias.aliasArn);
  if (!now) throw driftError(`state machine alias ${alias.name} no longer exists`);
  const target = movedRouting(alias, newVersion);
  if (sameRouting(now.routing, target)) return;
  if (!sameRouting(now.routing, alias.current)) throw driftError(`state machine alias ${alias.name} routes elsewhere than the plan says`);
  await sfn.updateAlias(alias.aliasArn, target);
}

/**
 * Puts an alias's routing back as the plan recorded it, from where apply put
 * it: every version it routes to now is one it routed to before or one running
 * as `movedTo` (the version apply published). Anything else is someone
 * else's change (drift, which rollback leaves with a warning).
 */
export async function restoreAlias(sfn: StepFunctionsPort, alias: MovedAlias, movedTo: string): Promise<void> {
  const now = await sfn.getAlias(alias.aliasArn);
  if (!now) throw driftError(`state machine alias ${alias.name} no longer exists`);
  if (sameRouting(now.routing, alias.current)) return;
  const before = new Set(alias.current.map((r) => r.stateMachineVersionArn));
  for (const r of now.routing) {
    if (before.has(r.stateMachineVersionArn)) continue;
    const version = await sfn.getStateMachine(r.stateMachineVersionArn);
    if (version?.roleArn !== movedTo)
      throw driftError(`state machine alias ${alias.name} routes to ${r.stateMachineVersionArn}, not a version apply published`);
  }
  await sfn.updateAlias(alias.aliasArn, alias.current);
}

/**
 * Deletes the versions apply published: those running as `movedTo` (the plan's
 * new role, which rollback deletes next) that no alias routes to any more. A
 * version an alias still uses is left, and Step Functions would refuse it anyway.
 */
export async function deletePublished(sfn: StepFunctionsPort, move: StateMachineMove): Promise<void> {
  const routed = new Set((await sfn.listAliases(move.stateMachineArn)).flatMap((a) => a.routing.map((r) => r.stateMachineVersionArn)));
  for (const arn of await sfn.listVersions(move.stateMachineArn)) {
    if (routed.has(arn)) continue;
    if ((await sfn.getStateMachine(arn))?.roleArn === move.target.roleArn) await sfn.deleteVersion(arn);
  }
}

/** "version 3" or "versions 2 and 3". */
export function versionList(arns: readonly string[]): string {
  const numbers = arns.map((arn) => arn.split(':').pop() ?? arn);
  return numbers.length === 1 ? `version ${numbers[0]}` : `versions ${numbers.slice(0, -1).join(', ')} and ${numbers.at(-1)}`;
}

/** "100% to 1, …" (by version number), for drift lines. */
export function routingText(routing: readonly AliasRoute[]): string {
  return routing.map((r) => `${r.weight}% to ${r.stateMachineVersionArn.split(':').pop()}`).join(', ');
}

/** What an alias still sends to the shared role's versions after the move. */
export async function aliasStillShared(sfn: StepFunctionsPort, move: StateMachineMove, alias: MovedAlias): Promise<string[]> {
  const what = `state machine alias ${move.stateMachineName}:${alias.name}`;
  const now = await sfn.getAlias(alias.aliasArn);
  if (!now) return [`${what} no longer exists`];
  const problems: string[] = [];
  for (const r of now.routing) {
    const version = await sfn.getStateMachine(r.stateMachineVersionArn);
    // Routes to versions on some third role are not this move's: only the shared role's (or a deleted one) count.
    if (!version || version.roleArn === move.current.roleArn)
      problems.push(
        `${what} routes ${r.weight}% to ${versionList([r.stateMachineVersionArn])}, which runs as ${version?.roleArn ?? 'nothing (deleted)'}`,
      );
  }
  return problems;
}
