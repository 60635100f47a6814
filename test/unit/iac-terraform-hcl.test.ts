/** Terraform's native syntax (`.tf`): parsed by tree-sitter's HCL grammar into Terraform JSON's shape, then read like `.tf.json`. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { terraformHclOutcome } from '../../src/iac/read-file.js';
import { readTerraformHcl } from '../../src/iac/terraform-hcl.js';
import type { IacFileRoles } from '../../src/iac/types.js';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/iac/${path}`, import.meta.url), 'utf8');
const lineOf = (path: string, needle: string) =>
  fixture(path)
    .split('\n')
    .findIndex((l) => l.includes(needle)) + 1;

async function roles(path: string): Promise<IacFileRoles> {
  const outcome = await terraformHclOutcome(fixture(path), path);
  if (outcome.status !== 'read') throw new Error(`${path}: ${outcome.status} ${outcome.reason}`);
  return outcome;
}

describe('Terraform native syntax', () => {
  const path = 'terraform-hcl/orders/iam.tf';

  it('finds every aws_iam_role block, with its address and the line of its block', async () => {
    const file = await roles(path);
    expect(file.format).toBe('terraform-hcl');
    expect(file.roles.map((r) => r.resource)).toEqual([
      'aws_iam_role.orders_shared',
      'aws_iam_role.build',
      'aws_iam_role.task_execution',
      'aws_iam_role.ssm_hybrid',
      'aws_iam_role.per_env',
    ]);
    for (const role of file.roles) {
      expect(role.line, role.resource).toBe(lineOf(path, `resource "aws_iam_role" "${role.resource.split('.')[1]}"`));
    }
  });

  it('renders jsonencode of literals as the JSON Terraform would send', async () => {
    const shared = (await roles(path)).roles[0]!;
    expect(shared.roleName).toBe('orders-shared');
    expect(JSON.parse(shared.trustPolicy as string)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Sid: '',
          Principal: { Service: ['ecs.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'] },
        },
      ],
    });
  });

  it('resolves data.aws_iam_policy_document references and reads heredocs', async () => {
    const [, build, execution] = (await roles(path)).roles;
    expect(build!.trustPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['sts:AssumeRole'], Principal: { Service: ['codebuild.amazonaws.com', 'codepipeline.amazonaws.com'] } },
      ],
    });
    // A name built from a variable is known only to Terraform.
    expect(build!.roleName).toBeUndefined();
    expect(JSON.parse(execution!.trustPolicy as string)).toHaveProperty(
      ['Statement', 0, 'Principal', 'Service'],
      'ecs-tasks.amazonaws.com',
    );
  });

  it('reads the suppression tag and reports expressions it cannot evaluate', async () => {
    const file = await roles(path);
    expect(file.roles[3]!.suppression).toEqual({ source: 'tag', reason: 'SSM hybrid activation needs ec2 and ssm on one role' });
    const perEnv = file.roles[4]!;
    expect(perEnv.trustPolicy).toBeUndefined();
    expect(perEnv.unresolved).toEqual(['assume_role_policy: ${var.trust_policy}']);
  });

  it('reports a syntax error with its line, as an unreadable file', async () => {
    const outcome = await terraformHclOutcome(fixture('malformed/broken.tf'), 'broken.tf');
    expect(outcome).toEqual({ status: 'unreadable', file: 'broken.tf', reason: 'invalid Terraform syntax at line 2, column 3' });
  });

  it('decodes escapes, keeps $${ for the literal reader, and strips the indent of <<- heredocs', async () => {
    const text =
      'a = "x\\"y\\n$${z}"\nb = <<-EOT\n    {\n      "k": 1\n    }\n    EOT\nc = [for s in var.l : s]\nd = { (var.k) = 1, "q" = null, n = 1.5, t = true, 2 = "two" }\n';
    const document = await readTerraformHcl(text);
    if ('error' in document) throw new Error('parse failed');
    expect(document.config).toEqual({
      a: 'x"y\n$${z}',
      b: '{\n  "k": 1\n}\n',
      c: '${[for s in var.l : s]}',
      d: { '${(var.k)}': 1, q: null, n: 1.5, t: true, 2: 'two' },
    });
  });
});
