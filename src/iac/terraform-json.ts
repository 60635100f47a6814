/**
 * Terraform JSON configuration (`*.tf.json`): `resource.aws_iam_role.NAME`
 * blocks. A trust policy given as plain JSON text (or an object) is analysed;
 * `${data.aws_iam_policy_document.X.json}` is resolved from the same file; any
 * other template expression can only be evaluated by Terraform and is
 * reported as unresolved.
 */
import { jsonLines, jsonPathKey, type JsonPath } from './json-lines.js';
import { ALLOW_SHARED_KEY, isRecord, suppressionFrom, type IacRole } from './types.js';

/** True when a parsed document looks like Terraform JSON configuration. */
export function isTerraformJson(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && (isRecord(value.resource) || Array.isArray(value.resource));
}

const TEMPLATE = /(?<!\$)\$\{|(?<!%)%\{/;
const DOCUMENT_REF = /^\$\{\s*data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)\.json\s*\}$/;

/** Terraform JSON allows any block level as an object or a list of objects; this visits both. */
function entries(node: unknown, path: JsonPath): Array<[string, unknown, JsonPath]> {
  if (isRecord(node))
    return Object.entries(node)
      .filter(([key]) => key !== '//')
      .map(([key, value]) => [key, value, [...path, key]]);
  if (Array.isArray(node)) return node.flatMap((item, index) => entries(item, [...path, index]));
  return [];
}

/** Reads a Terraform string literal: "$${" and "%%{" are escapes; undefined when it holds an expression. */
export function terraformLiteral(text: string): string | undefined {
  if (TEMPLATE.test(text)) return undefined;
  return text.replaceAll('$${', () => '${').replaceAll('%%{', () => '%{');
}

/** The IAM roles of a `.tf.json` file, with the line of each role's name in `text`. */
export function terraformJsonRoles(config: Record<string, unknown>, text: string): IacRole[] {
  const paths = roleBlocks(config).map((f) => f.path);
  const lines = jsonLines(text, paths);
  return terraformRoles(config, (path) => lines.get(jsonPathKey(path)));
}

/** The IAM roles of Terraform configuration in its JSON shape; `lineOf` gives a block's source line. */
export function terraformRoles(config: Record<string, unknown>, lineOf: (path: JsonPath) => number | undefined): IacRole[] {
  const found = roleBlocks(config);
  const documents = policyDocuments(config.data);
  return found.map(({ name, body, path }) => {
    const role: IacRole = { resource: `aws_iam_role.${name}`, dialect: 'terraform', trustPolicy: undefined, unresolved: [] };
    trustOf(body.assume_role_policy, documents, role);
    const roleName = typeof body.name === 'string' ? terraformLiteral(body.name) : undefined;
    if (roleName !== undefined) role.roleName = roleName;
    const line = lineOf(path);
    if (line !== undefined) role.line = line;
    const tags = isRecord(body.tags) ? body.tags : undefined;
    if (tags && ALLOW_SHARED_KEY in tags) role.suppression = suppressionFrom(tags[ALLOW_SHARED_KEY], 'tag');
    return role;
  });
}

function roleBlocks(config: Record<string, unknown>): Array<{ name: string; body: Record<string, unknown>; path: JsonPath }> {
  const found: Array<{ name: string; body: Record<string, unknown>; path: JsonPath }> = [];
  for (const [type, byName, typePath] of entries(config.resource, ['resource'])) {
    if (type !== 'aws_iam_role') continue;
    for (const [name, body, path] of entries(byName, typePath)) {
      // A block given as a list of one object is still one block.
      const block = Array.isArray(body) ? body.find(isRecord) : body;
      if (isRecord(block)) found.push({ name, body: block, path });
    }
  }
  return found;
}

function trustOf(policy: unknown, documents: Map<string, PolicyFromData>, role: IacRole): void {
  if (policy === undefined || policy === null) {
    role.unresolved.push('assume_role_policy: missing');
    return;
  }
  if (typeof policy !== 'string') {
    role.trustPolicy = policy;
    return;
  }
  const literal = terraformLiteral(policy);
  if (literal !== undefined) {
    role.trustPolicy = literal;
    return;
  }
  const reference = DOCUMENT_REF.exec(policy.trim())?.[1];
  const document = reference ? documents.get(reference) : undefined;
  if (document) {
    role.trustPolicy = document.policy;
    role.unresolved.push(...document.unresolved);
    return;
  }
  role.unresolved.push(`assume_role_policy: ${policy.length > 160 ? `${policy.slice(0, 157)}...` : policy}`);
}

interface PolicyFromData {
  policy: { Version: string; Statement: Array<Record<string, unknown>> };
  unresolved: string[];
}

/** `data.aws_iam_policy_document` blocks rendered to IAM JSON, as Terraform would. */
function policyDocuments(data: unknown): Map<string, PolicyFromData> {
  const out = new Map<string, PolicyFromData>();
  for (const [type, byName] of entries(data, [])) {
    if (type !== 'aws_iam_policy_document') continue;
    for (const [name, body] of entries(byName, [])) {
      const block = Array.isArray(body) ? body.find(isRecord) : body;
      if (!isRecord(block)) continue;
      const unresolved: string[] = [];
      const where = `data.aws_iam_policy_document.${name}`;
      const statements = blocks(block.statement).map((s, i) => renderStatement(s, `${where}.statement[${i}]`, unresolved));
      out.set(name, { policy: { Version: '2012-10-17', Statement: statements }, unresolved });
    }
  }
  return out;
}

function blocks(value: unknown): Array<Record<string, unknown>> {
  if (isRecord(value)) return [value];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function renderStatement(block: Record<string, unknown>, where: string, unresolved: string[]): Record<string, unknown> {
  const literals = (value: unknown, field: string): string[] => {
    const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return list.flatMap((item) => {
      const text = typeof item === 'string' ? terraformLiteral(item) : undefined;
      if (text === undefined) unresolved.push(`${where}.${field}: ${JSON.stringify(item)}`);
      return text === undefined ? [] : [text];
    });
  };
  const statement: Record<string, unknown> = { Effect: block.effect === 'Deny' ? 'Deny' : 'Allow' };
  if (typeof block.sid === 'string') statement.Sid = block.sid;
  if (block.actions !== undefined) statement.Action = literals(block.actions, 'actions');
  if (block.not_actions !== undefined) statement.NotAction = literals(block.not_actions, 'not_actions');
  for (const [field, key] of [
    ['principals', 'Principal'],
    ['not_principals', 'NotPrincipal'],
  ] as const) {
    const principal: Record<string, string[]> = {};
    for (const p of blocks(block[field])) {
      const type = typeof p.type === 'string' ? p.type : '';
      principal[type] = [...(principal[type] ?? []), ...literals(p.identifiers, `${field}.identifiers`)];
    }
    if (Object.keys(principal).length > 0) statement[key] = principal;
  }
  const conditions = blocks(block.condition);
  if (conditions.length > 0) {
    const condition: Record<string, Record<string, string[]>> = {};
    for (const c of conditions) {
      const test = String(c.test);
      condition[test] = { ...condition[test], [String(c.variable)]: literals(c.values, 'condition.values') };
    }
    statement.Condition = condition;
  }
  return statement;
}
