/**
 * Reads one candidate file and hands back the IAM roles it defines: detects
 * the format from the content (JSON or YAML; CloudFormation, CDK, Terraform
 * plan, Terraform JSON), and turns anything malformed into an outcome, never
 * an exception.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseCfnYaml, YamlSyntaxError } from './cfn-yaml.js';
import { cloudFormationRoles, isCdkTemplate, isCloudFormationTemplate, localPrincipalArns, slimResource } from './cloudformation.js';
import type { CandidateFile } from './discover.js';
import { jsonLines, jsonPathKey } from './json-lines.js';
import { readTerraformHcl } from './terraform-hcl.js';
import { isTerraformJson, terraformJsonRoles, terraformRoles } from './terraform-json.js';
import { isTerraformPlan, terraformPlanRoles } from './terraform-plan.js';
import { THIS_ACCOUNT } from './resolve.js';
import { isRecord, type IacFileOutcome, type IacFileRoles } from './types.js';

/**
 * Cheap markers of the shapes we read. Why: a repository holds many JSON and
 * YAML files that are no IaC (package.json, tsconfig.json with comments, CI
 * workflows); parsing them only to discard them would cost time and, for the
 * ones that are not strict JSON, report them as malformed.
 */
const JSON_MARKERS = ['"Resources"', '"AWSTemplateFormatVersion"', '"planned_values"', '"format_version"', '"resource"'];
/** A template key at the start of a line, possibly indented or quoted; `hasTopLevelMarker` checks the indent. */
const YAML_MARKERS = /^([ \t]*)(["']?)(?:Resources|AWSTemplateFormatVersion)\2[ \t]*:/gm;

/**
 * The largest file read. Why: memory grows with the file, and a file this size
 * is no deployable template (CloudFormation takes at most 1 MB); it is
 * reported, not read, so the other files are still checked.
 */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;

/** Reads and classifies one file. `display` is the name reports use. */
export async function readIacFile(candidate: CandidateFile, display: string): Promise<IacFileOutcome> {
  let text: string;
  try {
    const { size } = await stat(candidate.path);
    if (size > MAX_FILE_BYTES) {
      return { status: 'unreadable', file: display, reason: `too large to read: ${mb(size)} MB (the limit is ${mb(MAX_FILE_BYTES)} MB)` };
    }
    const bytes = await readFile(candidate.path);
    const encoding = notUtf8(bytes);
    // Why unreadable, not skipped: a file the user named, or a UTF-16 template
    // (as some Windows editors save them), would otherwise pass the gate unread.
    if (encoding !== undefined && (candidate.explicit || encoding === 'UTF-16')) {
      const reason =
        encoding === 'UTF-16'
          ? 'UTF-16 text: save it as UTF-8 to check it'
          : 'binary data, not a UTF-8 template, plan or Terraform JSON file';
      return { status: 'unreadable', file: display, reason };
    }
    if (encoding !== undefined) return { status: 'skipped', file: display, reason: 'binary data' };
    text = bytes.toString('utf8');
  } catch (error) {
    return {
      status: 'unreadable',
      file: display,
      reason: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  }
  return isTerraformHclFile(candidate.path) ? terraformHclOutcome(text, display) : classifyText(text, display, candidate.explicit);
}

/** True for Terraform's native syntax, which only its extension tells apart. */
export function isTerraformHclFile(path: string): boolean {
  return path.toLowerCase().endsWith('.tf');
}

/** Reads `.tf` text; async because the parser is WebAssembly, loaded on first use. */
export async function terraformHclOutcome(text: string, file: string): Promise<IacFileOutcome> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const document = await readTerraformHcl(body);
  if ('error' in document) {
    return {
      status: 'unreadable',
      file,
      reason: `invalid Terraform syntax at line ${document.error.line}, column ${document.error.column}`,
    };
  }
  return {
    status: 'read',
    file,
    format: 'terraform-hcl',
    roles: terraformRoles(document.config, (path) => document.lines.get(jsonPathKey(path))),
  };
}

/** How many leading bytes are searched for a NUL: enough to tell, cheap on a 30 MB file. */
const SNIFF_BYTES = 8192;

/** 'UTF-16' for a UTF-16 byte-order mark (or ASCII-led UTF-16), 'binary' for a NUL byte near the start (no UTF-8 text has one), else undefined. */
export function notUtf8(bytes: Uint8Array): 'UTF-16' | 'binary' | undefined {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) return 'UTF-16';
  if (!bytes.subarray(0, SNIFF_BYTES).includes(0)) return undefined;
  // UTF-16 without a mark: text starting with an ASCII character has a NUL in one byte of the first pair.
  return bytes.length >= 2 && (bytes[0] === 0) !== (bytes[1] === 0) ? 'UTF-16' : 'binary';
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/** Classifies file content; pure, for tests and in-memory callers. */
export function classifyText(text: string, file: string, explicit = true): IacFileOutcome {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const json = body.trimStart().startsWith('{');
  if (!explicit && !(json ? JSON_MARKERS.some((m) => body.includes(m)) : hasTopLevelMarker(body))) {
    return { status: 'skipped', file, reason: 'not a CloudFormation template, Terraform plan or Terraform JSON file' };
  }
  return json ? fromJson(body, file) : fromYaml(body, file);
}

/**
 * True when `Resources:` or `AWSTemplateFormatVersion:` (quoted or not) is a
 * top-level key: indented no deeper than the shallowest content line, so a
 * template whose whole top level is indented counts, a nested key does not.
 */
export function hasTopLevelMarker(body: string): boolean {
  const markers = [...body.matchAll(YAML_MARKERS)];
  if (markers.length === 0) return false;
  const shallowest = Math.min(...markers.map((m) => (m[1] as string).length));
  if (shallowest === 0) return true;
  // Document markers and directives (`---`, `...`, `%YAML`) are not content.
  for (const line of body.matchAll(/^([ \t]*)(?!---|\.\.\.|%)[^\s#]/gm)) {
    if ((line[1] as string).length < shallowest) return false;
  }
  return true;
}

function fromJson(text: string, file: string): IacFileOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // Why one line: V8's message quotes the text around the error, newlines and all.
    return { status: 'unreadable', file, reason: `invalid JSON: ${(error as Error).message.replace(/\s+/g, ' ')}` };
  }
  if (isTerraformPlan(value)) return { status: 'read', file, format: 'terraform-plan', roles: terraformPlanRoles(value, text) };
  if (isCloudFormationTemplate(value)) {
    const ids = Object.keys(value.Resources as Record<string, unknown>);
    const found = jsonLines(
      text,
      ids.map((id) => ['Resources', id]),
    );
    const lines = new Map(
      ids.map((id) => [id, found.get(`\u0000Resources\u0000${id}`)] as const).filter((e): e is [string, number] => e[1] !== undefined),
    );
    return {
      status: 'read',
      file,
      format: isCdkTemplate(value) ? 'cdk' : 'cloudformation',
      roles: cloudFormationRoles(value, lines),
      ...mappings(value),
    };
  }
  if (isTerraformJson(value)) return { status: 'read', file, format: 'terraform-json', roles: terraformJsonRoles(value, text) };
  return { status: 'skipped', file, reason: 'JSON that is not a CloudFormation template, Terraform plan or Terraform JSON file' };
}

function fromYaml(text: string, file: string): IacFileOutcome {
  let parsed;
  try {
    parsed = parseCfnYaml(text, { slimResource });
  } catch (error) {
    // YamlSyntaxError carries the parser's first error; anything else the yaml
    // library throws (an unresolvable alias) is still a malformed file.
    const message = error instanceof YamlSyntaxError || error instanceof Error ? error.message : String(error);
    return { status: 'unreadable', file, reason: `invalid YAML: ${message}` };
  }
  if (!isCloudFormationTemplate(parsed.value)) {
    return { status: 'skipped', file, reason: 'YAML that is not a CloudFormation template' };
  }
  return {
    status: 'read',
    file,
    format: 'cloudformation',
    roles: cloudFormationRoles(parsed.value, parsed.resourceLines),
    ...mappings(parsed.value),
  };
}

/** What the resolver may look up elsewhere in a template. */
function mappings(template: Record<string, unknown>): Pick<IacFileRoles, 'mappings' | 'localArns'> {
  return { ...(isRecord(template.Mappings) ? { mappings: template.Mappings } : {}), localArns: localPrincipalArns(template, THIS_ACCOUNT) };
}
