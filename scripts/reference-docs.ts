/**
 * The reference pages generated from the code: docs/messages.md from MESSAGE_CODES, ERROR_CODES and ExitCode, and
 * docs/plan-format.md from the zod plan schema (the same JSON Schema as plans/plan.schema.json). `npm run schema`
 * writes them; test/unit/reference-docs.test.ts fails when they are out of step with the code.
 */
import { ERROR_CODES, ExitCode } from '../src/core/errors.js';
import { MESSAGE_CODES, type CodeInfo } from '../src/core/message-codes.js';
import { PLAN_SCHEMA_VERSION, planJsonSchema } from '../src/plan/schema.js';

/** A generated page: where it goes (from the repository root) and its text. */
export interface GeneratedPage {
  path: string;
  text: string;
}

const GENERATED = (source: string) =>
  `<!-- Generated from ${source} by \`npm run schema\` (scripts/reference-docs.ts). Do not edit: a unit test compares it with the code. -->`;

/** Markdown table cell text: pipes and line breaks would end the cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** What each message area covers (an area not listed is shown by its name alone). */
const AREAS: Record<string, string> = {
  SCAN: '`scan`',
  PLAN: '`plan`',
  EVID: 'reading the evidence (`plan`, `verify`, the retire gate)',
  APPLY: '`apply`, `rollback`, `verify`, `status`',
  CHECK: '`check`',
  EXPORT: '`export`, `guardrail export`',
  REWRITE: '`rewrite`',
  CLI: 'every command',
};

/** What each exit code means: a code added to ExitCode without a line here fails the docs test. */
export const EXIT_CODE_MEANINGS: Record<string, string> = {
  ok: 'success: no findings (`scan`, `check`), plan written, apply or rollback done, verify clean',
  findings:
    'findings (`scan`, `check`); problems found by `verify`; an apply whose retire waits for manual follow-ups to be confirmed; a rollback that kept a new role something else uses',
  error:
    'usage, configuration, credential or AWS error; a refused plan; a failed step (one line naming the error code and what to do; `--debug` adds the stack)',
  unreadAccounts: '`scan --org` / `--accounts`: more accounts unread than `--allow-unreachable` allows, findings or not',
  notEnoughEvidence: '`verify`: the evidence does not yet reach cutover plus the delivery margin, so "clean" cannot be said yet',
  interrupted: 'interrupted (Ctrl-C); apply and rollback resume when run again',
};

/** docs/messages.md: every message code with its level and meaning, every error code, every exit code. */
export function messagesPage(): GeneratedPage {
  const byArea = new Map<string, Array<[string, CodeInfo]>>();
  for (const [code, info] of Object.entries(MESSAGE_CODES) as Array<[string, CodeInfo]>) {
    const area = code.split('_')[1] ?? '?';
    byArea.set(area, [...(byArea.get(area) ?? []), [code, info]]);
  }
  const lines = [
    GENERATED('src/core/message-codes.ts and src/core/errors.ts'),
    '',
    '# Messages, error codes and exit codes',
    '',
    'Results (tables, JSON documents, plan paths, generated code) go to stdout. Everything else (progress, warnings,',
    'questions, the task list, the error line) goes to stderr, and every message there has a stable code of the form',
    '`SR_<AREA>_<L><NNNN>`: the area, the level’s letter (`D` debug, `P` progress, `I` info, `W` warning, `E` error,',
    '`Q` a question) and a number. **A code never changes meaning once released**; a retired code is not reused',
    '(see [CHANGELOG.md](../CHANGELOG.md)).',
    '',
    '`--events` (before or after the command) chooses how stderr looks:',
    '',
    '- `text` (default): on a terminal, colours, one progress line redrawn in place and an animated task list;',
    '  otherwise one line per message, with progress shown at most every 2 s plus its final figure.',
    '- `json-lines`: one JSON object per line, for machines, never a prompt (`--output json-lines` is the old spelling):',
    '',
    '```json',
    '{"time":"2026-11-29T12:00:03.120Z","level":"info","code":"SR_PLAN_I2007","message":"Wrote plans/orders.plan.json and plans/orders.plan.md: orders-ec2, orders-ecs, orders-lambda; 5 workloads move.","data":{"path":"plans/orders.plan.json","review":"plans/orders.plan.md","newRoles":["orders-ec2","orders-ecs","orders-lambda"],"workloads":5}}',
    '{"time":"2026-11-29T12:00:04.010Z","level":"error","code":"SR_CLI_E9001","message":"PlanDigestMismatch: …","data":{"error":"PlanDigestMismatch","hint":"…"}}',
    '```',
    '',
    '`--output text|json` chooses the result on stdout, as in the AWS CLI (`--json` is the same as `--output json`).',
    '',
    'Questions are asked only on a terminal with `--events text`; with `--yes` each takes its default answer, and',
    '`apply` / `rollback` without a terminal refuse unless `--yes` is given.',
    '',
    '## Message codes',
    '',
  ];
  for (const [area, codes] of byArea) {
    lines.push(`### ${area}: ${AREAS[area] ?? area.toLowerCase()}`, '', '| code | level | meaning |', '|---|---|---|');
    for (const [code, info] of codes)
      lines.push(`| \`${code}\` | ${info.level === 'request' ? 'question' : info.level} | ${cell(info.description)} |`);
    lines.push('');
  }
  lines.push(
    '## Error codes',
    '',
    'A failed command prints one line on stderr, `split-role: CODE: what happened — what to do` (AWS’s own exception',
    'name stands in for the code when AWS raised the error), and in `--output json-lines` an `SR_CLI_E9001` event whose',
    '`data.error` is the code. The set is closed: a script may rely on these names.',
    '',
    ERROR_CODES.map((code) => `\`${code}\``).join(', '),
    '',
    '## Exit codes',
    '',
    '| code | meaning |',
    '|---|---|',
    ...Object.entries(ExitCode).map(([name, code]) => {
      const meaning = EXIT_CODE_MEANINGS[name];
      if (!meaning) throw new Error(`exit code ${name} (${code}) has no line in EXIT_CODE_MEANINGS (scripts/reference-docs.ts)`);
      return `| ${code} | ${cell(meaning)} |`;
    }),
    '',
    'Each command’s page in [commands/](commands/) says which of these it uses and when.',
    '',
  );
  return { path: 'docs/messages.md', text: lines.join('\n') };
}

/** What each top-level field of a plan holds: a field added to the schema without a line here fails the docs test. */
export const PLAN_FIELDS: Record<string, string> = {
  schemaVersion: 'the format’s version; a plan of another version is refused (re-plan it)',
  planId: 'the plan’s id; everything apply creates is tagged `split-role:plan-id` with it',
  createdAt: 'when the plan was written (ISO 8601)',
  tool: 'the split-role version that wrote it',
  account: 'the account the plan is for; apply refuses credentials for another',
  partition: 'the partition (`aws`, `aws-cn`, `aws-us-gov`)',
  region: 'the home region; apply refuses another',
  access: 'how a member account is reached (`plan --account … --assume-role …`); absent for the caller’s own account',
  regions: 'every region the plan covers: workloads and resource policies live in these',
  sharedRole:
    'the shared role’s full snapshot (trust, inline and attached policies, tags, boundary, instance profiles): what drift is checked against and rollback recreates',
  evidence:
    'what the evidence said and where it was read: the source and its settings (`config`), the window, counts per service, blind spots, warnings',
  decisions: 'the decisions taken for unattributed, unobservable and unmapped actions, services without evidence, and baselines',
  newRoles: 'one per service: name, ARN, trust policy, narrowed policies, tags, instance profile, and each kept action with why',
  excludedServices: 'services that keep using the shared role (no new role was made for them)',
  unused: 'statements of the shared role with grants nobody used (dropped from every new role)',
  unattributed: 'actions used by sessions no service could be tied to, and who was granted them',
  unmappedEvents: 'events that map to no IAM action the catalog knows (listed, never granted silently)',
  workloads: 'each workload that moves: its kind, region, current binding and target binding',
  resourcePolicies: 'resource-based policies that name the shared role, with their exact text and the statements apply edits',
  followUps: 'what split-role cannot do itself (manual follow-ups; retire waits for the `manual-service` ones)',
  warnings: 'warnings shown at the top of the review',
  retireSharedRole: 'whether apply retires the shared role once the retire gate holds',
  ownership: 'who owns each resource the plan touches (a CloudFormation stack, CDK, SAM, Terraform, or nobody); absent in older plans',
  trustTrim:
    "service principals nothing uses (no workload in any region, no events in the evidence), taken out of the shared role's trust policy by apply; the exact policy before and after, for rollback; absent when none",
  digest: '`sha256:` over the canonical JSON of everything else: catches accidental edits; `apply --expect-digest` pins the reviewed plan',
};

type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: Array<{ if?: { properties?: Record<string, JsonSchema> }; then?: { properties?: Record<string, JsonSchema> } }>;
};

interface Row {
  path: string;
  type: string;
  required: boolean;
}

/** The const property that tells the variants of a union apart (`kind`), if there is one. */
function discriminator(options: JsonSchema[]): string | undefined {
  const first = options[0]?.properties ?? {};
  return Object.keys(first).find((key) => options.every((o) => o.properties?.[key]?.const !== undefined));
}

/** One schema node as a short type: `string`, `"logs"`, `one of: keep, drop`, `integer`, `array`, … */
function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return `one of ${schema.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  const options = schema.oneOf ?? schema.anyOf;
  if (options) {
    const key = discriminator(options);
    return key ? `one of ${options.length} shapes by \`${key}\`` : options.map(typeOf).join(' or ');
  }
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
  if (type === 'object' && !schema.properties && schema.additionalProperties && schema.additionalProperties !== true)
    return 'map of name → value';
  return schema.pattern ? `${type} matching \`${schema.pattern}\`` : type;
}

/** Every field under `schema`, depth first, with its path (`newRoles[].actions[].origin`). */
function rows(schema: JsonSchema, path: string, required: boolean, out: Row[]): Row[] {
  if (path) out.push({ path, type: typeOf(schema), required });
  if (schema.properties) {
    for (const [name, child] of Object.entries(schema.properties))
      rows(child, path ? `${path}.${name}` : name, schema.required?.includes(name) ?? false, out);
  } else if (schema.additionalProperties && schema.additionalProperties !== true && schema.additionalProperties.properties) {
    rows(schema.additionalProperties, `${path}.*`, true, out);
  }
  if (schema.items) rows(schema.items, `${path}[]`, true, out);
  const options = schema.oneOf ?? schema.anyOf;
  const key = options && discriminator(options);
  if (options && key) {
    for (const option of options) {
      const { [key]: tag, ...rest } = option.properties ?? {};
      rows({ ...option, properties: rest }, `${path} (${key} ${JSON.stringify(tag?.const)})`, true, []).forEach((row, index) => {
        if (index > 0) out.push(row);
      });
    }
  }
  for (const branch of schema.allOf ?? []) {
    const when = Object.entries(branch.if?.properties ?? {})[0];
    const config = branch.then?.properties?.config;
    if (when && config) rows(config, `${path}.config (${when[0]} ${JSON.stringify(when[1].const)})`, false, out);
  }
  return out;
}

/** docs/plan-format.md: the plan's fields, from the same JSON Schema as plans/plan.schema.json. */
export function planFormatPage(): GeneratedPage {
  const schema = planJsonSchema() as JsonSchema;
  const top = Object.keys(schema.properties ?? {});
  const undocumented = top.filter((field) => !PLAN_FIELDS[field]);
  if (undocumented.length > 0)
    throw new Error(`plan fields without a line in PLAN_FIELDS (scripts/reference-docs.ts): ${undocumented.join(', ')}`);
  const lines = [
    GENERATED('the zod plan schema (src/plan/schema.ts)'),
    '',
    '# Plan format',
    '',
    `Plans are JSON, \`schemaVersion: ${PLAN_SCHEMA_VERSION}\`, validated with zod on every read; a plan of any other version is`,
    'refused (re-plan it). **A schema version never changes meaning**: a change that old readers would misread gets a',
    'new version (see [CHANGELOG.md](../CHANGELOG.md)). The JSON Schema is',
    '[`plans/plan.schema.json`](../plans/plan.schema.json); `npm run schema` regenerates it and this page.',
    '',
    'A plan holds everything apply and rollback need without reading AWS again, and is sealed by a `digest`. It is',
    'written atomically, with its review twin (`.plan.md`) beside it. `split-role show PLAN --json` prints it.',
    '',
    '## Top-level fields',
    '',
    '| field | required | what it holds |',
    '|---|---|---|',
    ...top.map((field) => `| \`${field}\` | ${schema.required?.includes(field) ? 'yes' : 'no'} | ${cell(PLAN_FIELDS[field] ?? '')} |`),
    '',
    '## Every field',
    '',
    'Paths use `[]` for the items of a list, `.*` for the values of a map, and `(kind "…")` for one shape of a list',
    'whose items come in several shapes (workloads, follow-ups, resource policies).',
    '',
    '| path | type | required |',
    '|---|---|---|',
    ...rows(schema, '', true, []).map((row) => `| \`${cell(row.path)}\` | ${cell(row.type)} | ${row.required ? 'yes' : 'no'} |`),
    '',
  ];
  return { path: 'docs/plan-format.md', text: lines.join('\n') };
}

/** The markers around the generated part of docs/architecture.md. */
export const LAYERS_START = '<!-- layers: generated from eslint/layers.js by `npm run schema`; do not edit -->';
export const LAYERS_END = '<!-- /layers -->';

/** The layer table of eslint/layers.js as Markdown: the dependency rule the lint enforces. */
export async function layersBlock(): Promise<string> {
  // A computed specifier: eslint/layers.js is plain JavaScript outside the TypeScript project.
  const { LAYERS, RUNTIME_FREE } = (await import(String(new URL('../eslint/layers.js', import.meta.url)))) as {
    LAYERS: string[][];
    RUNTIME_FREE: Record<string, string[]>;
  };
  const lines = [LAYERS_START, '', '| tier (top to bottom) | folders under `src/` |', '|---|---|'];
  LAYERS.forEach((tier, index) => lines.push(`| ${index + 1} | ${tier.map((folder) => `\`${folder}\``).join(', ')} |`));
  lines.push('');
  for (const [folder, banned] of Object.entries(RUNTIME_FREE))
    lines.push(
      `\`src/${folder}\` is pure: it loads nothing from ${banned.map((b) => `\`src/${b}\``).join(' or ')} (type imports are fine).`,
    );
  lines.push('', LAYERS_END);
  return lines.join('\n');
}

/** `text` with the part between the layer markers replaced by `block` (an error if the markers are missing). */
export function withLayersBlock(text: string, block: string): string {
  const start = text.indexOf(LAYERS_START);
  const end = text.indexOf(LAYERS_END);
  if (start < 0 || end < start) throw new Error('docs/architecture.md lacks the layer markers');
  return text.slice(0, start) + block + text.slice(end + LAYERS_END.length);
}

/** Every generated page. */
export function referencePages(): GeneratedPage[] {
  return [messagesPage(), planFormatPage()];
}
