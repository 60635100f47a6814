/**
 * The StackSet template of the access role split-role assumes in each member
 * account, built from the IAM policies in docs/iam/ so the two never drift:
 * scan and plan permissions always, apply's only with AllowChanges=true.
 * Caller-side statements (listing the organization, assuming the role) stay
 * with the caller. `npm run stackset` writes docs/stackset/split-role-access.yaml.
 */
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}

/** Actions only the caller needs, never the member account's role. */
const CALLER_ONLY = new Set(['organizations:ListAccounts', 'sts:AssumeRole']);
/** Statements only the caller needs: organization-wide evidence is queried from the caller's own account. */
export const CALLER_ONLY_STATEMENTS = new Set([
  'EvidenceAthenaQueries',
  'EvidenceAthenaCatalog',
  'EvidenceAthenaResults',
  'EvidenceCloudTrailLake',
]);

function statements(file: string): Statement[] {
  const policy = JSON.parse(readFileSync(new URL(`../docs/iam/${file}`, import.meta.url), 'utf8')) as { Statement: Statement[] };
  return policy.Statement.filter((s) => !CALLER_ONLY_STATEMENTS.has(s.Sid ?? '')).flatMap((s) => {
    const actions = [s.Action].flat().filter((a) => !CALLER_ONLY.has(a));
    return actions.length === 0 ? [] : [{ ...s, Action: actions }];
  });
}

function policy(list: Statement[]): object {
  return { Version: '2012-10-17', Statement: list };
}

/** The template as YAML text. */
export function accessRoleTemplate(): string {
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'split-role access role: deploy to every member account with a service-managed StackSet (docs/many-accounts.md).',
    Parameters: {
      CallerAccountId: {
        Type: 'String',
        AllowedPattern: '^\\d{12}$',
        Description: 'The account split-role runs from (management or delegated administrator).',
      },
      RoleName: { Type: 'String', Default: 'split-role-access', Description: 'The same name in every account; pass it as --assume-role.' },
      ExternalId: { Type: 'String', Default: '', Description: 'Optional; pass it as --external-id.' },
      AllowChanges: {
        Type: 'String',
        Default: 'false',
        AllowedValues: ['false', 'true'],
        Description: 'true also grants what apply and rollback need.',
      },
    },
    Conditions: {
      HasExternalId: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ExternalId' }, ''] }] },
      ChangesAllowed: { 'Fn::Equals': [{ Ref: 'AllowChanges' }, 'true'] },
    },
    Resources: {
      AccessRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { Ref: 'RoleName' },
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${CallerAccountId}:root' } },
                Action: 'sts:AssumeRole',
                Condition: {
                  'Fn::If': ['HasExternalId', { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } }, { Ref: 'AWS::NoValue' }],
                },
              },
            ],
          },
          Policies: [
            { PolicyName: 'split-role-scan-and-plan', PolicyDocument: policy([...statements('scan.json'), ...statements('plan.json')]) },
            {
              'Fn::If': [
                'ChangesAllowed',
                { PolicyName: 'split-role-apply', PolicyDocument: policy(statements('apply.json')) },
                { Ref: 'AWS::NoValue' },
              ],
            },
          ],
        },
      },
    },
    Outputs: { RoleArn: { Value: { 'Fn::GetAtt': ['AccessRole', 'Arn'] } } },
  };
  return `# Generated from docs/iam/*.json by \`npm run stackset\`; do not edit by hand.\n${stringify(template, { lineWidth: 0 })}`;
}
