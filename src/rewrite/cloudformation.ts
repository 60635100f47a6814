/**
 * `rewrite` for CloudFormation and SAM templates, YAML or JSON. The document
 * is parsed (yaml's parser reads both, with source ranges) and every edit is
 * made by position, so comments, key order, short-form intrinsics and
 * indentation stay as written. New resources are written in the template's
 * own syntax and indentation, at the end of its Resources.
 */
import { Document, isMap, isNode, isPair, isScalar, isSeq, parseDocument, Scalar, visit, type Node, type Pair, type YAMLMap } from 'yaml';
import { SplitRoleError } from '../core/errors.js';
import { cloudFormationResources } from '../export/cloudformation.js';
import { codeNames } from '../export/names.js';
import type { Plan } from '../plan/schema.js';
import { splitTemplate } from '../iac/yaml-sections.js';
import { applyEdits, type TextEdit } from './text-edits.js';
import { bindingAt, roleForUnit } from './code-bindings.js';
import type { FileChange, RewriteOutcome, RewriteStage, SourceFile } from './types.js';

/** Resources of the shared role itself (its policies and profile), by the property that names it. */
const OWN_RESOURCES: Readonly<Record<string, string>> = {
  'AWS::IAM::Policy': 'Roles',
  'AWS::IAM::ManagedPolicy': 'Roles',
  'AWS::IAM::InstanceProfile': 'Roles',
  'AWS::IAM::RolePolicy': 'RoleName',
};

/** Resource-policy resources: the property holding the policy, and the plan's kind. */
const POLICY_RESOURCES: Readonly<Record<string, { property: string; kind: string }>> = {
  'AWS::S3::BucketPolicy': { property: 'PolicyDocument', kind: 's3-bucket' },
  'AWS::SQS::QueuePolicy': { property: 'PolicyDocument', kind: 'sqs-queue' },
  'AWS::SNS::TopicPolicy': { property: 'PolicyDocument', kind: 'sns-topic' },
  'AWS::KMS::Key': { property: 'KeyPolicy', kind: 'kms-key' },
  'AWS::SecretsManager::ResourcePolicy': { property: 'ResourcePolicy', kind: 'secret' },
  'AWS::ECR::Repository': { property: 'RepositoryPolicyText', kind: 'ecr-repository' },
};

interface Template {
  source: SourceFile;
  json: boolean;
  resources: YAMLMap;
  /** The Outputs section: a reference there blocks retire, since the deploy would fail on it. */
  outputs?: YAMLMap;
  /** Every resource's logical id, parsed or not. */
  allIds: string[];
  /** Whether the template puts a blank line between resources. */
  spaced: boolean;
  /** Column of the `Resources` key, from which the template's indent step is measured. */
  resourcesColumn: number;
  entries: Array<{ id: string; type: string; pair: Pair; body: YAMLMap }>;
}

/** A place that names a resource: `!Ref X`, `!GetAtt X.Arn`, their long forms, or `${X.Arn}` in a `!Sub`. */
interface Reference {
  template: Template;
  /** The logical id of the resource it is in ('' for Outputs and other sections). */
  owner: string;
  ownerType: string;
  /** Property path inside the owner's Properties, dotted, with list items as their index. */
  path: string;
  node: Node;
  /** Start of the node's text, its tag included, and its end. */
  start: number;
  end: number;
  /** The list the node is an item of, if any. */
  list?: { node: Node; flow: boolean };
  inSub: boolean;
  line: number;
}

/** Rewrites the templates given for `plan` at `stage`. */
export function rewriteCloudFormation(plan: Plan, sources: readonly SourceFile[], stage: RewriteStage): RewriteOutcome {
  // Each pass parses only the resources whose text names what it looks for: a big template costs seconds to parse whole.
  const owned = sharedRoleOwner(plan);
  const candidates = sources.map((s) => parse(s, [owned ?? plan.sharedRole.roleName])).filter((t): t is Template => t !== undefined);
  const { template: found, id } = findSharedRole(plan, candidates);
  const naming = parse(found.source, [id]) ?? found;
  const profiles = naming.entries
    .filter((e) => e.type === 'AWS::IAM::InstanceProfile' && references(naming, id).some((r) => r.owner === e.id))
    .map((e) => e.id);
  const template = parse(found.source, [id, ...profiles]) ?? naming;
  const refs = references(template, id, ...profiles);
  const names = codeNames(plan);
  const ids = new Map(plan.newRoles.map((r) => [r.service, names.get(r.roleName)]));
  const edits: TextEdit[] = [];
  const notes: string[] = [];
  const where = (r: Reference) => `${template.source.path}:${r.line}`;
  if (stage === 'cutover') {
    const taken = new Set(template.allIds);
    const { resources } = cloudFormationResources(plan);
    const clash = Object.keys(resources).find((key) => taken.has(key));
    if (clash)
      throw refused(
        `${template.source.path}: the template already has a resource ${clash}, the name of a new role`,
        'rename it, or revert an earlier rewrite',
      );
    for (const ref of refs) {
      const named = refName(ref, [id, ...profiles]);
      const binding = bindingAt('cloudFormation', ref.ownerType, ref.path);
      if (binding?.manual) {
        notes.push(`${where(ref)}: ${ref.owner} ${ref.path} still refers to ${named}: ${binding.manual}`);
      } else if (binding) {
        const role = roleForUnit(plan, binding.unit);
        const target = role && names.get(role.roleName);
        if (!target) {
          notes.push(`${where(ref)}: ${ref.owner} keeps the shared role (the plan makes no role for ${binding.unit})`);
          continue;
        }
        const replacement = binding.via === 'profile' ? target.cfnProfile : target.cfnRole;
        edits.push(renameIn(template, ref, named, replacement));
        notes.push(`${where(ref)}: ${ref.owner} ${ref.path} → ${replacement}`);
      } else if (POLICY_RESOURCES[ref.ownerType] && named === id) {
        if (ref.inSub)
          throw refused(
            `${where(ref)}: ${ref.owner} names the shared role inside a !Sub string, where new principals cannot be added`,
            'write it as !GetAtt',
          );
        const services = policyServices(plan, ref, POLICY_RESOURCES[ref.ownerType]?.kind ?? '');
        const added = services.map((s) => ids.get(s)?.cfnRole ?? '').map((newId) => referenceText(template, ref, id, newId));
        edits.push(addToList(template, ref, added));
        notes.push(`${where(ref)}: ${ref.owner} also names ${added.length} new role(s)`);
      } else if (!OWN_RESOURCES[ref.ownerType]) {
        notes.push(`${where(ref)}: ${ref.owner || 'Outputs'} ${ref.path} still refers to ${named}; review it`);
      }
    }
    edits.push(insertResources(template, resources));
  } else {
    const missing = [...ids.values()].filter((n) => n && !template.allIds.includes(n.cfnRole)).map((n) => n?.cfnRole);
    if (missing.length > 0)
      throw refused(`the new roles are not in the template (${missing.join(', ')})`, 'rewrite --stage cutover and deploy it first');
    const removed = new Set([id, ...profiles]);
    const blocking: string[] = [];
    for (const ref of refs) {
      if (removed.has(ref.owner)) continue;
      const own = OWN_RESOURCES[ref.ownerType];
      if (own && !(ref.list && isSeq(ref.list.node) && ref.list.node.items.length > 1)) removed.add(ref.owner);
      else if ((own || POLICY_RESOURCES[ref.ownerType]) && ref.list) edits.push(removeItem(template, ref));
      else blocking.push(`${where(ref)} (${ref.owner || 'Outputs'} ${ref.path})`);
    }
    if (blocking.length > 0)
      throw refused(
        `the template still uses the shared role at ${blocking.join(', ')}`,
        'move or remove those references, then run retire again',
      );
    for (const entry of template.entries.filter((e) => removed.has(e.id))) {
      edits.push(removeEntry(template, entry.pair));
      notes.push(
        `${template.source.path}:${lineOf(template.source.text, startOf(entry.pair.key as Node, template.source.text))}: removed ${entry.id}`,
      );
    }
  }
  const after = applyEdits(template.source.text, edits);
  const newIds = [...ids.values()].flatMap((n) => (n ? [n.cfnRole, n.cfnProfile] : []));
  const check = parseDocument(masked(after, [id, ...profiles, ...newIds]).text, { version: '1.1' });
  if (check.errors.length > 0)
    throw refused(
      `the rewritten ${template.source.path} would not parse (${check.errors[0]?.message ?? ''}); nothing was written`,
      'report this, with the file',
    );
  const change: FileChange = { path: template.source.path, before: template.source.text, after };
  return { changes: [change], notes };
}

/** Parses a template, with only the resources whose text names one of `names` (when it can split the file by resource). */
function parse(source: SourceFile, names: readonly string[]): Template | undefined {
  const view = masked(source.text, names);
  const doc = parseDocument(view.text, { version: '1.1' });
  const toSource = view.toSource;
  if (toSource) {
    visit(doc, (_key, node) => {
      if (isNode(node) && node.range) node.range = [toSource(node.range[0]), toSource(node.range[1]), toSource(node.range[2])];
    });
  }
  if (doc.errors.length > 0 && !/^\s*\{?\s*["']?(Resources|AWSTemplateFormatVersion)/m.test(source.text)) return undefined;
  if (doc.errors.length > 0)
    throw refused(`${source.path}: not a readable template (${doc.errors[0]?.message.split('\n')[0] ?? ''})`, 'fix the file first');
  const resources = doc.get('Resources', true);
  if (!isMap(resources)) return undefined;
  const keyNode = isMap(doc.contents) ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'Resources')?.key : undefined;
  const keyStart = isScalar(keyNode) ? (keyNode.range?.[0] ?? 0) : 0;
  const resourcesColumn = keyStart - (source.text.lastIndexOf('\n', keyStart - 1) + 1);
  const entries = resources.items.flatMap((pair) => {
    const body = pair.value;
    if (!isScalar(pair.key) || !isMap(body)) return [];
    const type = body.get('Type');
    return [{ id: String(pair.key.value), type: typeof type === 'string' ? type : '', pair, body }];
  });
  const outputs = doc.get('Outputs', true);
  return {
    source,
    json: source.text.trimStart().startsWith('{'),
    resources,
    resourcesColumn,
    entries,
    allIds: view.ids ?? entries.map((e) => e.id),
    spaced: view.spaced ?? spacedBetween(source.text, entries[1]?.pair.key as Node | undefined),
    ...(isMap(outputs) ? { outputs } : {}),
  };
}

/** True when a blank line (and maybe comments) comes right before the second resource. */
function spacedBetween(text: string, second: Node | undefined): boolean {
  return second !== undefined && /\n[ \t]*\n[ \t]*(#.*\n[ \t]*)*$/.test(text.slice(0, startOf(second, text)));
}

/**
 * The template with only the resources whose text names one of `names`, and
 * how to map an offset in it back to the real text; the ids of all resources;
 * and whether a blank line separates them. The whole text when the file is
 * not plain block YAML (JSON, flow style).
 */
function masked(
  text: string,
  names: readonly string[],
): { text: string; toSource?: (offset: number) => number; ids?: string[]; spaced?: boolean } {
  const sections = splitTemplate(text);
  const first = sections?.resources[0];
  if (!sections || !first) return { text };
  const pattern = new RegExp(`(?<![A-Za-z0-9])(${names.map(escapeRegExp).join('|')})(?![A-Za-z0-9])`);
  let at = offsetOfLine(text, first.line);
  // [offset in the compact text, offset in the real text] where each kept part starts.
  const segments: Array<[number, number]> = [[0, 0]];
  let out = text.slice(0, at);
  for (const chunk of sections.resources) {
    if (pattern.test(chunk.text)) {
      segments.push([out.length, at]);
      out += chunk.text;
    }
    at += chunk.text.length;
  }
  segments.push([out.length, at]);
  out += text.slice(at);
  const toSource = (offset: number): number => {
    let k = segments.length - 1;
    while (k > 0 && (segments[k] as [number, number])[0] > offset) k--;
    const [compact, real] = segments[k] as [number, number];
    return real + (offset - compact);
  };
  const ids = sections.resources.map((c) => /^\s*["']?([^\s"':]+)/.exec(c.text)?.[1] ?? '');
  return { text: out, toSource, ids, spaced: /\n[ \t]*\n$/.test(first.text) };
}

function offsetOfLine(text: string, line: number): number {
  let at = 0;
  for (let n = 1; n < line; n++) at = text.indexOf('\n', at) + 1;
  return at;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The shared role's logical id when the plan records its stack. */
function sharedRoleOwner(plan: Plan): string | undefined {
  const owned = plan.ownership?.resources.find((r) => r.kind === 'shared-role');
  return owned && 'logicalId' in owned.owner ? owned.owner.logicalId : undefined;
}

function findSharedRole(plan: Plan, templates: readonly Template[]): { template: Template; id: string } {
  const logicalId = sharedRoleOwner(plan);
  const found = templates.flatMap((template) =>
    template.entries
      .filter(
        (e) =>
          e.type === 'AWS::IAM::Role' && (logicalId ? e.id === logicalId : propertyOf(e.body, 'RoleName') === plan.sharedRole.roleName),
      )
      .map((e) => ({ template, id: e.id, entry: e })),
  );
  if (found.length === 0) {
    const what = logicalId ?? `an AWS::IAM::Role with RoleName ${plan.sharedRole.roleName}`;
    const macro = templates.map((t) => ({ t, transform: macroTransform(t.source.text) })).find((m) => m.transform);
    if (macro?.transform)
      throw refused(
        `${macro.t.source.path}:${macro.transform.line}: no template given defines ${what}, and this one's Transform ${macro.transform.names.join(', ')} is a macro: a role a macro makes is not in the template`,
        'change the role where the macro makes it, by hand',
      );
    throw refused(
      `no template given defines ${what}`,
      'pass the template of the stack that owns the shared role (a role made by a macro cannot be rewritten)',
    );
  }
  if (found.length > 1)
    throw refused(`${found.map((f) => f.template.source.path).join(', ')} all define ${found[0]?.id}`, 'pass one template');
  const { template, id, entry } = found[0] as (typeof found)[number];
  const at = (node: unknown) => `${template.source.path}:${lineOf(template.source.text, startOf(node as Node, template.source.text))}`;
  const condition = entry.body.items.find((p) => isScalar(p.key) && p.key.value === 'Condition');
  if (condition) {
    throw refused(
      `${at(condition.key)}: ${id} is created only under a Condition; one role per service cannot be placed beside it`,
      'split it by hand',
    );
  }
  const properties = entry.body.get('Properties', true);
  const chosen = isMap(properties) ? properties.items.find((p) => isMap(p.value) && p.value.has('Fn::If')) : undefined;
  if (chosen) {
    throw refused(
      `${at(chosen.key)}: ${id} has a property chosen by Fn::If; rewrite cannot tell which branch to split`,
      'split it by hand',
    );
  }
  return { template, id };
}

/** The transforms AWS runs itself: they add no role of their own to find. */
const AWS_TRANSFORMS = new Set(['AWS::Serverless-2016-10-31', 'AWS::LanguageExtensions', 'AWS::Include', 'AWS::CodeDeployBlueGreen']);

/** A template's top-level Transform naming a macro (any transform but AWS's own), with its line; undefined when none does. */
function macroTransform(text: string): { line: number; names: string[] } | undefined {
  const doc = parseDocument(text, { version: '1.1' });
  if (!isMap(doc.contents)) return undefined;
  const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'Transform');
  const value: unknown = pair?.value;
  const names = (isSeq(value) ? value.items : [value]).map((n) => (isScalar(n) ? String(n.value) : '')).filter((n) => n !== '');
  const macros = names.filter((n) => !AWS_TRANSFORMS.has(n));
  return pair && macros.length > 0 ? { line: lineOf(text, startOf(pair.key, text)), names: macros } : undefined;
}

function propertyOf(body: YAMLMap, key: string): unknown {
  const properties = body.get('Properties');
  return properties instanceof Object && isMap(properties) ? properties.get(key) : undefined;
}

/** Every reference to `ids` in the template, with its owner resource and property path. */
function references(template: Template, ...ids: string[]): Reference[] {
  const out: Reference[] = [];
  const text = template.source.text;
  const visit = (node: unknown, owner: { id: string; type: string }, path: string[], list?: Reference['list']): void => {
    if (isScalar(node) || isMap(node) || isSeq(node)) {
      // DependsOn names logical ids as plain strings.
      const plain =
        path[0] === 'DependsOn' && isScalar(node) && node.tag === undefined ? { id: String(node.value), sub: false } : undefined;
      const hit = plain ?? intrinsicTarget(node);
      if (hit && ids.includes(hit.id)) {
        const start = startOf(node, text);
        out.push({
          template,
          owner: owner.id,
          ownerType: owner.type,
          path: path.join('.'),
          node,
          start,
          end: node.range?.[1] ?? start,
          ...(list ? { list } : {}),
          inSub: hit.sub,
          line: lineOf(text, start),
        });
        return;
      }
    }
    if (isMap(node)) for (const pair of node.items) visit(pair.value, owner, [...path, isScalar(pair.key) ? String(pair.key.value) : '?']);
    if (isSeq(node)) node.items.forEach((item, i) => visit(item, owner, [...path, String(i)], { node, flow: node.flow === true }));
  };
  for (const entry of template.entries) {
    if (ids.includes(entry.id)) continue;
    visit(entry.body.get('Properties', true), { id: entry.id, type: entry.type }, []);
    const dependsOn = entry.body.get('DependsOn', true);
    if (dependsOn) visit(dependsOn, { id: entry.id, type: entry.type }, ['DependsOn']);
  }
  for (const pair of template.outputs?.items ?? [])
    visit(pair.value, { id: '', type: 'Outputs' }, [isScalar(pair.key) ? String(pair.key.value) : '?']);
  return out;
}

/** The logical id an intrinsic names, if the node is one. */
function intrinsicTarget(node: Node): { id: string; sub: boolean } | undefined {
  if (isScalar(node) && node.tag === '!Ref') return { id: String(node.value), sub: false };
  if (isScalar(node) && node.tag === '!GetAtt') return { id: String(node.value).split('.')[0] ?? '', sub: false };
  if (isSeq(node) && node.tag === '!GetAtt') return { id: String((node.items[0] as Scalar | undefined)?.value), sub: false };
  if (isScalar(node) && node.tag === '!Sub') {
    const match = /\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}/.exec(String(node.value));
    return match ? { id: match[1] as string, sub: true } : undefined;
  }
  if (isMap(node) && node.items.length === 1 && isPair(node.items[0])) {
    const [pair] = node.items;
    const key = isScalar(pair?.key) ? String(pair.key.value) : '';
    const value = pair?.value;
    if (key === 'Ref' && isScalar(value)) return { id: String(value.value), sub: false };
    if (key === 'Fn::GetAtt' && isSeq(value)) return { id: String((value.items[0] as Scalar | undefined)?.value), sub: false };
    if (key === 'Fn::GetAtt' && isScalar(value)) return { id: String(value.value).split('.')[0] ?? '', sub: false };
  }
  return undefined;
}

function refName(ref: Reference, ids: readonly string[]): string {
  return intrinsicTarget(ref.node)?.id ?? ids[0] ?? '';
}

/** Swaps the logical id inside a reference's own text: `!GetAtt Old.Arn` → `!GetAtt New.Arn`, any form. */
function renameIn(template: Template, ref: Reference, from: string, to: string): TextEdit {
  const text = template.source.text.slice(ref.start, ref.end);
  const at = new RegExp(`(?<![A-Za-z0-9])${from}(?![A-Za-z0-9])`).exec(text);
  if (!at) throw refused(`${template.source.path}:${ref.line}: cannot find ${from} in its reference`, 'report this, with the file');
  return { start: ref.start + at.index, end: ref.start + at.index + from.length, text: to };
}

/** The text of a reference to `to`, written in the same form as `ref` (short or long, YAML or JSON). */
function referenceText(template: Template, ref: Reference, from: string, to: string): string {
  const own = template.source.text.slice(ref.start, ref.end);
  return own.replace(new RegExp(`(?<![A-Za-z0-9])${from}(?![A-Za-z0-9])`), to);
}

/** Adds `texts` beside a principal: as items of its list, or turning the single value into a list. */
function addToList(template: Template, ref: Reference, texts: string[]): TextEdit {
  const text = template.source.text;
  if (ref.list && !ref.list.flow) {
    const lineStart = text.lastIndexOf('\n', ref.start - 1) + 1;
    const prefix = text.slice(lineStart, ref.start);
    const lineEnd = text.indexOf('\n', ref.end);
    const at = lineEnd === -1 ? text.length : lineEnd + 1;
    return { start: at, end: at, text: texts.map((t) => `${prefix}${t}\n`).join('') };
  }
  if (ref.list) return { start: ref.end, end: ref.end, text: texts.map((t) => `, ${t}`).join('') };
  return { start: ref.start, end: ref.end, text: `[${[text.slice(ref.start, ref.end), ...texts].join(', ')}]` };
}

/** Removes one item of a list, with its dash line (block) or its comma (flow). */
function removeItem(template: Template, ref: Reference): TextEdit {
  const text = template.source.text;
  if (ref.list && !ref.list.flow) {
    const lineStart = text.lastIndexOf('\n', ref.start - 1) + 1;
    const lineEnd = text.indexOf('\n', ref.end);
    return { start: lineStart, end: lineEnd === -1 ? text.length : lineEnd + 1, text: '' };
  }
  let end = ref.end;
  while (/\s/.test(text[end] ?? '')) end++;
  if (text[end] === ',') {
    end++;
    while (/\s/.test(text[end] ?? '')) end++;
    return { start: ref.start, end, text: '' };
  }
  let start = ref.start;
  while (start > 0 && /\s/.test(text[start - 1] ?? '')) start--;
  if (text[start - 1] === ',') start--;
  return { start, end: ref.end, text: '' };
}

/** Removes a resource: its lines in YAML, its member and one comma in JSON. */
function removeEntry(template: Template, pair: Pair): TextEdit {
  const text = template.source.text;
  const start = startOf(pair.key as Node, text);
  const value = pair.value as Node;
  const end = value.range?.[2] ?? start;
  if (!template.json) {
    // The comment lines right above a resource describe it, and one blank line separated it.
    let lineStart = text.lastIndexOf('\n', start - 1) + 1;
    for (;;) {
      const previous = text.lastIndexOf('\n', lineStart - 2) + 1;
      if (lineStart === 0 || !/^\s*#/.test(text.slice(previous, lineStart - 1))) break;
      lineStart = previous;
    }
    const blank = /^[ \t]*\n/.exec(text.slice(end));
    return { start: lineStart, end: end + (blank ? blank[0].length : 0), text: '' };
  }
  return removeItem(template, { start, end: value.range?.[1] ?? end } as Reference);
}

/** Writes the new resources at the end of Resources, in the template's syntax and indentation. */
function insertResources(template: Template, resources: Record<string, unknown>): TextEdit {
  const text = template.source.text;
  const first = template.entries[0]?.pair.key as Node | undefined;
  const column = first ? startOf(first, text) - (text.lastIndexOf('\n', startOf(first, text) - 1) + 1) : 2;
  const pad = ' '.repeat(column);
  const unit = Math.max(2, column - template.resourcesColumn);
  const indent = (block: string) =>
    block
      .split('\n')
      .map((l) => (l === '' ? l : pad + l))
      .join('\n');
  const end = template.resources.range?.[1] ?? text.length;
  if (template.json) {
    const members = Object.entries(resources).map(([id, value]) =>
      indent(`${JSON.stringify(id)}: ${JSON.stringify(longForm(value), null, unit)}`),
    );
    let close = end - 1;
    while (close > 0 && text[close] !== '}') close--;
    let last = close - 1;
    while (last > 0 && /\s/.test(text[last] ?? '')) last--;
    return { start: last + 1, end: last + 1, text: `,\n${members.join(',\n')}` };
  }
  const rendered = new Document(resources, { version: '1.1' }).toString({ indent: unit, lineWidth: 0 });
  // Keep the template's habit of a blank line between resources.
  const spaced = template.spaced;
  const blocks = rendered.split(new RegExp(`\n(?=[^ \n])`)).map(indent);
  const at = template.resources.range?.[2] ?? text.length;
  const lead = text[at - 1] === '\n' ? '' : '\n';
  const separator = spaced ? '\n' : '';
  return { start: at, end: at, text: `${lead}${separator}${blocks.join(`\n${separator}`)}${blocks.at(-1)?.endsWith('\n') ? '' : '\n'}` };
}

/** Short-form intrinsics (tagged scalars) as JSON's long forms. */
function longForm(value: unknown): unknown {
  if (value instanceof Scalar && value.tag === '!Ref') return { Ref: value.value as unknown };
  if (value instanceof Scalar && value.tag === '!GetAtt') return { 'Fn::GetAtt': String(value.value).split('.') };
  if (value instanceof Scalar && value.tag === '!Sub') return { 'Fn::Sub': value.value as unknown };
  if (Array.isArray(value)) return value.map(longForm);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, longForm(v)]));
  return value;
}

/** The services whose new roles a resource-policy resource gets, from the plan's entry for it. */
function policyServices(plan: Plan, ref: Reference, kind: string): string[] {
  const owned = plan.ownership?.resources.find(
    (r) => r.kind === 'resource-policy' && 'logicalId' in r.owner && r.owner.logicalId === ref.owner,
  )?.ref;
  const candidates = plan.resourcePolicies.policies.filter((p) => (owned ? p.arn === owned : p.kind === kind));
  if (candidates.length !== 1) {
    throw refused(
      `${ref.template.source.path}:${ref.line}: cannot tell which of the plan's resource policies ${ref.owner} is (${candidates.length} match)`,
      're-plan so the plan records its owner, or add the new roles by hand',
    );
  }
  const roleNames = new Set((candidates[0]?.statements ?? []).flatMap((s) => s.roles));
  return plan.newRoles.filter((r) => roleNames.has(r.roleName)).map((r) => r.service);
}

/** Where a node's text starts, its tag included (yaml's range starts after the tag). */
function startOf(node: Node, text: string): number {
  const start = node.range?.[0] ?? 0;
  const tag = (node as { tag?: string }).tag;
  if (!tag || !tag.startsWith('!')) return start;
  const at = text.lastIndexOf(tag, start);
  return at === -1 ? start : at;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function refused(message: string, hint: string): SplitRoleError {
  return new SplitRoleError('RewriteRefused', message, hint);
}
