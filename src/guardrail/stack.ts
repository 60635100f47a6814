/**
 * The guardrail stack, independent of the format that writes it: its options
 * (validated before anything is written), names, the EventBridge pattern, the
 * function's settings and the permissions its role gets. The CloudFormation
 * and Terraform writers both render this, so the two stay the same stack.
 */
import { usageError } from '../core/errors.js';
import { WATCHED_EVENTS } from './event.js';

/** How the guardrail is triggered. */
export type GuardrailMode = 'eventbridge' | 'config';

/** What `guardrail export` was asked for. */
export interface GuardrailOptions {
  mode: GuardrailMode;
  /** An existing topic to alert; otherwise the stack creates one. */
  topicArn?: string;
  /** An address the created topic mails. */
  email?: string;
  /** The tag naming a role's owner. */
  ownerTag: string;
}

/** Fixed names of what the stack creates. */
export const NAMES = {
  function: 'split-role-guardrail',
  role: 'split-role-guardrail',
  topic: 'split-role-guardrail-alerts',
  eventRule: 'split-role-guardrail-role-changes',
  configRule: 'split-role-shared-roles',
  logGroup: '/aws/lambda/split-role-guardrail',
} as const;

/** The function's package, written beside the template; `handler` is dist/guardrail/handler.js inside it. */
export const CODE_FILE = 'split-role-guardrail.zip';
export const HANDLER = 'guardrail/handler.handler';
/** A Node.js LTS runtime Lambda offers (nodejs20.x is deprecated; AWS provider 5.x knows no nodejs24.x); it ships AWS SDK v3, which the handler uses. */
export const RUNTIME = 'nodejs22.x';
export const TIMEOUT_SECONDS = 30;
export const MEMORY_MB = 256;
export const LOG_RETENTION_DAYS = 90;

/** IAM's CloudTrail events reach EventBridge only in us-east-1, where IAM (a global service) records them. */
export const IAM_EVENTS_REGION = 'us-east-1';

/** The EventBridge pattern for the watched IAM calls (successful or not; the handler skips failed ones). */
export const EVENT_PATTERN = {
  source: ['aws.iam'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: { eventSource: ['iam.amazonaws.com'], eventName: [...WATCHED_EVENTS] },
};

/** The Config messages the custom rule is invoked on (an oversized item carries only its summary; the handler calls GetRole either way). */
export const CONFIG_MESSAGE_TYPES = ['ConfigurationItemChangeNotification', 'OversizedConfigurationItemChangeNotification'] as const;

/** The environment the handler reads. */
export function handlerEnvironment(options: GuardrailOptions, topicArn: unknown): Record<string, unknown> {
  return { GUARDRAIL_TOPIC_ARN: topicArn, GUARDRAIL_OWNER_TAG: options.ownerTag };
}

/** Why the deployment region matters, for the template's description and the command's note. */
export function regionNote(mode: GuardrailMode): string {
  return mode === 'eventbridge'
    ? `Deploy in ${IAM_EVENTS_REGION}: IAM's CloudTrail events (CreateRole, UpdateAssumeRolePolicy) ` +
        `are delivered to EventBridge only there, and only while a trail logs management write events there (a multi-Region trail does).`
    : 'Deploy in the Region where AWS Config records global resources (IAM roles); AWS Config must be recording AWS::IAM::Role there.';
}

// Why these checks: a bad ARN or address would deploy a stack whose alerts go nowhere.
const TOPIC_ARN = /^arn:aws(?:-[a-z]+)*:sns:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const EMAIL = /^[^\s@"'<>(),;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

/** Checks the options; a usage error (exit 2) names what is wrong. */
export function validateGuardrailOptions(options: GuardrailOptions): GuardrailOptions {
  if (options.topicArn !== undefined && options.email !== undefined) {
    throw usageError(
      '--sns-topic and --email are exclusive',
      'subscribe the address to your topic yourself, or let the stack create a topic for --email',
    );
  }
  if (options.topicArn !== undefined && !TOPIC_ARN.test(options.topicArn)) {
    throw usageError(
      `--sns-topic ${JSON.stringify(options.topicArn)} is not an SNS topic ARN`,
      options.topicArn.endsWith('.fifo')
        ? 'a FIFO topic cannot take these alerts; give a standard topic'
        : 'e.g. arn:aws:sns:us-east-1:123456789012:security-alerts',
    );
  }
  if (options.email !== undefined && (options.email.length > 254 || !EMAIL.test(options.email))) {
    throw usageError(`--email ${JSON.stringify(options.email)} is not an e-mail address`, 'e.g. security@example.com');
  }
  if (!TAG_KEY.test(options.ownerTag))
    throw usageError(
      `--owner-tag ${JSON.stringify(options.ownerTag)} is not a tag key`,
      'IAM tag keys are 1-128 letters, digits, spaces and _ . : / = + - @',
    );
  return options;
}

/** The region of a topic ARN (the handler publishes through a client of that region). */
export function topicRegion(topicArn: string): string | undefined {
  return /^arn:[^:]+:sns:([^:]+):/.exec(topicArn)?.[1];
}

/** The statements of the function role's policy, in a writer's own notation for references. */
export function handlerPermissions<T>(
  mode: GuardrailMode,
  refs: { roles: T; topic: T; logGroup: T },
): Array<{ Sid: string; Effect: 'Allow'; Action: string[]; Resource: T | '*' }> {
  const statements: Array<{ Sid: string; Effect: 'Allow'; Action: string[]; Resource: T | '*' }> = [
    { Sid: 'ReadRoles', Effect: 'Allow', Action: ['iam:GetRole'], Resource: refs.roles },
    { Sid: 'Alert', Effect: 'Allow', Action: ['sns:Publish'], Resource: refs.topic },
    { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: refs.logGroup },
  ];
  // PutEvaluations has no resource-level permissions.
  if (mode === 'config') statements.push({ Sid: 'ReportCompliance', Effect: 'Allow', Action: ['config:PutEvaluations'], Resource: '*' });
  return statements;
}

/** The function role's trust: Lambda alone (the guardrail must not be a shared role itself). */
export const LAMBDA_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
