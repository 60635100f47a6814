/** Auto Scaling adapter: groups and the instance profile their launch configuration or template names. */
import { paginateDescribeAutoScalingGroups, paginateDescribeLaunchConfigurations, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { collectPages } from './call.js';

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

/** Every Auto Scaling group with its launch source. */
export async function listGroupLaunchSources(autoscaling: AutoScalingClient): Promise<GroupLaunchSource[]> {
  const [groups, configurations] = await Promise.all([
    collectPages('autoscaling:DescribeAutoScalingGroups', paginateDescribeAutoScalingGroups({ client: autoscaling, pageSize: 100 }, {}), (p) => p.AutoScalingGroups ?? []),
    collectPages('autoscaling:DescribeLaunchConfigurations', paginateDescribeLaunchConfigurations({ client: autoscaling, pageSize: 100 }, {}), (p) => p.LaunchConfigurations ?? []),
  ]);
  const profileOf = new Map(configurations.map((c) => [c.LaunchConfigurationName ?? '', c.IamInstanceProfile]));
  return groups.map((group) => {
    const mixed = group.MixedInstancesPolicy?.LaunchTemplate;
    const specs = [group.LaunchTemplate, mixed?.LaunchTemplateSpecification, ...(mixed?.Overrides ?? []).map((o) => o.LaunchTemplateSpecification)];
    const source: GroupLaunchSource = {
      groupName: group.AutoScalingGroupName ?? '',
      launchTemplates: specs.flatMap((spec) =>
        spec && (spec.LaunchTemplateId || spec.LaunchTemplateName)
          ? [{ ...(spec.LaunchTemplateId ? { id: spec.LaunchTemplateId } : {}), ...(spec.LaunchTemplateName ? { name: spec.LaunchTemplateName } : {}), version: spec.Version ?? '$Default' }]
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
