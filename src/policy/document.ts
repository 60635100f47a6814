/**
 * Parsing and normalising IAM policy documents (trust or permission policies).
 * Pure: no AWS calls. Every legal shorthand (string vs array, single statement
 * vs list) is flattened here so the analysers only ever see one shape.
 */
import { isArray, isRecord } from '../core/json.js';

/** A principal block exactly as IAM allows it: "*" or a map of type → string | string[]. */
export type RawPrincipal = '*' | Record<string, string | string[]>;

/** One statement with every list-valued field normalised to an array. */
export interface NormalisedStatement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Present when the statement uses Action; absent when it uses NotAction. */
  actions?: string[];
  notActions?: string[];
  principal?: RawPrincipal;
  notPrincipal?: RawPrincipal;
  resources?: string[];
  notResources?: string[];
  condition?: Record<string, Record<string, unknown>>;
}

/** A policy document with its statements normalised. */
export interface NormalisedPolicy {
  version?: string;
  statements: NormalisedStatement[];
}

/** Raised when a policy document cannot be read as IAM policy JSON. */
export class PolicyParseError extends Error {
  override readonly name = 'PolicyParseError';
}

/**
 * Decodes a policy document as IAM returns it. IAM URL-encodes documents
 * (RFC 3986); local emulators and IaC tools hand back plain JSON, and the SDK
 * may already have parsed it. All three are accepted.
 */
export function decodePolicyDocument(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  const text = input.trim();
  if (text.startsWith('{')) return parseJson(text);
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    throw new PolicyParseError('policy document is neither JSON nor URL-encoded JSON');
  }
  return parseJson(decoded.trim());
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new PolicyParseError(`policy document is not valid JSON: ${(err as Error).message}`);
  }
}

/** Parses and normalises a policy document given in any accepted encoding. */
export function parsePolicy(input: unknown): NormalisedPolicy {
  const doc = decodePolicyDocument(input);
  if (!isRecord(doc)) throw new PolicyParseError('policy document must be a JSON object');
  const rawStatements = doc.Statement;
  if (rawStatements === undefined) throw new PolicyParseError('policy document has no Statement');
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  return {
    version: typeof doc.Version === 'string' ? doc.Version : undefined,
    statements: list.map((raw, index) => normaliseStatement(raw, index)),
  };
}

function normaliseStatement(raw: unknown, index: number): NormalisedStatement {
  const where = `Statement[${index}]`;
  if (!isRecord(raw)) throw new PolicyParseError(`${where} is not an object`);
  const effect = raw.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw new PolicyParseError(`${where} has Effect ${JSON.stringify(effect)}; expected "Allow" or "Deny"`);
  }
  if (raw.Action === undefined && raw.NotAction === undefined) {
    throw new PolicyParseError(`${where} has neither Action nor NotAction`);
  }
  const statement: NormalisedStatement = { effect };
  if (typeof raw.Sid === 'string') statement.sid = raw.Sid;
  if (raw.Action !== undefined) statement.actions = stringList(raw.Action, `${where}.Action`);
  if (raw.NotAction !== undefined) statement.notActions = stringList(raw.NotAction, `${where}.NotAction`);
  if (raw.Resource !== undefined) statement.resources = stringList(raw.Resource, `${where}.Resource`);
  if (raw.NotResource !== undefined) statement.notResources = stringList(raw.NotResource, `${where}.NotResource`);
  if (raw.Principal !== undefined) statement.principal = principalBlock(raw.Principal, `${where}.Principal`);
  if (raw.NotPrincipal !== undefined) statement.notPrincipal = principalBlock(raw.NotPrincipal, `${where}.NotPrincipal`);
  if (raw.Condition !== undefined) {
    if (!isRecord(raw.Condition)) throw new PolicyParseError(`${where}.Condition is not an object`);
    statement.condition = raw.Condition as Record<string, Record<string, unknown>>;
  }
  return statement;
}

function principalBlock(value: unknown, where: string): RawPrincipal {
  if (value === '*') return '*';
  if (!isRecord(value)) throw new PolicyParseError(`${where} must be "*" or an object`);
  const block: Record<string, string | string[]> = {};
  for (const [type, ids] of Object.entries(value)) block[type] = stringList(ids, `${where}.${type}`);
  return block;
}

function stringList(value: unknown, where: string): string[] {
  if (typeof value === 'string') return [value];
  if (isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new PolicyParseError(`${where} must be a string or an array of strings`);
}

/** Lists the principals of a block as [type, id] pairs; "*" is reported as type "*". */
export function principalEntries(block: RawPrincipal): Array<[type: string, id: string]> {
  if (block === '*') return [['*', '*']];
  const entries: Array<[string, string]> = [];
  for (const [type, ids] of Object.entries(block)) {
    for (const id of Array.isArray(ids) ? ids : [ids]) entries.push([type, id]);
  }
  return entries;
}
