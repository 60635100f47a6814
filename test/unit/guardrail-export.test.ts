/**
 * `guardrail export` (issue 14 §2): option checks, the CloudFormation template
 * (cfn-lint), the Terraform (`terraform validate` against the AWS provider, when
 * the binary and a provider mirror are here) and the function's package.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { guardrailCloudFormation } from '../../src/guardrail/cloudformation.js';
import { buildHandlerPackage } from '../../src/guardrail/package.js';
import {
  CODE_FILE,
  EVENT_PATTERN,
  handlerPermissions,
  validateGuardrailOptions,
  type GuardrailOptions,
} from '../../src/guardrail/stack.js';
import { guardrailTerraform } from '../../src/guardrail/terraform.js';
import { refusal } from './fixtures/refusal.js';

/** The template as these tests read it: resources by logical id, properties left whole. */
const Template = z.looseObject({
  Resources: z.record(z.string(), z.looseObject({ Type: z.string(), Properties: z.record(z.string(), z.unknown()) })),
});
/** The guardrail function's role: its trust statements whole, and the actions of its inline policy. */
const GuardrailRole = z.looseObject({
  AssumeRolePolicyDocument: z.looseObject({ Statement: z.array(z.unknown()) }),
  Policies: z.array(
    z.looseObject({
      PolicyDocument: z.looseObject({ Statement: z.array(z.looseObject({ Action: z.union([z.string(), z.array(z.string())]) })) }),
    }),
  ),
});

const BUILT_HANDLER = fileURLToPath(new URL('../../dist/guardrail/handler.js', import.meta.url));
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:security-alerts';
const variants: Array<[string, GuardrailOptions]> = [
  ['eventbridge, new topic mailing an address', { mode: 'eventbridge', email: 'security@example.com', ownerTag: 'owner' }],
  ['eventbridge, existing topic', { mode: 'eventbridge', topicArn: TOPIC, ownerTag: 'team' }],
  ['config, new topic', { mode: 'config', ownerTag: 'owner' }],
  ['config, existing topic', { mode: 'config', topicArn: TOPIC, ownerTag: 'owner' }],
];

describe('guardrail options', () => {
  it.each([
    [{ topicArn: 'arn:aws:sqs:us-east-1:123456789012:q' }, /is not an SNS topic ARN/],
    [{ topicArn: 'security-alerts' }, /is not an SNS topic ARN/],
    [{ topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts.fifo' }, /FIFO topic/],
    [{ email: 'security' }, /is not an e-mail address/],
    [{ email: 'a@b' }, /is not an e-mail address/],
    [{ email: 'a b@example.com' }, /is not an e-mail address/],
    [{ topicArn: TOPIC, email: 'a@example.com' }, /--sns-topic and --email are exclusive/],
    [{ ownerTag: '' }, /--owner-tag "" is not a tag key/],
  ])('refuses %j (exit 2)', (change, message) => {
    const error = refusal(() => validateGuardrailOptions({ mode: 'eventbridge', ownerTag: 'owner', ...change }));
    expect(error.code).toBe('UsageError');
    expect(error.exitCode).toBe(2);
    expect(error.oneLine()).toMatch(message);
  });

  it('accepts topics in other partitions and ordinary addresses', () => {
    expect(() =>
      validateGuardrailOptions({ mode: 'config', ownerTag: 'owner', topicArn: 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts' }),
    ).not.toThrow();
    expect(() => validateGuardrailOptions({ mode: 'config', ownerTag: 'owner', email: 'sec+iam@mail.example.co.uk' })).not.toThrow();
  });
});

describe('guardrail CloudFormation', () => {
  it.each(variants)('%s: the resources the mode needs', (_name, options) => {
    const template = Template.parse(
      parse(guardrailCloudFormation(options).content, {
        customTags: ['Ref', 'GetAtt', 'Sub'].map((tag) => ({ tag: `!${tag}`, resolve: (value: string) => ({ [tag]: value }) })),
      }),
    );
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types.includes('AWS::SNS::Topic')).toBe(!options.topicArn);
    expect(types.includes('AWS::SNS::Subscription')).toBe(Boolean(options.email));
    const fn = template.Resources.GuardrailFunction?.Properties;
    expect(fn).toMatchObject({ Handler: 'guardrail/handler.handler', Code: CODE_FILE });
    expect(fn).toHaveProperty(['Environment', 'Variables', 'GUARDRAIL_OWNER_TAG'], options.ownerTag);
    if (options.mode === 'eventbridge') {
      expect(template.Resources.RoleChangeRule?.Properties.EventPattern).toEqual(EVENT_PATTERN);
      expect(JSON.stringify(template.Rules)).toContain('us-east-1');
      expect(types).not.toContain('AWS::Config::ConfigRule');
    } else {
      expect(template.Resources.SharedRolesRule?.Properties).toMatchObject({
        Scope: { ComplianceResourceTypes: ['AWS::IAM::Role'] },
        Source: { Owner: 'CUSTOM_LAMBDA' },
      });
      expect(types).not.toContain('AWS::Events::Rule');
    }
    // The function's own role trusts Lambda alone, and may read roles, not change them.
    const role = GuardrailRole.parse(template.Resources.GuardrailRole?.Properties);
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const actions = role.Policies[0]?.PolicyDocument.Statement.flatMap((s) => s.Action);
    expect(actions?.sort()).toEqual(
      [
        'iam:GetRole',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sns:Publish',
        ...(options.mode === 'config' ? ['config:PutEvaluations'] : []),
      ].sort(),
    );
  });

  const lint = spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' });
  // One cfn-lint run for every variant: it loads its whole resource spec each time (seconds).
  it.skipIf(Boolean(lint.error) && process.env.CI !== 'true')(
    'every variant passes cfn-lint',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'split-role-guardrail-cfn-'));
      const files = variants.map(([name, options]) => {
        const file = join(dir, `${name.replace(/\W+/g, '-')}.yaml`);
        writeFileSync(file, guardrailCloudFormation(options).content);
        return file;
      });
      const run = spawnSync('cfn-lint', files, { encoding: 'utf8' });
      expect(run.stdout + run.stderr).toBe('');
      expect(run.status).toBe(0);
    },
    60_000,
  );
});

describe('guardrail Terraform', () => {
  it.each(variants)('%s: the blocks the mode needs', (_name, options) => {
    const tf = guardrailTerraform(options).content;
    expect(tf.includes('resource "aws_sns_topic" "alerts"')).toBe(!options.topicArn);
    expect(tf.includes('resource "aws_sns_topic_subscription" "email"')).toBe(Boolean(options.email));
    expect(tf.includes('resource "aws_cloudwatch_event_rule" "role_changes"')).toBe(options.mode === 'eventbridge');
    expect(tf.includes('provider "aws" {\n  region = "us-east-1"\n}')).toBe(options.mode === 'eventbridge');
    expect(tf.includes('resource "aws_config_config_rule" "shared_roles"')).toBe(options.mode === 'config');
    expect(tf).toContain(`filename         = "\${path.module}/${CODE_FILE}"`);
    expect(tf).toContain(`GUARDRAIL_OWNER_TAG = "${options.ownerTag}"`);
  });

  // `terraform validate` needs the AWS provider's schema: from a filesystem mirror, as there is no registry access here.
  const mirror = process.env.SPLIT_ROLE_TF_PROVIDER_MIRROR ?? '/opt/tf-plugins';
  const terraform = spawnSync('terraform', ['version'], { stdio: 'ignore' });
  const canValidate = !terraform.error && existsSync(join(mirror, 'registry.terraform.io', 'hashicorp', 'aws'));
  // Two variants between them hold every block the writer emits (new topic + e-mail + EventBridge; given topic + Config).
  it.skipIf(!canValidate && process.env.CI !== 'true').each([variants[0], variants[3]] as Array<[string, GuardrailOptions]>)(
    '%s: terraform validate and fmt -check pass',
    (_name, options) => {
      const dir = mkdtempSync(join(tmpdir(), 'split-role-guardrail-tf-'));
      const file = guardrailTerraform(options);
      writeFileSync(join(dir, file.fileName), file.content);
      writeFileSync(join(dir, CODE_FILE), '');
      const rc = join(dir, '.terraformrc');
      writeFileSync(rc, `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`);
      const env = { ...process.env, TF_CLI_CONFIG_FILE: rc, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
      const init = spawnSync('terraform', ['init', '-input=false', '-backend=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
      expect(init.status, init.stderr).toBe(0);
      const validate = spawnSync('terraform', ['validate', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
      expect(validate.stdout + validate.stderr).toContain('Success! The configuration is valid.');
      const fmt = spawnSync('terraform', ['fmt', '-check', '-diff', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
      expect(fmt.stdout, 'terraform fmt would change the file').toBe('');
      expect(fmt.status).toBe(0);
    },
    120_000,
  );
});

describe('docs/iam/guardrail.json', () => {
  it('lists exactly the actions the stack grants the function', () => {
    const doc = JSON.parse(readFileSync(new URL('../../docs/iam/guardrail.json', import.meta.url), 'utf8')) as {
      Statement: Array<{ Action: string[] }>;
    };
    const granted = handlerPermissions('config', { roles: 'r', topic: 't', logGroup: 'l' }).flatMap((s) => s.Action);
    expect(doc.Statement.flatMap((s) => s.Action).sort()).toEqual(granted.sort());
  });
});

describe('the function package', () => {
  it.skipIf(!existsSync(BUILT_HANDLER))(
    'holds the built handler and every module it imports; only AWS SDK clients come from the runtime',
    async () => {
      const pkg = await buildHandlerPackage(BUILT_HANDLER);
      expect(pkg.runtimeImports).toEqual(['@aws-sdk/client-config-service', '@aws-sdk/client-iam', '@aws-sdk/client-sns']);
      expect(pkg.files).toEqual(
        expect.arrayContaining(['package.json', 'guardrail/handler.js', 'scan/report.js', 'trust/analyse.js', 'policy/document.js']),
      );
      // Nothing of the CLI: the function runs the analysis only.
      expect(pkg.files.some((f) => f.startsWith('cli/') || f.startsWith('plan/') || f.startsWith('apply/'))).toBe(false);
      const files = unzipSync(pkg.zip);
      expect(Object.keys(files).sort()).toEqual(pkg.files);
      expect(JSON.parse(new TextDecoder().decode(files['package.json']))).toMatchObject({ type: 'module' });
      // The same code gives the same zip, so Terraform's source_code_hash only moves with the code.
      expect((await buildHandlerPackage(BUILT_HANDLER)).zip).toEqual(pkg.zip);
    },
  );

  it('refuses a handler that is not built', async () => {
    await expect(buildHandlerPackage(join(tmpdir(), 'no-such-dist', 'guardrail', 'handler.js'))).rejects.toMatchObject({
      code: 'HandlerMissing',
      hint: expect.stringMatching(/build split-role first/),
    });
  });
});
