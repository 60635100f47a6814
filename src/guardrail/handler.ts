/**
 * The guardrail's Lambda function (dist/guardrail/handler.js, export
 * `handler`). EventBridge mode: on IAM CreateRole / UpdateAssumeRolePolicy,
 * read the role with GetRole and, when scan's rules find it shared, publish an
 * alert to SNS. Config mode: the same verdict as an AWS Config evaluation
 * (PutEvaluations), plus the alert. Configuration comes from the environment
 * the generated stack sets: GUARDRAIL_TOPIC_ARN, GUARDRAIL_OWNER_TAG.
 *
 * The AWS SDK clients are the Lambda runtime's own (Node.js runtimes ship SDK v3),
 * so the function's package holds only split-role's compiled code.
 */
import { ConfigServiceClient, PutEvaluationsCommand, type ComplianceType } from '@aws-sdk/client-config-service';
import { IAMClient } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { translateErrors } from '../aws/error-middleware.js';
import { findRole } from '../aws/iam.js';
import { alertFor, judgeLiveRole, type RoleVerdict } from './alert.js';
import { parseTrigger, type ConfigTrigger, type RoleChangeTrigger } from './event.js';
import { topicRegion } from './stack.js';

/** What one invocation did, returned to Lambda (and logged). */
export interface GuardrailResult {
  status: RoleVerdict['status'] | 'ignored';
  roleName?: string;
  reason?: string;
  /** The SNS message id when an alert was published. */
  alertId?: string;
  /** The Config compliance reported, in config mode. */
  compliance?: ComplianceType;
}

/** Config annotations are at most 256 characters. */
const MAX_ANNOTATION = 256;

let clients: { iam: IAMClient; config: ConfigServiceClient; sns: Map<string, SNSClient> } | undefined;

// Why module-level: Lambda reuses the process between invocations, so the
// clients (and their connections) are built once per container.
function aws(): NonNullable<typeof clients> {
  return (clients ??= { iam: translated(new IAMClient({})), config: translated(new ConfigServiceClient({})), sns: new Map() });
}

/** A client whose failures name the IAM action the function's role lacks, as the CLI's clients do. */
function translated<C extends { middlewareStack: Parameters<typeof translateErrors>[0] }>(client: C): C {
  translateErrors(client.middlewareStack);
  return client;
}

/** SNS only accepts a topic's messages in the topic's Region, which may not be the function's. */
function snsFor(topicArn: string): SNSClient {
  const region = topicRegion(topicArn) ?? '';
  let client = aws().sns.get(region);
  if (!client) aws().sns.set(region, (client = translated(new SNSClient(region ? { region } : {}))));
  return client;
}

/** The Lambda entry point. */
export async function handler(event: unknown): Promise<GuardrailResult> {
  const trigger = parseTrigger(event);
  let result: GuardrailResult;
  if (trigger.kind === 'ignored') result = { status: 'ignored', reason: trigger.reason };
  else if (trigger.kind === 'config') result = await evaluateForConfig(trigger);
  else result = await checkRoleChange(trigger);
  console.log(JSON.stringify({ guardrail: result }));
  return result;
}

async function checkRoleChange(trigger: RoleChangeTrigger): Promise<GuardrailResult> {
  const verdict = await verdictFor(trigger.roleName, trigger.account);
  const result: GuardrailResult = { status: verdict.status, roleName: trigger.roleName, ...reasonOf(verdict) };
  if (verdict.status === 'non-compliant') {
    result.alertId = await publish(alertFor(verdict, { ...trigger, trigger: `iam:${trigger.eventName}`, ownerTag: ownerTag() }));
  }
  return result;
}

async function evaluateForConfig(trigger: ConfigTrigger): Promise<GuardrailResult> {
  const verdict: RoleVerdict = trigger.gone
    ? { status: 'not-applicable', reason: 'the role was deleted or left the rule’s scope' }
    : await verdictFor(trigger.roleName, trigger.account);
  const compliance: ComplianceType =
    verdict.status === 'non-compliant'
      ? 'NON_COMPLIANT'
      : verdict.status === 'compliant'
        ? 'COMPLIANT'
        : verdict.status === 'unreadable'
          ? 'INSUFFICIENT_DATA'
          : 'NOT_APPLICABLE';
  const annotation =
    verdict.status === 'non-compliant'
      ? `${verdict.finding.kinds.join(', ')}: assumable by ${[...verdict.finding.services, ...verdict.finding.otherPrincipals.map((p) => p.principal)].join(', ')}`
      : 'reason' in verdict
        ? verdict.reason
        : undefined;
  await aws().config.send(
    new PutEvaluationsCommand({
      ResultToken: trigger.resultToken,
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::IAM::Role',
          ComplianceResourceId: trigger.resourceId,
          ComplianceType: compliance,
          OrderingTimestamp: new Date(trigger.orderingTimestamp),
          ...(annotation ? { Annotation: annotation.slice(0, MAX_ANNOTATION) } : {}),
        },
      ],
    }),
  );
  const result: GuardrailResult = { status: verdict.status, roleName: trigger.roleName, compliance, ...reasonOf(verdict) };
  if (verdict.status === 'non-compliant' && process.env.GUARDRAIL_TOPIC_ARN) {
    result.alertId = await publish(alertFor(verdict, { account: trigger.account, trigger: 'AWS Config evaluation', ownerTag: ownerTag() }));
  }
  return result;
}

/** GetRole (trust policy and tags in one call), then scan's verdict; a role already gone is not applicable. */
async function verdictFor(roleName: string, account: string): Promise<RoleVerdict> {
  const role = await findRole(aws().iam, roleName);
  if (!role) return { status: 'not-applicable', reason: 'the role no longer exists' };
  return judgeLiveRole(role, account, ownerTag());
}

async function publish(alert: ReturnType<typeof alertFor>): Promise<string | undefined> {
  const topic = process.env.GUARDRAIL_TOPIC_ARN;
  if (!topic) throw new Error('GUARDRAIL_TOPIC_ARN is not set: the stack passes the alert topic to the function');
  const out = await snsFor(topic).send(
    new PublishCommand({
      TopicArn: topic,
      Subject: alert.subject,
      Message: alert.message,
      MessageAttributes: Object.fromEntries(
        Object.entries(alert.attributes).map(([key, value]) => [key, { DataType: 'String', StringValue: value }]),
      ),
    }),
  );
  return out.MessageId;
}

function ownerTag(): string {
  return process.env.GUARDRAIL_OWNER_TAG || 'owner';
}

function reasonOf(verdict: RoleVerdict): { reason?: string } {
  return 'reason' in verdict ? { reason: verdict.reason } : {};
}
