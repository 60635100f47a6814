/** A re-sealed, deliberately edited plan is refused by the invariants apply re-derives (issue 10 item 5). */
import { describe, expect, it } from 'vitest';
import { assertPlanSound } from '../../src/apply/preflight.js';
import { buildPlan } from '../../src/plan/builder.js';
import { planInvariantProblems } from '../../src/plan/invariants.js';
import { sealPlan } from '../../src/plan/plan-file.js';
import type { Plan, PlannedRole } from '../../src/plan/schema.js';
import {
  ACCOUNT,
  analysis,
  context,
  DROP_ALL,
  EC2,
  ECS,
  evidence,
  LAMBDA,
  samplePlan,
  SHARED_ARN,
  sharedRole,
  usage,
  workloads,
} from './fixtures/plan-fixtures.js';
import { refusal } from './fixtures/refusal.js';

const byService = (plan: Plan, service: string): PlannedRole => {
  const role = plan.newRoles.find((r) => r.service === service);
  if (!role) throw new Error(`no role for ${service}`);
  return role;
};

/** A plan with an ECS service whose task role is shared and whose execution role is another role. */
function ecsPlan(): Plan {
  const other = `arn:aws:iam::${ACCOUNT}:role/exec`;
  const a = analysis(
    sharedRole({
      principals: [EC2, ECS],
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: EC2 }, Action: 'sts:AssumeRole' },
          {
            Effect: 'Allow',
            Principal: { Service: ECS },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          },
        ],
      },
    }),
    evidence({ [EC2]: usage({ 'kms:Decrypt': 1 }), [ECS]: usage({ 'ssm:GetParameter': 1 }) }),
    workloads({
      ecs: {
        taskDefinitions: [
          {
            arn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3',
            family: 'web',
            revision: 3,
            taskRoleArn: SHARED_ARN,
            executionRoleArn: other,
            usesRoleAs: ['task'],
          },
        ],
        services: [
          {
            clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/c',
            serviceName: 'web',
            serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/c/web',
            taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3',
          },
        ],
      },
    }),
  );
  return sealPlan(buildPlan(a, DROP_ALL, context()));
}

describe('planInvariantProblems', () => {
  it('finds nothing wrong in plans the builder writes', () => {
    expect(planInvariantProblems(samplePlan())).toEqual([]);
    expect(planInvariantProblems(ecsPlan())).toEqual([]);
  });

  const edits: Array<{ name: string; plan?: () => Plan; edit: (plan: Plan) => void; problem: RegExp }> = [
    {
      name: 'a foreign account added to a new role’s trust',
      edit: (plan) =>
        byService(plan, LAMBDA).trustPolicy.Statement.push({
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::999999999999:root' },
          Action: 'sts:AssumeRole',
        }),
      problem: /app-shared-lambda's trust policy is not the shared role's trust for lambda\.amazonaws\.com alone/,
    },
    {
      name: 'a second service in a new role’s trust',
      edit: (plan) => {
        const statement = byService(plan, LAMBDA).trustPolicy.Statement[0];
        if (statement) statement.Principal = { Service: [LAMBDA, EC2] };
      },
      problem: /trust policy is not the shared role's trust/,
    },
    {
      name: 'a condition dropped from a new role’s trust',
      plan: ecsPlan,
      edit: (plan) => {
        const statement = byService(plan, ECS).trustPolicy.Statement[0];
        if (statement) delete statement.Condition;
      },
      problem: /app-shared-ecs's trust policy is not the shared role's trust for ecs-tasks\.amazonaws\.com alone/,
    },
    {
      name: 'a role for a service the shared role does not trust',
      edit: (plan) => {
        const role = byService(plan, LAMBDA);
        role.service = 'codebuild.amazonaws.com';
        role.shortName = 'codebuild';
      },
      problem: /which the shared role does not trust/,
    },
    {
      name: 'a Lambda target pointed at an unrelated role',
      edit: (plan) => {
        const w = plan.workloads.find((x) => x.kind === 'lambda-function');
        if (w?.kind === 'lambda-function') w.target.roleArn = `arn:aws:iam::${ACCOUNT}:role/admin`;
      },
      problem: /Lambda function orders-fn would move to arn:aws:iam::123456789012:role\/admin, which is not this plan's role/,
    },
    {
      name: 'an EC2 target pointed at an unrelated profile',
      edit: (plan) => {
        const w = plan.workloads.find((x) => x.kind === 'ec2-instance');
        if (w?.kind === 'ec2-instance') w.target.instanceProfileArn = `arn:aws:iam::${ACCOUNT}:instance-profile/admin`;
      },
      problem: /EC2 instance i-0abc would move to .*instance-profile\/admin, which is not this plan's instance profile/,
    },
    {
      name: 'an ECS execution role that was not the shared role swapped',
      plan: ecsPlan,
      edit: (plan) => {
        const w = plan.workloads.find((x) => x.kind === 'ecs-service');
        if (w?.kind === 'ecs-service') w.target.executionRoleArn = `arn:aws:iam::${ACCOUNT}:role/admin`;
      },
      problem: /ECS service web's executionRoleArn would become .*role\/admin, not .*role\/exec/,
    },
    {
      name: 'a workload that never ran as the shared role',
      edit: (plan) => {
        const w = plan.workloads.find((x) => x.kind === 'lambda-function');
        if (w?.kind === 'lambda-function') w.current.roleArn = `arn:aws:iam::${ACCOUNT}:role/other`;
      },
      problem: /Lambda function orders-fn does not run as the shared role/,
    },
    {
      name: 'a managed policy ARN naming an AWS managed policy',
      edit: (plan) => {
        const role = byService(plan, LAMBDA);
        role.managedPolicies.push({
          name: 'app-shared-lambda-policy-1',
          arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
          document: { Version: '2012-10-17', Statement: [] },
        });
      },
      problem: /managed policy app-shared-lambda-policy-1 has ARN arn:aws:iam::aws:policy\/AdministratorAccess/,
    },
    {
      name: 'a role ARN in another account',
      edit: (plan) => {
        byService(plan, LAMBDA).roleArn = 'arn:aws:iam::999999999999:role/app-shared-lambda';
      },
      problem: /has ARN arn:aws:iam::999999999999:role\/app-shared-lambda, which is not its name's/,
    },
    {
      name: 'the shared role’s own name',
      edit: (plan) => {
        const role = byService(plan, LAMBDA);
        role.roleName = 'app-shared';
      },
      problem: /has the shared role's name/,
    },
    {
      name: 'a role without this plan’s tag',
      edit: (plan) => {
        const role = byService(plan, LAMBDA);
        role.tags = role.tags.filter((t) => t.Key !== 'split-role:plan-id');
      },
      problem: /lacks the split-role:plan-id tag/,
    },
    {
      name: 'a shared role’s tag given another value (ABAC)',
      edit: (plan) => {
        const tag = byService(plan, LAMBDA).tags.find((t) => t.Key === 'team');
        if (tag) tag.Value = 'admins';
      },
      problem: /app-shared-lambda does not carry the shared role's tag team=orders unchanged/,
    },
    {
      name: 'a permissions boundary added',
      edit: (plan) => {
        byService(plan, LAMBDA).permissionsBoundaryArn = 'arn:aws:iam::aws:policy/AdministratorAccess';
      },
      problem: /permissions boundary is not the shared role's/,
    },
  ];
  it.each(edits)('refuses $name, even re-sealed', ({ plan: make = samplePlan, edit, problem }) => {
    const plan = make();
    edit(plan);
    const resealed = sealPlan(plan);
    expect(planInvariantProblems(resealed).join('\n')).toMatch(problem);
    const error = refusal(() => assertPlanSound(resealed));
    expect(error.code).toBe('PlanUnsafe');
    expect(error.hint).toMatch(/nothing was changed/);
  });
});

describe('assertPlanSound: policies', () => {
  it('refuses a re-sealed plan with Action "*" as an unsafe plan, not as a bug in split-role', () => {
    const plan = samplePlan();
    const statement = byService(plan, LAMBDA).inlinePolicies[0]?.document.Statement[0];
    if (statement) statement.Action = '*';
    const error = refusal(() => assertPlanSound(sealPlan(plan)));
    expect(error.code).toBe('PlanUnsafe');
    expect(error.oneLine()).toMatch(
      /^PlanUnsafe: new role app-shared-lambda would allow more than the shared role: .*— nothing was changed/,
    );
    expect(error.oneLine()).not.toMatch(/bug in split-role/);
    expect(error.oneLine().split('\n')).toHaveLength(1);
  });
});

describe('assertPlanSound --expect-digest', () => {
  it('accepts the approved digest and refuses any other', () => {
    const plan = samplePlan();
    expect(() => assertPlanSound(plan, plan.digest)).not.toThrow();
    const error = refusal(() => assertPlanSound(plan, `sha256:${'0'.repeat(64)}`));
    expect(error.code).toBe('PlanNotApproved');
    expect(error.message).toContain(plan.digest);
  });
});
