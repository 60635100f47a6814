/**
 * `rewrite` for Terraform's native syntax. Cutover adds the plan's roles in one
 * new file beside the shared role's code, points each workload's reference
 * at its service's new role, and adds the new roles wherever a resource
 * policy names the shared role. Retire removes the shared role, its profile,
 * its policies and the references left. Every edit is made by source
 * position, so the rest of each file stays byte for byte.
 */
import { dirname, join } from 'node:path';
import { SplitRoleError } from '../core/errors.js';
import { renderHcl } from '../export/hcl.js';
import { codeNames } from '../export/names.js';
import { terraformBlocks } from '../export/terraform.js';
import type { Plan } from '../plan/schema.js';
import { indexHcl, type HclBlock, type HclIndex, type HclReference } from './hcl-index.js';
import { applyEdits, type TextEdit } from './text-edits.js';
import { bindingAt, roleForUnit } from './code-bindings.js';
import type { FileChange, RewriteOutcome, RewriteStage, SourceFile } from './types.js';

/** Blocks that belong to the shared role itself (its policies and profile): kept at cutover, removed at retire. */
const OWN_BLOCKS: Readonly<Record<string, string>> = {
  aws_iam_role_policy: 'role',
  aws_iam_role_policy_attachment: 'role',
  aws_iam_policy_attachment: 'roles',
  aws_iam_instance_profile: 'role',
  aws_iam_role_policies_exclusive: 'role_name',
  aws_iam_role_policy_attachments_exclusive: 'role_name',
};

/** Resource-policy resources, with the plan's kind for each. */
const POLICY_BLOCKS: Readonly<Record<string, string>> = {
  aws_s3_bucket_policy: 's3-bucket',
  aws_sqs_queue_policy: 'sqs-queue',
  aws_sns_topic_policy: 'sns-topic',
  aws_kms_key: 'kms-key',
  aws_kms_key_policy: 'kms-key',
  aws_secretsmanager_secret_policy: 'secret',
  aws_ecr_repository_policy: 'ecr-repository',
};

/** Rewrites the Terraform files given for `plan` at `stage`. Pure apart from parsing: files in, changes out. */
export async function rewriteTerraform(plan: Plan, sources: readonly SourceFile[], stage: RewriteStage): Promise<RewriteOutcome> {
  const files = await Promise.all(sources.map(parse));
  const shared = findSharedRole(plan, files);
  const profiles = sharedProfiles(files, shared.address);
  const names = codeNames(plan);
  const newTf = new Map(plan.newRoles.map((r) => [r.service, names.get(r.roleName)?.tf ?? r.roleName]));
  return stage === 'cutover' ? cutover(plan, files, shared, profiles, newTf) : retire(files, shared, profiles, newTf);
}

async function parse(source: SourceFile): Promise<HclIndex> {
  const index = await indexHcl(source.path, source.text);
  if ('error' in index) {
    throw refused(`${source.path}:${index.error.line}:${index.error.column}: not valid Terraform syntax`, 'fix the file first');
  }
  return index;
}

interface Located {
  file: HclIndex;
  block: HclBlock;
  address: string;
}

function findSharedRole(plan: Plan, files: readonly HclIndex[]): Located {
  const owned = plan.ownership?.resources.find((r) => r.kind === 'shared-role' && r.owner.tool === 'terraform');
  const ownedAddress = owned?.owner.tool === 'terraform' ? owned.owner.address : undefined;
  // A role in a module is found in the module's own source, where its address has no module prefix.
  const local = ownedAddress?.replace(/^(module\.[^.]+\.)+/, '');
  if (local !== undefined && /[[\]]/.test(local)) {
    throw refused(
      `${ownedAddress}: the shared role is made with count or for_each; one role per service cannot be placed beside it`,
      'split it by hand',
    );
  }
  const candidates = files.flatMap((file) =>
    file.blocks
      .filter((b) => b.kind === 'resource' && b.labels[0] === 'aws_iam_role')
      .filter((b) => (local ? `aws_iam_role.${b.labels[1]}` === local : b.attributes.name === plan.sharedRole.roleName))
      .map((block) => ({ file, block, address: `aws_iam_role.${block.labels[1]}` })),
  );
  if (candidates.length === 0) {
    const what = local ?? `an aws_iam_role named ${plan.sharedRole.roleName}`;
    // A role made inside a module is in the module's own source: name the call that makes it.
    const moduleName = /^module\.([^.[]+)/.exec(ownedAddress ?? '')?.[1];
    const call = files.flatMap((file) =>
      file.blocks.filter((b) => b.kind === 'module' && b.labels[0] === moduleName).map((block) => ({ file, block })),
    )[0];
    if (call) {
      const source = typeof call.block.attributes.source === 'string' ? ` (source ${call.block.attributes.source})` : '';
      throw refused(
        `${call.file.path}:${call.block.line}: module "${moduleName}"${source} makes ${ownedAddress}, and no Terraform file given defines ${what}`,
        "pass the module's own folder",
      );
    }
    throw refused(`no Terraform file given defines ${what}`, 'pass the folder of the code that defines the shared role');
  }
  if (candidates.length > 1) {
    throw refused(
      `${candidates.map((c) => `${c.file.path}:${c.block.line}`).join(', ')} all define ${candidates[0]?.address}`,
      'pass one module',
    );
  }
  const found = candidates[0] as Located;
  for (const key of ['count', 'for_each']) {
    if (found.block.keys.includes(key)) {
      throw refused(
        `${found.file.path}:${found.block.line}: ${found.address} uses ${key}; one role per service cannot be placed beside it`,
        'split it by hand',
      );
    }
  }
  return found;
}

/** The instance profiles made for the shared role (`role = aws_iam_role.shared.name`). */
function sharedProfiles(files: readonly HclIndex[], address: string): Set<string> {
  const out = new Set<string>();
  for (const file of files) {
    for (const ref of file.references) {
      const block = file.blocks[ref.block];
      if (ref.resource === address && block?.labels[0] === 'aws_iam_instance_profile' && ref.path.join('.') === 'role') {
        out.add(`aws_iam_instance_profile.${block.labels[1]}`);
      }
    }
  }
  return out;
}

/** How a reference to the shared role or its profile is used. */
type Use =
  | { kind: 'workload'; unit: string; via: 'role' | 'profile' }
  | { kind: 'own' }
  | { kind: 'policy'; policyKind: string }
  | { kind: 'manual'; why: string }
  | { kind: 'other' };

function useOf(ref: HclReference, block: HclBlock): Use {
  const type = block.kind === 'resource' ? block.labels[0] : `${block.kind}.${block.labels[0] ?? ''}`;
  const path = ref.path.join('.');
  const binding = bindingAt('terraform', type, path);
  if (binding?.manual) return { kind: 'manual', why: binding.manual };
  if (binding) return { kind: 'workload', unit: binding.unit, via: binding.via ?? 'role' };
  if (type !== undefined && OWN_BLOCKS[type] === path) return { kind: 'own' };
  const policyKind = type === undefined ? undefined : POLICY_BLOCKS[type];
  if (policyKind && ref.path[0] === 'policy') return { kind: 'policy', policyKind };
  if (type === 'data.aws_iam_policy_document' && ref.path[0] === 'statement') return { kind: 'policy', policyKind: 'policy-document' };
  return { kind: 'other' };
}

interface Found {
  file: HclIndex;
  ref: HclReference;
  block: HclBlock;
  use: Use;
}

function referencesTo(files: readonly HclIndex[], targets: ReadonlySet<string>): Found[] {
  return files.flatMap((file) =>
    file.references
      .filter((ref) => targets.has(ref.resource))
      .map((ref) => {
        const block = file.blocks[ref.block] as HclBlock;
        return { file, ref, block, use: useOf(ref, block) };
      }),
  );
}

const where = (f: Found) => `${f.file.path}:${f.ref.line}`;
const blockAddress = (b: HclBlock) => (b.kind === 'resource' ? b.labels.join('.') : [b.kind, ...b.labels].join('.'));

function cutover(
  plan: Plan,
  files: HclIndex[],
  shared: Located,
  profiles: Set<string>,
  newTf: Map<string, string>,
): Promise<RewriteOutcome> {
  checkNamesFree(files, newTf);
  const edits = new Map<HclIndex, TextEdit[]>();
  const notes: string[] = [];
  const add = (file: HclIndex, edit: TextEdit) => edits.set(file, [...(edits.get(file) ?? []), edit]);
  for (const found of referencesTo(files, new Set([shared.address, ...profiles]))) {
    const { ref, use } = found;
    if (ref.rest !== '')
      throw refused(`${where(found)}: ${ref.resource}${ref.rest} cannot be rewritten`, 'write it as a plain reference first');
    if (use.kind === 'workload') {
      const role = roleForUnit(plan, use.unit);
      const tf = role && newTf.get(role.service);
      if (!role || !tf) {
        notes.push(`${where(found)}: ${blockAddress(found.block)} keeps the shared role (the plan makes no role for ${use.unit})`);
        continue;
      }
      const target = use.via === 'profile' ? `aws_iam_instance_profile.${tf}` : `aws_iam_role.${tf}`;
      if (use.via === 'profile' && !role.instanceProfile) {
        throw refused(`${where(found)}: the plan gives ${role.service} no instance profile`, 're-plan');
      }
      add(found.file, { start: ref.start, end: ref.end, text: `${target}${ref.attribute ? `.${ref.attribute}` : ''}` });
      notes.push(`${where(found)}: ${blockAddress(found.block)} ${ref.path.join('.')} → ${target}`);
    } else if (use.kind === 'policy' && ref.resource === shared.address) {
      if (ref.inTemplate) {
        throw refused(
          `${where(found)}: ${blockAddress(found.block)} names the shared role inside a string template, where new principals cannot be added`,
          'write the policy with jsonencode or aws_iam_policy_document first',
        );
      }
      const roles = policyRoles(plan, found, use.policyKind);
      const added = roles.map((service) => `aws_iam_role.${newTf.get(service) ?? ''}.${ref.attribute || 'arn'}`);
      const original = found.file.text.slice(ref.start, ref.end);
      const list = [original, ...added].join(', ');
      add(found.file, { start: ref.start, end: ref.end, text: ref.inTuple ? list : `[${list}]` });
      notes.push(`${where(found)}: ${blockAddress(found.block)} also names ${added.length} new role(s)`);
    } else if (use.kind === 'manual') {
      notes.push(`${where(found)}: ${blockAddress(found.block)} ${ref.path.join('.')} still refers to ${ref.resource}: ${use.why}`);
    } else if (use.kind === 'other') {
      notes.push(`${where(found)}: ${blockAddress(found.block)} ${ref.path.join('.')} still refers to ${ref.resource}; review it`);
    }
  }
  const blocks = terraformBlocks(plan).filter((b) => b.type !== 'output');
  const header = [
    `Added by split-role rewrite from plan ${plan.planId}: the roles that replace ${plan.sharedRole.roleName}.`,
    `Retire ${shared.address} with split-role rewrite --stage retire once this is deployed and verified.`,
  ];
  const newFile: FileChange = {
    path: join(dirname(shared.file.path), `split-role-${fileSafe(plan.sharedRole.roleName)}.tf`),
    after: renderHcl(header, blocks),
  };
  if (files.some((f) => f.path === newFile.path))
    throw refused(`${newFile.path} already exists: the cutover was rewritten before`, 'run --stage retire, or revert first');
  return finish([...changed(edits), newFile], notes);
}

/** The services whose new roles a resource policy block gets: from the plan's entry for it, found by owner or by elimination. */
function policyRoles(plan: Plan, found: Found, policyKind: string): string[] {
  const address = blockAddress(found.block);
  const ownedRef = plan.ownership?.resources.find(
    (r) => r.kind === 'resource-policy' && r.owner.tool === 'terraform' && r.owner.address.replace(/^(module\.[^.]+\.)+/, '') === address,
  )?.ref;
  const candidates = plan.resourcePolicies.policies.filter((p) => (ownedRef ? p.arn === ownedRef : p.kind === policyKind));
  if (candidates.length !== 1) {
    throw refused(
      `${where(found)}: cannot tell which of the plan's resource policies ${address} is (${candidates.length} match)`,
      're-plan with --terraform-state so the plan records its owner, or add the new roles by hand',
    );
  }
  const roleNames = new Set((candidates[0]?.statements ?? []).flatMap((s) => s.roles));
  return plan.newRoles.filter((r) => roleNames.has(r.roleName)).map((r) => r.service);
}

function retire(files: HclIndex[], shared: Located, profiles: Set<string>, newTf: Map<string, string>): Promise<RewriteOutcome> {
  const defined = new Set(files.flatMap((f) => f.blocks.filter((b) => b.kind === 'resource').map(blockAddress)));
  const missing = [...newTf.values()].filter((tf) => !defined.has(`aws_iam_role.${tf}`));
  if (missing.length > 0) {
    throw refused(
      `the new roles are not in the code (${missing.map((tf) => `aws_iam_role.${tf}`).join(', ')})`,
      'rewrite --stage cutover and deploy it first',
    );
  }
  const edits = new Map<HclIndex, TextEdit[]>();
  const notes: string[] = [];
  const add = (file: HclIndex, edit: TextEdit) => edits.set(file, [...(edits.get(file) ?? []), edit]);
  const removed = new Set<HclBlock>([shared.block]);
  add(shared.file, blockRemoval(shared.file, shared.block));
  notes.push(`${shared.file.path}:${shared.block.line}: removed ${shared.address}`);
  for (const file of files) {
    for (const block of file.blocks) {
      if (block.kind === 'resource' && profiles.has(blockAddress(block))) {
        removed.add(block);
        add(file, blockRemoval(file, block));
        notes.push(`${file.path}:${block.line}: removed ${blockAddress(block)}`);
      }
    }
  }
  const blocking: string[] = [];
  for (const found of referencesTo(files, new Set([shared.address, ...profiles]))) {
    if (removed.has(found.block)) continue;
    const { use, ref } = found;
    const others = found.block.attributes[OWN_BLOCKS[found.block.labels[0] ?? ''] ?? ''];
    if (use.kind === 'own' && !(ref.inTuple && Array.isArray(others) && others.length > 1)) {
      removed.add(found.block);
      add(found.file, blockRemoval(found.file, found.block));
      notes.push(`${found.file.path}:${found.block.line}: removed ${blockAddress(found.block)}`);
    } else if ((use.kind === 'own' || use.kind === 'policy') && ref.inTuple) {
      add(found.file, elementRemoval(found.file, ref));
      notes.push(`${where(found)}: ${blockAddress(found.block)} no longer names ${ref.resource}`);
    } else {
      blocking.push(`${where(found)} (${blockAddress(found.block)} ${ref.path.join('.')})`);
    }
  }
  if (blocking.length > 0) {
    throw refused(
      `the code still uses the shared role at ${blocking.join(', ')}`,
      'move or remove those references, then run retire again',
    );
  }
  return finish(changed(edits), notes);
}

function checkNamesFree(files: readonly HclIndex[], newTf: Map<string, string>): void {
  for (const file of files) {
    for (const block of file.blocks) {
      const [type, name] = block.labels;
      if (block.kind !== 'resource' || name === undefined) continue;
      if ((type === 'aws_iam_role' || type === 'aws_iam_instance_profile') && [...newTf.values()].includes(name)) {
        throw refused(
          `${file.path}:${block.line}: ${type}.${name} already exists, and the plan's new role would take that name`,
          'rename it, or revert an earlier rewrite',
        );
      }
    }
  }
}

/** Removes a whole block, with the comment lines right above it and one blank line around it. */
function blockRemoval(file: HclIndex, block: HclBlock): TextEdit {
  const text = file.text;
  let start = text.lastIndexOf('\n', block.start - 1) + 1;
  for (;;) {
    const previous = text.lastIndexOf('\n', start - 2) + 1;
    if (start === 0 || !/^\s*(#|\/\/)/.test(text.slice(previous, start - 1))) break;
    start = previous;
  }
  let end = block.end;
  while (end < text.length && text[end] !== '\n') end++;
  end = Math.min(text.length, end + 1);
  if (text[end] === '\n' && (start === 0 || text[start - 2] === '\n' || text[start - 1] === '\n')) end++;
  return { start, end, text: '' };
}

/** Removes one element of a tuple with its comma: `[a, shared, b]` → `[a, b]`. */
function elementRemoval(file: HclIndex, ref: HclReference): TextEdit {
  const text = file.text;
  let end = ref.end;
  while (/\s/.test(text[end] ?? '')) end++;
  if (text[end] === ',') {
    end++;
    while (/[ \t]/.test(text[end] ?? '')) end++;
    if (text[end] === '\n') {
      // A one-per-line list: take the whole line.
      const lineStart = text.lastIndexOf('\n', ref.start - 1) + 1;
      if (/^\s*$/.test(text.slice(lineStart, ref.start))) return { start: lineStart, end: end + 1, text: '' };
    }
    return { start: ref.start, end, text: '' };
  }
  let start = ref.start;
  while (start > 0 && /\s/.test(text[start - 1] ?? '')) start--;
  if (text[start - 1] === ',') start--;
  return { start, end: ref.end, text: '' };
}

function changed(edits: Map<HclIndex, TextEdit[]>): FileChange[] {
  return [...edits].map(([file, list]) => ({ path: file.path, before: file.text, after: applyEdits(file.text, list) }));
}

/** Checks that every written file still parses, so no rewrite leaves code Terraform cannot read. */
async function finish(changes: FileChange[], notes: string[]): Promise<RewriteOutcome> {
  for (const change of changes) {
    const index = await indexHcl(change.path, change.after);
    if ('error' in index) {
      throw refused(
        `the rewritten ${change.path} would not parse (line ${index.error.line}); nothing was written`,
        'report this, with the file',
      );
    }
  }
  return { changes, notes };
}

function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '-');
}

function refused(message: string, hint: string): SplitRoleError {
  return new SplitRoleError('RewriteRefused', message, hint);
}
