/**
 * Summing action uses: counts add up, first and last seen widen, and the
 * resources and error codes the calls named are kept as sorted lists. Every
 * source sums through here (the Attributor per call, engine sources per
 * aggregate row), and the sum is the same whatever the order or grouping of
 * its parts, so a plan from Athena and one from the same records as files agree.
 */
import type { ActionUse, CloudTrailRecord } from './types.js';

/**
 * How many resources (and error codes) one action keeps. Hostile or huge
 * trails can name any number; the smallest ARNs are kept, which any grouping
 * of the same calls arrives at, and `moreDetail` says some were left out.
 */
export const MAX_DETAIL = 25;

/** The use one call made: the resource is the last of its `resources` (an S3 object's bucket, a table, a function). */
export function callUse(record: Pick<CloudTrailRecord, 'eventTime' | 'errorCode' | 'resources'>): ActionUse {
  const listed = Array.isArray(record.resources) ? record.resources : [];
  const arn = listed[listed.length - 1]?.ARN;
  return {
    count: 1,
    firstSeen: record.eventTime,
    lastSeen: record.eventTime,
    ...(typeof arn === 'string' && arn !== '' ? { resources: [arn] } : {}),
    ...(typeof record.errorCode === 'string' && record.errorCode !== '' ? { errorCodes: [record.errorCode] } : {}),
  };
}

/**
 * addUse(actions, action, callUse(record)) without building the call's use
 * when the action is there already: the Attributor does this once per call
 * of the role, so most calls only bump a count and compare times.
 */
export function addCall(actions: Map<string, ActionUse>, action: string, record: Parameters<typeof callUse>[0]): void {
  const prior = actions.get(action);
  if (!prior) {
    actions.set(action, copyUse(callUse(record)));
    return;
  }
  const time = record.eventTime;
  prior.count += 1;
  if (time > prior.lastSeen) prior.lastSeen = time;
  if (time !== undefined && (prior.firstSeen === undefined || time < prior.firstSeen)) prior.firstSeen = time;
  const listed = Array.isArray(record.resources) ? record.resources : [];
  const arn = listed[listed.length - 1]?.ARN;
  if (typeof arn === 'string' && arn !== '' && !prior.resources?.includes(arn)) mergeDetail(prior, 'resources', [arn]);
  const code = record.errorCode;
  if (typeof code === 'string' && code !== '' && !prior.errorCodes?.includes(code)) mergeDetail(prior, 'errorCodes', [code]);
}

/** Adds `use` to the action's use in `actions` (the map owns its values: they are summed in place). */
export function addUse(actions: Map<string, ActionUse>, action: string, use: ActionUse): void {
  const prior = actions.get(action);
  if (!prior) {
    actions.set(action, copyUse(use));
    return;
  }
  prior.count += use.count;
  // CloudTrail times share one ISO-8601 format, so string order is time order.
  if (use.lastSeen > prior.lastSeen) prior.lastSeen = use.lastSeen;
  if (use.firstSeen !== undefined && (prior.firstSeen === undefined || use.firstSeen < prior.firstSeen)) prior.firstSeen = use.firstSeen;
  if (use.resources) mergeDetail(prior, 'resources', use.resources);
  if (use.errorCodes) mergeDetail(prior, 'errorCodes', use.errorCodes);
  if (use.moreDetail) prior.moreDetail = true;
}

function copyUse(use: ActionUse): ActionUse {
  const copy: ActionUse = { count: use.count, lastSeen: use.lastSeen };
  if (use.firstSeen !== undefined) copy.firstSeen = use.firstSeen;
  if (use.resources) mergeDetail(copy, 'resources', use.resources);
  if (use.errorCodes) mergeDetail(copy, 'errorCodes', use.errorCodes);
  if (use.moreDetail) copy.moreDetail = true;
  return copy;
}

function mergeDetail(use: ActionUse, key: 'resources' | 'errorCodes', values: readonly string[]): void {
  const current = use[key];
  // The common case, a call on a resource already listed, costs a short scan and nothing else.
  if (current && values.every((value) => current.includes(value))) return;
  const { list, more } = capped([...(current ?? []), ...values]);
  if (list.length > 0) use[key] = list;
  if (more) use.moreDetail = true;
}

/** The distinct values, sorted, the first MAX_DETAIL of them; `more` when there were others. */
function capped(values: readonly string[]): { list: string[]; more: boolean } {
  const list = [...new Set(values)].sort();
  return { list: list.slice(0, MAX_DETAIL), more: list.length > MAX_DETAIL };
}
