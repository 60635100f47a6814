/**
 * Terraform plan JSON (`terraform show -json PLANFILE`, and the state form
 * `terraform show -json`): every `aws_iam_role` in the root and child modules.
 * Values known only after apply are reported as unresolved.
 */
import { jsonLines, jsonPathKey, type JsonPath } from './json-lines.js';
import { ALLOW_SHARED_KEY, isRecord, suppressionFrom, type IacRole } from './types.js';

/** True when a parsed document is Terraform's JSON plan or state output. */
export function isTerraformPlan(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && 'format_version' in value && (isRecord(value.planned_values) || isRecord(value.values));
}

interface Found {
  resource: Record<string, unknown>;
  path: JsonPath;
}

/** The IAM roles a plan (or state) will have, with the line of each role's address in `text`. */
export function terraformPlanRoles(plan: Record<string, unknown>, text: string): IacRole[] {
  const top = isRecord(plan.planned_values) ? 'planned_values' : 'values';
  const found: Found[] = [];
  const root = (plan[top] as Record<string, unknown>).root_module;
  if (isRecord(root)) collect(root, [top, 'root_module'], found, 0);
  const unknown = unknownTrust(plan.resource_changes);
  const lines = jsonLines(
    text,
    found.map((f) => [...f.path, 'address']),
  );
  return found.map(({ resource, path }) => {
    const address = String(resource.address);
    const values = isRecord(resource.values) ? resource.values : {};
    const policy = values.assume_role_policy;
    const role: IacRole = { resource: address, dialect: 'terraform', trustPolicy: policy, unresolved: [] };
    if (policy === undefined || policy === null) {
      role.trustPolicy = undefined;
      role.unresolved.push(unknown.has(address) ? 'assume_role_policy: (known after apply)' : 'assume_role_policy: missing');
    }
    if (typeof values.name === 'string') role.roleName = values.name;
    const line = lines.get(jsonPathKey([...path, 'address']));
    if (line !== undefined) role.line = line;
    const tags = isRecord(values.tags) ? values.tags : undefined;
    if (tags && ALLOW_SHARED_KEY in tags) role.suppression = suppressionFrom(tags[ALLOW_SHARED_KEY], 'tag');
    return role;
  });
}

function collect(module: Record<string, unknown>, path: JsonPath, found: Found[], depth: number): void {
  // Terraform caps module nesting far below this; the bound only guards hostile input.
  if (depth > 100) return;
  const resources = Array.isArray(module.resources) ? module.resources : [];
  resources.forEach((resource, index) => {
    if (isRecord(resource) && resource.type === 'aws_iam_role' && resource.mode !== 'data' && typeof resource.address === 'string') {
      found.push({ resource, path: [...path, 'resources', index] });
    }
  });
  const children = Array.isArray(module.child_modules) ? module.child_modules : [];
  children.forEach((child, index) => {
    if (isRecord(child)) collect(child, [...path, 'child_modules', index], found, depth + 1);
  });
}

/** Addresses of roles whose trust policy the plan marks as unknown until apply. */
function unknownTrust(changes: unknown): Set<string> {
  const addresses = new Set<string>();
  if (!Array.isArray(changes)) return addresses;
  for (const change of changes) {
    if (!isRecord(change) || change.type !== 'aws_iam_role' || !isRecord(change.change)) continue;
    const afterUnknown = change.change.after_unknown;
    if (isRecord(afterUnknown) && afterUnknown.assume_role_policy === true) addresses.add(String(change.address));
  }
  return addresses;
}
