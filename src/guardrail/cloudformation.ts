/**
 * `guardrail export --format cloudformation`: the guardrail stack as a YAML
 * template. The function's code is the local zip beside it, which
 * `aws cloudformation package` uploads (the template says how). Pure.
 */
import { Document } from 'yaml';
import { tagged } from '../export/cloudformation.js';
import type { ExportedFile } from '../export/terraform.js';
import {
  CODE_FILE,
  CONFIG_MESSAGE_TYPES,
  EVENT_PATTERN,
  HANDLER,
  handlerEnvironment,
  handlerPermissions,
  IAM_EVENTS_REGION,
  LAMBDA_TRUST,
  LOG_RETENTION_DAYS,
  MEMORY_MB,
  NAMES,
  regionNote,
  RUNTIME,
  TIMEOUT_SECONDS,
  type GuardrailOptions,
} from './stack.js';

/** The template file name. */
export const CFN_TEMPLATE_FILE = 'split-role-guardrail.template.yaml';

/** The guardrail stack as a CloudFormation template. */
export function guardrailCloudFormation(options: GuardrailOptions): ExportedFile {
  const topic = options.topicArn ?? tagged('!Ref', 'AlertTopic');
  const resources: Record<string, unknown> = {};
  if (!options.topicArn) {
    resources.AlertTopic = {
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: NAMES.topic, DisplayName: 'split-role shared-role alerts' },
    };
    if (options.email) {
      resources.AlertEmail = {
        Type: 'AWS::SNS::Subscription',
        Properties: { TopicArn: topic, Protocol: 'email', Endpoint: options.email },
      };
    }
  }
  resources.GuardrailLogGroup = {
    Type: 'AWS::Logs::LogGroup',
    Properties: { LogGroupName: NAMES.logGroup, RetentionInDays: LOG_RETENTION_DAYS },
  };
  resources.GuardrailRole = {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: NAMES.role,
      Description: 'split-role guardrail: reads roles, reports shared ones',
      AssumeRolePolicyDocument: LAMBDA_TRUST,
      Policies: [
        {
          PolicyName: 'split-role-guardrail',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: handlerPermissions(options.mode, {
              roles: tagged('!Sub', 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*'),
              topic,
              logGroup: tagged('!GetAtt', 'GuardrailLogGroup.Arn'),
            }),
          },
        },
      ],
    },
  };
  resources.GuardrailFunction = {
    Type: 'AWS::Lambda::Function',
    DependsOn: 'GuardrailLogGroup',
    // The local zip is what `aws cloudformation package` uploads; the linter is told that is intended.
    Metadata: { 'cfn-lint': { config: { ignore_checks: ['W3002'] } } },
    Properties: {
      FunctionName: NAMES.function,
      Description: 'split-role guardrail: alerts on IAM roles that several services (or a service and another account) can assume',
      Runtime: RUNTIME,
      Handler: HANDLER,
      Code: CODE_FILE,
      Role: tagged('!GetAtt', 'GuardrailRole.Arn'),
      Timeout: TIMEOUT_SECONDS,
      MemorySize: MEMORY_MB,
      Environment: { Variables: handlerEnvironment(options, topic) },
    },
  };
  const outputs: Record<string, unknown> = {
    FunctionArn: { Value: tagged('!GetAtt', 'GuardrailFunction.Arn') },
    AlertTopicArn: { Value: topic },
  };
  let rules: Record<string, unknown> | undefined;
  if (options.mode === 'eventbridge') {
    resources.RoleChangeRule = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: NAMES.eventRule,
        Description: 'IAM CreateRole and UpdateAssumeRolePolicy, from CloudTrail',
        EventPattern: EVENT_PATTERN,
        Targets: [{ Id: 'guardrail', Arn: tagged('!GetAtt', 'GuardrailFunction.Arn') }],
      },
    };
    resources.RoleChangeInvoke = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        FunctionName: tagged('!Ref', 'GuardrailFunction'),
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        SourceArn: tagged('!GetAtt', 'RoleChangeRule.Arn'),
      },
    };
    // A stack in another Region would deploy and never fire: refuse it at deploy time.
    rules = {
      IamEventsRegion: {
        Assertions: [
          { Assert: { 'Fn::Equals': [tagged('!Ref', 'AWS::Region'), IAM_EVENTS_REGION] }, AssertDescription: regionNote('eventbridge') },
        ],
      },
    };
  } else {
    resources.ConfigInvoke = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        FunctionName: tagged('!Ref', 'GuardrailFunction'),
        Action: 'lambda:InvokeFunction',
        Principal: 'config.amazonaws.com',
        SourceAccount: tagged('!Ref', 'AWS::AccountId'),
      },
    };
    resources.SharedRolesRule = {
      Type: 'AWS::Config::ConfigRule',
      DependsOn: 'ConfigInvoke',
      Properties: {
        ConfigRuleName: NAMES.configRule,
        Description: 'IAM roles that several AWS services, or a service and another account, can assume (split-role SR001/SR002)',
        Scope: { ComplianceResourceTypes: ['AWS::IAM::Role'] },
        Source: {
          Owner: 'CUSTOM_LAMBDA',
          SourceIdentifier: tagged('!GetAtt', 'GuardrailFunction.Arn'),
          SourceDetails: CONFIG_MESSAGE_TYPES.map((type) => ({ EventSource: 'aws.config', MessageType: type })),
        },
      },
    };
    outputs.ConfigRuleName = { Value: tagged('!Ref', 'SharedRolesRule') };
  }
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `split-role guardrail (${options.mode}): alerts on new shared IAM roles. ${regionNote(options.mode)}`,
    ...(rules ? { Rules: rules } : {}),
    Resources: resources,
    Outputs: outputs,
  };
  // YAML 1.1 rules, as CloudFormation reads them (see export/cloudformation.ts).
  const doc = new Document(template, { version: '1.1' });
  const header = [
    '# Generated by split-role guardrail export.',
    `# ${regionNote(options.mode)}`,
    `# Deploy: aws cloudformation package --template-file ${CFN_TEMPLATE_FILE} --s3-bucket BUCKET --output-template-file packaged.yaml`,
    `#         aws cloudformation deploy --template-file packaged.yaml --stack-name split-role-guardrail --capabilities CAPABILITY_NAMED_IAM${options.mode === 'eventbridge' ? ` --region ${IAM_EVENTS_REGION}` : ''}`,
    `# (${CODE_FILE}, the function's code, must be beside this template.)`,
  ];
  return { fileName: CFN_TEMPLATE_FILE, content: `${header.join('\n')}\n${doc.toString({ lineWidth: 0 })}` };
}
