/**
 * EC2 instances: bound to a role through an instance profile. Apply replaces
 * the instance's profile association; launch templates and Auto Scaling
 * groups that name the shared role's profile are follow-ups and in-use checks.
 */
import { retryWhileNotYetUsable, waitUntil } from '../../core/waits.js';
import {
  instanceAssociation,
  listGroupLaunchSources,
  listLaunchTemplateProfiles,
  listProfileAssociations,
  pinnedVersions,
  type GroupLaunchSource,
  type LaunchTemplateProfile,
  type LaunchTemplateUse,
  type ProfileAssociation,
} from './reads.js';
import { markdownCode as code } from '../../core/escape.js';
import type { ApplyContext, WorkloadAdapter } from '../adapter.js';
import { driftError, lastSegment, leaveIfMovedElsewhere, profileMatcher } from '../helpers.js';
import type { Ec2Move } from './schema.js';

/** What one region holds that binds EC2 capacity to instance profiles. */
export interface Ec2Inventory {
  associations: ProfileAssociation[];
  launchTemplates: LaunchTemplateProfile[];
  autoScalingGroups: GroupLaunchSource[];
}

/** The EC2 side of one role: its profiles, and what launches or runs with them. */
export interface Ec2Found {
  instanceProfiles: Array<{ name: string; arn: string }>;
  instances: ProfileAssociation[];
  launchTemplates: LaunchTemplateProfile[];
  /** Groups whose launch configuration names the role's profile, or whose launch template does. */
  autoScalingGroups: GroupLaunchSource[];
}

/** The EC2 instance adapter. */
export const ec2InstanceAdapter: WorkloadAdapter<Ec2Move, Ec2Inventory, Ec2Found, 'ec2'> = {
  id: 'ec2',
  kind: 'ec2-instance',
  unitKey: 'ec2',
  title: 'EC2 instances',
  // Auto Scaling groups launch from these launch templates, so they follow.
  codeBindings: {
    cloudFormation: [
      { type: 'AWS::EC2::Instance', path: 'IamInstanceProfile', via: 'profile' },
      { type: 'AWS::EC2::LaunchTemplate', path: 'LaunchTemplateData.IamInstanceProfile.Arn', via: 'profile' },
      { type: 'AWS::EC2::LaunchTemplate', path: 'LaunchTemplateData.IamInstanceProfile.Name', via: 'profile' },
    ],
    terraform: [
      { type: 'aws_instance', path: 'iam_instance_profile', via: 'profile' },
      { type: 'aws_launch_template', path: 'iam_instance_profile.name', via: 'profile' },
      { type: 'aws_launch_template', path: 'iam_instance_profile.arn', via: 'profile' },
    ],
  },

  async discover({ clients }) {
    const [ec2, autoscaling] = await Promise.all([clients.ec2(), clients.autoScaling()]);
    const [associations, autoScalingGroups] = await Promise.all([listProfileAssociations(ec2), listGroupLaunchSources(autoscaling)]);
    // A group may pin a version that is neither the default nor the latest: read the version each group actually launches.
    const launchTemplates = await listLaunchTemplateProfiles(ec2, pinnedVersions(autoScalingGroups));
    return { associations, launchTemplates, autoScalingGroups };
  },
  emptyInventory: () => ({ associations: [], launchTemplates: [], autoScalingGroups: [] }),
  summarise: (inventory) => `${inventory.associations.length} instance-profile associations`,

  boundTo(inventory, binding) {
    const profileArns = new Set(binding.instanceProfiles.map((p) => p.arn));
    const namesProfile = profileMatcher(binding.instanceProfiles);
    const launchTemplates = inventory.launchTemplates.filter(
      (lt) => namesProfile(lt.instanceProfile.arn) || namesProfile(lt.instanceProfile.name),
    );
    return {
      instanceProfiles: binding.instanceProfiles.map(({ name, arn }) => ({ name, arn })),
      instances: inventory.associations.filter((a) => profileArns.has(a.instanceProfileArn)),
      launchTemplates,
      autoScalingGroups: inventory.autoScalingGroups.filter(
        (group) =>
          namesProfile(group.launchConfigurationProfile) ||
          group.launchTemplates.some((use) => launchedVersion(launchTemplates, use) !== undefined),
      ),
    };
  },
  describeUsers: (found, role) => [
    ...found.instances.map((i) => `EC2 instance ${i.instanceId} still uses ${role}'s profile`),
    ...found.launchTemplates.map((t) => `launch template ${t.launchTemplateName} v${t.version} names ${role}'s profile`),
    ...found.autoScalingGroups.map((g) => `Auto Scaling group ${g.groupName} launches instances with ${role}'s profile`),
  ],
  listMovable: (found) => found.instances.map((i) => i.instanceId),
  // EC2 names an instance's role sessions after the instance id.
  sessionHints: (found) => found.instances.map((i) => i.instanceId),

  sessionNames: (move) => [move.instanceId],
  sessionWorkloads: (found) => found.instances.map((i) => [i.instanceId, i.instanceId] as const),
  workloadName: (move) => move.instanceId,

  planMoves(found, { role, region }) {
    const profile = role?.instanceProfile;
    if (!role || !profile) return [];
    return found.instances.map((instance) => ({
      kind: 'ec2-instance' as const,
      service: role.service,
      region,
      instanceId: instance.instanceId,
      associationId: instance.associationId,
      current: { instanceProfileArn: instance.instanceProfileArn },
      target: { instanceProfileArn: profile.arn, instanceProfileName: profile.name, roleName: role.roleName },
    }));
  },
  followUps(found, { role, staysShared }) {
    if (staysShared) return [];
    const profile = role?.instanceProfile?.name ?? 'the new EC2 instance profile';
    return [
      ...found.launchTemplates.map((lt) => ({
        kind: 'launch-template' as const,
        resource: `${lt.launchTemplateName}:${lt.version}`,
        message:
          `launch template ${lt.launchTemplateName} version ${lt.version}${lt.isDefault ? ' (default)' : ''} names the shared role's instance profile; ` +
          `publish a version with ${profile} (Auto Scaling groups using it launch instances with the old role until then)`,
      })),
      // The group, not only its template: a group pinned to a version keeps launching it after a new default is published.
      ...found.autoScalingGroups.map((group) => ({
        kind: 'auto-scaling-group' as const,
        resource: group.groupName,
        message:
          `Auto Scaling group ${group.groupName} launches instances with the shared role's instance profile (${groupSources(group, found.launchTemplates)}); ` +
          `point it at a launch-template version with ${profile}; the shared role is not retired while it does`,
      })),
    ];
  },

  invariantProblems(move, { role, shared }) {
    const what = `EC2 instance ${move.instanceId}`;
    const problems: string[] = [];
    if (!shared.instanceProfiles.some((p) => p.arn === move.current.instanceProfileArn))
      problems.push(`${what} is not on one of the shared role's instance profiles`);
    const profile = role?.instanceProfile;
    const target = move.target;
    if (
      !role ||
      !profile ||
      target.instanceProfileArn !== profile.arn ||
      target.instanceProfileName !== profile.name ||
      target.roleName !== role.roleName
    ) {
      problems.push(`${what} would move to ${target.instanceProfileArn}, which is not this plan's instance profile for ${move.service}`);
    }
    return problems;
  },

  stepId: (move) => `repoint-ec2:${move.instanceId}`,
  repoint(move) {
    return {
      title: `move EC2 instance ${move.instanceId} to ${move.target.instanceProfileName}`,
      async run(ctx) {
        return {
          associationId: await pointTo(ctx, move, move.target.instanceProfileArn, move.current.instanceProfileArn),
          replaced: move.current.instanceProfileArn,
        };
      },
      async undo(ctx) {
        await leaveIfMovedElsewhere(ctx, `EC2 instance ${move.instanceId}`, () =>
          pointTo(ctx, move, move.current.instanceProfileArn, move.target.instanceProfileArn),
        );
      },
    };
  },
  async drift({ clients }, move) {
    const now = await instanceAssociation(await clients.ec2(), move.instanceId);
    return now?.instanceProfileArn === move.current.instanceProfileArn
      ? []
      : [
          `EC2 instance ${move.instanceId} is on ${now?.instanceProfileArn ?? 'no instance profile'}, plan says ${move.current.instanceProfileArn}`,
        ];
  },
  async verify({ clients }, move) {
    const now = await instanceAssociation(await clients.ec2(), move.instanceId);
    return now?.instanceProfileArn !== move.target.instanceProfileArn || now.state !== 'associated'
      ? [`EC2 ${move.instanceId} is on ${now?.instanceProfileArn ?? 'no profile'} (${now?.state ?? 'none'})`]
      : [];
  },

  async showsMoved({ clients }, move) {
    const now = await instanceAssociation(await clients.ec2(), move.instanceId);
    return now?.instanceProfileArn === move.target.instanceProfileArn
      ? `EC2 instance ${move.instanceId} is on ${move.target.instanceProfileName}`
      : undefined;
  },
  withoutMovedBack(_ctx, found, moves) {
    const ids = new Set(moves.map((m) => m.instanceId));
    return Promise.resolve({ ...found, instances: found.instances.filter((i) => !ids.has(i.instanceId)) });
  },

  label: (move) => `EC2 ${move.instanceId}`,
  describeMove: (move) => [
    code(move.instanceId),
    'EC2 instance',
    code(lastSegment(move.current.instanceProfileArn)),
    code(move.target.instanceProfileName),
  ],
  checklist(move, target) {
    const t = target.role(move.target.roleName);
    const profile = move.target.instanceProfileName;
    const snippet =
      target.format === 'terraform'
        ? `\`iam_instance_profile = ${t ? `aws_iam_instance_profile.${t.tf}.name` : `"${profile}"`}\` on the \`aws_instance\` (or its launch template)`
        : `\`IamInstanceProfile: ${t ? `!Ref ${t.cfnProfile}` : profile}\` on the \`AWS::EC2::Instance\` (or its launch template)`;
    return [`- [ ] \`${move.instanceId}\`: instance profile → \`${profile}\``, `  - ${snippet}`];
  },
};

/** The version `use` launches among `versions` (`$Default`, `$Latest` or its number), if one of them. */
function launchedVersion(versions: readonly LaunchTemplateProfile[], use: LaunchTemplateUse): LaunchTemplateProfile | undefined {
  return versions.find(
    (lt) =>
      (lt.launchTemplateId === use.id || lt.launchTemplateName === use.name) &&
      (use.version === '$Default' ? lt.isDefault : use.version === '$Latest' ? lt.isLatest === true : lt.version === Number(use.version)),
  );
}

/** What a bound group launches with the profile: its launch configuration, or template versions (and which override). */
function groupSources(group: GroupLaunchSource, versions: readonly LaunchTemplateProfile[]): string {
  const sources = group.launchTemplates.flatMap((use) => {
    const lt = launchedVersion(versions, use);
    return lt
      ? [`launch template ${lt.launchTemplateName} version ${lt.version}${/^\d+$/.test(use.version) ? ' (pinned)' : ` (${use.version})`}`]
      : [];
  });
  if (group.launchConfigurationName && sources.length === 0) sources.push(`launch configuration ${group.launchConfigurationName}`);
  return sources.join(', ');
}

/** Points the instance at `profileArn`, unless it is on neither that nor `expectFrom` (drift). */
async function pointTo(ctx: ApplyContext, move: Ec2Move, profileArn: string, expectFrom: string | undefined): Promise<string> {
  const ec2 = await ctx.clients.ec2();
  const current = await instanceAssociation(ec2, move.instanceId);
  if (!current) throw driftError(`EC2 instance ${move.instanceId} has no instance profile`);
  if (current.instanceProfileArn === profileArn) return current.associationId;
  if (expectFrom && current.instanceProfileArn !== expectFrom) {
    throw driftError(`EC2 instance ${move.instanceId} uses ${current.instanceProfileArn}, not ${expectFrom}`);
  }
  let associationId: string;
  try {
    associationId = await retryWhileNotYetUsable(ctx.timings, () => ec2.replaceProfileAssociation(current.associationId, profileArn));
  } catch (error) {
    // A replace EC2 applied but whose answer was lost: the SDK's retry names the old association,
    // which no longer exists. If the instance is on the target profile, the step is done.
    const now = await instanceAssociation(ec2, move.instanceId);
    if (now?.instanceProfileArn !== profileArn) throw error;
    associationId = now.associationId;
  }
  await waitUntil(ctx.timings, `instance ${move.instanceId} to be associated with ${profileArn}`, async () => {
    const now = await instanceAssociation(ec2, move.instanceId);
    return now?.instanceProfileArn === profileArn && now.state === 'associated';
  });
  return associationId;
}
