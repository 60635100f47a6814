/** The workload checklist: each workload, the exact line to change, in the exported format's words. */
import { describe, expect, it } from 'vitest';
import { renderChecklist } from '../../src/export/checklist.js';
import { codeNames, pascal, pathOfArn, terraformName } from '../../src/export/names.js';
import { richPlan } from './fixtures/export-plans.js';

describe('renderChecklist', () => {
  const plan = richPlan();

  it('Terraform: the Lambda role, the ECS task and execution roles, the EC2 instance profile', () => {
    const text = renderChecklist(plan, 'terraform', 'app-shared-split.tf');
    expect(text).toContain('Deploy `app-shared-split.tf` first');
    expect(text).toContain('- [ ] `i-0abc`: instance profile → `app-shared-ec2`');
    expect(text).toContain('`iam_instance_profile = aws_iam_instance_profile.app_shared_ec2.name`');
    expect(text).toContain('- [ ] `orders-fn`: role → `arn:aws:iam::123456789012:role/app-shared-lambda`');
    expect(text).toContain('`role = aws_iam_role.app_shared_lambda.arn` on the `aws_lambda_function`');
    expect(text).toContain('task role: `task_role_arn = aws_iam_role.app_shared_lambda.arn`');
    // A target the plan does not create is named by its ARN.
    expect(text).toContain('execution role: `execution_role_arn = "arn:aws:iam::123456789012:role/unplanned-exec"`');
    expect(text).toContain('- [ ] launch-template `lt-0123`');
    expect(text).toContain('Keep `app-shared` for codebuild.amazonaws.com');
  });

  it('CloudFormation: !GetAtt and !Ref of the exported logical ids', () => {
    const text = renderChecklist(plan, 'cloudformation', 'app-shared-split.template.yaml');
    expect(text).toContain('`IamInstanceProfile: !Ref AppSharedEc2InstanceProfile` on the `AWS::EC2::Instance`');
    expect(text).toContain('`Role: !GetAtt AppSharedLambdaRole.Arn` on the `AWS::Lambda::Function`');
    expect(text).toContain('task role: `TaskRoleArn: !GetAtt AppSharedLambdaRole.Arn`');
    expect(text.match(/^- \[ \]/gm)).toHaveLength(6);
  });
});

describe('code names', () => {
  it.each([
    ['app-shared-ec2', 'app_shared_ec2', 'AppSharedEc2'],
    ['9lives', '_9lives', 'R9lives'],
    ['a.b@c', 'a_b_c', 'ABC'],
  ])('%s → %s / %s', (name, tf, cfn) => {
    expect(terraformName(name)).toBe(tf);
    expect(pascal(name)).toBe(cfn);
  });

  it('keeps names unique within a plan and reads paths from ARNs', () => {
    const plan = richPlan();
    plan.newRoles[1]!.roleName = 'app.shared.ec2';
    const names = [...codeNames(plan).values()];
    expect(new Set(names.map((n) => n.tf)).size).toBe(2);
    expect(new Set(names.map((n) => n.cfnRole)).size).toBe(2);
    expect(pathOfArn('arn:aws:iam::1:policy/a/b/name', 'policy')).toBe('/a/b/');
    expect(pathOfArn('arn:aws:iam::1:policy/name', 'policy')).toBe('/');
  });
});
