/**
 * Who owns each resource a plan touches: pure matching of the plan's
 * resources against the stacks of its regions (their resources as
 * ListStackResources gives them, and their templates) and the Terraform
 * states given. A resource is matched by its own physical id, restricted to
 * the resource types that can own it, never by tags: AWS propagates stack
 * tags unevenly, and a tag names no logical id.
 */
import { isRecord } from '../core/json.js';
import type { OwnedKind, OwnedResource, Owner } from './ownership-schema.js';
import type { TerraformState } from './terraform-state.js';

/** A resource the plan touches, with what can own it. */
export interface OwnershipTarget {
  kind: OwnedKind;
  ref: string;
  name: string;
  region?: string;
  /** Every form of its identity: name, ARN, id, URL. */
  ids: string[];
  /** CloudFormation types that own it. With `property`, a separate policy resource that names it there (Ref, GetAtt or literal). */
  cfn: ReadonlyArray<{ type: string; property?: string }>;
  /** Terraform types that own it, and the attributes that hold one of its ids. */
  terraform: ReadonlyArray<{ type: string; attributes: readonly string[] }>;
  /** A workload kind with no owner types declared: any stack resource whose physical id is one of its ids owns it. */
  anyType?: boolean;
}

/** One stack: its resources and (when read) its template. */
export interface StackFacts {
  region: string;
  stackName: string;
  stackId: string;
  resources: ReadonlyArray<{ logicalId: string; physicalId?: string; type: string }>;
  /** The parsed template; needed for CDK construct paths, SAM, and policy resources that name their target. */
  template?: Record<string, unknown>;
}

/** The CloudFormation types whose match needs the template (a policy resource naming its target in a property). */
export function needsTemplate(targets: readonly OwnershipTarget[], stack: StackFacts): boolean {
  const byProperty = new Set(targets.flatMap((t) => t.cfn.filter((c) => c.property).map((c) => c.type)));
  return stack.resources.some((r) => byProperty.has(r.type));
}

/** The stack and logical id that own a target, by physical id alone (no template needed). */
function physicalMatch(
  target: OwnershipTarget,
  stacks: readonly StackFacts[],
): { stack: StackFacts; logicalId: string; type: string } | undefined {
  const ids = new Set(target.ids);
  const types = new Set(target.cfn.filter((c) => !c.property).map((c) => c.type));
  for (const stack of stacks) {
    if (target.region && stack.region !== target.region && !isGlobal(target)) continue;
    for (const r of stack.resources) {
      if ((target.anyType || types.has(r.type)) && r.physicalId !== undefined && ids.has(r.physicalId))
        return { stack, logicalId: r.logicalId, type: r.type };
    }
  }
  return undefined;
}

/** IAM roles and profiles are global: a stack in any of the plan's regions may own them. */
function isGlobal(target: OwnershipTarget): boolean {
  return target.kind === 'shared-role' || target.kind === 'instance-profile';
}

/** A policy resource whose template property names the target (by Ref/GetAtt to a resource with one of its ids, or literally). */
function propertyMatch(
  target: OwnershipTarget,
  stacks: readonly StackFacts[],
): { stack: StackFacts; logicalId: string; type: string } | undefined {
  const ids = new Set(target.ids);
  for (const { type, property } of target.cfn) {
    if (!property) continue;
    for (const stack of stacks) {
      if (target.region && stack.region !== target.region) continue;
      const resources = isRecord(stack.template?.Resources) ? stack.template.Resources : undefined;
      if (!resources) continue;
      const physical = new Map(stack.resources.map((r) => [r.logicalId, r.physicalId]));
      for (const r of stack.resources) {
        if (r.type !== type) continue;
        const declared = resources[r.logicalId];
        const value = isRecord(declared) && isRecord(declared.Properties) ? declared.Properties[property] : undefined;
        const named = (Array.isArray(value) ? value : [value]).some((v) => {
          if (typeof v === 'string') return ids.has(v);
          const logical = referencedLogicalId(v);
          const id = logical === undefined ? undefined : physical.get(logical);
          return id !== undefined && ids.has(id);
        });
        if (named) return { stack, logicalId: r.logicalId, type };
      }
    }
  }
  return undefined;
}

/** The logical id a `Ref` or `Fn::GetAtt` names (long form, as the template parsers give it). */
function referencedLogicalId(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** The owner a stack gives one of its resources: SAM by the template's Transform, CDK by its metadata, else plain CloudFormation. */
export function stackOwner(stack: StackFacts, logicalId: string, resourceType: string): Owner {
  const base = { stackName: stack.stackName, stackId: stack.stackId, logicalId, resourceType, region: stack.region };
  const template = stack.template;
  if (!template) return { tool: 'cloudformation', ...base };
  const transforms = (Array.isArray(template.Transform) ? template.Transform : [template.Transform]).filter(
    (t): t is string => typeof t === 'string',
  );
  const sam = transforms.find((t) => t.startsWith('AWS::Serverless'));
  if (sam) return { tool: 'sam', ...base, transform: sam };
  const resources = isRecord(template.Resources) ? template.Resources : {};
  const declared = resources[logicalId];
  const path = isRecord(declared) && isRecord(declared.Metadata) ? declared.Metadata['aws:cdk:path'] : undefined;
  const cdk =
    typeof path === 'string' ||
    Object.values(resources).some(
      (r) => isRecord(r) && (r.Type === 'AWS::CDK::Metadata' || (isRecord(r.Metadata) && 'aws:cdk:path' in r.Metadata)),
    );
  if (cdk) return { tool: 'cdk', ...base, ...(typeof path === 'string' ? { constructPath: path } : {}) };
  return { tool: 'cloudformation', ...base };
}

/** The Terraform resource instance that owns a target, from the states in order. */
function stateMatch(target: OwnershipTarget, states: readonly TerraformState[]): Owner | undefined {
  const ids = new Set(target.ids);
  for (const state of states) {
    for (const instance of state.instances) {
      const spec =
        target.terraform.find((t) => t.type === instance.type) ?? (target.anyType ? { attributes: ['arn', 'id', 'name'] } : undefined);
      if (!spec) continue;
      if (spec.attributes.some((a) => typeof instance.attributes[a] === 'string' && ids.has(instance.attributes[a]))) {
        return { tool: 'terraform', address: instance.address, resourceType: instance.type, state: state.source };
      }
    }
  }
  return undefined;
}

/** Each target's owner: a policy resource naming it, then its own stack resource, then a Terraform state; else unmanaged. */
export function findOwners(
  targets: readonly OwnershipTarget[],
  stacks: readonly StackFacts[],
  states: readonly TerraformState[],
): OwnedResource[] {
  return targets.map((target) => {
    // A policy resource naming the target is the policy's own declaration: it wins over the resource that merely holds the policy.
    const own = propertyMatch(target, stacks) ?? physicalMatch(target, stacks);
    const owner: Owner = own ? stackOwner(own.stack, own.logicalId, own.type) : (stateMatch(target, states) ?? { tool: 'unmanaged' });
    return {
      kind: target.kind,
      ref: target.ref,
      name: target.name,
      ...(target.region ? { region: target.region } : {}),
      owner,
    };
  });
}

/** The stacks that own at least one target by physical id (their templates say CDK or SAM) or may by a policy resource. */
export function stacksToRead(targets: readonly OwnershipTarget[], stacks: readonly StackFacts[]): StackFacts[] {
  const owning = new Set(targets.map((t) => physicalMatch(t, stacks)?.stack).filter((s) => s !== undefined));
  return stacks.filter((s) => owning.has(s) || needsTemplate(targets, s));
}
