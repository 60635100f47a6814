/**
 * Where a job definition names IAM roles, and the copy of a revision that
 * RegisterJobDefinition takes with some of them changed. Roles sit in the
 * container (jobRoleArn, executionRoleArn), in ECS task properties
 * (taskRoleArn, executionRoleArn), and in the same two places of each node
 * range of a multi-node job. EKS jobs name no role here: their pods get one
 * through the Kubernetes service account, outside Batch.
 */
import type { JobDefinitionType, RegisterJobDefinitionRequest } from '@aws-sdk/client-batch';
import { canonicalJson } from '../../core/canonical-json.js';
import type { JobDefinitionDetail } from './port.js';

/** One role field of a revision: its path ("containerProperties.jobRoleArn") and value. */
export interface RoleField {
  path: string;
  value: string;
}

const CONTAINER_ROLES = ['jobRoleArn', 'executionRoleArn'];
const TASK_ROLES = ['taskRoleArn', 'executionRoleArn'];

/** The role fields of one object, at `prefix`. */
function fieldsOf(value: unknown, prefix: string, names: readonly string[]): RoleField[] {
  if (!value || typeof value !== 'object') return [];
  return names.flatMap((name) => {
    const v: unknown = Reflect.get(value, name);
    return typeof v === 'string' && v !== '' ? [{ path: `${prefix}.${name}`, value: v }] : [];
  });
}

/** The role fields of ECS properties at `prefix` (each task's). */
function ecsFields(ecs: unknown, prefix: string): RoleField[] {
  const tasks = (ecs as { taskProperties?: unknown[] } | undefined)?.taskProperties ?? [];
  return tasks.flatMap((task, i) => fieldsOf(task, `${prefix}.taskProperties[${i}]`, TASK_ROLES));
}

/** Every role field a revision has, wherever it sits. */
export function roleFields(def: JobDefinitionDetail): RoleField[] {
  const ranges = def.nodeProperties?.nodeRangeProperties ?? [];
  return [
    ...fieldsOf(def.containerProperties, 'containerProperties', CONTAINER_ROLES),
    ...ecsFields(def.ecsProperties, 'ecsProperties'),
    ...ranges.flatMap((range, i) => [
      ...fieldsOf(range.container, `nodeProperties.nodeRangeProperties[${i}].container`, CONTAINER_ROLES),
      ...ecsFields(range.ecsProperties, `nodeProperties.nodeRangeProperties[${i}].ecsProperties`),
    ]),
  ];
}

/** The value at a path roleFields() made, or undefined. */
export function roleAt(def: JobDefinitionDetail, path: string): string | undefined {
  return roleFields(def).find((f) => f.path === path)?.value;
}

/** Sets `path` ("a.b[2].c"), which roleFields() found in the same revision, in a copy of it. */
function setPath(target: object, path: string, value: string): void {
  const keys = path.split('.').flatMap((part) => part.split(/\[(\d+)\]/).filter((k) => k !== ''));
  let at: unknown = target;
  for (const key of keys.slice(0, -1)) at = Reflect.get(at as object, key);
  Reflect.set(at as object, keys[keys.length - 1] as string, value);
}

/**
 * The RegisterJobDefinition input that copies `def` whole into a new revision,
 * with each of `paths` set to `roleArn`. Fields Batch keeps for itself (ARN,
 * revision, status, orchestration type) and unset ones are left out.
 */
export function carryOver(
  def: JobDefinitionDetail,
  paths: readonly string[],
  roleArn: string,
): RegisterJobDefinitionRequest & { jobDefinitionName: string } {
  const { jobDefinitionArn: _arn, revision: _revision, status: _status, containerOrchestrationType: _type, ...rest } = def;
  const kept = structuredClone(rest);
  for (const key of Object.keys(kept)) if (Reflect.get(kept, key) == null) Reflect.deleteProperty(kept, key);
  for (const path of paths) setPath(kept, path, roleArn);
  return {
    ...kept,
    type: kept.type as JobDefinitionType,
  };
}

/** True when `def` is `original` copied whole with `paths` set to `roleArn`: what carryOver() would register. */
export function isCopyOf(def: JobDefinitionDetail, original: JobDefinitionDetail, paths: readonly string[], roleArn: string): boolean {
  return canonicalJson(carryOver(def, [], '')) === canonicalJson(carryOver(original, paths, roleArn));
}
