/**
 * Terraform state files (format version 4, what every Terraform since 0.12
 * and OpenTofu write): the managed resource instances with their addresses
 * and attributes. Pure: the caller reads the file or the S3 object.
 */
import { isRecord } from '../core/json.js';

/** One managed resource instance of a state. */
export interface StateInstance {
  /** module.app.aws_iam_role.shared, aws_lambda_function.f["a"], aws_instance.web[0]. */
  address: string;
  type: string;
  attributes: Record<string, unknown>;
}

/** A parsed state. */
export interface TerraformState {
  /** As given: a path or s3://bucket/key. */
  source: string;
  serial?: number;
  lineage?: string;
  instances: StateInstance[];
}

/** Why a state cannot be used; the message names the source. */
export class StateError extends Error {
  override readonly name = 'StateError';
}

/** Parses a state's JSON text. Throws StateError naming `source` for anything but a version 4 state. */
export function parseTerraformState(text: string, source: string): TerraformState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StateError(`${source} is not JSON, so not a Terraform state`);
  }
  if (!isRecord(value) || !Array.isArray(value.resources)) throw new StateError(`${source} is not a Terraform state (no "resources" list)`);
  if (value.version !== 4)
    throw new StateError(`${source} is a version ${JSON.stringify(value.version ?? null)} Terraform state; only version 4 is read`);
  const instances: StateInstance[] = [];
  for (const resource of value.resources) {
    if (!isRecord(resource) || resource.mode !== 'managed' || typeof resource.type !== 'string' || typeof resource.name !== 'string')
      continue;
    const base = `${typeof resource.module === 'string' && resource.module !== '' ? `${resource.module}.` : ''}${resource.type}.${resource.name}`;
    for (const instance of Array.isArray(resource.instances) ? resource.instances : []) {
      if (!isRecord(instance) || !isRecord(instance.attributes)) continue;
      instances.push({ address: base + indexSuffix(instance.index_key), type: resource.type, attributes: instance.attributes });
    }
  }
  return {
    source,
    instances,
    ...(typeof value.serial === 'number' ? { serial: value.serial } : {}),
    ...(typeof value.lineage === 'string' ? { lineage: value.lineage } : {}),
  };
}

function indexSuffix(key: unknown): string {
  if (typeof key === 'number') return `[${key}]`;
  if (typeof key === 'string') return `[${JSON.stringify(key)}]`;
  return '';
}

/** The account and the regions the state's own resources' ARNs name (IAM ARNs name no region). */
export function stateWhereabouts(state: TerraformState): { accounts: Set<string>; regions: Set<string> } {
  const accounts = new Set<string>();
  const regions = new Set<string>();
  for (const { attributes } of state.instances) {
    const arn = attributes.arn;
    if (typeof arn !== 'string') continue;
    const [prefix, , , region, account] = arn.split(':');
    if (prefix !== 'arn') continue;
    if (account && /^\d{12}$/.test(account)) accounts.add(account);
    if (region) regions.add(region);
  }
  return { accounts, regions };
}

/**
 * Why a state is for another account or region than the plan's, or
 * undefined. A state whose resources all name other accounts (or, when it
 * has regional resources, only regions the plan does not cover) is another
 * deployment's: matching names there would claim resources it does not own.
 */
export function stateMismatch(state: TerraformState, account: string, regions: readonly string[]): string | undefined {
  const where = stateWhereabouts(state);
  const others = [...where.accounts].filter((a) => a !== account);
  if (others.length > 0) return `${state.source} holds resources of account ${others.sort().join(', ')}, not ${account}`;
  if (where.regions.size > 0 && ![...where.regions].some((r) => regions.includes(r)))
    return `${state.source} holds resources in ${[...where.regions].sort().join(', ')}, none of the plan's regions (${regions.join(', ')})`;
  return undefined;
}
