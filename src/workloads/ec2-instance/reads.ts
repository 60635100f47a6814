/**
 * What binds EC2 capacity to instance profiles, read through the EC2 and
 * Auto Scaling ports: live associations, the launch-template versions
 * groups launch, and the groups themselves.
 */
import type { AutoScalingPort } from '../../aws/autoscaling.js';
import type { Ec2Port, LaunchTemplateSummary, LaunchTemplateVersionProfile, ProfileAssociation } from '../../aws/ec2.js';
import { isLaunchTemplateVersionNotFound } from '../../core/aws-error-names.js';

export type { ProfileAssociation } from '../../aws/ec2.js';

/** A launch-template version that names an instance profile. */
export interface LaunchTemplateProfile {
  launchTemplateId: string;
  launchTemplateName: string;
  version: number;
  isDefault: boolean;
  /** The template's latest version (what `$Latest` launches). */
  isLatest?: boolean;
  instanceProfile: { arn?: string; name?: string };
}

/** A launch template as a group names it, with the version the group launches. */
export interface LaunchTemplateUse {
  id?: string;
  name?: string;
  /** `$Default`, `$Latest` or a version number, as the group gives it (`$Default` when it gives none, as AWS reads it). */
  version: string;
}

/** What an Auto Scaling group launches instances with. */
export interface GroupLaunchSource {
  groupName: string;
  /** The launch configuration's instance profile (a name or an ARN), when it uses one. */
  launchConfigurationProfile?: string;
  launchConfigurationName?: string;
  /**
   * Every launch template the group launches from: its own, or its
   * mixed-instances policy's, and each override's (an override may name
   * another template, or another version of the same one).
   */
  launchTemplates: LaunchTemplateUse[];
}

const live = (a: ProfileAssociation) => a.state === 'associated' || a.state === 'associating';

/** Every live (associating or associated) instance-profile association in the region. */
export async function listProfileAssociations(ec2: Ec2Port): Promise<ProfileAssociation[]> {
  return (await ec2.describeProfileAssociations()).filter(live);
}

/** The instance's current (associated or associating) profile association, if any. */
export async function instanceAssociation(ec2: Ec2Port, instanceId: string): Promise<ProfileAssociation | undefined> {
  return (await ec2.describeProfileAssociations({ instanceId })).find(live);
}

/**
 * The versions of every launch template that name an instance profile: the
 * default and latest, and the numbered versions in `pinned` (those Auto
 * Scaling groups launch, whatever the default is).
 */
export async function listLaunchTemplateProfiles(
  ec2: Ec2Port,
  pinned: readonly LaunchTemplateUse[] = [],
): Promise<LaunchTemplateProfile[]> {
  const found: LaunchTemplateProfile[] = [];
  for (const template of await ec2.describeLaunchTemplates()) {
    const mine = pinned.filter((p) => (p.id !== undefined && p.id === template.id) || (p.name !== undefined && p.name === template.name));
    const versions = await templateVersions(ec2, template, [...new Set(['$Default', '$Latest', ...mine.map((p) => p.version)])]);
    const seen = new Set<number>();
    for (const version of versions) {
      const profile = version.instanceProfile;
      if ((!profile?.arn && !profile?.name) || seen.has(version.version)) continue;
      seen.add(version.version);
      found.push({
        launchTemplateId: template.id,
        launchTemplateName: template.name,
        version: version.version,
        isDefault: version.isDefault,
        isLatest: version.version === template.latestVersion,
        instanceProfile: { arn: profile.arn, name: profile.name },
      });
    }
  }
  return found;
}

/**
 * The template's versions among `wanted`. A group may pin a version deleted
 * since (AWS allows it; the group then launches nothing): one missing version
 * fails the whole call, so the versions are then asked one by one and the
 * missing ones left out.
 */
async function templateVersions(
  ec2: Ec2Port,
  template: LaunchTemplateSummary,
  wanted: readonly string[],
): Promise<LaunchTemplateVersionProfile[]> {
  try {
    return await ec2.describeLaunchTemplateVersions(template.id, wanted);
  } catch (error) {
    if (!isLaunchTemplateVersionNotFound(error) || wanted.length === 1) throw error;
  }
  const one = async (version: string): Promise<LaunchTemplateVersionProfile[]> => {
    try {
      return await ec2.describeLaunchTemplateVersions(template.id, [version]);
    } catch (error) {
      if (isLaunchTemplateVersionNotFound(error)) return [];
      throw error;
    }
  };
  return (await Promise.all(wanted.map(one))).flat();
}

/** Every Auto Scaling group with its launch source. */
export async function listGroupLaunchSources(autoscaling: AutoScalingPort): Promise<GroupLaunchSource[]> {
  const [groups, configurations] = await Promise.all([autoscaling.describeGroups(), autoscaling.describeLaunchConfigurations()]);
  const profileOf = new Map(configurations.map((c) => [c.LaunchConfigurationName ?? '', c.IamInstanceProfile]));
  return groups.map((group) => {
    const mixed = group.MixedInstancesPolicy?.LaunchTemplate;
    const specs = [
      group.LaunchTemplate,
      mixed?.LaunchTemplateSpecification,
      ...(mixed?.Overrides ?? []).map((o) => o.LaunchTemplateSpecification),
    ];
    const source: GroupLaunchSource = {
      groupName: group.AutoScalingGroupName ?? '',
      launchTemplates: specs.flatMap((spec) =>
        spec && (spec.LaunchTemplateId || spec.LaunchTemplateName)
          ? [
              {
                ...(spec.LaunchTemplateId ? { id: spec.LaunchTemplateId } : {}),
                ...(spec.LaunchTemplateName ? { name: spec.LaunchTemplateName } : {}),
                version: spec.Version ?? '$Default',
              },
            ]
          : [],
      ),
    };
    if (group.LaunchConfigurationName) {
      source.launchConfigurationName = group.LaunchConfigurationName;
      const profile = profileOf.get(group.LaunchConfigurationName);
      if (profile) source.launchConfigurationProfile = profile;
    }
    return source;
  });
}

/** The numbered versions groups pin: what DescribeLaunchTemplateVersions must read besides `$Default` and `$Latest`. */
export function pinnedVersions(groups: readonly GroupLaunchSource[]): LaunchTemplateUse[] {
  return groups.flatMap((g) => g.launchTemplates.filter((use) => /^\d+$/.test(use.version)));
}
