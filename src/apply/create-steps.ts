/** Stage 1: the new roles, their policies and the EC2 instance profile, all tagged with the plan id. */
import { SplitRoleError } from '../core/errors.js';
import type { Plan, PlannedRole } from '../plan/schema.js';
import { PLAN_TAG } from '../core/tags.js';
import { deleteAfterDetaching, deleteEmptiedProfile, retryWhileJustCreated } from './iam-settling.js';
import { taggedWithPlan, type Step } from './step.js';

/** The create steps for every new role of the plan. */
export function createSteps(plan: Plan): Step[] {
  return plan.newRoles.flatMap((role) => createStepsFor(plan, role));
}

/** The create steps of one new role: the role, its policies and its instance profile. */
export function createStepsFor(plan: Plan, role: PlannedRole): Step[] {
  const planTag = { Key: PLAN_TAG, Value: plan.planId };
  const steps: Step[] = [
    {
      id: `create-role:${role.roleName}`,
      stage: 'create',
      title: `create role ${role.roleName}`,
      async run({ account: { iam } }) {
        if (!(await iam.createRole({ ...role, trustPolicy: role.trustPolicy }))) {
          const tags = await iam.roleTags(role.roleName);
          if (!taggedWithPlan(tags, plan.planId)) throw nameTaken('role', role.roleName);
        }
        return undefined;
      },
      async undo({ account: { iam }, timings }) {
        // Only a role this plan made is ever deleted.
        if (taggedWithPlan(await iam.roleTags(role.roleName), plan.planId))
          await deleteAfterDetaching(timings, () => iam.deleteRoleCompletely(role.roleName));
      },
    },
  ];
  for (const policy of role.inlinePolicies) {
    steps.push({
      id: `put-policy:${role.roleName}:${policy.name}`,
      stage: 'create',
      title: `put inline policy ${policy.name}`,
      async run({ account: { iam }, timings }) {
        await retryWhileJustCreated(timings, () => iam.putRolePolicy(role.roleName, policy.name, policy.document));
        return undefined;
      },
      async undo({ account: { iam } }) {
        if (taggedWithPlan(await iam.roleTags(role.roleName), plan.planId)) await iam.deleteRolePolicy(role.roleName, policy.name);
      },
    });
  }
  for (const policy of role.managedPolicies) {
    steps.push(
      {
        id: `create-policy:${policy.name}`,
        stage: 'create',
        title: `create managed policy ${policy.name}`,
        async run({ account: { iam } }) {
          const made = await iam.createManagedPolicy({
            name: policy.name,
            path: role.path,
            arn: policy.arn,
            document: policy.document,
            tags: [planTag],
          });
          if (!made.created && !taggedWithPlan(made.tags, plan.planId)) throw nameTaken('managed policy', policy.name);
          return undefined;
        },
        async undo({ account: { iam } }) {
          await iam.detachRolePolicy(role.roleName, policy.arn);
          if (taggedWithPlan(await iam.managedPolicyTags(policy.arn), plan.planId)) await iam.deleteManagedPolicy(policy.arn);
        },
      },
      {
        id: `attach-policy:${role.roleName}:${policy.name}`,
        stage: 'create',
        title: `attach ${policy.name} to ${role.roleName}`,
        async run({ account: { iam }, timings }) {
          await retryWhileJustCreated(timings, () => iam.attachRolePolicy(role.roleName, policy.arn));
          return undefined;
        },
        async undo({ account: { iam } }) {
          await iam.detachRolePolicy(role.roleName, policy.arn);
        },
      },
    );
  }
  const profile = role.instanceProfile;
  if (profile) {
    steps.push({
      id: `create-profile:${profile.name}`,
      stage: 'create',
      title: `create instance profile ${profile.name}`,
      async run({ account: { iam }, timings }) {
        const made = await retryWhileJustCreated(timings, () =>
          iam.ensureInstanceProfile({ name: profile.name, path: profile.path, roleName: role.roleName, tags: [planTag] }),
        );
        if (!made.created && !taggedWithPlan(made.tags, plan.planId)) throw nameTaken('instance profile', profile.name);
        return undefined;
      },
      async undo({ account: { iam }, timings }) {
        if (!taggedWithPlan(await iam.instanceProfileTags(profile.name), plan.planId)) return;
        await iam.removeRoleFromProfile(profile.name, role.roleName);
        await deleteEmptiedProfile(timings, iam, profile.name);
      },
    });
  }
  return steps;
}

function nameTaken(kind: string, name: string): SplitRoleError {
  return new SplitRoleError('NameTaken', `${kind} ${name} already exists and was not created by this plan`, 're-plan with another --name');
}
