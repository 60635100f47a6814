/**
 * CloudFormation templates (JSON or YAML, hand-written or CDK-synthesised):
 * the `AWS::IAM::Role` resources, their trust policies as written, their tags,
 * and the `split-role:allow-shared` suppression in tags or Metadata.
 */
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

/** True when the template was synthesised by the AWS CDK. */
export function isCdkTemplate(template: Record<string, unknown>): boolean {
  if (isRecord(template.Parameters) && 'BootstrapVersion' in template.Parameters) return true;
  return isRecord(template.Resources) && Object.values(template.Resources).some((r) => isRecord(r) && isRecord(r.Metadata) && 'aws:cdk:path' in r.Metadata);
}

/** The IAM roles of a template, in template order. `lines` maps logical ids to their line. */
export function cloudFormationRoles(template: Record<string, unknown>, lines: ReadonlyMap<string, number>): IacRole[] {
  const roles: IacRole[] = [];
  const resources = isRecord(template.Resources) ? template.Resources : {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isRecord(resource) || resource.Type !== 'AWS::IAM::Role') continue;
    const properties = isRecord(resource.Properties) ? resource.Properties : {};
    const metadata = isRecord(resource.Metadata) ? resource.Metadata : {};
    const role: IacRole = {
      resource: logicalId,
      dialect: 'cloudformation',
      trustPolicy: properties.AssumeRolePolicyDocument,
      unresolved: properties.AssumeRolePolicyDocument === undefined ? ['AssumeRolePolicyDocument: missing'] : [],
    };
    if (typeof properties.RoleName === 'string') role.roleName = properties.RoleName;
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
  if (!Array.isArray(tags)) return undefined;
  const tag = tags.find((t) => isRecord(t) && t.Key === ALLOW_SHARED_KEY);
  return isRecord(tag) ? suppressionFrom(tag.Value, 'tag') : undefined;
}
