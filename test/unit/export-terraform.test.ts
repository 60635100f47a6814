/**
 * Terraform export, parsed back: the `.tf.json` form through check's own
 * Terraform JSON reader, and the HCL form through a reader for the subset it
 * uses. Every policy must round-trip equal to the plan's.
 */
import { describe, expect, it } from 'vitest';
import { buildCheckReport } from '../../src/check/check-report.js';
import { exportTerraform } from '../../src/export/terraform.js';
import { hclString } from '../../src/export/hcl.js';
import { classifyText } from '../../src/iac/read-file.js';
import { terraformLiteral } from '../../src/iac/terraform-json.js';
import type { Plan } from '../../src/plan/schema.js';
import { richPlan } from './fixtures/export-plans.js';
import { hclToTerraformJson, parseHcl } from './fixtures/hcl-subset.js';
import { samplePlan } from './fixtures/plan-fixtures.js';

type Body = Record<string, unknown>;
type Blocks = { resource: Record<string, Record<string, Body>>; output: Record<string, Body> };

/** Both syntaxes, each read back into the `.tf.json` shape. */
const forms: Array<[string, (plan: Plan) => { json: Blocks; text: string; fileName: string }]> = [
  [
    'json',
    (plan) => {
      const file = exportTerraform(plan, 'json');
      return { json: JSON.parse(file.content) as Blocks, text: file.content, fileName: file.fileName };
    },
  ],
  [
    'hcl',
    (plan) => {
      const file = exportTerraform(plan, 'hcl');
      const json = hclToTerraformJson(parseHcl(file.content)) as Blocks;
      return { json, text: JSON.stringify(json), fileName: file.fileName };
    },
  ],
];

const policyText = (value: unknown) => JSON.parse(terraformLiteral(value as string) as string) as unknown;

describe.each(forms)('exportTerraform (%s)', (syntax, load) => {
  for (const [label, makePlan] of [
    ['sample plan', samplePlan],
    ['rich plan', richPlan],
  ] as const) {
    it(`${label}: roles, policies, profile and tags round-trip equal to the plan`, () => {
      const plan = makePlan();
      const { json, fileName } = load(plan);
      expect(fileName).toBe(syntax === 'json' ? 'app-shared-split.tf.json' : 'app-shared-split.tf');
      const roles = Object.entries(json.resource.aws_iam_role!);
      expect(roles).toHaveLength(plan.newRoles.length);
      for (const planned of plan.newRoles) {
        const [tfName, role] = roles.find(([, r]) => (r as { name: string }).name === planned.roleName)! as [
          string,
          Record<string, unknown>,
        ];
        expect(tfName).toMatch(/^[a-z_][a-z0-9_]*$/);
        expect(role).toMatchObject({
          path: planned.path,
          description: planned.description,
          max_session_duration: planned.maxSessionDuration,
        });
        expect(role.permissions_boundary).toBe(planned.permissionsBoundaryArn);
        expect(policyText(role.assume_role_policy)).toEqual(planned.trustPolicy);
        expect(Object.fromEntries(Object.entries(role.tags as Record<string, string>).map(([k, v]) => [k, terraformLiteral(v)]))).toEqual(
          Object.fromEntries(planned.tags.map((t) => [t.Key, t.Value])),
        );

        const inline = Object.values(json.resource.aws_iam_role_policy ?? {}).filter((p) => p.role === `\${aws_iam_role.${tfName}.name}`);
        expect(inline.map((p) => [p.name, policyText(p.policy)])).toEqual(planned.inlinePolicies.map((p) => [p.name, p.document]));

        const attachments = Object.values(json.resource.aws_iam_role_policy_attachment ?? {}).filter(
          (a) => a.role === `\${aws_iam_role.${tfName}.name}`,
        );
        const managed = attachments.map((a) => {
          const policyName = /^\$\{aws_iam_policy\.(.+)\.arn\}$/.exec(a.policy_arn as string)![1]!;
          const policy = json.resource.aws_iam_policy![policyName]!;
          return { name: policy.name, path: policy.path, document: policyText(policy.policy) };
        });
        expect(managed).toEqual(planned.managedPolicies.map((p) => ({ name: p.name, path: '/apps/', document: p.document })));

        const profiles = Object.values(json.resource.aws_iam_instance_profile ?? {}).filter(
          (p) => p.role === `\${aws_iam_role.${tfName}.name}`,
        );
        expect(profiles.map((p) => [p.name, p.path])).toEqual(
          planned.instanceProfile ? [[planned.instanceProfile.name, planned.instanceProfile.path]] : [],
        );
        expect(json.output[`${tfName}_arn`]).toEqual({ value: `\${aws_iam_role.${tfName}.arn}` });
      }
    });
  }

  it('check reads the exported roles back, and finds every new role single-service', () => {
    const plan = richPlan();
    const { text } = load(plan);
    const outcome = classifyText(text, 'split.tf.json');
    expect(outcome.status === 'read' && outcome.format).toBe('terraform-json');
    const report = buildCheckReport([outcome], { paths: ['split.tf.json'] });
    expect(report.summary).toMatchObject({ rolesChecked: 2, findings: 0, unresolved: 0, rolesUnreadable: 0 });
    expect(report.serviceRoles.map((r) => [r.roleName, r.services])).toEqual(plan.newRoles.map((r) => [r.roleName, [r.service]]));
  });
});

describe('Terraform HCL text', () => {
  const hcl = exportTerraform(richPlan(), 'hcl').content;

  it('escapes template sequences so Terraform never interpolates policy variables', () => {
    expect(hcl).toContain('"arn:aws:s3:::app-bucket/home/$${aws:username}/*"');
    expect(hcl).toContain('"%%{literal}"');
    expect(hcl).not.toMatch(/(?<!\$)\$\{aws:/);
    expect(hclString('a"b\\c\nd\u0001${x}%{y}')).toBe('"a\\"b\\\\c\\nd\\u0001$${x}%%{y}"');
  });

  it('is laid out like terraform fmt: two-space indents, aligned "=" in runs of one-line attributes', () => {
    expect(hcl).toContain(
      [
        'resource "aws_iam_role" "app_shared_ec2" {',
        '  name                 = "app-shared-ec2"',
        '  path                 = "/apps/"',
        '  description          = "Split from app-shared for ec2.amazonaws.com by split-role plan plan-0000-1111"',
        '  max_session_duration = 7200',
        '  permissions_boundary = "arn:aws:iam::123456789012:policy/boundaries/app"',
        '  assume_role_policy = jsonencode({',
        '    Version = "2012-10-17"',
        '    Statement = [',
        '      {',
        '        Effect = "Allow"',
        '        Principal = {',
        '          Service = "ec2.amazonaws.com"',
        '        }',
        '        Action = "sts:AssumeRole"',
        '        Condition = {',
        '          StringEquals = {',
        '            "aws:SourceAccount" = "123456789012"',
        '          }',
        '        }',
        '      },',
        '    ]',
        '  })',
      ].join('\n'),
    );
    expect(hcl.split('\n').every((line) => !/\s$/.test(line))).toBe(true);
    expect(hcl.endsWith('}\n')).toBe(true);
  });
});
