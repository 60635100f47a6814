/**
 * CloudFormation templates (JSON or YAML, hand-written or CDK-synthesised):
 * the `AWS::IAM::Role` resources, their trust policies as written, their tags,
 * and the `split-role:allow-shared` suppression in tags or Metadata.
 */
import { isArray } from '../core/json.js';
import { ALLOW_SHARED_KEY, isRecord, suppressionFrom, type IacRole, type Suppression } from './types.js';

/** True when a parsed document has the shape of a CloudFormation template. */
export function isCloudFormationTemplate(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  // Why Resources alone suffices: AWSTemplateFormatVersion is optional, but a
  // template without Resources is not deployable; the type check rules out
  // other JSON that happens to have a Resources key.
  if ('AWSTemplateFormatVersion' in value && isRecord(value.Resources)) return true;
  return isRecord(value.Resources) && Object.values(value.Resources).some((r) => isRecord(r) && typeof r.Type === 'string');
}

/** What `check` reads of each resource type it judges: the properties it looks at. */
const READ_PROPERTIES: Record<string, readonly string[]> = {
  'AWS::IAM::Role': ['AssumeRolePolicyDocument', 'RoleName', 'Tags'],
  'AWS::Serverless::Function': ['AssumeRolePolicyDocument', 'Role', 'Tags'],
  'AWS::Serverless::StateMachine': ['AssumeRolePolicyDocument', 'Role', 'Tags'],
};

/**
 * SAM resources that make a role when they are given none, and the service
 * that role trusts when no AssumeRolePolicyDocument replaces SAM's default.
 */
const SAM_IMPLICIT_ROLE: Record<string, string> = {
  'AWS::Serverless::Function': 'lambda.amazonaws.com',
  'AWS::Serverless::StateMachine': 'states.amazonaws.com',
};
const READ_METADATA = ['aws:cdk:path', ALLOW_SHARED_KEY];

/**
 * A resource reduced to what the readers here look at: the Type of every
 * resource, the Metadata keys they read and, for the types `check` judges,
 * the properties it reads. Why: a large template is then never held whole.
 */
export function slimResource(resource: unknown): unknown {
  if (!isRecord(resource) || typeof resource.Type !== 'string') return resource;
  const slim: Record<string, unknown> = { Type: resource.Type };
  if (isRecord(resource.Metadata)) slim.Metadata = pick(resource.Metadata, READ_METADATA);
  const read = READ_PROPERTIES[resource.Type];
  if (read && isRecord(resource.Properties)) slim.Properties = pick(resource.Properties, read);
  return slim;
}

function pick(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => key in record).map((key) => [key, record[key]]));
}

/** True when the template was synthesised by the AWS CDK. */
export function isCdkTemplate(template: Record<string, unknown>): boolean {
  if (isRecord(template.Parameters) && 'BootstrapVersion' in template.Parameters) return true;
  return (
    isRecord(template.Resources) &&
    Object.values(template.Resources).some((r) => isRecord(r) && isRecord(r.Metadata) && 'aws:cdk:path' in r.Metadata)
  );
}

/** The IAM roles of a template, in template order. `lines` maps logical ids to their line. */
export function cloudFormationRoles(template: Record<string, unknown>, lines: ReadonlyMap<string, number>): IacRole[] {
  const roles: IacRole[] = [];
  const resources = isRecord(template.Resources) ? template.Resources : {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isRecord(resource) || typeof resource.Type !== 'string') continue;
    const properties = isRecord(resource.Properties) ? resource.Properties : {};
    const metadata = isRecord(resource.Metadata) ? resource.Metadata : {};
    let role: IacRole;
    if (resource.Type === 'AWS::IAM::Role') {
      role = {
        resource: logicalId,
        dialect: 'cloudformation',
        trustPolicy: properties.AssumeRolePolicyDocument,
        unresolved: properties.AssumeRolePolicyDocument === undefined ? ['AssumeRolePolicyDocument: missing'] : [],
      };
      if (typeof properties.RoleName === 'string') role.roleName = properties.RoleName;
    } else {
      const implicit = samImplicitRole(logicalId, resource.Type, properties);
      if (!implicit) continue;
      role = implicit;
    }
    const line = lines.get(logicalId);
    if (line !== undefined) role.line = line;
    if (typeof metadata['aws:cdk:path'] === 'string') role.constructPath = metadata['aws:cdk:path'];
    const suppression = suppressionOf(properties.Tags, metadata);
    if (suppression) role.suppression = suppression;
    roles.push(role);
  }
  return roles;
}

/**
 * The role SAM creates for a function or state machine that names none
 * (`<LogicalId>Role`), trusting the document given or SAM's single-service
 * default. A resource with `Role` uses a role defined elsewhere, which is
 * judged where it is defined.
 */
function samImplicitRole(logicalId: string, type: string, properties: Record<string, unknown>): IacRole | undefined {
  const service = SAM_IMPLICIT_ROLE[type];
  if (!service || properties.Role !== undefined) return undefined;
  const given = properties.AssumeRolePolicyDocument;
  const trustPolicy = given ?? {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  };
  const note =
    given === undefined
      ? `implicit role ${logicalId}Role, which SAM creates for ${type} trusting ${service} only`
      : `implicit role ${logicalId}Role, which SAM creates for ${type} with this AssumeRolePolicyDocument`;
  return { resource: logicalId, roleName: `${logicalId}Role`, dialect: 'cloudformation', trustPolicy, unresolved: [], notes: [note] };
}

/**
 * Stand-in ARNs for the IAM roles and users a template defines, so a trust
 * policy naming one through `Fn::GetAtt [Id, Arn]` (CDK does this for every
 * `grantAssumeRole`) is known to be same-account instead of unresolved.
 */
export function localPrincipalArns(template: Record<string, unknown>, accountId: string): Record<string, string> {
  const arns: Record<string, string> = {};
  const resources = isRecord(template.Resources) ? template.Resources : {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isRecord(resource)) continue;
    if (resource.Type === 'AWS::IAM::Role') arns[logicalId] = `arn:aws:iam::${accountId}:role/${logicalId}`;
    if (resource.Type === 'AWS::IAM::User') arns[logicalId] = `arn:aws:iam::${accountId}:user/${logicalId}`;
  }
  return arns;
}

function suppressionOf(tags: unknown, metadata: Record<string, unknown>): Suppression | undefined {
  if (ALLOW_SHARED_KEY in metadata) return suppressionFrom(metadata[ALLOW_SHARED_KEY], 'metadata');
  if (!isArray(tags)) return undefined;
  const tag = tags.find((t) => isRecord(t) && t.Key === ALLOW_SHARED_KEY);
  return isRecord(tag) ? suppressionFrom(tag.Value, 'tag') : undefined;
}
