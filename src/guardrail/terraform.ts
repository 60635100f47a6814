/**
 * `guardrail export --format terraform`: the guardrail stack as one HCL file.
 * The function's code is the zip beside it (`filename`, with its hash so a new
 * split-role version redeploys). Pure.
 */
import type { ExportedFile } from '../export/terraform.js';
import { renderHcl, TfRef, type TfBlock, type TfValue } from '../export/hcl.js';
import * as stack from './stack.js';
import type { GuardrailOptions } from './stack.js';

/** The Terraform file name. */
export const TF_FILE = 'split-role-guardrail.tf';

const lit = (value: string | number | boolean): TfValue => ({ kind: 'literal', value });
const ref = (expression: string): TfValue => ({ kind: 'ref', expression });
const block = (...attributes: Array<[string, TfValue]>): TfValue => ({ kind: 'block', attributes });
const resource = (type: string, name: string, ...attributes: Array<[string, TfValue]>): TfBlock => ({
  type: 'resource',
  labels: [type, name],
  attributes,
});
// `${path.module}` must stay a template: a literal would escape it.
const CODE_PATH = `"\${path.module}/${stack.CODE_FILE}"`;

/** Lets `principal` invoke the function, from the one source `scope` names. */
function invokePermission(name: string, statementId: string, principal: string, scope: [string, TfValue]): TfBlock {
  return resource(
    'aws_lambda_permission',
    name,
    ['statement_id', lit(statementId)],
    ['action', lit('lambda:InvokeFunction')],
    ['function_name', ref('aws_lambda_function.guardrail.function_name')],
    ['principal', lit(principal)],
    scope,
  );
}

/** The guardrail stack as Terraform. */
export function guardrailTerraform(options: GuardrailOptions): ExportedFile {
  const topic = options.topicArn ? lit(options.topicArn) : ref('aws_sns_topic.alerts.arn');
  const blocks: TfBlock[] = [
    {
      type: 'terraform',
      labels: [],
      attributes: [
        [
          'required_providers',
          block([
            'aws',
            {
              kind: 'object',
              entries: [
                ['source', lit('hashicorp/aws')],
                ['version', lit('>= 5.80')],
              ],
            },
          ]),
        ],
      ],
    },
  ];
  // A stack in another Region would apply cleanly and never fire.
  if (options.mode === 'eventbridge')
    blocks.push({ type: 'provider', labels: ['aws'], attributes: [['region', lit(stack.IAM_EVENTS_REGION)]] });
  blocks.push(
    { type: 'data', labels: ['aws_partition', 'current'], attributes: [] },
    { type: 'data', labels: ['aws_caller_identity', 'current'], attributes: [] },
  );
  if (!options.topicArn) {
    blocks.push(
      resource('aws_sns_topic', 'alerts', ['name', lit(stack.NAMES.topic)], ['display_name', lit('split-role shared-role alerts')]),
    );
    if (options.email) {
      blocks.push(
        resource('aws_sns_topic_subscription', 'email', ['topic_arn', topic], ['protocol', lit('email')], ['endpoint', lit(options.email)]),
      );
    }
  }
  const topicInPolicy = options.topicArn ?? new TfRef('aws_sns_topic.alerts.arn');
  blocks.push(
    resource(
      'aws_cloudwatch_log_group',
      'guardrail',
      ['name', lit(stack.NAMES.logGroup)],
      ['retention_in_days', lit(stack.LOG_RETENTION_DAYS)],
    ),
    resource(
      'aws_iam_role',
      'guardrail',
      ['name', lit(stack.NAMES.role)],
      ['description', lit('split-role guardrail: reads roles, reports shared ones')],
      ['assume_role_policy', { kind: 'json', document: stack.LAMBDA_TRUST }],
    ),
    resource(
      'aws_iam_role_policy',
      'guardrail',
      ['name', lit('split-role-guardrail')],
      ['role', ref('aws_iam_role.guardrail.id')],
      [
        'policy',
        {
          kind: 'json',
          document: {
            Version: '2012-10-17',
            Statement: stack.handlerPermissions<string | TfRef>(options.mode, {
              roles: new TfRef('"arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/*"'),
              topic: topicInPolicy,
              logGroup: new TfRef('"${aws_cloudwatch_log_group.guardrail.arn}:*"'),
            }),
          },
        },
      ],
    ),
    resource(
      'aws_lambda_function',
      'guardrail',
      ['function_name', lit(stack.NAMES.function)],
      ['description', lit('split-role guardrail: alerts on IAM roles that several services (or a service and another account) can assume')],
      ['role', ref('aws_iam_role.guardrail.arn')],
      ['runtime', lit(stack.RUNTIME)],
      ['handler', lit(stack.HANDLER)],
      ['filename', ref(CODE_PATH)],
      ['source_code_hash', ref(`filebase64sha256(${CODE_PATH})`)],
      ['timeout', lit(stack.TIMEOUT_SECONDS)],
      ['memory_size', lit(stack.MEMORY_MB)],
      [
        'environment',
        block([
          'variables',
          {
            kind: 'object',
            entries: Object.entries(stack.handlerEnvironment(options, topic)).map(([k, v]) => [
              k,
              typeof v === 'string' ? lit(v) : (v as TfValue),
            ]),
          },
        ]),
      ],
      ['depends_on', ref('[aws_cloudwatch_log_group.guardrail, aws_iam_role_policy.guardrail]')],
    ),
  );
  const outputs: TfBlock[] = [
    { type: 'output', labels: ['function_arn'], attributes: [['value', ref('aws_lambda_function.guardrail.arn')]] },
    { type: 'output', labels: ['alert_topic_arn'], attributes: [['value', topic]] },
  ];
  if (options.mode === 'eventbridge') {
    blocks.push(
      resource(
        'aws_cloudwatch_event_rule',
        'role_changes',
        ['name', lit(stack.NAMES.eventRule)],
        ['description', lit('IAM CreateRole and UpdateAssumeRolePolicy, from CloudTrail')],
        ['event_pattern', { kind: 'json', document: stack.EVENT_PATTERN }],
      ),
      resource(
        'aws_cloudwatch_event_target',
        'guardrail',
        ['rule', ref('aws_cloudwatch_event_rule.role_changes.name')],
        ['target_id', lit('guardrail')],
        ['arn', ref('aws_lambda_function.guardrail.arn')],
      ),
      invokePermission('events', 'AllowEventBridge', 'events.amazonaws.com', [
        'source_arn',
        ref('aws_cloudwatch_event_rule.role_changes.arn'),
      ]),
    );
  } else {
    blocks.push(
      invokePermission('config', 'AllowConfig', 'config.amazonaws.com', [
        'source_account',
        ref('data.aws_caller_identity.current.account_id'),
      ]),
      resource(
        'aws_config_config_rule',
        'shared_roles',
        ['name', lit(stack.NAMES.configRule)],
        ['description', lit('IAM roles that several AWS services, or a service and another account, can assume (split-role SR001/SR002)')],
        [
          'source',
          block(
            ['owner', lit('CUSTOM_LAMBDA')],
            ['source_identifier', ref('aws_lambda_function.guardrail.arn')],
            ...stack.CONFIG_MESSAGE_TYPES.map((type): [string, TfValue] => [
              'source_detail',
              block(['event_source', lit('aws.config')], ['message_type', lit(type)]),
            ]),
          ),
        ],
        ['scope', block(['compliance_resource_types', ref('["AWS::IAM::Role"]')])],
        ['depends_on', ref('[aws_lambda_permission.config]')],
      ),
    );
    outputs.push({
      type: 'output',
      labels: ['config_rule_name'],
      attributes: [['value', ref('aws_config_config_rule.shared_roles.name')]],
    });
  }
  const header = [
    `Generated by split-role guardrail export (${options.mode}).`,
    stack.regionNote(options.mode),
    `The function's code is ${stack.CODE_FILE}, beside this file. Deploy: terraform init && terraform apply`,
  ];
  return { fileName: TF_FILE, content: renderHcl(header, [...blocks, ...outputs]) };
}
