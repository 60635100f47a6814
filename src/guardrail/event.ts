/**
 * What invoked the guardrail handler: an EventBridge event carrying a
 * CloudTrail record of IAM CreateRole / UpdateAssumeRolePolicy, or an AWS
 * Config custom-rule invocation for an AWS::IAM::Role. Pure: the event is
 * untrusted input, read field by field and never assumed to have a shape.
 */

/** The IAM calls the guardrail watches. */
export const WATCHED_EVENTS = ['CreateRole', 'UpdateAssumeRolePolicy'] as const;

/** A role change seen through EventBridge. */
export interface RoleChangeTrigger {
  kind: 'role-change';
  roleName: string;
  account: string;
  eventName: (typeof WATCHED_EVENTS)[number];
  eventTime?: string;
  /** Who made the call (the caller's ARN), for the alert. */
  actor?: string;
}

/** A Config rule evaluation of one role. */
export interface ConfigTrigger {
  kind: 'config';
  roleName: string;
  account: string;
  resourceId: string;
  resultToken: string;
  /** The configuration item's capture time: Config orders evaluations by it. */
  orderingTimestamp: string;
  /** The role was deleted or left the rule's scope: it is not applicable any more. */
  gone: boolean;
}

/** An event the guardrail does not act on, with the reason (logged, never thrown: retries would not help). */
export interface IgnoredTrigger {
  kind: 'ignored';
  reason: string;
}

/** The parsed trigger. */
export type GuardrailTrigger = RoleChangeTrigger | ConfigTrigger | IgnoredTrigger;

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ACCOUNT = /^\d{12}$/;

/** Reads an invocation event. */
export function parseTrigger(event: unknown): GuardrailTrigger {
  const record = asRecord(event);
  if (!record) return ignored('the event is not a JSON object');
  if ('invokingEvent' in record) return parseConfigEvent(record);
  if ('detail' in record) return parseEventBridgeEvent(record);
  return ignored('neither an EventBridge event nor an AWS Config rule invocation');
}

function parseEventBridgeEvent(event: Record<string, unknown>): GuardrailTrigger {
  const detail = asRecord(event.detail);
  if (!detail) return ignored('the EventBridge event has no detail');
  if (detail.eventSource !== 'iam.amazonaws.com') return ignored(`event source ${String(detail.eventSource)} is not IAM`);
  const eventName = WATCHED_EVENTS.find((name) => name === detail.eventName);
  if (!eventName) return ignored(`${String(detail.eventName)} is not a watched IAM call`);
  // A failed call changed nothing: CloudTrail records it with an errorCode.
  if (typeof detail.errorCode === 'string') return ignored(`${eventName} failed (${detail.errorCode}): nothing changed`);
  const roleName = asRecord(detail.requestParameters)?.roleName;
  if (typeof roleName !== 'string' || !ROLE_NAME.test(roleName)) return ignored(`${eventName} names no valid role`);
  const account = [detail.recipientAccountId, event.account].find((a): a is string => typeof a === 'string' && ACCOUNT.test(a));
  if (!account) return ignored(`${eventName} of ${roleName} names no account`);
  const trigger: RoleChangeTrigger = { kind: 'role-change', roleName, account, eventName };
  if (typeof detail.eventTime === 'string') trigger.eventTime = detail.eventTime;
  const actor = asRecord(detail.userIdentity)?.arn;
  if (typeof actor === 'string') trigger.actor = actor;
  return trigger;
}

function parseConfigEvent(event: Record<string, unknown>): GuardrailTrigger {
  const resultToken = event.resultToken;
  if (typeof resultToken !== 'string' || resultToken === '') return ignored('the Config event has no result token');
  let invoking: Record<string, unknown> | undefined;
  try {
    invoking = asRecord(typeof event.invokingEvent === 'string' ? JSON.parse(event.invokingEvent) : undefined);
  } catch {
    return ignored('the Config event’s invokingEvent is not JSON');
  }
  // A change notification carries the item; an oversized one only its summary.
  const item = asRecord(invoking?.configurationItem) ?? asRecord(invoking?.configurationItemSummary);
  if (!item)
    return ignored(`Config message ${String(invoking?.messageType)} carries no configuration item (periodic rules are not supported)`);
  if (item.resourceType !== 'AWS::IAM::Role') return ignored(`Config item of type ${String(item.resourceType)} is not an IAM role`);
  const roleName = item.resourceName;
  const resourceId = item.resourceId;
  const account = [item.awsAccountId, event.accountId].find((a): a is string => typeof a === 'string' && ACCOUNT.test(a));
  const captured = item.configurationItemCaptureTime;
  if (
    typeof roleName !== 'string' ||
    !ROLE_NAME.test(roleName) ||
    typeof resourceId !== 'string' ||
    !account ||
    typeof captured !== 'string'
  ) {
    return ignored('the Config item lacks the role name, id, account or capture time');
  }
  const status = item.configurationItemStatus;
  const gone = event.eventLeftScope === true || status === 'ResourceDeleted' || status === 'ResourceDeletedNotRecorded';
  return { kind: 'config', roleName, account, resourceId, resultToken, orderingTimestamp: captured, gone };
}

function ignored(reason: string): IgnoredTrigger {
  return { kind: 'ignored', reason };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
