/**
 * Before rewriting a stack's template: does the code given still describe
 * what is deployed? A pull request made from a stale checkout would undo
 * someone's change on the next deploy, so rewrite compares each resource it
 * edits with the deployed template (GetTemplate) and stops on a difference.
 */
import { canonicalJson } from '../core/canonical-json.js';
import { isRecord } from '../core/json.js';
import type { Plan } from '../plan/schema.js';
import { parseTemplate } from '../plan-run/ownership.js';
import type { SourceFile } from './types.js';

/** A stack that owns something rewrite edits, and the logical ids it owns. */
export interface OwningStack {
  stackName: string;
  region: string;
  logicalIds: string[];
}

/** Reads a stack's template as deployed (CloudFormation GetTemplate). */
export type DeployedTemplate = (stack: OwningStack) => Promise<string>;

/** The CloudFormation (or SAM) stacks that own the plan's resources. CDK stacks are left out: their code is never edited. */
export function owningStacks(plan: Plan): OwningStack[] {
  const stacks = new Map<string, OwningStack>();
  for (const resource of plan.ownership?.resources ?? []) {
    const owner = resource.owner;
    if (owner.tool !== 'cloudformation' && owner.tool !== 'sam') continue;
    const key = `${owner.region}\u0000${owner.stackName}`;
    const stack = stacks.get(key) ?? { stackName: owner.stackName, region: owner.region, logicalIds: [] };
    if (!stack.logicalIds.includes(owner.logicalId)) stack.logicalIds.push(owner.logicalId);
    stacks.set(key, stack);
  }
  return [...stacks.values()];
}

/**
 * One line per owned resource whose definition in the files given differs
 * from the deployed template's; empty when they agree. A stack whose
 * resources none of the files define is not compared (its code was not given).
 */
export async function deployedDifferences(plan: Plan, sources: readonly SourceFile[], deployed: DeployedTemplate): Promise<string[]> {
  const local = sources.flatMap((source) => {
    const template = parseTemplate(source.text);
    return template && isRecord(template.Resources) ? [{ path: source.path, resources: template.Resources }] : [];
  });
  const differences: string[] = [];
  for (const stack of owningStacks(plan)) {
    const file = local.find((l) => stack.logicalIds.some((id) => id in l.resources));
    if (!file) continue;
    const live = parseTemplate(await deployed(stack));
    const liveResources = live && isRecord(live.Resources) ? live.Resources : {};
    for (const id of stack.logicalIds) {
      const mine = file.resources[id];
      const theirs = liveResources[id];
      if (mine === undefined && theirs === undefined) continue;
      if (mine === undefined) differences.push(`${file.path}: ${id} is deployed in stack ${stack.stackName} but not in this template`);
      else if (theirs === undefined) differences.push(`${file.path}: ${id} is not in the deployed stack ${stack.stackName}`);
      else if (canonicalJson(mine) !== canonicalJson(theirs)) {
        differences.push(`${file.path}: ${id} differs from the deployed stack ${stack.stackName} (${stack.region})`);
      }
    }
  }
  return differences;
}
