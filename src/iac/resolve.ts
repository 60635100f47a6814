/**
 * Resolves a trust policy written with CloudFormation intrinsics as far as a
 * template alone allows. Pure. What can be known is substituted (pseudo
 * parameters, literal joins, mappings); Fn::If contributes both branches, so a
 * principal in either counts; everything else becomes an *unresolved* marker
 * naming where it was, and the rest of the policy is still analysed.
 */
import { isArray } from '../core/json.js';
import { isRecord, type IacDialect } from './types.js';

/**
 * The account id that stands for "the account the stack deploys to"
 * (`AWS::AccountId`). The trust analysis needs a concrete 12-digit id to tell
 * same-account from cross-account principals; reports print it back as
 * `${AWS::AccountId}`.
 */
export const THIS_ACCOUNT = '000000000000';

/** Pseudo parameters with a value that does not depend on where the stack runs (commercial partition). */
const PSEUDO: Record<string, string> = {
  'AWS::AccountId': THIS_ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};
/**
 * Why keep `${AWS::Region}` as text: regional service principals
 * ("logs.${AWS::Region}.amazonaws.com") are still one service whatever the
 * region, and dropping them as unknown would hide a principal.
 */
const KEPT_AS_TEXT = new Set(['AWS::Region']);

const NO_VALUE = Symbol('AWS::NoValue');
const UNKNOWN = Symbol('unresolved');

/** The branches of an Fn::If, kept apart until the context says how to combine them. */
class Branches {
  constructor(readonly options: unknown[]) {}
}

/** The outcome of resolving one trust policy. */
export interface ResolvedPolicy {
  /** The policy with what could be resolved substituted; undefined when nothing usable is left. */
  document?: unknown;
  /** One entry per value that could not be resolved: "Statement[1].Principal.AWS: {"Ref":"Partner"}". */
  unresolved: string[];
  /** Things that do not block analysis but a reviewer should know (conditional branches). */
  notes: string[];
}

/** What resolution may look at besides the policy itself. */
export interface ResolveContext {
  dialect: IacDialect;
  /** The template's Mappings, for Fn::FindInMap. */
  mappings?: Record<string, unknown>;
  /** ARNs of IAM principals the same template defines, by logical id, for `Fn::GetAtt [Id, Arn]`. */
  localArns?: Record<string, string>;
}

interface State extends ResolveContext {
  unresolved: string[];
  notes: string[];
}

/** Resolves a trust policy (object or JSON text) in its dialect. */
export function resolveTrustPolicy(policy: unknown, context: ResolveContext): ResolvedPolicy {
  const state: State = { ...context, unresolved: [], notes: [] };
  let input = policy;
  if (typeof input === 'string' && input.trim().startsWith('{')) {
    try {
      input = JSON.parse(input);
    } catch {
      // Left as text: the policy parser reports what is wrong with it.
    }
  }
  const value = settle(resolve(input, '', state));
  const document = value === NO_VALUE || value === UNKNOWN ? undefined : dropBrokenStatements(value, state);
  return { ...(document === undefined ? {} : { document }), unresolved: state.unresolved, notes: state.notes };
}

function resolve(value: unknown, path: string, state: State): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') {
    // YAML reads an unquoted account id as a number; IAM reads every policy value as text.
    return String(value);
  }
  if (Array.isArray(value)) return resolveList(value, path, state);
  if (!isRecord(value)) return value;
  if (state.dialect === 'cloudformation') {
    const name = intrinsicName(value);
    if (name) return resolveIntrinsic(name, value[name], value, path, state);
  }
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const resolved = settle(resolve(child, join(path, key), state));
    if (resolved !== NO_VALUE && resolved !== UNKNOWN) out[key] = resolved;
  }
  return out;
}

function resolveList(list: unknown[], path: string, state: State): unknown[] {
  const out: unknown[] = [];
  list.forEach((item, index) => {
    const resolved = resolve(item, `${path}[${index}]`, state);
    // In a list, both branches of an Fn::If simply become elements.
    for (const option of resolved instanceof Branches ? resolved.options.flatMap(flatOption) : [resolved]) {
      if (option !== NO_VALUE && option !== UNKNOWN) out.push(option);
    }
  });
  return out;
}

function flatOption(option: unknown): unknown[] {
  if (option instanceof Branches) return option.options.flatMap(flatOption);
  return Array.isArray(option) ? option : [option];
}

/** Combines Fn::If branches where one value is expected: objects merge, scalars become a list. */
function settle(value: unknown): unknown {
  if (!(value instanceof Branches)) return value;
  const options = value.options.map(settle).filter((o) => o !== NO_VALUE && o !== UNKNOWN);
  if (options.length === 0) return value.options.some((o) => o === UNKNOWN) ? UNKNOWN : NO_VALUE;
  if (options.length === 1) return options[0];
  if (options.every(isRecord)) {
    const merged: Record<string, unknown> = {};
    const keys = new Set(options.flatMap((o) => Object.keys(o)));
    for (const key of keys) {
      const present = options.map((o) => o[key]).filter((v) => v !== undefined);
      merged[key] = present.length === 1 ? present[0] : settle(new Branches(present));
    }
    return merged;
  }
  const flat = [...new Set(options.flatMap((o) => (isArray(o) ? o : [o])))];
  return flat.length === 1 ? flat[0] : flat;
}

function intrinsicName(value: Record<string, unknown>): string | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0] as string;
  if (key === 'Ref' || key.startsWith('Fn::')) return key;
  // { "Condition": "Name" } is an intrinsic; a statement's Condition block is an object.
  return key === 'Condition' && typeof value[key] === 'string' ? key : undefined;
}

function resolveIntrinsic(name: string, args: unknown, whole: unknown, path: string, state: State): unknown {
  const unknown = () => {
    state.unresolved.push(`${path || '(policy)'}: ${excerpt(whole)}`);
    return UNKNOWN;
  };
  switch (name) {
    case 'Ref': {
      if (args === 'AWS::NoValue') return NO_VALUE;
      return typeof args === 'string' && args in PSEUDO ? PSEUDO[args] : unknown();
    }
    case 'Fn::Sub': {
      const text = substitute(args, path, state);
      return text === undefined ? unknown() : text;
    }
    case 'Fn::Join': {
      if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string') return unknown();
      const parts = quiet(args[1], path, state);
      return Array.isArray(parts) && parts.every((p) => typeof p === 'string') ? parts.join(args[0]) : unknown();
    }
    case 'Fn::Select': {
      if (!Array.isArray(args) || args.length !== 2) return unknown();
      const index = quiet(args[0], path, state);
      const list = quiet(args[1], path, state);
      const at = Number(index);
      return Array.isArray(list) && Number.isInteger(at) && at >= 0 && at < list.length ? list[at] : unknown();
    }
    case 'Fn::Split': {
      if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string') return unknown();
      const text = quiet(args[1], path, state);
      return typeof text === 'string' ? text.split(args[0]) : unknown();
    }
    case 'Fn::FindInMap': {
      if (!Array.isArray(args) || args.length < 3) return unknown();
      const keys = args.slice(0, 3).map((k) => quiet(k, path, state));
      const found = keys.every((k) => typeof k === 'string') ? lookup(state.mappings, keys) : undefined;
      return found === undefined ? unknown() : resolve(found, path, state);
    }
    case 'Fn::GetAtt': {
      // A role or user defined in the same template lives in the same account,
      // which is all the analysis needs to know about its ARN.
      const [id, attribute] = isArray(args) ? args : [];
      const arn = attribute === 'Arn' && typeof id === 'string' ? state.localArns?.[id] : undefined;
      return arn ?? unknown();
    }
    case 'Fn::If': {
      if (!Array.isArray(args) || args.length !== 3) return unknown();
      state.notes.push(`${path || '(policy)'} depends on condition ${JSON.stringify(args[0])}; both branches are counted`);
      return new Branches([resolve(args[1], path, state), resolve(args[2], path, state)]);
    }
    default:
      // ImportValue, Base64, Cidr, GetAZs, conditions: known only at deploy time.
      return unknown();
  }
}

/** Resolves an intrinsic's argument; a failure is reported once, for the whole intrinsic. */
function quiet(value: unknown, path: string, state: State): unknown {
  const scratch: State = { ...state, unresolved: [], notes: state.notes };
  const resolved = settle(resolve(value, path, scratch));
  return scratch.unresolved.length > 0 ? UNKNOWN : resolved;
}

const VARIABLE = /\$\{([^}]*)\}/g;

/** Fn::Sub: substitutes pseudo parameters and literal variables; undefined when anything else is referenced. */
function substitute(args: unknown, path: string, state: State): string | undefined {
  const [template, given] = isArray(args) ? args : [args];
  const variables = given ?? {};
  if (typeof template !== 'string' || !isRecord(variables)) return undefined;
  let known = true;
  const text = template.replace(VARIABLE, (match, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (name in PSEUDO) return PSEUDO[name] as string;
    if (KEPT_AS_TEXT.has(name)) return match;
    if (name in variables) {
      const value = quiet(variables[name], path, state);
      if (typeof value === 'string') return value;
    }
    known = false;
    return match;
  });
  return known ? text : undefined;
}

function lookup(mappings: Record<string, unknown> | undefined, keys: string[]): unknown {
  let node: unknown = mappings;
  for (const key of keys) node = isRecord(node) ? node[key] : undefined;
  return node;
}

/**
 * Drops statements that lost their Effect or Action to unresolved values, so
 * the rest can still be analysed. Without unresolved values a broken statement
 * is left for the policy parser to report: it is the template's own error.
 */
function dropBrokenStatements(document: unknown, state: State): unknown {
  if (state.unresolved.length === 0 || !isRecord(document) || !Array.isArray(document.Statement)) return document;
  const kept = document.Statement.filter((statement, index) => {
    const ok =
      isRecord(statement) &&
      (statement.Effect === 'Allow' || statement.Effect === 'Deny') &&
      (statement.Action !== undefined || statement.NotAction !== undefined);
    if (!ok) state.unresolved.push(`Statement[${index}]: skipped, its Effect or Action could not be resolved`);
    return ok;
  });
  return { ...document, Statement: kept };
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function excerpt(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
