/** CloudFormation export, parsed back with the YAML parser `check` uses: policies round-trip equal to the plan's. */
import { describe, expect, it } from 'vitest';
import { buildCheckReport } from '../../src/check/check-report.js';
import { exportCloudFormation } from '../../src/export/cloudformation.js';
import { parseCfnYaml } from '../../src/iac/cfn-yaml.js';
import { classifyText } from '../../src/iac/read-file.js';
import { richPlan } from './fixtures/export-plans.js';
import { samplePlan } from './fixtures/plan-fixtures.js';

type Resource = { Type: string; Properties: Record<string, unknown> };

describe.each([
  ['sample plan', samplePlan],
  ['rich plan', richPlan],
])('exportCloudFormation (%s)', (_label, makePlan) => {
  const plan = makePlan();
  const file = exportCloudFormation(plan);
  const template = parseCfnYaml(file.content).value as {
    AWSTemplateFormatVersion: string;
    Resources: Record<string, Resource>;
    Outputs: Record<string, { Value: unknown }>;
  };
  const resources = Object.entries(template.Resources);
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);

  it('is a template with one AWS::IAM::Role per new role, properties from the plan', () => {
    expect(file.fileName).toBe('app-shared-split.template.yaml');
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    const roles = ofType('AWS::IAM::Role');
    expect(roles.map(([, r]) => r.Properties.RoleName)).toEqual(plan.newRoles.map((r) => r.roleName));
    for (const planned of plan.newRoles) {
      const [, role] = roles.find(([, r]) => r.Properties.RoleName === planned.roleName)!;
      expect(role.Properties).toMatchObject({
        Path: planned.path,
        Description: planned.description,
        MaxSessionDuration: planned.maxSessionDuration,
        AssumeRolePolicyDocument: planned.trustPolicy,
        Tags: planned.tags,
      });
      expect(role.Properties.PermissionsBoundary).toBe(planned.permissionsBoundaryArn);
      expect(role.Properties.Policies ?? []).toEqual(
        planned.inlinePolicies.map((p) => ({ PolicyName: p.name, PolicyDocument: p.document })),
      );
    }
  });

  it('writes managed policies and instance profiles that reference their role', () => {
    for (const [logicalId, role] of ofType('AWS::IAM::Role')) {
      const planned = plan.newRoles.find((r) => r.roleName === role.Properties.RoleName)!;
      const managed = ofType('AWS::IAM::ManagedPolicy').filter(
        ([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: logicalId }]),
      );
      expect(managed.map(([, p]) => [p.Properties.ManagedPolicyName, p.Properties.Path, p.Properties.PolicyDocument])).toEqual(
        planned.managedPolicies.map((p) => [p.name, '/apps/', p.document]),
      );
      const profiles = ofType('AWS::IAM::InstanceProfile').filter(
        ([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: logicalId }]),
      );
      expect(profiles.map(([, p]) => [p.Properties.InstanceProfileName, p.Properties.Path])).toEqual(
        planned.instanceProfile ? [[planned.instanceProfile.name, planned.instanceProfile.path]] : [],
      );
      expect(template.Outputs[`${logicalId}Arn`]!.Value).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
    }
  });

  it('quotes what YAML 1.1 (CloudFormation) would not read as text', () => {
    expect(file.content).toContain('Version: "2012-10-17"');
    expect(file.content).not.toMatch(/: (?:yes|on|no|off)$/m);
    expect(file.content).toMatch(/^ {6}RoleName: app-shared-ec2$/m);
    expect(file.content).toContain('- !Ref AppSharedEc2Role');
  });

  it('check reads it back: every new role is single-service', () => {
    const outcome = classifyText(file.content, 'split.template.yaml', false);
    expect(outcome.status === 'read' && outcome.format).toBe('cloudformation');
    const report = buildCheckReport([outcome], { paths: [] });
    expect(report.summary).toMatchObject({ rolesChecked: plan.newRoles.length, findings: 0, unresolved: 0, rolesUnreadable: 0 });
  });
});
