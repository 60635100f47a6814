/**
 * Reads who could own the plan's resources (the stacks of every region the
 * plan covers, and the Terraform states given with --terraform-state) and
 * records each resource's owner in the plan. The AWS reads go through the
 * CloudFormation port; the matching is src/iac/ownership.ts, pure.
 */
import { readFile } from 'node:fs/promises';
import type { CloudFormationPort } from '../aws/cloudformation.js';
import { getObjectBody } from '../aws/s3.js';
import type { AwsSession } from '../aws/session.js';
import { awsErrorName } from '../core/aws-error-names.js';
import { mapLimit } from '../core/concurrency.js';
import { SplitRoleError, usageError } from '../core/errors.js';
import type { IoHost } from '../core/io-host.js';
import { isRecord } from '../core/json.js';
import { parseCfnYaml } from '../iac/cfn-yaml.js';
import { findOwners, stacksToRead, type StackFacts } from '../iac/ownership.js';
import type { Ownership } from '../iac/ownership-schema.js';
import { parseTerraformState, stateMismatch, StateError, type TerraformState } from '../iac/terraform-state.js';
import { ownershipTargets } from '../plan/ownership-targets.js';
import { parsePlan, sealPlan } from '../plan/plan-file.js';
import type { Plan, PlanBody } from '../plan/schema.js';

/** Stacks read at once per region (ListStackResources is one call per stack). */
const STACK_CONCURRENCY = 4;

/** What ownership is decided from: each region's stacks with their resources, and the states. */
export interface OwnershipSources {
  regions: string[];
  stacks: StackFacts[];
  states: TerraformState[];
  /** Reads a stack's template (only for the stacks that own something or may). */
  template(stack: StackFacts): Promise<Record<string, unknown> | undefined>;
}

/** Lists every stack of the regions and each one's resources. */
export async function readStacks(
  regions: readonly string[],
  portFor: (region: string) => Promise<CloudFormationPort>,
  io: IoHost,
): Promise<OwnershipSources['stacks']> {
  const perRegion = await mapLimit([...regions], STACK_CONCURRENCY, async (region) => {
    const port = await portFor(region);
    const stacks = await port.listStacks();
    const read = await mapLimit(stacks, STACK_CONCURRENCY, async (s): Promise<StackFacts | undefined> => {
      const resources = await port.listStackResources(s.stackName).catch((error: unknown) => {
        // Deleted since it was listed: it owns nothing now. Any other failure stops the plan (an owner must not go unseen).
        if (awsErrorName(error) === 'ValidationError' && /does not exist/.test((error as Error).message)) return undefined;
        throw error;
      });
      return resources && { region, stackName: s.stackName, stackId: s.stackId, resources };
    });
    return read.filter((s): s is StackFacts => s !== undefined);
  });
  const stacks = perRegion.flat();
  io.progress('SR_PLAN_P2013', `read ${stacks.length} CloudFormation stack(s) in ${regions.length} region(s) for ownership`, {
    stacks: stacks.length,
    regions: [...regions],
  });
  return stacks;
}

/** A template's text as an object (JSON or YAML with short-form intrinsics); undefined when it does not parse. */
export function parseTemplate(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = text.trimStart().startsWith('{') ? JSON.parse(text) : parseCfnYaml(text).value;
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads each state (a file, or s3://bucket/key) and refuses, by name, one
 * that is not a version 4 state or is for another account or region.
 */
export async function readTerraformStates(
  sources: readonly string[],
  where: { account: string; regions: readonly string[] },
  s3: () => Promise<Parameters<typeof getObjectBody>[0]>,
): Promise<TerraformState[]> {
  const states: TerraformState[] = [];
  for (const source of sources) {
    const text = await stateText(source, s3);
    let state: TerraformState;
    try {
      state = parseTerraformState(text, source);
    } catch (error) {
      if (error instanceof StateError) throw stateRefused(error.message);
      throw error;
    }
    const mismatch = stateMismatch(state, where.account, where.regions);
    if (mismatch) throw stateRefused(mismatch);
    states.push(state);
  }
  return states;
}

function stateRefused(message: string): SplitRoleError {
  return new SplitRoleError(
    'TerraformStateRefused',
    message,
    'pass the state of the Terraform root that deploys to the plan’s account and regions',
  );
}

async function stateText(source: string, s3: () => Promise<Parameters<typeof getObjectBody>[0]>): Promise<string> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(source);
  if (source.startsWith('s3://') && !match) throw usageError(`--terraform-state ${source} is not s3://BUCKET/KEY`);
  if (match) {
    const body = await getObjectBody(await s3(), match[1]!, match[2]!);
    if (!body) throw new SplitRoleError('TerraformStateRefused', `${source} does not exist`, 'check the bucket and key of the state');
    return body.transformToString('utf8');
  }
  try {
    return await readFile(source, 'utf8');
  } catch (error) {
    throw usageError(`cannot read --terraform-state ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Everything ownership needs from a session: the stacks of the regions and the states given. */
export async function readOwnershipSources(
  session: AwsSession,
  io: IoHost,
  options: { regions: readonly string[]; account: string; terraformStates: readonly string[] },
): Promise<OwnershipSources> {
  const { sdkCloudFormationPort } = await import('../aws/cloudformation.js');
  const portFor = async (region: string) => sdkCloudFormationPort(await session.inRegion(region));
  const [stacks, states] = await Promise.all([
    readStacks(options.regions, portFor, io),
    readTerraformStates(options.terraformStates, options, () => session.s3()),
  ]);
  return {
    regions: [...options.regions],
    stacks,
    states,
    template: async (stack) => parseTemplate(await (await portFor(stack.region)).getTemplate(stack.stackName)),
  };
}

/** The plan's ownership section: each resource's owner, reading the templates of the stacks that need it. */
export async function planOwnership(body: PlanBody, sources: OwnershipSources): Promise<Ownership> {
  const targets = ownershipTargets(body);
  const needed = new Set(stacksToRead(targets, sources.stacks));
  const stacks = await mapLimit(sources.stacks, STACK_CONCURRENCY, async (stack) => {
    if (!needed.has(stack)) return stack;
    const template = await sources.template(stack);
    return template ? { ...stack, template } : stack;
  });
  return {
    cloudFormationRegions: sources.regions,
    terraformStates: sources.states.map((s) => ({
      source: s.source,
      ...(s.serial !== undefined ? { serial: s.serial } : {}),
      ...(s.lineage !== undefined ? { lineage: s.lineage } : {}),
    })),
    resources: findOwners(targets, stacks, sources.states),
  };
}

/** The sealed plan again, with its ownership section: sealed anew and read back, so what reaches the disk is what apply reads. */
export async function withOwnership(plan: Plan, sources: OwnershipSources): Promise<Plan> {
  const { digest: _digest, ...body } = plan;
  const sealed = sealPlan({ ...body, ownership: await planOwnership(body, sources) });
  parsePlan(JSON.stringify(sealed), 'the new plan');
  return sealed;
}
