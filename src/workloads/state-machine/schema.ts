/** The Step Functions state-machine kind's plan-file variant. Only zod here, so reading a plan never loads an AWS SDK. */
import { z } from 'zod';
import { moveRegion } from '../move-fields.js';

const aliasRoute = z.object({ stateMachineVersionArn: z.string(), weight: z.number() });

/**
 * An alias that routes executions to published versions running as the shared
 * role: apply publishes the machine with its new role and routes these versions'
 * share to that version; undo restores `current` exactly.
 */
const movedAlias = z.object({
  name: z.string(),
  aliasArn: z.string(),
  /** The alias's routing when the plan was made. */
  current: z.array(aliasRoute),
  /** The routed versions that run as the shared role (versions are immutable: their share moves to the new version). */
  sharedVersions: z.array(z.string()),
});

/** A state machine moved to the new Step Functions role (UpdateStateMachine roleArn; with aliases, a new version too). */
export const stateMachineMove = z.object({
  kind: z.literal('state-machine'),
  service: z.string(),
  region: moveRegion,
  stateMachineName: z.string(),
  stateMachineArn: z.string(),
  current: z.object({ roleArn: z.string() }),
  target: z.object({ roleArn: z.string() }),
  /** Aliases apply routes to the version it publishes; none means no version is published. */
  aliases: z.array(movedAlias).default([]),
  /** Executions already running keep the role they started with: the repoint counts from the next execution. */
  takesEffect: z.literal('next-run'),
});

/** One state-machine move of a plan. */
export type StateMachineMove = z.infer<typeof stateMachineMove>;
/** One alias a state-machine move routes to its new version. */
export type MovedAlias = z.infer<typeof movedAlias>;
/** One route of an alias. */
export type AliasRouteRecord = z.infer<typeof aliasRoute>;
